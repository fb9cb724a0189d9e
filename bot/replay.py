"""`intake replay`: scripted conversations through the whole real stack.

Each event goes through its channel's parsing, the conversation service, the
real Rasa model and actions, and the outbox; senders are local (WhatsApp to
the simulator transport, e-mail over SMTP to an in-process sink), so nothing
leaves the machine. Each event is delivered after the bot answered the last;
after the last one the stall time passes (an unfinished intake shows its
`intake_stalled` ticket, as the worker would open it).
"""
from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator, TextIO

from sqlalchemy import select

from bot import clock, migrate, outbox
from store.config import Settings, load_settings
from bot.conversations import files_dir, receive
from bot.stalled import check_stalled
from bot.turns import process_conversation
from store.db import session_factory
from bot.dialogue import RasaClient
from bot.mailsink import MailSink
from store.models import Case, Conversation, Direction, Message
from bot.rasa_runtime import DialogueServers, dialogue_client, say
from bot.senders import sender_factory
from channels import email as email_channel
from channels import whatsapp
from channels.base import InboundMessage, InvalidPayload
from handoff.cases import case_document

REPLAY_TO = "whatsapp:+10000000000"


class ReplayError(ValueError):
    """A line of the replay file that cannot be run; reported, the others still run."""


def _provider_id(conv_id: str, index: int, prefix: str) -> str:
    return prefix + hashlib.sha1(f"{conv_id}/{index}".encode()).hexdigest()[:32]


def to_inbound(event: dict[str, Any], conv_id: str, index: int, base_dir: Path) -> InboundMessage:
    """One replay event as the channel adapters would see it on the wire."""
    channel = event.get("channel")
    if channel == "whatsapp":
        media = event.get("media") or []
        form = {
            "MessageSid": _provider_id(conv_id, index, "SM"),
            "AccountSid": "AC" + "0" * 32,
            "From": event.get("from", ""),
            "To": event.get("to", REPLAY_TO),
            "Body": event.get("body", ""),
            "NumMedia": str(len(media)),
        }
        if event.get("profile_name"):
            form["ProfileName"] = event["profile_name"]
        for i, item in enumerate(media):
            name = item.get("filename") or f"media{i}"
            form[f"MediaUrl{i}"] = f"https://replay.invalid/media/{conv_id}/{name}"
            form[f"MediaContentType{i}"] = item.get("content_type", "application/octet-stream")
        return whatsapp.parse_webhook(form)
    if channel == "email":
        if event.get("raw"):
            return email_channel.parse_raw((base_dir / event["raw"]).read_bytes())
        return email_channel.parse_simple(
            sender=event.get("from", ""),
            subject=event.get("subject"),
            body=event.get("body", ""),
            message_id=f"<{_provider_id(conv_id, index, 'r')}@replay.invalid>",
        )
    raise ReplayError(f"unknown channel {channel!r}")


def _conversation_ids(factory: Any, message_ids: list[int]) -> list[int]:
    with factory() as session:
        rows = session.scalars(select(Message.conversation_id).where(Message.id.in_(message_ids)))
        return list(dict.fromkeys(rows))


def _result(factory: Any, conv_id: str, message_ids: list[int]) -> dict[str, Any]:
    conversation_ids = _conversation_ids(factory, message_ids)
    with factory() as session:
        replies = [
            m.body
            for m in session.scalars(
                select(Message)
                .where(Message.conversation_id.in_(conversation_ids), Message.direction == Direction.outbound)
                .order_by(Message.id)
            )
        ]
        case = None
        if conversation_ids:
            row = session.scalar(select(Case).join(Conversation).where(Conversation.id == conversation_ids[-1]))
            case = case_document(session, row) if row else None
    return {"id": conv_id, "replies": replies, "case": case}


def _lines(stream: TextIO) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(stream, 1):
        if line.strip():
            yield number, line


def run_replay(path: Path, as_json: bool, out: TextIO = sys.stdout, settings: Settings | None = None) -> int:
    """Replay every conversation of `path`; returns the number of lines that failed."""
    workdir = tempfile.TemporaryDirectory(prefix="intake-replay-")
    sink = MailSink(folder=Path(workdir.name) / "mail").start()
    settings = settings or load_settings(
        overrides={"data_dir": workdir.name, "database_url": None, "smtp": {"host": "127.0.0.1", "port": sink.port, "use_tls": False}},
    )
    settings["secrets"].update({"TWILIO_ACCOUNT_SID": "", "TWILIO_AUTH_TOKEN": "", "TWILIO_WHATSAPP_FROM": ""})
    migrate.upgrade(settings.database_url)
    factory = session_factory(settings.database_url)
    server_settings = load_settings()
    dialogue = dialogue_client(server_settings)
    senders = sender_factory(settings)
    failures = 0
    servers = DialogueServers(server_settings).start()
    try:
        with open(path, encoding="utf-8") as stream:
            for number, line in _lines(stream):
                try:
                    result = _replay_one(json.loads(line), path.parent, factory, settings, dialogue, senders)
                except (ValueError, KeyError, TypeError, InvalidPayload, OSError) as exc:
                    failures += 1
                    result = {"id": None, "line": number, "error": f"{exc.__class__.__name__}: {exc}"}
                _emit(result, as_json, out)
    finally:
        servers.stop()
        sink.stop()
        workdir.cleanup()
    return failures


def _replay_one(item: dict[str, Any], base_dir: Path, factory: Any, settings: Settings, dialogue: RasaClient, senders: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or not isinstance(item.get("events"), list):
        raise ReplayError("each line must be an object with an 'events' list")
    conv_id = str(item.get("id", ""))
    message_ids: list[int] = []
    for index, event in enumerate(item["events"]):
        received = receive(factory, to_inbound(event, conv_id, index, base_dir), files_dir(settings))
        message_ids.append(received.message_id)
        outcome = process_conversation(
            factory, settings, dialogue, received.conversation_id,
            deliver=lambda outbox_id: outbox.deliver(factory, settings, outbox_id, senders),
        )
        if outcome.status != "done":
            raise ReplayError(f"event {index} was not answered: the dialogue is {outcome.status}")
    # After the last event time passes: an intake that stopped before its ticket
    # gets its intake_stalled ticket, as the worker's sweep would give it.
    stall_after = timedelta(hours=float(settings.get_path("intake.stall_after_hours", 24)), minutes=1)
    check_stalled(factory, settings, now=clock.now() + stall_after, only=_conversation_ids(factory, message_ids))
    return _result(factory, conv_id, message_ids)


def _emit(result: dict[str, Any], as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
        return
    out.write(f"=== {result.get('id')}\n")
    if "error" in result:
        out.write(f"  error: {result['error']}\n")
        return
    for reply in result["replies"]:
        out.write("  bot> " + reply.replace("\n", "\n       ") + "\n")
    case = result.get("case") or {}
    rec = case.get("recommendation") or {}
    ticket = case.get("ticket") or {}
    out.write(f"  case {case.get('id')}: {case.get('diagnosis', {}).get('cancer_type')} -> {rec.get('primary')}, "
              f"ticket {ticket.get('priority')} {ticket.get('reason')}\n")


def main_replay(path: str, as_json: bool) -> int:
    file = Path(path)
    if not file.exists():
        say(f"no such file: {path}")
        return 2
    return 1 if run_replay(file, as_json) else 0
