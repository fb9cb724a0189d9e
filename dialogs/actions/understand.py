"""Reading a turn: every user message's red flags, language, consent, requests and
facts, and the case they make (DESIGN 2.2: safety first)."""
from __future__ import annotations

from typing import Any, Mapping

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import estimates
from dialogs.actions import acts, form_slots
from dialogs import emergency
from dialogs.actions.messaging import message_text, previous_text, publish
from dialogs.understanding import facts as fact_extraction
from dialogs.understanding import language as lang_detection
from dialogs.understanding import signals
from dialogs.understanding.safety import SafetyReading, read_safety
from dialogs.understanding.text import readable_text
from handoff.case_shape import case_body
from handoff.turn import TicketRequest, TurnUpdate
from store.states import Reason

# The STOP lexicon decides first; Rasa's intent alone must be very sure.
STOP_INTENT_CONFIDENCE = 0.8


def _language(text: str, region: str | None, known: str | None) -> str:
    """The message's own language when it is clear, else the conversation's so far."""
    return (
        (lang_detection.detect_language_hinted(text, region, fallback=False) if text else None)
        or known
        or lang_detection.detect_language_hinted(text, region)
        or "en"
    )


def _service_asked(tracker: Tracker, channel: str) -> bool:
    """The pending question is "how can we help?" (on e-mail: it was asked and is open)."""
    asked = dict(tracker.get_slot("asked") or {})
    return tracker.get_slot("requested_slot") == "requested_service" or bool(
        channel == "email" and asked.get("requested_service") and not tracker.get_slot("requested_service"))


def _found(tracker: Tracker, text: str, readable: str, language: str, channel: str, flags: list[str]) -> dict[str, Any]:
    """The facts this message gives, read as the answer to the question pending
    (`readable`: what the family told, without their questions)."""
    requested = tracker.get_slot("requested_slot")
    asked = dict(tracker.get_slot("asked") or {})
    done = tracker.get_slot("phase") == "done"
    service_asked = _service_asked(tracker, channel)
    found = fact_extraction.extract_facts(readable, language, answering_service=bool(service_asked)) if readable.strip() else {}
    if text.strip() and not found.get("request.service") and (service_asked or (done and asked.get("requested_service"))):
        if choice := form_slots.menu_choice(readable, language, in_sentences=bool(service_asked)) if readable.strip() else None:
            found["request.service"] = choice  # also a late "number 4" to the menu we showed
            found["_menu_choice"] = True  # a number from our menu is an explicit choice
        elif service_asked and not flags and not tracker.get_slot("requested_service"):
            # DESIGN 2.3: an answer to "how can we help?" that names no service (a
            # retelling, a question back, an emoji) means "not sure": the rules decide.
            found["request.service"] = "unsure"
            found["request.text"] = text.strip()[:300]
    if requested == "location" and found.get("location.country") and int(found.get("location.strength") or 0) < 2:
        # The answer to "where does the patient live?" is where the patient lives: a place
        # named later in passing ("to go to India for an opinion") does not move it.
        found["location.strength"] = 2
    if requested == "treatment_history" and not found and signals.detect_consent(readable) == "refused":
        found["history.no_treatment_yet"] = True  # "no" / "none" to "what treatment so far?"
    return found


def _consent(tracker: Tracker, channel: str, answer: str | None) -> str | None:
    consent = tracker.get_slot("consent")
    if channel == "email":
        if answer in ("given", "refused") and consent != "given":
            consent = answer
    elif answer and tracker.get_slot("requested_slot") == "consent":
        # Only an answer to the consent question counts: a later "no" answers another
        # question (e.g. "any treatment so far?"); withdrawing is an erasure request.
        consent = answer
    return consent


def _requests(text: str, intent: Mapping[str, Any], reading: acts.ActReading) -> dict[str, bool]:
    """The slots of the family's requests (a person, stop, erase) and whether this message makes them."""
    # The lexicon, or the dialogue-act reader (which replaced Rasa's request_human intent:
    # its char n-grams took "un avis en personne" for a person).
    wants_human = bool(text) and (
        (signals.wants_human(text) and not acts.surely_something_else(reading))
        or acts.wants_human(reading)
    )
    wants_stop = bool(text) and (
        signals.wants_stop(text)
        or (intent.get("name") == "stop" and intent.get("confidence", 0) >= STOP_INTENT_CONFIDENCE)
    )
    wants_erasure = bool(text) and signals.wants_erasure(text)
    return {"handoff_requested": wants_human, "stop_requested": wants_stop, "erase_requested": wants_erasure}


