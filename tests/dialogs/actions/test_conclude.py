"""dialogs.actions.conclude: a complete intake ends in a recommendation and an itemised
estimate with a ticket (DESIGN 2.4); a stop, refusal, erasure or handoff request ends it
instead; after the intake the case stays current and a changed pathway is told."""
from __future__ import annotations

import estimates
from dialogs.actions.conclude import ActionConclude, ActionHandoff
from dialogs.messages import org, t
from handoff.turn import OwnerChange, TicketRequest
from store.states import Priority, Reason
from tests.dialogs.actions.test_understand import RED_FLAG
from tests.dialogs.actions.turns import Chat, message, run, slots

STORY = ["Hello", "yes", "My mother has breast cancer", "No treatment yet", "We live in Nairobi, Kenya", "3"]


def _complete(chat: Chat | None = None):  # type: ignore[no-untyped-def]
    chat = chat or Chat()
    for text in STORY:
        turns = chat.say(text)
    return chat, turns[-1]


def test_a_complete_intake_gets_the_recommendation_the_estimate_and_a_ticket() -> None:
    chat, concluded = _complete()
    update = concluded.update
    case = update.case
    assert case["recommendation"]["primary"] == "surgical_resectability_review"  # the service asked for
    assert case["estimate"] == estimates.estimate(case, case["recommendation"])
    assert (case["estimate"]["total_low"], case["estimate"]["total_high"], case["estimate"]["currency"]) == (2600, 2850, "USD")
    assert update.ticket == TicketRequest(Reason.intake_complete, Priority.normal) and update.owner is None
    rendered = estimates.render_estimate(case, case["recommendation"], case["estimate"], "whatsapp", "en")
    assert concluded.texts == [t("recommendation_intro", "en") + "\n\n" + rendered]
    assert concluded.slot("phase") == "done" and concluded.slot("case") == case
    assert concluded.slot("offer") == {"primary": "surgical_resectability_review", "total": [2600, 2850, "USD"]}


def test_a_red_flag_intake_ends_in_a_personal_follow_up() -> None:
    chat = Chat()
    for text in (RED_FLAG, "yes", "Lagos Nigeria"):
        turns = chat.say(text)
    concluded = turns[-1]
    assert concluded.texts == [t("emergency_followup", "en")]
    assert concluded.update.ticket == TicketRequest(Reason.emergency, Priority.urgent)
    assert concluded.update.case["recommendation"]["primary"] is None


def test_stop_opts_out_and_keeps_the_case() -> None:
    chat, _ = _complete()
    _, stopped = chat.say("STOP")
    assert stopped.texts == [t("opt_out", "en", **org())]
    assert stopped.update.opt_out and stopped.update.ticket is None
    assert stopped.update.case["recommendation"]["primary"] == "surgical_resectability_review"


def test_a_refused_consent_erases_the_conversation() -> None:
    chat = Chat()
    chat.say("Hello")
    _, refused = chat.say("no")
    assert refused.texts == [t("consent_refused", "en", **org())]
    assert refused.update.erase and refused.update.case is None
    assert not refused.sets("case") and refused.slot("phase") == "done"


def test_a_person_asked_for_during_the_intake_takes_over_with_the_case_so_far() -> None:
    chat = Chat()
    chat.say("Hello")
    chat.say("yes")
    _, handed = chat.say("I want to talk to a person")
    update = handed.update
    assert handed.texts == [t("handoff", "en", **org())]
    assert update.owner == OwnerChange.hand_over and update.ticket == TicketRequest(Reason.patient_request, Priority.normal)
    assert update.case["recommendation"] == {
        "primary": None, "secondary": [],
        "reasons": ["pending: intake incomplete (cancer_type, treatment_history, location, requested_service)"]}


def test_an_erasure_request_is_handed_to_a_coordinator() -> None:
    chat = Chat()
    chat.say("Hello")
    chat.say("yes")
    _, erased = chat.say("please delete my data")
    assert erased.texts == [t("erasure_ack", "en", **org())]
    assert erased.update.ticket.reason == Reason.erasure_request and erased.update.owner == OwnerChange.hand_over


def test_a_correction_after_the_intake_tells_the_new_pathway() -> None:
    chat, _ = _complete()
    _, corrected = chat.say("Actually we want proton therapy")
    case = corrected.update.case
    assert case["recommendation"]["primary"] == "proton_therapy"
    assert corrected.texts[0].startswith(t("update_pathway_changed", "en", previous="Surgical review (can it be operated?)"))
    assert corrected.slot("offer")["primary"] == "proton_therapy" and corrected.update.ticket is None


def test_after_a_coordinators_adjustment_the_bot_quotes_the_adjusted_estimate() -> None:
    chat, concluded = _complete()
    adjusted = estimates.override_item(concluded.update.case["estimate"], "facilitation_fee", 0, 0, "waived", "lee",
                                       at="2026-11-27T10:00:00+00:00")
    # After hand back, the family corrects a fact; the gateway passes the adjustments along.
    _, corrected = chat.say("She is 54 by the way", estimate_overrides=adjusted["overrides"])
    case = corrected.update.case
    fee = next(i for i in case["estimate"]["items"] if i["code"] == "facilitation_fee")
    assert case["recommendation"]["primary"] == "surgical_resectability_review"
    assert corrected.texts[0].startswith(t("update_estimate_changed", "en", previous="Surgical review (can it be operated?)"))
    assert (fee["low"], fee["high"], fee["overridden"]) == (0, 0, True)
    assert case["estimate"]["overrides"] == adjusted["overrides"]
    rendered = estimates.render_estimate(case, case["recommendation"], case["estimate"], "whatsapp", "en")
    assert rendered in corrected.texts[0]
    fresh = estimates.estimate(case, case["recommendation"])
    assert case["estimate"]["total_low"] < fresh["total_low"]


def test_a_message_after_the_intake_is_acknowledged_briefly_and_never_twice_alike() -> None:
    chat, _ = _complete()
    _, first = chat.say("We will wait for your call")
    _, second = chat.say("We will wait for your call")
    assert first.texts == [t("after_intake", "en", **org())]
    assert second.texts == [t("after_intake_again", "en", **org())]
    assert first.update.case == second.update.case


def test_the_handoff_action_hands_over_the_case_as_it_is() -> None:
    case = {"language": "en", "safety": {"emergency": False, "red_flags": []}}
    turn = run(ActionHandoff(), slots(language="en", case=case), message("human"))
    assert turn.texts == [t("handoff", "en", **org())] and turn.slot("handoff_requested") is True
    assert turn.update.case == case and turn.update.owner == OwnerChange.hand_over


def test_an_email_conclusion_asks_for_consent_when_not_given() -> None:
    chat = Chat("email")
    _, concluded = chat.say("My mother has breast cancer. She had surgery and chemo. We live in Amman, Jordan. "
                            "We want a remote second opinion.")
    assert concluded.slot("phase") == "done" and concluded.update.ticket.reason == Reason.intake_complete
    assert concluded.texts[0].endswith(t("consent_request_email", "en"))


def test_the_conclusion_after_a_known_recommendation_stands_on_the_case() -> None:
    chat, concluded = _complete()
    again = run(ActionConclude(), {**chat.state, "greeted": True}, message("x"))
    assert again.update.case["recommendation"] == concluded.update.case["recommendation"]
