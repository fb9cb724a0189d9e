"""bot.turns and bot.leases: crash-safe serialisation, poison messages, outages that only wait.

The dialogue here is a local HTTP server standing in for Rasa at its network edge:
it answers like Rasa's REST channel, fails on messages that contain "boom", and its
health checks say up or down as the test decides.
"""
from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import ThreadingHTTPServer
from typing import Iterator

import pytest
from sqlalchemy import select

from bot import leases, turns
from bot.conversations import receive
from bot.dialogue import RasaClient
from store.models import Conversation, Direction, InboundStatus, Message, Ticket, utcnow
from channels.base import InboundMessage
from tests.helpers import JsonHandler


class EdgeRasa:
    def __init__(self) -> None:
        self.up = True
        self.actions_up = True
        self.turns: list[str] = []
        outer = self

        class Handler(JsonHandler):

            def do_GET(self) -> None:  # noqa: N802 - /status (Rasa) and /health (actions)
                if not outer.up or (self.path.startswith("/health") and not outer.actions_up):
                    return self._json(503, {})
                self._json(200, {"model_file": "intake.tar.gz", "status": "ok"})

            def do_POST(self) -> None:  # noqa: N802 - the REST channel
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.turns.append(body["message"])
                if not outer.up:
                    return self._json(500, {})
                if "boom" in body["message"]:
                    return self._json(200, [])  # an action crashed: no payload
                if not outer.actions_up:  # the action server died after the first action
                    return self._json(200, [{"custom": {"intake": {"version": 1, "case": {"language": "en"}}}}])
                self._json(200, [{"text": f"you said {body['message']}", "custom": {"intake": {"version": 1, "case": {"language": "en"}}}}])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def client(self) -> RasaClient:
        return RasaClient(self.url, timeout=5, actions_url=self.url)


@pytest.fixture
def rasa() -> Iterator[EdgeRasa]:
    edge = EdgeRasa()
    yield edge
    edge.server.shutdown()


def _send(factory, text: str, n: int) -> int:  # type: ignore[no-untyped-def]
    return receive(factory, InboundMessage(channel="simulator", sender="sim-turns", text=text, provider_id=f"t-{n}")).conversation_id


def _inbound(factory) -> list[Message]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return list(session.scalars(select(Message).where(Message.direction == Direction.inbound).order_by(Message.id)))


def _replies(factory) -> list[str]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return [m.body for m in session.scalars(select(Message).where(Message.direction == Direction.outbound).order_by(Message.id))]


def test_a_poison_message_is_set_aside_with_a_ticket_and_the_conversation_moves_on(settings, factory, rasa) -> None:
    settings["worker"]["max_turn_attempts"] = 3
    conversation = _send(factory, "boom", 1)
    _send(factory, "my father has lung cancer", 2)
    outcomes = [turns.process_conversation(factory, settings, rasa.client(), conversation).status for _ in range(3)]
    assert outcomes == ["retry", "retry", "done"]
    poison, after = _inbound(factory)
    assert poison.inbound_status == InboundStatus.failed and poison.attempts == 3 and "payload" in poison.last_error
    assert after.inbound_status == InboundStatus.processed
    with factory() as session:
        assert [t.reason for t in session.scalars(select(Ticket))] == ["bot_failure"]
    replies = _replies(factory)
    assert replies[0].startswith("Sorry, something went wrong on our side") and replies[1] == "you said my father has lung cancer"


def test_an_outage_only_waits_however_long_it_lasts(settings, factory, rasa) -> None:
    settings["worker"]["max_turn_attempts"] = 2
    rasa.up = False
    conversation = _send(factory, "hello", 1)
    for _ in range(5):
        assert turns.process_conversation(factory, settings, rasa.client(), conversation).status == "retry"
    [message] = _inbound(factory)
    assert message.inbound_status == InboundStatus.received and message.attempts == 0
    rasa.up = True
    assert turns.process_conversation(factory, settings, rasa.client(), conversation).status == "done"
    assert _replies(factory) == ["you said hello"]


def test_a_live_lease_keeps_others_out_and_an_expired_one_is_taken_over(settings, factory, rasa) -> None:
    conversation = _send(factory, "hello", 1)
    assert leases.claim(factory, conversation, "worker-a", ttl=60)
    assert turns.process_conversation(factory, settings, rasa.client(), conversation).status == "busy"
    assert rasa.turns == []
    with factory() as session, session.begin():  # worker-a was killed: its lease runs out
        session.get(Conversation, conversation).lease_until = utcnow() - timedelta(seconds=1)
    assert turns.process_conversation(factory, settings, rasa.client(), conversation).status == "done"
    assert _replies(factory) == ["you said hello"]
    with factory() as session:
        assert session.get(Conversation, conversation).lease_owner is None  # released


def test_a_turn_whose_lease_was_taken_over_is_discarded(settings, factory, rasa) -> None:
    conversation = _send(factory, "hello", 1)
    owner = leases.worker_id()
    assert leases.claim(factory, conversation, owner, ttl=60)
    with factory() as session, session.begin():
        assert not leases.hold(session, conversation, "someone-else", ttl=60)
        assert leases.hold(session, conversation, owner, ttl=60)


def test_the_sweep_queues_a_stranded_conversation_once_until_its_task_starts(settings, factory, rasa) -> None:
    settings["worker"].update({"stale_after_seconds": 0, "requeue_lost_after_seconds": 60})
    conversation = _send(factory, "hello", 1)
    assert turns.conversations_to_sweep(factory, settings) == [conversation]
    assert turns.conversations_to_sweep(factory, settings) == []  # already queued
    with factory() as session, session.begin():  # a lease held by a worker that then died
        row = session.get(Conversation, conversation)
        row.lease_owner, row.lease_until = "dead", utcnow() - timedelta(seconds=1)
    settings["worker"]["requeue_lost_after_seconds"] = 0  # the queued task was lost too
    assert turns.conversations_to_sweep(factory, settings) == [conversation]
    assert turns.process_conversation(factory, settings, rasa.client(), conversation).status == "done"


def test_a_turn_cut_short_by_the_action_server_going_down_is_redone(settings, factory, rasa) -> None:
    conversation = _send(factory, "hello", 1)
    rasa.actions_up = False
    assert turns.process_conversation(factory, settings, rasa.client(), conversation).status == "retry"
    [message] = _inbound(factory)
    assert message.inbound_status == InboundStatus.received and message.attempts == 0
    rasa.actions_up = True
    assert turns.process_conversation(factory, settings, rasa.client(), conversation).status == "done"
    assert _replies(factory) == ["you said hello"]
