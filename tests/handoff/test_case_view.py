"""handoff.case_view: the case page's content from a ticket: facts in English linked to
their messages, recommendation, records, transcript with delivery status, notes, header."""
from __future__ import annotations

import copy
import itertools
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

import estimates
from bot import conversations
from channels.base import Attachment, InboundMessage
from estimates import vocabulary
from estimates.rules import load_rules
from handoff import case_facts, case_view, verbs
from handoff.case_shape import EMPTY_CASE
from handoff.turn import TicketRequest, TurnUpdate
from store.models import Case, DeliveryStatus, Direction, Message, Ticket
from store.states import Priority, Reason, TicketStatus

RULES = {"timezone": "UTC", "business_hours": {"start": 9, "end": 17}, "business_days": [0, 1, 2, 3, 4],
         "holidays": [], "urgent_minutes": 60}
CONTRACT = Path(__file__).resolve().parents[2] / "bot" / "contract"
_n = itertools.count(1)


def body(language: str = "en", **sections: dict[str, Any]) -> dict[str, Any]:
    """A case body as the dialogue writes it, with its recommendation and estimate."""
    case = copy.deepcopy(EMPTY_CASE)
    case.update(language=language, consent="given")
    for name, values in sections.items():
        case[name].update(values)
    case.update(estimates.estimate_for_case(case))
    return case


def turn(factory, settings, text: str, case: dict[str, Any], *, sender: str = "+254711000201",  # type: ignore[no-untyped-def]
         channel: str = "whatsapp", attachments: tuple[Attachment, ...] = ()) -> int:
    """One patient message through conversations.receive and apply_turn (as seed_ticket does); its id."""
    n = next(_n)
    if channel == "email":
        msg = InboundMessage(channel="email", sender=sender, recipient="care@intake.localhost", text=text,
                             provider_id=f"<case-view-{n}@example.org>", subject="My mother", attachments=attachments,
                             profile_name="Layla Ahmed")
    else:
        msg = InboundMessage(channel="whatsapp", sender=sender, recipient="+14155238886", text=text,
                             provider_id=f"SMcv{n:030d}", attachments=attachments, profile_name="Layla Ahmed")
    received = conversations.receive(factory, msg, conversations.files_dir(settings))
    update = TurnUpdate(case=case, ticket=TicketRequest(Reason.intake_complete, Priority.normal))
    replies = [{"text": "Thank you.", "custom": update.to_json()}]
    with factory() as session, session.begin():
        conversations.apply_turn(session, settings, received.message_id, replies)
    return received.message_id


def build(factory, settings, now=None) -> case_view.CaseView:  # type: ignore[no-untyped-def]
    with factory() as session:
        ticket = session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
        return case_view.build(session, ticket, now or ticket.due_at - timedelta(hours=1), RULES,
                               conversations.files_dir(settings))


def facts(view: case_view.CaseView) -> dict[str, case_facts.Fact]:
    return {f.field: f for g in view.groups for f in g.facts}


def test_an_arabic_case_reads_in_english_and_each_fact_links_to_the_message_that_gave_it(factory, settings) -> None:
    first_body = body("ar", diagnosis={"cancer_type": "lung_nsclc", "stage": "IV", "biomarkers": ["EGFR"],
                                       "text": "سرطان الرئة المرحلة الرابعة"},
                      patient={"relation": "parent", "age": 61, "sex": "female"},
                      request={"service": "clinical_trial_matching"})
    first = turn(factory, settings, "والدتي مصابة بسرطان الرئة في المرحلة الرابعة", first_body)
    second_body = copy.deepcopy(first_body)
    second_body["location"].update(country="AE", city="Dubai")
    second_body["history"].update(treatments=[{"type": "chemotherapy", "detail": "carboplatin", "year": 2024}],
                                  disease_status="progressing")
    second = turn(factory, settings, "نحن في دبي. تلقت العلاج الكيميائي", second_body)

    view = build(factory, settings)
    found = facts(view)
    assert view.language_label == "Arabic"
    assert found["diagnosis.cancer_type"].value == "Non-small cell lung cancer"
    assert found["diagnosis.stage"].value == "Stage IV"
    assert found["diagnosis.biomarkers"].value == "EGFR"
    # "my mother" (والدتي): the patient is the parent, so the writer is the patient's child.
    assert found["patient.relation"].value == "The patient's child (the patient is their parent)"
    assert found["location.country"].value == "United Arab Emirates (AE)"
    assert found["history.treatments"].value == "Chemotherapy (carboplatin, 2024)"
    assert found["history.disease_status"].value == "Progressing"
    # Each fact points at the turn that gave it its value.
    assert found["diagnosis.stage"].source == first and found["patient.age"].source == first
    assert found["location.city"].source == second and found["history.disease_status"].source == second
    said = view.transcript[0].at  # "03 Dec 2026 09:57": the link says "03 Dec 09:57"
    assert found["diagnosis.stage"].source_at == said[:6] + said[11:]
    # Unknown stays unknown, without a link; the patient's own words stay as written.
    assert found["diagnosis.histology"].value is None and found["diagnosis.histology"].source is None
    assert found["diagnosis.text"].quote and found["diagnosis.text"].value == "سرطان الرئة المرحلة الرابعة"
    assert found["safety.emergency"].value == "No" and not found["safety.emergency"].alert
    assert view.recommendation is not None
    assert view.recommendation.pathway_label == "Clinical trial matching"
    assert [(r.code, r.text) for r in view.recommendation.reasons] == [
        ("R2_requested", "This is the service you asked for."),
        ("S1_translation", "Your records will be translated for the specialists.")]
    assert found["request.service"].value == "Clinical trial matching"
    assert view.recommendation.secondary == ("Medical translation and records preparation",)


