"""What every action reads from the message and how it speaks: the text, the contact's
name, the opening lines, a reply never sent twice in a row, and the turn update."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import estimates
from dialogs.actions import answers
from dialogs.messages import org, t
from dialogs.understanding.text import readable_text
from handoff.turn import MEDIA_ONLY_TEXT, TurnUpdate


def message_text(tracker: Tracker) -> str:
    """The latest message's text; "" for a media-only message (files, no words)."""
    text = (tracker.latest_message or {}).get("text") or ""
    return "" if text.strip() == MEDIA_ONLY_TEXT else text


def previous_text(tracker: Tracker) -> str | None:
    """The family's message before the latest (its new words), the context a red flag may
    need ("her chemo was on Monday" before "she is shivering now")."""
    users = [event for event in tracker.events if event.get("event") == "user"]
    if len(users) < 2:
        return None
    event = users[-2]
    text = event.get("text") or ""
    if not text.strip() or text.strip() == MEDIA_ONLY_TEXT:
        return None
    meta = event.get("metadata") or {}
    return readable_text(text, meta, meta.get("channel") or "simulator")[0] or None


def send(dispatcher: CollectingDispatcher, tracker: Tracker, lines: list[str], language: str) -> list[EventType]:
    """Utter this action's text; never the same text as the previous turn's (DESIGN 2.3:
    a repeated text reads as a loop), so a repeat is varied."""
    text = "\n\n".join(line for line in lines if line)
    if not text:
        return []
    if text == tracker.get_slot("last_text"):
        text = "\n\n".join([t("noted_again", language), text])
    dispatcher.utter_message(text=text)
    return [SlotSet("last_text", text)]


def publish(dispatcher: CollectingDispatcher, update: TurnUpdate) -> None:
    """Hand the turn's state to the gateway (see the package docstring)."""
    dispatcher.utter_message(json_message=update.to_json())


def opening(tracker: Tracker, language: str, name: str | None = None) -> tuple[list[str], list[EventType]]:
    """Greeting, disclaimer and privacy notice (once per conversation), the
    acknowledgement of files this message brought, then the answers to the family's
    questions of this turn (once, whichever action speaks first)."""
    lines: list[str] = []
    events: list[EventType] = []
    if not tracker.get_slot("greeted"):
        params = {**org(), "name": name}
        lines = [t("greeting", language, **params), t("disclaimer", language, **params), t("privacy", language, **params)]
        events = [SlotSet("greeted", True)]
    files = int(tracker.get_slot("new_files") or 0)
    if files:
        lines.append(t("records_received", language, count=files))
    asked = tracker.get_slot("questions") or []
    if asked and not answered(tracker):
        lines += answers.answer_all(asked, tracker.get_slot("case"), language, org())
        if offer := tracker.get_slot("proposed_service"):
            lines.append(t("change_offer", language, service=answers.pathway_name(offer, language)))
        events.append(SlotSet("answered_turn", tracker.get_slot("turn")))
    return lines, events


def answered(tracker: Tracker, events: list[EventType] | None = None) -> bool:
    """Whether this turn's questions were answered already (by an earlier action of the
    turn, or by the `events` of this one)."""
    if any(e.get("event") == "slot" and e.get("name") == "answered_turn" for e in events or []):
        return True
    return tracker.get_slot("answered_turn") == tracker.get_slot("turn")


def contact_name(tracker: Tracker) -> str | None:
    """The name the channel gave for the sender, to greet them by."""
    meta = (tracker.latest_message or {}).get("metadata") or {}
    name = meta.get("contact_name")
    # The whole profile name: a first token can be a mere title ("أبو" of "أبو حسن").
    return name.strip()[:60] if isinstance(name, str) and name.strip() else None


def agreed_estimate(tracker: Tracker, case: dict[str, Any], recommendation: dict[str, Any] | None) -> dict[str, Any] | None:
    """The estimate for `recommendation`, with the items a coordinator adjusted in the
    console at their adjusted range (the gateway passes them in the turn's metadata)."""
    meta = (tracker.latest_message or {}).get("metadata") or {}
    fresh = estimates.estimate(case, recommendation)
    return estimates.carry_overrides({"overrides": meta.get("estimate_overrides") or []}, fresh)