def _questions(previous: Mapping[str, Any], asked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The family's questions so far; one no answer covers stays open for a coordinator."""
    kept = list(previous.get("questions") or [])
    return kept + [{"text": q["text"], "topics": q["topics"], "answered": q["topics"] != ["other"]} for q in asked]


def _case(tracker: Tracker, facts: dict[str, Any], language: str, consent: str | None, flags: list[str],
          review: bool, now: dict[str, Any]) -> dict[str, Any]:
    """The turn's case; its recommendation: R1 after a red flag, the one told after the
    intake, else pending (`now`: the slots as this turn leaves them)."""
    case = case_body(facts, language, consent, flags, review)
    previous = tracker.get_slot("case") or {}
    done = tracker.get_slot("phase") == "done"
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
        case["recommendation"] = form_slots.pending_recommendation(now)
    return case


class ActionUnderstand(Action):
    """Runs after every user message (Rasa's action_extract_slots calls it):
    red flags first, then language, consent, requests and every fact we can find."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        message = tracker.latest_message or {}
        meta = message.get("metadata") or {}
        channel = meta.get("channel") or tracker.get_slot("channel") or "simulator"
        requested = tracker.get_slot("requested_slot")
        text, readable = readable_text(message_text(tracker), meta, channel)

        # Safety first (DESIGN 2.2): before consent, before anything else; both readers,
        # with the family's previous message for context.
        known_flags: list[str] = list(tracker.get_slot("red_flags") or [])
        reading = read_safety(readable, previous_text(tracker)) if text else SafetyReading([], False, [], None)
        new_flags = [f for f in reading.flags if f not in known_flags]
        flags = known_flags + new_flags
        # A doubt (no red flag placed, not clearly safe) goes to a person once.
        new_doubt = reading.unsure and not flags and not tracker.get_slot("safety_review")
        review = bool(tracker.get_slot("safety_review") or new_doubt) and not flags
        language = _language(text, meta.get("region"), tracker.get_slot("language"))

        # What the family asks is answered, never read as what they told (DESIGN 2.3).
        said = acts.read(readable) if text else acts.ActReading()
        found = _found(tracker, text, acts.told(said, readable, language), language, channel, flags)
        acts.choose_service(found, said, readable, language, answering=_service_asked(tracker, channel))
        done = tracker.get_slot("phase") == "done"
        proposed = tracker.get_slot("proposed_service")
        answer = signals.detect_consent(text) if text else None
        if channel == "email" and answer == "refused":
            answer = None  # a "no" in an e-mail may answer one of our numbered questions
        if answer is None and (requested == "consent" or proposed):
            answer = acts.consent(said)
        elif answer is None and channel == "email" and tracker.get_slot("consent") != "given" and tracker.get_slot("turn"):
            # A reply to our e-mail (the first one cannot consent to what we have not
            # asked): the reader's sure reading of its opening, or of a whole refusal.
            answer = acts.email_consent(said, found)
        if done:
            found = acts.service_after_recommendation(found, said, proposed, answer == "given")
        if "correction" in said.acts:
            found["_correction"] = True
        facts = fact_extraction.merge_facts(dict(tracker.get_slot("facts") or {}), found)
        values = form_slots.slot_values(facts)
        consent = _consent(tracker, channel, answer)
        requests = _requests(text, message.get("intent") or {}, said)
        asked_now = acts.questions(said, language)
        previous_case = tracker.get_slot("case") or {}
        current = (previous_case.get("recommendation") or {}).get("primary") if done else None
        offer = acts.offer(asked_now, current) if done else None

        failed = list(tracker.get_slot("failed") or [])
        # A question of the family's own is no unusable answer: it is answered, then the
        # pending question comes again without counting as one more ask.
        if text and not said.only_asks:
            now = {**tracker.slots, **values, "consent": consent, "emergency": bool(flags), "channel": channel}
            asked = dict(tracker.get_slot("asked") or {})
            going_on, cannot = form_slots.give_up(form_slots.unanswered(now, asked, channel, requested), facts)
            if going_on:
                facts = fact_extraction.merge_facts(facts, going_on)
                values = form_slots.slot_values(facts)
            failed += [slot for slot in cannot if slot not in failed]

        if flags and facts.get("request.service") == "unsure":
            # After a red flag no pathway is offered (R1): "what do we do?" asks for help, not a service.
            facts = {k: v for k, v in facts.items() if k not in ("request.service", "request.text")}
            values = form_slots.slot_values(facts)
        case = _case(tracker, facts, language, consent, flags, review,
                     {**tracker.slots, **values, "consent": consent, "channel": channel})
        case["questions"] = _questions(previous_case, asked_now)
        events: list[EventType] = [
            SlotSet("channel", channel),
            SlotSet("language", language),
            SlotSet("facts", facts),
            SlotSet("red_flags", flags),
            SlotSet("emergency", bool(flags)),
            SlotSet("safety_review", review),
            SlotSet("case", case),
            SlotSet("turn", float(tracker.get_slot("turn") or 0) + 1),
            SlotSet("understood", bool(found or answer)),
            SlotSet("new_files", len(meta.get("attachments") or [])),
            SlotSet("failed", failed),
            SlotSet("questions", asked_now),
            SlotSet("proposed_service", offer),
        ]
        if consent:
            events.append(SlotSet("consent", consent))
        events += [SlotSet(slot, value) for slot, value in values.items() if value is not None]
        events += [SlotSet(slot, True) for slot, flag in requests.items() if flag]

        if new_flags or new_doubt:
            # The reply of its own, before anything else, with the emergency number of the
            # patient's country (or, until it is known, of the writer's phone number).
            alert = emergency.alert_text(new_flags, new_doubt, language, facts.get("location.country"), meta.get("region"))
            reason = Reason.emergency if new_flags else Reason.safety_review
            publish(dispatcher, TurnUpdate(case=case, ticket=TicketRequest.for_case(case, reason), alert=alert))
        else:
            publish(dispatcher, TurnUpdate(case=case))
        return events