def test_red_flags_are_named_in_english_and_marked(factory, settings) -> None:
    turn(factory, settings, "He cannot move his legs", body(safety={"emergency": True,
                                                              "red_flags": ["spinal_cord_compression"]}))
    view = build(factory, settings)
    flags = facts(view)["safety.red_flags"]
    assert view.emergency and flags.alert
    assert flags.value == "Leg weakness or numbness with back pain, or loss of bladder/bowel control"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("queued", "queued"), ("sending", "queued"), ("sent", "sent"), ("delivered", "delivered"), ("read", "read"),
     ("undelivered", "failed"), ("failed", "failed")],
)
def test_the_transcript_has_both_directions_oldest_first_with_delivery_status(
    factory, settings, stored: str, shown: str  # type: ignore[no-untyped-def]
) -> None:
    first = turn(factory, settings, "Hello <b>there</b>", body())
    with factory() as session, session.begin():
        reply = session.scalars(select(Message).where(Message.direction == Direction.outbound)).one()
        reply.delivery_status = DeliveryStatus(stored)
        reply.error_code = "63016"
    second = turn(factory, settings, "Any news?", body())
    view = build(factory, settings)
    directions = [(m.direction, m.id) for m in view.transcript]
    assert directions[0] == ("inbound", first) and directions[-2][0] == "inbound" and directions[-2][1] == second
    assert [d for d, _ in directions] == ["inbound", "outbound", "inbound", "outbound"]
    patient, answer = view.transcript[0], view.transcript[1]
    assert patient.body == "Hello <b>there</b>"  # as written: the template escapes it
    assert patient.status is None and patient.language == "en" and patient.who == "Patient"
    assert answer.status == shown and answer.status_label == shown.capitalize() and answer.language == "en"
    assert answer.error_code == ("63016" if shown == "failed" else None)


def test_records_received_are_downloadable_only_when_stored_here_and_missing_ones_are_named(factory, settings) -> None:
    pdf = b"%PDF-1.4 biopsy"
    turn(factory, settings, "The biopsy report is attached", body(diagnosis={"cancer_type": "breast", "stage": "II"}),
         channel="email", sender="family@example.org",
         attachments=(Attachment(url=None, content_type="application/pdf", filename="biopsy report.pdf", size=None,
                                 data=pdf),))
    turn(factory, settings, "scan", body(), sender="+254711000333",
         attachments=(Attachment(url="https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
                                 content_type="image/jpeg", filename=None, size=None),))
    with factory() as session:
        tickets = session.scalars(select(Ticket).order_by(Ticket.id)).all()
        files = conversations.files_dir(settings)
        by_mail = case_view.build(session, tickets[0], tickets[0].due_at, RULES, files)
        by_whatsapp = case_view.build(session, tickets[1], tickets[1].due_at, RULES, files)
        (record,) = by_mail.received
        assert record.downloadable and record.filename == "biopsy report.pdf"
        assert record.kind_label == "Pathology (biopsy) report" and record.size == "15 B"
        found = case_view.record_file(session, tickets[0], record.message_id, record.index, files)
        assert found is not None and found.path.read_bytes() == pdf and found.filename == "biopsy report.pdf"
        assert found.content_type == "application/pdf"
        (media,) = by_whatsapp.received
        assert not media.downloadable and media.filename == "attachment 1"
        assert case_view.record_file(session, tickets[1], media.message_id, 0, files) is None
        assert "Pathology (biopsy) report" not in by_mail.missing
        assert "Pathology (biopsy) report" in by_whatsapp.missing
        assert all(kind[0].isupper() and "_" not in kind for kind in by_whatsapp.missing)


