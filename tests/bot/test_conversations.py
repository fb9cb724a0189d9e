"""bot.conversations: each inbound message is stored once, and each turn's update
(handoff.turn) lands with its replies in one transaction; an update that breaks the
contract is a bot failure a person reads, never a silent loss."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot import conversations
from channels.base import Attachment, InboundMessage
from dialogs.messages import t
from handoff.turn import OwnerChange, TicketRequest, TurnUpdate
from store.models import Case, Contact, Conversation, Direction, InboundStatus, Message, OutboxItem, Ticket
from store.states import Owner, Priority, Reason

SENDER = "+254711000101"


def _whatsapp(n: int, text: str = "Hello", sender: str = SENDER) -> InboundMessage:
    return InboundMessage(channel="whatsapp", sender=f"whatsapp:{sender}", recipient="whatsapp:+14155238886",
                          text=text, provider_id=f"SM{n:032d}", profile_name="Amina")


def _receive(factory, settings, msg: InboundMessage) -> conversations.Received:  # type: ignore[no-untyped-def]
    return conversations.receive(factory, msg, conversations.files_dir(settings))


def _turn(factory, settings, message_id: int, *replies: dict[str, Any]) -> list[int]:  # type: ignore[no-untyped-def]
    with factory() as session, session.begin():
        return conversations.apply_turn(session, settings, message_id, list(replies))


def _reply(text: str | None, update: TurnUpdate) -> dict[str, Any]:
    """A reply as Rasa's REST channel returns the actions' utterances."""
    return {**({"text": text} if text else {}), "custom": update.to_json()}


def _outbound(factory) -> list[str]:  # type: ignore[no-untyped-def]
    with factory() as session:
        rows = session.scalars(select(Message).where(Message.direction == Direction.outbound).order_by(Message.id))
        return [m.body for m in rows]


# ------------------------------------------------------------------ receive


def test_a_provider_retry_is_stored_once(factory, settings) -> None:
    first = _receive(factory, settings, _whatsapp(1))
    again = _receive(factory, settings, _whatsapp(1))
    assert first.created and first.needs_processing
    assert (again.message_id, again.conversation_id, again.created, again.needs_processing) == (
        first.message_id, first.conversation_id, False, False)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 1
        assert session.scalar(select(func.count()).select_from(Contact)) == 1


def test_a_contact_who_opted_out_is_stored_but_not_answered(factory, settings) -> None:
    first = _receive(factory, settings, _whatsapp(1))
    _turn(factory, settings, first.message_id, _reply("You will receive no more messages.", TurnUpdate(opt_out=True)))
    later = _receive(factory, settings, _whatsapp(2, "Are you there?"))
    assert later.created and not later.needs_processing
    with factory() as session:
        message = session.get(Message, later.message_id)
        assert message.inbound_status == InboundStatus.ignored and message.body == "Are you there?"


# ------------------------------------------------------------------ apply_turn


def test_the_case_is_stored_with_the_message_each_fact_came_from(factory, settings) -> None:
    first = _receive(factory, settings, _whatsapp(1, "My mother has breast cancer"))
    case = {"language": "en", "diagnosis": {"cancer_type": "breast"}}
    outbox_ids = _turn(factory, settings, first.message_id, _reply("Where does she live?", TurnUpdate(case=case)))
    second = _receive(factory, settings, _whatsapp(2, "Nairobi"))
    _turn(factory, settings, second.message_id, _reply("Thank you.", TurnUpdate(case={**case, "location": {"city": "Nairobi"}})))
    with factory() as session:
        stored = session.scalar(select(Case))
        assert stored.data["location"] == {"city": "Nairobi"}
        assert stored.sources == {"language": first.message_id, "diagnosis.cancer_type": first.message_id,
                                  "location.city": second.message_id}
        assert session.get(Message, first.message_id).inbound_status == InboundStatus.processed
        assert session.get(OutboxItem, outbox_ids[0]).payload["text"] == "Where does she live?"
    assert _outbound(factory) == ["Where does she live?", "Thank you."]


def test_a_ticket_request_opens_a_ticket_and_tells_the_coordinators(factory, settings) -> None:
    first = _receive(factory, settings, _whatsapp(1))
    request = TicketRequest(Reason.intake_complete, Priority.high)
    outbox_ids = _turn(factory, settings, first.message_id, _reply("Our estimate.", TurnUpdate(case={"language": "en"}, ticket=request)))
    with factory() as session:
        ticket = session.scalar(select(Ticket))
        assert (ticket.reason, ticket.priority) == ("intake_complete", "high")
        items = [session.get(OutboxItem, i) for i in outbox_ids]
        assert [i.recipient for i in items if i.payload.get("kind") == "notification"] == settings["organisation"]["coordinator_emails"]
        assert [i.payload["text"] for i in items if i.channel == "whatsapp"] == ["Our estimate."]
        assert session.scalar(select(Conversation)).owner == Owner.bot  # a ticket alone does not hand over


def test_a_hand_over_leaves_the_conversation_waiting_for_a_coordinator(factory, settings) -> None:
    first = _receive(factory, settings, _whatsapp(1, "I want to talk to a person"))
    update = TurnUpdate(case={"language": "en"}, ticket=TicketRequest(Reason.patient_request, Priority.normal),
                        owner=OwnerChange.hand_over)
    _turn(factory, settings, first.message_id, _reply("A coordinator will write to you.", update))
    with factory() as session:
        assert session.scalar(select(Conversation)).owner == Owner.waiting
        assert session.scalar(select(Ticket)).reason == "patient_request"


def test_after_hand_back_the_patients_message_ends_a_wait_on_the_patient_but_reopens_nothing(factory, settings) -> None:
    from handoff import verbs
    from store.states import TicketStatus

    first = _receive(factory, settings, _whatsapp(1, "I want to talk to a person"))
    update = TurnUpdate(case={"language": "en"}, ticket=TicketRequest(Reason.patient_request, Priority.normal),
                        owner=OwnerChange.hand_over)
    _turn(factory, settings, first.message_id, _reply("A coordinator will write to you.", update))
    with factory() as session, session.begin():
        ticket = session.scalar(select(Ticket))
        verbs.claim(session, ticket, "lee@example.org")
        verbs.wait_on_patient(session, ticket)
        verbs.hand_back(session, ticket.case.conversation)
    second = _receive(factory, settings, _whatsapp(2, "Here are the reports"))
    _turn(factory, settings, second.message_id, _reply("Thank you.", TurnUpdate(case={"language": "en"})))
    with factory() as session, session.begin():
        ticket = session.scalar(select(Ticket))
        assert ticket.status == TicketStatus.claimed and ticket.case.conversation.owner == Owner.bot
        verbs.resolve(session, ticket)
    third = _receive(factory, settings, _whatsapp(3, "Thanks again"))
    _turn(factory, settings, third.message_id, _reply("You are welcome.", TurnUpdate(case={"language": "en"})))
    with factory() as session:  # the bot answered: a resolved ticket stays resolved
        assert session.scalar(select(Ticket)).status == TicketStatus.resolved


def test_an_opt_out_closes_the_conversation_after_its_confirmation(factory, settings) -> None:
    first = _receive(factory, settings, _whatsapp(1, "STOP"))
    _turn(factory, settings, first.message_id, _reply("You will receive no more messages.", TurnUpdate(case={"language": "en"}, opt_out=True)))
    with factory() as session:
        conversation = session.scalar(select(Conversation))
        assert conversation.owner == Owner.closed and conversation.contact.opted_out
    assert _outbound(factory) == ["You will receive no more messages."]


def test_an_erasure_keeps_nothing_the_patient_said_or_sent(factory, settings) -> None:
    msg = InboundMessage(channel="email", sender="amina@example.org", recipient="care@intake.localhost",
                         text="Here is the report. I do not agree.", provider_id="<m1@example.org>",
                         subject="My mother", thread_key="<m1@example.org>",
                         attachments=(Attachment(None, "application/pdf", "report.pdf", 4, b"%PDF"),))
    first = _receive(factory, settings, msg)
    with factory() as session:
        path = session.get(Message, first.message_id).attachments[0]["path"]
    stored_file = Path(conversations.files_dir(settings)) / path
    assert stored_file.exists()
    _turn(factory, settings, first.message_id, _reply("We have deleted what you sent.", TurnUpdate(erase=True)))
    with factory() as session:
        message = session.get(Message, first.message_id)
        assert (message.body, message.subject, message.attachments) == ("", None, [])
        assert session.scalar(select(Case)).data == {"consent": "refused", "language": "en"}
        assert session.scalar(select(Conversation)).owner == Owner.closed
    assert not stored_file.exists()


def test_a_malformed_update_is_a_bot_failure_and_the_patient_is_told(factory, settings) -> None:
    first = _receive(factory, settings, _whatsapp(1, "My mother has breast cancer"))
    valid = _reply("Where does she live?", TurnUpdate(case={"language": "en", "diagnosis": {"cancer_type": "breast"}}))
    broken = {"custom": {"intake": {"version": 1, "ticket": {"reason": "because", "priority": "normal"}}}}
    outbox_ids = _turn(factory, settings, first.message_id, valid, broken)
    with factory() as session:
        message = session.get(Message, first.message_id)
        assert message.inbound_status == InboundStatus.failed and message.body == "My mother has breast cancer"
        assert message.last_error.startswith("TurnError: unknown reason 'because'")
        ticket = session.scalar(select(Ticket))
        assert ticket.reason == "bot_failure"
        assert session.scalar(select(Case)).data == {}  # nothing of the broken turn was applied
        assert any(session.get(OutboxItem, i).payload.get("kind") == "notification" for i in outbox_ids)
    assert _outbound(factory) == [t("turn_failed", None)]


def test_a_message_already_handled_is_left_alone(factory, settings) -> None:
    first = _receive(factory, settings, _whatsapp(1))
    _turn(factory, settings, first.message_id, _reply("Hello!", TurnUpdate(case={"language": "en"})))
    # A worker whose lease was taken over comes back with the same turn.
    assert _turn(factory, settings, first.message_id, _reply("Hello!", TurnUpdate(case={"language": "fr"}))) == []
    with factory() as session:
        assert session.scalar(select(Case)).data == {"language": "en"}
    assert _outbound(factory) == ["Hello!"]
