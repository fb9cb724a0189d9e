"""Choosing and asking the next question: what the form still needs, one question on
WhatsApp or all at once by e-mail, and the family's own questions answered first."""
from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import estimates
from dialogs.actions import form_slots
from dialogs.actions.conclude import after_intake
from dialogs.actions.messaging import answered, contact_name, opening, send
from dialogs.messages import org, t
from handoff import tickets


class ValidateIntakeForm(FormValidationAction):
    """Decides what the form still needs; the facts were already extracted."""

    def name(self) -> str:
        return "validate_intake_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return form_slots.required_slots(tracker.slots)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # The family's questions are answered by whichever action speaks (messaging.opening).
        events = await super().run(dispatcher, tracker, domain)
        # Always report a validated slot: an unanswered question is asked again
        # by the form itself instead of the form rejecting the turn.
        return [*events, SlotSet("turn", tracker.get_slot("turn"))]


def _provisional(tracker: Tracker, language: str) -> list[str]:
    """On e-mail, the recommendation the facts so far support, before the questions that
    could change it (a named service needs no more facts: rule 2)."""
    so_far = tickets.recommendation_so_far(tracker.get_slot("case"))
    if not (so_far or {}).get("primary"):
        return []
    return [t("email_provisional", language, line=estimates.render_recommendation_line(so_far, language))]


class AskAction(Action, ABC):
    """Asks for the next missing fact: one question on WhatsApp, all at once by e-mail."""

    slot: str

    @abstractmethod
    def name(self) -> str: ...

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = tracker.get_slot("language") or "en"
        lines, events = opening(tracker, language, contact_name(tracker))
        asked = dict(tracker.get_slot("asked") or {})
        if tracker.get_slot("channel") == "email":
            todo = [s for s in form_slots.missing(tracker.slots) if s != "consent"]
            # A question asked before comes again rephrased, with an example (DESIGN 2.3).
            questions = [f"{i}. {t(('reask_' if asked.get(s) else 'email_q_') + s, language)}" for i, s in enumerate(todo, 1)]
            body = [t("email_intro", language), *_provisional(tracker, language),
                    t("email_questions_intro", language) + "\n" + "\n".join(questions)]
            if tracker.get_slot("consent") != "given":
                body.append(t("consent_request_email", language))
            dispatcher.utter_message(text="\n\n".join(lines + body))
            for s in todo:
                asked[s] = asked.get(s, 0) + 1
        else:
            answered_now = answered(tracker, events)
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
            lines.append(t(key, language, **org()))
            events += send(dispatcher, tracker, lines, language)
            if not answered_now:
                asked[self.slot] = asked.get(self.slot, 0) + 1
        return [*events, SlotSet("asked", asked)]


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


class ActionAnswerQuestion(Action):
    """The rules' step for a message the NLU took for a question: its answers (from the
    dialogue-act reading, see messaging.opening), then the form resumes; after the
    intake, the after-intake turn answers them."""

    def name(self) -> str:
        return "action_answer_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("phase") == "done":
            return after_intake(dispatcher, tracker)
        if not tracker.get_slot("questions") or answered(tracker):
            return []  # no question read: the form goes on as for any message
        language = tracker.get_slot("language") or "en"
        lines, events = opening(tracker, language, contact_name(tracker))
        return [*events, *send(dispatcher, tracker, lines, language)]
