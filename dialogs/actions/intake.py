"""Custom actions: understanding every message, asking, concluding, handing off.

Actions never write to the database: each turn's case, ticket request and
ownership change travel back to the gateway as one `handoff.turn.TurnUpdate`
(the custom payload `{"intake": {...}}`), which stores them in the same
transaction as the replies (DESIGN 7: outbox written with the state change).
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import estimates
from store.config import load_settings
from dialogs.actions import answers, state
from dialogs.messages import t
from dialogs.understanding import facts as fact_extraction
from dialogs.understanding import language as lang_detection
from dialogs.understanding import safety, signals
from dialogs.understanding.text import strip_quoted_reply
from handoff.turn import MEDIA_ONLY_TEXT, OwnerChange, TicketRequest, TurnUpdate
from store.states import Reason

_FORWARDED = re.compile(r"-{2,}\s*(?:forwarded message|message transf[ée]r[ée]|weitergeleitete nachricht|пересланное сообщение|iletilen ileti)"
                        r"|begin forwarded message|转发的邮件|轉寄的郵件", re.IGNORECASE)
# Reply and forward prefixes of mail clients in the supported languages (RFC 5322 3.6.5 "Re:").
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|sv|rv|réf|ref|ynt|отв|回复|回覆|答复|رد|fw|fwd|tr)\s*[:：]", re.IGNORECASE)
# The lexicon decides first; the classifier alone must be very sure (it confuses "please advise").
HUMAN_INTENT_CONFIDENCE = 0.85
STOP_INTENT_CONFIDENCE = 0.8


@lru_cache(maxsize=1)
def _org() -> dict[str, str]:
    org = load_settings()["organisation"]
    return {"org": org["name"], "privacy_url": org["privacy_url"]}


def _text(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text") or ""
    return "" if text.strip() == MEDIA_ONLY_TEXT else text


def _say(dispatcher: CollectingDispatcher, key: str, language: str, **params: Any) -> None:
    dispatcher.utter_message(text=t(key, language, **{**_org(), **params}))


def _send(dispatcher: CollectingDispatcher, tracker: Tracker, lines: list[str], language: str) -> list[EventType]:
    """Utter this action's text; never the same text as the previous turn's (DESIGN 2.3:
    a repeated text reads as a loop), so a repeat is varied."""
    text = "\n\n".join(line for line in lines if line)
    if not text:
        return []
    if text == tracker.get_slot("last_text"):
        text = "\n\n".join([t("noted_again", language), text])
    dispatcher.utter_message(text=text)
    return [SlotSet("last_text", text)]


def _publish(dispatcher: CollectingDispatcher, update: TurnUpdate) -> None:
    """Hand the turn's state to the gateway (see module docstring)."""
    dispatcher.utter_message(json_message=update.to_json())


def _opening(tracker: Tracker, language: str, name: str | None = None) -> tuple[list[str], list[EventType]]:
    """Greeting, disclaimer and privacy notice (once per conversation), then the
    acknowledgement of files this message brought."""
    lines: list[str] = []
    events: list[EventType] = []
    if not tracker.get_slot("greeted"):
        params = {**_org(), "name": name}
        lines = [t("greeting", language, **params), t("disclaimer", language, **params), t("privacy", language, **params)]
        events = [SlotSet("greeted", True)]
    files = int(tracker.get_slot("new_files") or 0)
    if files:
        lines.append(t("records_received", language, count=files))
    return lines, events


def _contact_name(tracker: Tracker) -> str | None:
    meta = (tracker.latest_message or {}).get("metadata") or {}
    name = meta.get("contact_name")
    # The whole profile name: a first token can be a mere title ("أبو" of "أبو حسن").
    return name.strip()[:60] if isinstance(name, str) and name.strip() else None


