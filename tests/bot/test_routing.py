"""bot.conversations.route_to_ticket through the turn loop: a message for a conversation
a person owns goes to its ticket (reopened when resolved) without the dialogue, and a
red flag in it is answered at once and makes the ticket urgent."""
from __future__ import annotations

from sqlalchemy import select

from bot.dialogue import RasaClient
from bot.turns import process_conversation
from dialogs.messages import t
from store.models import Case, Contact, Conversation, Direction, InboundStatus, Message, OutboxItem, Ticket, utcnow
from store.states import Owner, TicketStatus

NOWHERE = RasaClient("http://127.0.0.1:9", timeout=1)  # the dialogue must not be asked


def _resolved_case(factory, text: str) -> int:  # type: ignore[no-untyped-def]
    """A WhatsApp conversation a coordinator owns, its only ticket resolved, and a new message."""
    with factory() as session, session.begin():
        contact = Contact(whatsapp="+962790000001")
        session.add(contact)
        session.flush()
        conversation = Conversation(contact_id=contact.id, channel="whatsapp", owner=Owner.coordinator)
        session.add(conversation)
        session.flush()
        case = Case(public_id=f"C-{conversation.id:06d}", conversation_id=conversation.id,
                    data={"language": "ar", "safety": {"emergency": False, "red_flags": []}})
        session.add(case)
        session.flush()
        session.add(Ticket(public_id=f"T-{conversation.id:06d}-1", case_id=case.id, priority="normal",
                           reason="intake_complete", status=TicketStatus.resolved, assignee="lee@example.org",
                           due_at=utcnow()))
        session.add(Message(conversation_id=conversation.id, direction=Direction.inbound, channel="whatsapp",
                            provider_id="SM" + "1" * 32, inbound_status=InboundStatus.received, body=text,
                            attachments=[]))
        return conversation.id


def _outbound(factory) -> list[OutboxItem]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


def test_a_message_after_resolve_reopens_the_ticket_and_the_bot_stays_silent(settings, factory) -> None:
    conversation_id = _resolved_case(factory, "شكرا جزيلا على مساعدتكم")
    delivered: list[int] = []
    outcome = process_conversation(factory, settings, NOWHERE, conversation_id, delivered.append)
    assert outcome.status == "done" and delivered == []
    with factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.status, ticket.priority, ticket.assignee) == (TicketStatus.open, "normal", "lee@example.org")
        message = session.scalar(select(Message).where(Message.direction == Direction.inbound))
        assert (message.inbound_status, message.language) == (InboundStatus.routed_to_ticket, "ar")
    assert _outbound(factory) == []


def test_a_red_flag_for_a_coordinator_is_answered_at_once_and_the_ticket_made_urgent(settings, factory) -> None:
    conversation_id = _resolved_case(factory, "والدي عنده حرارة ٣٩ بعد الكيماوي")
    delivered: list[int] = []
    outcome = process_conversation(factory, settings, NOWHERE, conversation_id, delivered.append)
    assert outcome.status == "done"
    items = _outbound(factory)
    assert delivered == [item.id for item in items]
    to_patient = [i for i in items if i.channel == "whatsapp"]
    to_coordinators = [i for i in items if i.channel == "email"]
    assert [i.recipient for i in to_patient] == ["+962790000001"]
    assert to_patient[0].payload["text"] == t("emergency", "ar", org=settings["organisation"]["name"])
    assert [i.recipient for i in to_coordinators] == settings["organisation"]["coordinator_emails"]
    with factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.status, ticket.priority, ticket.reason) == (TicketStatus.open, "urgent", "emergency")
        case = session.scalars(select(Case)).one()
        assert case.data["safety"] == {"emergency": True, "red_flags": ["neutropenic_fever"]}
        message = session.scalar(select(Message).where(Message.direction == Direction.inbound))
        assert case.sources["safety.red_flags"] == message.id
        reply = session.scalar(select(Message).where(Message.direction == Direction.outbound))
        assert (message.language, reply.language, reply.reply_to_id) == ("ar", "ar", message.id)
        assert session.scalar(select(Conversation)).owner == Owner.coordinator  # still the coordinator's


def test_a_reading_that_fails_still_routes_the_message_to_the_ticket(settings, factory, monkeypatch) -> None:
    from dialogs import unseen

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug in the red-flag lexicon")

    monkeypatch.setattr(unseen, "read_message", broken)
    conversation_id = _resolved_case(factory, "والدي عنده حرارة ٣٩ بعد الكيماوي")
    assert process_conversation(factory, settings, NOWHERE, conversation_id).status == "done"
    with factory() as session:
        message = session.scalar(select(Message).where(Message.direction == Direction.inbound))
        assert message.inbound_status == InboundStatus.routed_to_ticket
        assert session.scalars(select(Ticket)).one().status == TicketStatus.open  # reopened for a person
