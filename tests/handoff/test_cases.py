"""handoff.cases: the case document the API, the console and replay return (full shape,
valid against the contract), its records, its current ticket, and fact sources."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest

import estimates
from handoff import cases
from handoff.case_shape import full_case
from store.models import Case, Contact, Conversation, Direction, InboundStatus, Message, Ticket, utcnow
from store.states import TicketStatus

SCHEMA = json.loads((Path(__file__).parents[2] / "bot" / "contract" / "case.schema.json").read_text())


@pytest.fixture
def case_id(factory) -> int:  # type: ignore[no-untyped-def]
    """A WhatsApp conversation with one inbound message carrying a pathology report."""
    with factory() as session, session.begin():
        contact = Contact(whatsapp="+254711000101", name="Amina")
        session.add(contact)
        session.flush()
        conversation = Conversation(contact_id=contact.id, channel="whatsapp")
        session.add(conversation)
        session.flush()
        session.add(Message(conversation_id=conversation.id, direction=Direction.inbound, channel="whatsapp",
                            provider_id="SM1", inbound_status=InboundStatus.processed, body="her report",
                            attachments=[{"filename": "pathology_report.pdf", "content_type": "application/pdf",
                                          "size": 1200}]))
        case = Case(public_id="C-000001", conversation_id=conversation.id, data={})
        session.add(case)
        session.flush()
        return case.id


def _document(factory, case_id: int) -> dict:  # type: ignore[no-untyped-def, type-arg]
    with factory() as session:
        return cases.case_document(session, session.get(Case, case_id))


def test_an_empty_case_has_the_whole_shape_and_satisfies_the_contract(factory, case_id) -> None:
    doc = _document(factory, case_id)
    jsonschema.validate(doc, SCHEMA)
    assert doc["id"] == "C-000001" and doc["channel"] == "whatsapp" and doc["consent"] == "pending"
    assert doc["contact"] == {"whatsapp": "+254711000101", "email": None, "name": "Amina"}
    assert doc["ticket"] is None and doc["recommendation"] is None
    assert doc["records"]["missing"] == []  # no pathway yet: nothing is asked for


def test_records_received_come_from_the_messages_and_missing_follows_the_pathway(factory, case_id) -> None:
    with factory() as session, session.begin():
        case = session.get(Case, case_id)
        body = {"language": "en", "consent": "given", "diagnosis": {"cancer_type": "breast", "stage": "II"},
                "location": {"country": "KE", "city": "Nairobi"}, "request": {"service": "remote_second_opinion"}}
        case.data = {**body, **estimates.estimate_for_case(full_case(body))}
    doc = _document(factory, case_id)
    jsonschema.validate(doc, SCHEMA)
    received = doc["records"]["received"]
    assert [(r["kind"], r["filename"], r["size"]) for r in received] == [("pathology_report", "pathology_report.pdf", 1200)]
    wanted = estimates.records_checklist(doc, doc["recommendation"])
    assert "pathology_report" in wanted and doc["records"]["missing"] == [k for k in wanted if k != "pathology_report"]


def test_the_current_ticket_is_the_unresolved_one_else_the_last(factory, case_id) -> None:
    with factory() as session, session.begin():
        due = utcnow() + timedelta(hours=4)
        session.add_all([
            Ticket(public_id="T-000001-1", case_id=case_id, priority="normal", reason="intake_complete", due_at=due,
                   status=TicketStatus.open),
            Ticket(public_id="T-000001-2", case_id=case_id, priority="urgent", reason="emergency", due_at=due,
                   status=TicketStatus.resolved),
        ])
    assert _document(factory, case_id)["ticket"]["id"] == "T-000001-1"
    with factory() as session, session.begin():
        for ticket in session.get(Case, case_id).tickets:
            ticket.status = TicketStatus.resolved
    ticket = _document(factory, case_id)["ticket"]
    assert ticket["id"] == "T-000001-2" and ticket["status"] == "resolved" and ticket["priority"] == "urgent"


def test_each_changed_fact_is_attributed_to_its_message_and_a_cleared_one_loses_it() -> None:
    case = Case(public_id="C-000009", conversation_id=1, data={}, sources={})
    cases.set_case(case, {"diagnosis": {"cancer_type": "lung", "stage": None}, "language": "en"}, message_id=7)
    assert case.sources == {"diagnosis.cancer_type": 7, "language": 7}
    cases.set_case(case, {"diagnosis": {"cancer_type": "lung", "stage": "III"}, "language": "en"}, message_id=8)
    assert case.sources == {"diagnosis.cancer_type": 7, "language": 7, "diagnosis.stage": 8}
    cases.set_case(case, {"diagnosis": {"cancer_type": None, "stage": "III"}, "language": "en"}, message_id=9)
    assert case.sources == {"language": 7, "diagnosis.stage": 8}
    assert case.data == {"diagnosis": {"cancer_type": None, "stage": "III"}, "language": "en"}


def test_a_dialogue_turn_keeps_the_coordinators_adjusted_estimate() -> None:
    case_facts = {"diagnosis": {"cancer_type": "glioma"}, "location": {"country": "NG"}, "language": "en"}
    first = estimates.estimate_for_case(case_facts)
    case = Case(public_id="C-000010", conversation_id=1, data={}, sources={})
    cases.set_case(case, {**case_facts, **first}, message_id=1)
    case.data = {**case.data, "estimate": estimates.override_item(
        case.data["estimate"], "visa", 160, 160, "fee confirmed", "amina", at="2026-11-27T10:00:00+00:00")}
    # The bot's next turn estimates afresh (it knows nothing of the adjustment).
    cases.set_case(case, {**case_facts, **estimates.estimate_for_case(case_facts)}, message_id=2)
    visa = next(i for i in case.data["estimate"]["items"] if i["code"] == "visa")
    assert (visa["low"], visa["high"], visa.get("overridden")) == (160, 160, True)
    assert [o["reason"] for o in case.data["estimate"]["overrides"]] == ["fee confirmed"]