class ActionUnderstand(Action):
    """Runs after every user message (Rasa's action_extract_slots calls it):
    red flags first, then language, consent, requests and every fact we can find."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = _text(tracker)
        message = tracker.latest_message or {}
        meta = message.get("metadata") or {}
        intent = message.get("intent") or {}
        channel = meta.get("channel") or tracker.get_slot("channel") or "simulator"
        requested = tracker.get_slot("requested_slot")

        # An e-mail's subject often names the diagnosis or the service ("Request: remote second opinion").
        subject = (meta.get("subject") or "").strip() if channel == "email" else ""
        if _REPLY_SUBJECT.match(subject):
            subject = ""  # "Re: ..." repeats the thread's first subject, read with the first e-mail
        if channel == "email":
            # New answers sit above the quoted thread: our quoted questions and the quoted
            # first e-mail never set facts (the channel drops "> " lines; this also ends at
            # a client's "... wrote:" header in any language).
            if not _FORWARDED.search(text):  # a forwarded letter is the family's to read (the channel keeps it)
                text = strip_quoted_reply(text).strip() or text
        readable = f"{subject}\n\n{text}" if subject and text else text

        # Safety first (DESIGN 2.2): before consent, before anything else.
        known_flags: list[str] = list(tracker.get_slot("red_flags") or [])
        new_flags = [f for f in safety.detect_red_flags(readable) if f not in known_flags] if text else []
        flags = known_flags + new_flags

        region = meta.get("region")
        language = (
            (lang_detection.detect_language_hinted(text, region, fallback=False) if text else None)
            or tracker.get_slot("language")
            or lang_detection.detect_language_hinted(text, region)
            or "en"
        )

        facts = dict(tracker.get_slot("facts") or {})
        asked = dict(tracker.get_slot("asked") or {})
        done = tracker.get_slot("phase") == "done"
        service_asked = requested == "requested_service" or (
            channel == "email" and asked.get("requested_service") and not tracker.get_slot("requested_service")
        )
        found = fact_extraction.extract_facts(readable, language, answering_service=bool(service_asked)) if text else {}
        if text and not found.get("request.service") and (service_asked or (done and asked.get("requested_service"))):
            if choice := state.menu_choice(text, language, in_sentences=bool(service_asked)):
                found["request.service"] = choice  # also a late "number 4" to the menu we showed
            elif service_asked and not flags and not tracker.get_slot("requested_service"):
                # DESIGN 2.3: an answer to "how can we help?" that names no service (a
                # retelling, a question back, an emoji) means "not sure": the rules decide.
                found["request.service"] = "unsure"
                found["request.text"] = text.strip()[:300]
        if requested == "location" and found.get("location.country") and int(found.get("location.strength") or 0) < 2:
            # The answer to "where does the patient live?" is where the patient lives: a place
            # named later in passing ("to go to India for an opinion") does not move it.
            found["location.strength"] = 2
        if requested == "treatment_history" and not found and signals.detect_consent(text) == "refused":
            found["history.no_treatment_yet"] = True  # "no" / "none" to "what treatment so far?"
        facts = fact_extraction.merge_facts(facts, found)
        values = state.slot_values(facts)

        consent = tracker.get_slot("consent")
        answer = signals.detect_consent(text) if text else None
        if channel == "email":
            if answer == "given":
                consent = "given"
        elif answer and requested == "consent":
            # Only an answer to the consent question counts: a later "no" answers another
            # question (e.g. "any treatment so far?"); withdrawing is an erasure request.
            consent = answer

        wants_human = bool(text) and (
            signals.wants_human(text)
            or (
                not found
                and intent.get("name") == "request_human"
                and intent.get("confidence", 0) >= HUMAN_INTENT_CONFIDENCE
            )
        )
        wants_stop = bool(text) and (
            signals.wants_stop(text)
            or (intent.get("name") == "stop" and intent.get("confidence", 0) >= STOP_INTENT_CONFIDENCE)
        )
        wants_erasure = bool(text) and signals.wants_erasure(text)

        failed = list(tracker.get_slot("failed") or [])
        # A question of the family's own is no unusable answer: it is answered, then the
        # pending question comes again without counting as one more ask.
        if text and not answers.question_intent(message, language):
            now = {**tracker.slots, **values, "consent": consent, "emergency": bool(flags), "channel": channel}
            going_on, cannot = state.give_up(state.unanswered(now, asked, channel, requested), facts)
            if going_on:
                facts = fact_extraction.merge_facts(facts, going_on)
                values = state.slot_values(facts)
            failed += [slot for slot in cannot if slot not in failed]

        if flags and facts.get("request.service") == "unsure":
            # After a red flag no pathway is offered (R1): "what do we do?" asks for help, not a service.
            facts = {k: v for k, v in facts.items() if k not in ("request.service", "request.text")}
            values = state.slot_values(facts)
        case = state.case_body(facts, language, consent, flags)
        previous = tracker.get_slot("case") or {}
        if done and not flags:
            # The recommendation stands until after_intake recomputes it; a handoff or an
            # erasure request in this turn publishes the case as it is.
            case["recommendation"] = previous.get("recommendation")
            case["estimate"] = previous.get("estimate")
        if flags:
            # Rule R1 holds from the first red flag on: no pathway, whatever else is still missing.
            case["recommendation"] = estimates.recommend(case)
        elif not done:
            # No pathway until the required facts are in (DESIGN 2.4); the case says what is missing.
            now = {**tracker.slots, **values, "consent": consent, "channel": channel}
            case["recommendation"] = _pending_recommendation(now)
        events: list[EventType] = [
            SlotSet("channel", channel),
            SlotSet("language", language),
            SlotSet("facts", facts),
            SlotSet("red_flags", flags),
            SlotSet("emergency", bool(flags)),
            SlotSet("case", case),
            SlotSet("turn", float(tracker.get_slot("turn") or 0) + 1),
            SlotSet("understood", bool(found or answer)),
            SlotSet("new_files", len(meta.get("attachments") or [])),
            SlotSet("failed", failed),
        ]
        if consent:
            events.append(SlotSet("consent", consent))
        for slot, value in values.items():
            if value is not None:
                events.append(SlotSet(slot, value))
        for slot, flag in (("handoff_requested", wants_human), ("stop_requested", wants_stop), ("erase_requested", wants_erasure)):
            if flag:
                events.append(SlotSet(slot, True))

        if new_flags:
            key = "emergency_self_harm" if "self_harm" in new_flags else "emergency"
            _say(dispatcher, key, language)
            _publish(dispatcher, TurnUpdate(case=case, ticket=TicketRequest.for_case(case, Reason.emergency)))
        else:
            _publish(dispatcher, TurnUpdate(case=case))
        return events


class ValidateIntakeForm(FormValidationAction):
    """Decides what the form still needs; the facts were already extracted."""

    def name(self) -> str:
        return "validate_intake_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return state.required_slots(tracker.slots)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question = answers.question_intent(tracker.latest_message, tracker.get_slot("language"))
        answered = tracker.get_slot("answered_turn") == tracker.get_slot("turn")
        if tracker.active_loop_name == "intake_form" and question and not answered:
            # The family asked something: reject, so the rules answer it and resume the form.
            return [ActionExecutionRejected("intake_form")]
        events = await super().run(dispatcher, tracker, domain)
        # Always report a validated slot: an unanswered question is asked again
        # by the form itself instead of the form rejecting the turn.
        return [*events, SlotSet("turn", tracker.get_slot("turn"))]


class AskAction(Action, ABC):
    """Asks for the next missing fact: one question on WhatsApp, all at once by e-mail."""

    slot: str

    @abstractmethod
    def name(self) -> str: ...

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = tracker.get_slot("language") or "en"
        lines, events = _opening(tracker, language, _contact_name(tracker))
        asked = dict(tracker.get_slot("asked") or {})
        if tracker.get_slot("channel") == "email":
            todo = [s for s in state.missing(tracker.slots) if s != "consent"]
            # A question asked before comes again rephrased, with an example (DESIGN 2.3).
            questions = [f"{i}. {t(('reask_' if asked.get(s) else 'email_q_') + s, language)}" for i, s in enumerate(todo, 1)]
            body = [t("email_intro", language), t("email_questions_intro", language) + "\n" + "\n".join(questions)]
            if tracker.get_slot("consent") != "given":
                body.append(t("consent_request_email", language))
            dispatcher.utter_message(text="\n\n".join(lines + body))
            for s in todo:
                asked[s] = asked.get(s, 0) + 1
        else:
            answered_now = tracker.get_slot("answered_turn") == tracker.get_slot("turn")
            if self.slot == "consent":
                key = "consent_question" if not asked.get("consent") else "consent_reask"
            else:
                # The second time the question is rephrased, with an example (DESIGN 2.3).
                key = f"reask_{self.slot}" if asked.get(self.slot) else f"ask_{self.slot}"
                if tracker.get_slot("consent") == "given" and asked.get("consent") and not asked.get("_thanked"):
                    lines.append(t("consent_thanks", language))
                    asked["_thanked"] = 1
                elif asked.get(self.slot) and not tracker.get_slot("new_files") and not answered_now:
                    # The same question again: say why, so it does not look like a loop.
                    lines.append(t("noted" if tracker.get_slot("understood") else "not_understood", language))
            lines.append(t(key, language, **_org()))
            events += _send(dispatcher, tracker, lines, language)
            if not answered_now:
                asked[self.slot] = asked.get(self.slot, 0) + 1
        return [*events, SlotSet("asked", asked)]


def _conclude_intake(tracker: Tracker, language: str, lines: list[str]) -> TurnUpdate:
    """Recommendation and estimate (DESIGN 2.4) or, after a red flag, a personal follow-up."""
    case = dict(tracker.get_slot("case") or {})
    recommendation = estimates.recommend(case)
    estimate = estimates.estimate(case, recommendation)
    case["recommendation"] = recommendation
    case["estimate"] = estimate
    if case.get("safety", {}).get("emergency"):
        lines.append(t("emergency_followup", language))
        reason = Reason.emergency
    else:
        channel = "email" if tracker.get_slot("channel") == "email" else "whatsapp"
        lines.append(t("recommendation_intro", language))
        lines.append(estimates.render_estimate(case, recommendation, estimate, channel, language))
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


def _pending_recommendation(slots: dict[str, Any]) -> dict[str, Any]:
    """No pathway yet: the intake stopped before the facts were complete (e.g. a handoff)."""
    still_open = {**slots, "handoff_requested": None, "stop_requested": None, "erase_requested": None, "consent": None,
                  "failed": None}
    todo = [slot for slot in state.missing(still_open) if slot != "consent"]
    return {"primary": None, "secondary": [], "reasons": ["pending: intake incomplete (" + ", ".join(todo) + ")"]}


def _hand_over(case: dict[str, Any], reason: Reason) -> TurnUpdate:
    """A person takes over: the case as it is, a ticket, and the bot steps back."""
    return TurnUpdate(case=case, ticket=TicketRequest.for_case(case, reason), owner=OwnerChange.hand_over)


def _terminal_update(tracker: Tracker, language: str, lines: list[str]) -> TurnUpdate | None:
    """Stop, refusal, erasure and handoff requests, in that order of precedence."""
    case = dict(tracker.get_slot("case") or {})
    if not case.get("recommendation"):
        case["recommendation"] = _pending_recommendation(tracker.slots)
    if tracker.get_slot("stop_requested"):
        lines.append(t("opt_out", language, **_org()))
        return TurnUpdate(case=case, opt_out=True)
    if tracker.get_slot("consent") == "refused" and tracker.get_slot("phase") != "done":
        lines.append(t("consent_refused", language, **_org()))
        return TurnUpdate(erase=True)
    if tracker.get_slot("erase_requested"):
        lines.append(t("erasure_ack", language, **_org()))
        return _hand_over(case, Reason.erasure_request)
    if tracker.get_slot("handoff_requested"):
        lines.append(t("handoff", language, **_org()))
        if tracker.get_slot("channel") == "email" and case.get("consent") != "given":
            lines.append(t("consent_request_email", language))  # DESIGN 2.1: every first e-mail reply asks
        return _hand_over(case, Reason.patient_request)
    if tracker.get_slot("failed") and not case.get("safety", {}).get("emergency"):
        # A question asked twice without an answer the intake can do without (DESIGN 2.3):
        # a coordinator writes; the bot asks nothing more.
        lines.append(t("bot_failure", language, **_org()))
        return _hand_over(case, Reason.bot_failure)
    return None


class ActionConclude(Action):
    def name(self) -> str:
        return "action_conclude"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = tracker.get_slot("language") or "en"
        lines, events = _opening(tracker, language, _contact_name(tracker))
        update = _terminal_update(tracker, language, lines) or _conclude_intake(tracker, language, lines)
        events += _send(dispatcher, tracker, lines, language)
        _publish(dispatcher, update)
        extra = [SlotSet("case", update.case), SlotSet("offer", _offer(update.case))] if update.case is not None else []
        return [*events, *extra, SlotSet("phase", "done")]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = tracker.get_slot("language") or "en"
        case = dict(tracker.get_slot("case") or {})
        events = _send(dispatcher, tracker, [t("handoff", language, **_org())], language)
        _publish(dispatcher, _hand_over(case, Reason.patient_request))
        return [*events, SlotSet("handoff_requested", True)]


class ActionAfterIntake(Action):
    """Messages after the recommendation: keep the case current, acknowledge, stay brief."""

    def name(self) -> str:
        return "action_after_intake"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return after_intake(dispatcher, tracker)


def after_intake(dispatcher: CollectingDispatcher, tracker: Tracker, answer: str | None = None) -> list[EventType]:
    """Keep the case current after the recommendation; when a correction changes the
    pathway or the estimate, say what changed (DESIGN 2.3) with the new estimate.
    `answer`: the answer to a question the family asked, said instead of the acknowledgement."""
    language = tracker.get_slot("language") or "en"
    lines, _ = _opening(tracker, language)
    if answer:
        lines.append(answer)
    update = _terminal_update(tracker, language, lines)
    events: list[EventType] = []
    if update is None:
        case = dict(tracker.get_slot("case") or {})
        if not case.get("safety", {}).get("emergency"):
            case["recommendation"] = estimates.recommend(case)
            case["estimate"] = estimates.estimate(case, case["recommendation"])
        before = tracker.get_slot("offer") or {}
        after = _offer(case)
        changed = bool(before) and before.get("primary") and after["primary"] and before != after
        just_consented = signals.detect_consent(_text(tracker)) == "given" and case.get("consent") == "given"
        if changed:
            key = "update_pathway_changed" if before.get("primary") != after["primary"] else "update_estimate_changed"
            channel = "email" if tracker.get_slot("channel") == "email" else "whatsapp"
            lines.append(t(key, language, previous=answers.pathway_name(before.get("primary"), language)))
            lines.append(estimates.render_estimate(case, case["recommendation"], case["estimate"], channel, language))
            events.append(SlotSet("offer", after))
        elif not answer:
            key = "consent_given_late" if just_consented else "after_intake"
            if t(key, language, **_org()) == tracker.get_slot("last_text"):
                key = "after_intake_again"
            lines.append(t(key, language, **_org()))
        update = TurnUpdate(case=case)
    events += _send(dispatcher, tracker, lines, language)
    _publish(dispatcher, update)
    return [*events, SlotSet("case", update.case)] if update.case is not None else events


class ActionAnswerQuestion(Action):
    """A family's own question (cost, time, who we are, hospitals, privacy, travel),
    answered from the catalogs; the rules then resume the pending question."""

    def name(self) -> str:
        return "action_answer_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = tracker.get_slot("language") or "en"
        kind = answers.question_intent(tracker.latest_message, language)
        if tracker.get_slot("phase") == "done":
            if not kind:
                return after_intake(dispatcher, tracker)
            if any(tracker.get_slot(s) for s in ("stop_requested", "erase_requested", "handoff_requested")):
                return after_intake(dispatcher, tracker)
        if not kind:
            return []  # not sure it was a question: the form goes on as for any message
        text = answers.answer(kind, dict(tracker.get_slot("case") or {}), language, _org())
        if tracker.get_slot("phase") == "done":
            return after_intake(dispatcher, tracker, answer=text)
        lines, events = _opening(tracker, language, _contact_name(tracker))
        events += _send(dispatcher, tracker, [*lines, text], language)
        return [*events, SlotSet("answered_turn", tracker.get_slot("turn"))]


class ActionAskConsent(AskAction):
    slot = "consent"

    def name(self) -> str:
        return "action_ask_consent"


class ActionAskCancerType(AskAction):
    slot = "cancer_type"

    def name(self) -> str:
        return "action_ask_cancer_type"


class ActionAskTreatmentHistory(AskAction):
    slot = "treatment_history"

    def name(self) -> str:
        return "action_ask_treatment_history"


class ActionAskLocation(AskAction):
    slot = "location"

    def name(self) -> str:
        return "action_ask_location"


class ActionAskRequestedService(AskAction):
    slot = "requested_service"

    def name(self) -> str:
        return "action_ask_requested_service"