@pytest.mark.parametrize("bad", ["index", "other_conversation", "outbound", "outside_folder", "erased", "unknown"])
def test_a_record_that_is_not_this_cases_stored_file_is_not_served(factory, settings, tmp_path, bad: str) -> None:  # type: ignore[no-untyped-def]
    attachment = Attachment(url=None, content_type="application/pdf", filename="ct.pdf", size=None, data=b"ct")
    mine = turn(factory, settings, "CT", body(), channel="email", sender="a@example.org", attachments=(attachment,))
    theirs = turn(factory, settings, "CT", body(), channel="email", sender="b@example.org", attachments=(attachment,))
    files = conversations.files_dir(settings)
    secret = tmp_path / "secret.txt"
    secret.write_text("not a record")
    with factory() as session, session.begin():
        message_id, index = mine, 0
        if bad == "index":
            index = 1
        elif bad == "other_conversation":
            message_id = theirs
        elif bad == "outbound":
            message_id = session.scalars(select(Message.id).where(Message.direction == Direction.outbound)).first()
        elif bad == "outside_folder":
            msg = session.get(Message, mine)
            msg.attachments = [{**msg.attachments[0], "path": "../../secret.txt"}]
            assert (files / "../../secret.txt").resolve() == secret.resolve()
        elif bad == "erased":
            (files / session.get(Message, mine).attachments[0]["path"]).unlink()
        elif bad == "unknown":
            message_id = 999_999
    with factory() as session:
        ticket = session.scalars(select(Ticket).order_by(Ticket.id)).first()
        assert case_view.record_file(session, ticket, message_id, index, files) is None
        view = case_view.build(session, ticket, ticket.due_at, RULES, files)
        assert view.received[0].downloadable == (bad not in ("outside_folder", "erased"))


def test_the_header_counts_business_hours_and_marks_overdue(factory, settings) -> None:
    turn(factory, settings, "hello", body())
    due = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)  # a Wednesday
    with factory() as session, session.begin():
        session.scalars(select(Ticket)).one().due_at = due
    before = build(factory, settings, now=due - timedelta(hours=2))
    assert before.ticket.countdown == "2 h left" and not before.ticket.overdue and before.ticket.business_hours
    # Tuesday 16:00 -> Wednesday 15:00: one business hour on Tuesday, six on Wednesday.
    assert build(factory, settings, now=due - timedelta(hours=23)).ticket.countdown == "7 h left"
    assert before.ticket.status_label == "Open" and before.ticket.reason_label == "Intake complete"
    assert before.ticket.due_local == "02 Dec 2026 15:00 UTC" and before.ticket.assignee is None
    late = build(factory, settings, now=due + timedelta(minutes=90))
    assert late.ticket.overdue and late.ticket.countdown == "overdue 1 h 30 min"
    with factory() as session, session.begin():
        ticket = session.scalars(select(Ticket)).one()
        verbs.claim(session, ticket, "coord@example.org")
        verbs.add_note(session, ticket, "coord@example.org", "Called the daughter.\nShe will send the CT.")
        verbs.add_note(session, ticket, "ada@example.org", "Second note")
        ticket.status = TicketStatus.resolved
    done = build(factory, settings, now=due + timedelta(days=3))
    assert done.ticket.countdown == "resolved" and not done.ticket.overdue
    assert done.ticket.assignee == "coord@example.org"
    assert [(n.author, n.body) for n in done.notes] == [
        ("coord@example.org", "Called the daughter.\nShe will send the CT."), ("ada@example.org", "Second note")]


def test_find_ticket_ignores_case_and_spaces(factory, settings) -> None:
    turn(factory, settings, "hello", body())
    with factory() as session:
        public_id = session.scalars(select(Ticket.public_id)).one()
        assert case_view.find_ticket(session, f" {public_id.lower()} ").public_id == public_id
        assert case_view.find_ticket(session, "T-999999-9") is None
        assert session.scalars(select(Case)).one().sources  # set_case attributed the facts


def test_every_code_of_the_vocabulary_has_an_english_label() -> None:
    vocab = yaml.safe_load((CONTRACT / "vocabulary.yml").read_text(encoding="utf-8"))
    labels = case_facts.labels()
    for group in ("treatment_types", "disease_statuses", "patient_relations", "record_kinds", "ticket_priorities",
                  "ticket_statuses", "ticket_reasons"):
        assert set(labels[group]) == set(vocab[group]), group
    assert set(labels["stages"]) == {"0", "I", "II", "III", "IV", "limited", "extensive"}
    assert set(labels["fields"]) >= {f"{s}.{f}" for s, names in case_facts.FACTS.items() for f in names}
    assert set(labels["delivery"]) == set(case_view.DELIVERY.values())
    assert {status.value for status in DeliveryStatus} >= set(case_view.DELIVERY)
    for code in vocabulary.cancer_types():
        assert case_facts.label("cancer_types", code) != code
    english = estimates.messages.messages("en")
    for rule in load_rules()["rules"] + load_rules()["secondary"]:
        assert f"reason.{rule['id']}" in english, rule["id"]


def test_a_mid_intake_recommendation_reads_as_pending_in_english_not_as_a_code() -> None:
    from dialogs.actions.form_slots import pending_recommendation

    shown = case_facts.recommendation(pending_recommendation({"channel": "whatsapp"}))
    assert shown is not None and shown.pathway is None
    assert [reason.code for reason in shown.reasons] == ["pending"]
    assert shown.reasons[0].text == case_facts.labels()["recommendation_reasons"]["pending"] != "pending"
