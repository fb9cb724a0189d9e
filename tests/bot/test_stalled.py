"""bot.stalled: a quiet intake with consent gets one reminder, then one intake_stalled ticket."""
from __future__ import annotations

import pytest
from huey import MemoryHuey
from sqlalchemy import func, select

from bot import clock
from bot.app import create_app
from store.models import Case, Contact, Conversation, Direction, InboundStatus, Message, Ticket
from bot.rasa_runtime import dialogue_client
from bot.senders import sender_factory
from bot.stalled import check_stalled
from bot.worker import Worker
from tests.helpers import post_signed, twilio_form

HOUR = 3600


def _intake(factory, channel: str = "whatsapp", consent: str = "given", opted_out: bool = False,  # type: ignore[no-untyped-def]
            data: dict | None = None) -> int:
    with factory() as session, session.begin():
        contact = Contact(whatsapp="+254711000101", email="amina@example.org", opted_out=opted_out)
        session.add(contact)
        session.flush()
        conversation = Conversation(contact_id=contact.id, channel=channel, subject="Help")
        session.add(conversation)
        session.flush()
        session.add(Message(conversation_id=conversation.id, direction=Direction.inbound, channel=channel,
                            provider_id="in-1", inbound_status=InboundStatus.processed, body="my mum has cancer", attachments=[]))
        session.add(Case(public_id="C-000001", conversation_id=conversation.id,
                         data=data or {"consent": consent, "language": "sw", "history": {"disease_status": "relapsed"}}))
        return conversation.id


def _outbound(factory) -> list[str]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return [m.body for m in session.scalars(select(Message).where(Message.direction == Direction.outbound))]


def test_a_stalled_relapsed_intake_opens_a_high_ticket_with_the_recommendation_so_far(
        settings, factory, test_clock) -> None:
    pending = {"primary": None, "secondary": [], "reasons": ["pending: intake incomplete (location, requested_service)"]}
    _intake(factory, data={"consent": "given", "language": "tl", "recommendation": pending,
                           "diagnosis": {"cancer_type": "large_b_cell_lymphoma"},
                           "history": {"disease_status": "relapsed", "lines_of_therapy": 2}})
    test_clock(25 * HOUR)
    check_stalled(factory, settings)
    [ticket] = _tickets(factory)
    assert (ticket.reason, ticket.priority) == ("intake_stalled", "high")
    with factory() as session:
        recommendation = session.scalar(select(Case)).data["recommendation"]
    assert recommendation["primary"] == "car_t_eligibility"
    assert recommendation["reasons"][0].startswith("R3_car_t")
    assert recommendation["reasons"][-1] == pending["reasons"][0]  # what was still missing


def _tickets(factory) -> list[Ticket]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return list(session.scalars(select(Ticket)))


def test_one_reminder_then_one_ticket_at_the_priority_the_facts_give(settings, factory, test_clock) -> None:
    _intake(factory)
    assert check_stalled(factory, settings) == [] and _outbound(factory) == []
    test_clock(5 * HOUR)
    assert len(check_stalled(factory, settings)) == 1
    [reminder] = _outbound(factory)
    assert reminder.startswith("Bado tupo")  # in the patient's language (Swahili)
    assert check_stalled(factory, settings) == []  # one reminder only
    test_clock(20 * HOUR)
    check_stalled(factory, settings)
    [ticket] = _tickets(factory)
    assert ticket.reason == "intake_stalled" and ticket.priority == "high"  # relapsed (DESIGN 6.6)
    check_stalled(factory, settings)
    assert len(_tickets(factory)) == 1 and len(_outbound(factory)) == 1


def test_an_email_intake_with_pending_consent_is_handed_over_too(settings, factory, test_clock) -> None:
    _intake(factory, channel="email", consent="pending")
    test_clock(25 * HOUR)
    check_stalled(factory, settings)
    assert [t.reason for t in _tickets(factory)] == ["intake_stalled"]


@pytest.mark.parametrize("consent, opted_out", [("pending", False), ("refused", False), ("given", True)])
def test_no_consent_refusal_or_opt_out_is_never_chased(settings, factory, test_clock, consent, opted_out) -> None:
    _intake(factory, consent=consent, opted_out=opted_out)
    test_clock(5 * HOUR)
    check_stalled(factory, settings)
    test_clock(25 * HOUR)
    check_stalled(factory, settings)
    assert _outbound(factory) == [] and _tickets(factory) == []


def test_no_reminder_outside_the_whatsapp_window(settings, factory, test_clock) -> None:
    settings["intake"].update({"reminder_after_hours": 30, "stall_after_hours": 48})
    _intake(factory)
    test_clock(31 * HOUR)
    assert check_stalled(factory, settings) == []
    assert _outbound(factory) == []


@pytest.mark.rasa
def test_a_quiet_family_through_rasa_gets_a_reminder_then_a_ticket(rasa_servers, settings, factory, twilio_http, test_clock) -> None:
    worker = Worker(settings, huey=MemoryHuey("stall", immediate=True), dialogue=dialogue_client(rasa_servers),
                    sender_for=sender_factory(settings, twilio_http))
    client = create_app(settings, enqueue=worker.enqueue).test_client()
    sender = "+254711000777"
    post_signed(client, twilio_form("SM" + "a1" * 16, sender=sender, body="Habari, mama yangu ana saratani ya matiti"))
    post_signed(client, twilio_form("SM" + "a2" * 16, sender=sender, body="ndiyo"))
    asked = len(twilio_http.requests)
    with factory() as session:
        assert session.scalar(select(Case)).data["consent"] == "given"
        assert session.scalar(select(func.count()).select_from(Ticket)) == 0
    test_clock(5 * HOUR)
    worker.sweep()
    assert len(twilio_http.requests) == asked + 1 and twilio_http.requests[-1].data["To"] == f"whatsapp:{sender}"
    test_clock(20 * HOUR)
    worker.sweep()
    worker.sweep()
    [ticket] = _tickets(factory)
    assert ticket.reason == "intake_stalled"
    assert len([r for r in twilio_http.requests if r.data.get("To") == f"whatsapp:{sender}"]) == asked + 1
    assert clock.offset_seconds() == 25 * HOUR


def test_the_sweep_raises_a_ticket_left_past_its_due_time_to_high(settings, factory, test_clock) -> None:
    _intake(factory, data={"consent": "given", "language": "sw"})
    test_clock(25 * HOUR)
    check_stalled(factory, settings)  # the intake_stalled ticket, normal, due one business day later
    worker = Worker(settings, huey=MemoryHuey("overdue", immediate=True), sender_for=sender_factory(settings))
    worker.sweep()
    assert [t.priority for t in _tickets(factory)] == ["normal"]
    test_clock(5 * 24 * HOUR)  # past any business day, weekends and holidays included
    worker.sweep()
    assert [t.priority for t in _tickets(factory)] == ["high"]


def test_the_sweeper_outlives_a_failing_check(settings, factory) -> None:
    import threading

    from tests.helpers import wait_for

    worker = Worker(settings, huey=MemoryHuey("sweeper", immediate=True), sender_for=sender_factory(settings))
    calls: list[int] = []

    def flaky() -> list[int]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug in one periodic check")
        return []

    worker.periodic.append(flaky)
    stop = threading.Event()
    sweeper = threading.Thread(target=worker._sweep_forever, args=(stop,), daemon=True)
    sweeper.start()
    try:
        wait_for(lambda: len(calls) >= 3, timeout=20)  # swept again after the failure
        assert sweeper.is_alive()
    finally:
        stop.set()
        sweeper.join(timeout=10)
