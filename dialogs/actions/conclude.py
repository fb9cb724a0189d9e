"""Concluding: the recommendation and estimate (DESIGN 2.4), the ticket request, a
handoff, stop or erasure, and keeping the case current after the intake."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import estimates
from dialogs.actions import answers, form_slots
from dialogs.actions.messaging import agreed_estimate, answered, contact_name, message_text, opening, publish, send
from dialogs.messages import org, t
from dialogs.understanding import signals
from handoff import tickets
from handoff.turn import OwnerChange, TicketRequest, TurnUpdate
from store.states import Reason


def _conclude_intake(tracker: Tracker, language: str, lines: list[str]) -> TurnUpdate:
    """Recommendation and estimate (DESIGN 2.4) or, after a red flag, a personal follow-up."""
    case = dict(tracker.get_slot("case") or {})
    recommendation = estimates.recommend(case)
    estimate = agreed_estimate(tracker, case, recommendation)
    case["recommendation"] = recommendation
    case["estimate"] = estimate
    if case.get("safety", {}).get("emergency"):
        lines.append(t("emergency_followup", language))
        reason = Reason.emergency
    else:
        channel = "email" if tracker.get_slot("channel") == "email" else "whatsapp"
        lines.append(t("recommendation_intro", language))
        lines.append(estimates.render_estimate(case, recommendation, estimate, channel, language))
        if case.get("safety", {}).get("review"):
            lines.append(t("safety_doubt_followup", language))
        reason = Reason.intake_complete
    if tracker.get_slot("channel") == "email" and case.get("consent") != "given":
        lines.append(t("consent_request_email", language))
    return TurnUpdate(case=case, ticket=TicketRequest.for_case(case, reason))


def _offer(case: dict[str, Any]) -> dict[str, Any]:
    """What the patient was told: pathway and estimate range (to tell them when a correction changes it)."""
    recommendation = case.get("recommendation") or {}
    estimate = case.get("estimate") or {}
    return {
        "primary": recommendation.get("primary"),
        "total": [estimate.get("total_low"), estimate.get("total_high"), estimate.get("currency")],
    }


def _hand_over(case: dict[str, Any], reason: Reason) -> TurnUpdate:
    """A person takes over: the case as it is, a ticket, and the bot steps back."""
    return TurnUpdate(case=case, ticket=TicketRequest.for_case(case, reason), owner=OwnerChange.hand_over)


def _terminal_update(tracker: Tracker, language: str, lines: list[str]) -> TurnUpdate | None:
    """Stop, refusal, erasure and handoff requests, in that order of precedence."""
    case = dict(tracker.get_slot("case") or {})
    if (case.get("recommendation") or {}).get("primary") and not case.get("safety", {}).get("emergency"):
        # A wish or a correction in the same message as the request for a person still counts.
        case["recommendation"] = estimates.recommend(case)
        case["estimate"] = agreed_estimate(tracker, case, case["recommendation"])
    if not (case.get("recommendation") or {}).get("primary"):
        case["recommendation"] = form_slots.pending_recommendation(tracker.slots)
    if tracker.get_slot("stop_requested"):
        lines.append(t("opt_out", language, **org()))
        return TurnUpdate(case=case, opt_out=True)
    refused = tracker.get_slot("consent") == "refused"
    if refused and (tracker.get_slot("phase") != "done" or tracker.get_slot("channel") == "email"):
        # On e-mail the first reply already concluded while consent was pending (DESIGN 2.1).
        lines.append(t("consent_refused", language, **org()))
        return TurnUpdate(erase=True)
    if tracker.get_slot("erase_requested"):
        lines.append(t("erasure_ack", language, **org()))
        return _hand_over(case, Reason.erasure_request)
    if tracker.get_slot("handoff_requested"):
        lines.append(t("handoff", language, **org()))
        if tracker.get_slot("channel") == "email" and case.get("consent") != "given":
            lines.append(t("consent_request_email", language))  # DESIGN 2.1: every first e-mail reply asks
        return _hand_over(case, Reason.patient_request)
    if tracker.get_slot("failed") and not case.get("safety", {}).get("emergency"):
        # A question asked twice without an answer the intake can do without (DESIGN 2.3):
        # a coordinator writes; the bot asks nothing more.
        lines.append(t("bot_failure", language, **org()))
        # The coordinator starts from what the facts so far support, and what is missing.
        return _hand_over({**case, "recommendation": tickets.recommendation_so_far(case)}, Reason.bot_failure)
    return None


class ActionConclude(Action):
    """The form is done: a stop, refusal or handoff if asked for, else the recommendation."""

    def name(self) -> str:
        return "action_conclude"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = tracker.get_slot("language") or "en"
        lines, events = opening(tracker, language, contact_name(tracker))
        update = _terminal_update(tracker, language, lines) or _conclude_intake(tracker, language, lines)
        events += send(dispatcher, tracker, lines, language)
        publish(dispatcher, update)
        extra = [SlotSet("case", update.case), SlotSet("offer", _offer(update.case))] if update.case is not None else []
        return [*events, *extra, SlotSet("phase", "done")]


class ActionHandoff(Action):
    """The family asked for a person: a ticket, and the bot steps back."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = tracker.get_slot("language") or "en"
        case = dict(tracker.get_slot("case") or {})
        events = send(dispatcher, tracker, [t("handoff", language, **org())], language)
        publish(dispatcher, _hand_over(case, Reason.patient_request))
        return [*events, SlotSet("handoff_requested", True)]


class ActionAfterIntake(Action):
    """Messages after the recommendation: keep the case current, acknowledge, stay brief."""

    def name(self) -> str:
        return "action_after_intake"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return after_intake(dispatcher, tracker)


def after_intake(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Keep the case current after the recommendation; when a correction or a wish changes
    the pathway or the estimate, say what changed (DESIGN 2.3) with the new estimate. The
    answers to the family's questions come instead of the acknowledgement."""
    language = tracker.get_slot("language") or "en"
    lines, events = opening(tracker, language)
    answer = bool(tracker.get_slot("questions")) and answered(tracker, events)
    update = _terminal_update(tracker, language, lines)
    if update is None:
        case = dict(tracker.get_slot("case") or {})
        if not case.get("safety", {}).get("emergency"):
            case["recommendation"] = estimates.recommend(case)
            case["estimate"] = agreed_estimate(tracker, case, case["recommendation"])
        before = tracker.get_slot("offer") or {}
        after = _offer(case)
        changed = bool(before) and before.get("primary") and after["primary"] and before != after
        just_consented = signals.detect_consent(message_text(tracker)) == "given" and case.get("consent") == "given"
        if changed:
            key = "update_pathway_changed" if before.get("primary") != after["primary"] else "update_estimate_changed"
            channel = "email" if tracker.get_slot("channel") == "email" else "whatsapp"
            lines.append(t(key, language, previous=answers.pathway_name(before.get("primary"), language)))
            lines.append(estimates.render_estimate(case, case["recommendation"], case["estimate"], channel, language))
            events.append(SlotSet("offer", after))
        elif not answer:
            key = "consent_given_late" if just_consented else "after_intake"
            if t(key, language, **org()) == tracker.get_slot("last_text"):
                key = "after_intake_again"
            lines.append(t(key, language, **org()))
        update = TurnUpdate(case=case)
    events += send(dispatcher, tracker, lines, language)
    publish(dispatcher, update)
    return [*events, SlotSet("case", update.case)] if update.case is not None else events
