"""dialogs.actions.understand: every user message is read before anything is said —
red flags first (DESIGN 2.2), then language, consent, requests and facts — and the
turn's case travels to the gateway as the turn update."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from dialogs import emergency
from dialogs.actions.understand import ActionUnderstand
from dialogs.messages import org, t
from dialogs.understanding.safety import learned
from handoff.turn import MEDIA_ONLY_TEXT, TicketRequest
from store.states import Priority, Reason
from tests.dialogs.actions.turns import DOMAIN, message, run, slots

RED_FLAG = "My father has lung cancer and he is coughing blood and can't breathe"


def _understand(text: str, state: dict | None = None, **metadata):  # type: ignore[no-untyped-def]
    return run(ActionUnderstand(), state or slots(), message(text, **metadata))


def test_the_action_runs_as_rasas_slot_validation() -> None:
    assert ActionUnderstand().name() == "action_validate_slot_mappings"


def test_a_first_message_in_french_sets_french_and_the_facts_it_gives() -> None:
    turn = _understand("Bonjour, ma mère a un cancer du sein")
    assert turn.slot("language") == "fr"
    assert turn.slot("cancer_type") == "breast" and turn.slot("facts")["diagnosis.cancer_type"] == "breast"
    assert turn.texts == []  # understanding says nothing: the form asks next
    update = turn.update
    assert update.ticket is None and update.owner is None
    assert update.case["language"] == "fr" and update.case["consent"] == "pending"
    assert update.case["diagnosis"]["cancer_type"] == "breast"
    # No pathway before the facts are in (DESIGN 2.4): the case says what is missing.
    assert update.case["recommendation"] == {
        "primary": None, "secondary": [],
        "reasons": ["pending: intake incomplete (treatment_history, location, requested_service)"]}
    assert turn.slot("turn") == 1.0 and turn.slot("understood") is True


def test_a_red_flag_gets_the_emergency_reply_of_its_own_and_an_urgent_ticket_at_once() -> None:
    turn = _understand(RED_FLAG, region="KE")
    assert turn.texts == []  # nothing said with the other replies: the alert travels on its own
    assert set(turn.slot("red_flags")) == {"bleeding", "breathing_difficulty"} and turn.slot("emergency") is True
    update = turn.update
    assert update.alert == "\n".join([t("emergency", "en", **org()), t("emergency_call", "en", country="Kenya",
                                                                         number="999 / 112")])
    assert update.ticket == TicketRequest(Reason.emergency, Priority.urgent)
    assert update.case["safety"] == {"emergency": True, "red_flags": turn.slot("red_flags"), "review": False}
    assert update.case["recommendation"]["primary"] is None  # R1: no pathway after a red flag
    assert update.case["recommendation"]["reasons"][0].startswith("R1_red_flag")


def test_a_known_red_flag_is_not_announced_again() -> None:
    first = _understand(RED_FLAG)
    again = _understand("he is still coughing blood", slots(red_flags=first.slot("red_flags"), language="en"))
    assert again.texts == [] and again.update.ticket is None and again.update.alert is None
    assert again.slot("emergency") is True


def test_the_emergency_number_is_the_patients_country_once_it_is_known() -> None:
    turn = _understand("My mother in Manila has lung cancer and she cannot breathe since this morning", region="SA")
    assert turn.slot("facts")["location.country"] == "PH"
    assert turn.update.alert.splitlines()[1:] == emergency.call_lines("PH", "SA", "en")


def test_a_writers_own_thoughts_of_suicide_get_the_crisis_reply() -> None:
    turn = _understand("I am so tired of all this, I keep thinking of killing myself", slots(language="en"))
    assert "self_harm" in turn.slot("red_flags")
    assert turn.update.alert.startswith(t("emergency_self_harm", "en", **org()))


def _unsure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learned, "read", lambda text, context=None: learned.LearnedReading(None, True, {}))


def test_a_doubt_gets_the_careful_reply_and_an_urgent_ticket_for_a_person_once(monkeypatch: pytest.MonkeyPatch) -> None:
    _unsure(monkeypatch)
    turn = _understand("he has been vomiting everything for two days, not even water", slots(language="en"))
    assert turn.slot("red_flags") == [] and turn.slot("safety_review") is True
    assert turn.update.alert.startswith(t("safety_doubt", "en"))
    assert turn.update.ticket == TicketRequest(Reason.safety_review, Priority.urgent)
    assert turn.update.case["safety"] == {"emergency": False, "red_flags": [], "review": True}
    again = _understand("still the same", slots(language="en", safety_review=True))
    assert again.update.alert is None and again.update.ticket is None
    assert again.update.case["safety"]["review"] is True  # the case stays under review


def test_the_previous_message_is_read_as_context() -> None:
    """"She is shivering now" is a red flag only after "her chemo was on Monday"."""
    seen: list[tuple[str, str | None]] = []
    real = learned.read

    def spy(text: str, context: str | None = None) -> learned.LearnedReading:
        seen.append((text, context))
        return real(text, context)

    events = [{"event": "user", "text": "her third chemo was on Monday", "metadata": {"channel": "whatsapp"}},
              {"event": "user", "text": "she is shivering now", "metadata": {"channel": "whatsapp"}}]
    dispatcher = CollectingDispatcher()
    tracker = Tracker("t", slots(language="en"), message("she is shivering now"), events, False, None, {}, None)
    try:
        learned.read = spy  # type: ignore[assignment]
        ActionUnderstand().run(dispatcher, tracker, DOMAIN)
    finally:
        learned.read = real  # type: ignore[assignment]
    assert seen == [("she is shivering now", "her third chemo was on Monday")]


def test_a_media_only_message_counts_its_files_and_keeps_the_language() -> None:
    files = [{"filename": "ct.pdf", "content_type": "application/pdf"}, {"filename": "scan.jpg"}]
    turn = _understand(MEDIA_ONLY_TEXT, slots(language="fr"), attachments=files)
    assert turn.slot("new_files") == 2
    assert turn.slot("language") == "fr" and turn.slot("facts") == {}
    assert turn.slot("understood") is False and turn.texts == []
    assert not any(turn.sets(s) for s in ("stop_requested", "handoff_requested", "erase_requested"))


def test_stop_person_and_erasure_requests_are_set_as_slots() -> None:
    assert _understand("STOP").slot("stop_requested") is True
    assert _understand("I want to talk to a person").slot("handoff_requested") is True
    assert _understand("please delete my data").slot("erase_requested") is True


def test_rasas_request_human_intent_alone_no_longer_hands_over_the_act_reader_does(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rasa_only = run(ActionUnderstand(), slots(), message("hmm", intent="request_human", confidence=0.99))
    assert not rasa_only.sets("handoff_requested")
    from dialogs.actions import acts
    from dialogs.understanding.acts import ActReading, Part

    monkeypatch.setattr(acts, "read_acts", lambda text: ActReading((Part(text, "request_human", 0.95),)))
    assert run(ActionUnderstand(), slots(), message("hmm")).slot("handoff_requested") is True


def test_consent_counts_only_as_the_answer_to_the_consent_question() -> None:
    asked = _understand("no", slots(requested_slot="consent", language="en"))
    assert asked.slot("consent") == "refused"
    later = _understand("no", slots(requested_slot="treatment_history", consent="given", language="en"))
    assert later.slot("consent") == "given"
    assert later.slot("facts")["history.no_treatment_yet"] is True and later.slot("treatment_history") == "none"


def test_an_email_gives_consent_anywhere_and_its_quoted_thread_sets_no_facts() -> None:
    text = ("Yes I agree\n\nOn Mon, 3 Feb 2025 at 10:00, CancerFax <intake@example.org> wrote:\n"
            "> My mother has lung cancer")
    turn = _understand(text, channel="email", subject="Re: your question")
    assert turn.slot("channel") == "email" and turn.slot("consent") == "given"
    assert turn.slot("facts") == {} and turn.update.case["consent"] == "given"


def test_an_email_subject_is_read_with_the_first_email() -> None:
    turn = _understand("My mother needs help.", channel="email", subject="Request: proton therapy")
    assert turn.slot("requested_service") == "proton_therapy"


def test_a_number_answers_the_service_menu() -> None:
    turn = _understand("4", slots(requested_slot="requested_service", consent="given", language="en"))
    assert turn.slot("requested_service") == "car_t_eligibility"


def test_a_question_asked_twice_without_an_answer_is_given_up_on() -> None:
    state = slots(consent="given", cancer_type="breast", treatment_history="none", language="en",
                  requested_slot="location", asked={"location": 2})
    turn = _understand("hmm", state)
    assert turn.slot("location") == "unknown" and turn.slot("failed") == []
    assert turn.slot("facts")["intake.location_unknown"] is True
    assert turn.update.case["location"] == {"country": None, "city": None}  # a private fact, no case field


def test_an_unknown_cancer_type_without_a_service_hands_over() -> None:
    state = slots(consent="given", language="en", requested_slot="cancer_type", asked={"cancer_type": 2})
    assert _understand("hmm", state).slot("failed") == ["cancer_type"]


def test_a_no_in_an_email_never_refuses_consent_and_erases_the_case() -> None:
    letter = ("Hello,\n\nMy friend has melanoma. He was told no standard options are left.\n\n"
              "1. No.\n2. Cape Town, South Africa")
    first = _understand(letter, channel="email")
    assert first.slot("consent") != "refused" and first.update.case["consent"] == "pending"
    reply = _understand("1. No treatment now.\n2. No.", slots(turn=1.0, channel="email"), channel="email")
    assert reply.slot("consent") != "refused"


def test_a_question_sets_no_fact_and_no_service_but_what_was_told_does() -> None:
    turn = _understand("My mother has breast cancer. Is proton therapy possible for her?")
    facts = turn.slot("facts")
    assert facts["diagnosis.cancer_type"] == "breast" and "request.service" not in facts
    [asked] = turn.slot("questions")
    assert asked["service"] == "proton_therapy" and asked["topics"]
    assert turn.update.case["questions"][0]["text"] == "Is proton therapy possible for her?"
