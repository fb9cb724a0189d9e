"""Run the custom actions as the action server does: a real rasa_sdk Tracker and
CollectingDispatcher, the domain's slots, and the turn update read back through
the contract (`TurnUpdate.parse`), as the gateway reads it."""
from __future__ import annotations

import asyncio
import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from dialogs.actions import form_slots
from dialogs.actions.ask import (ActionAskCancerType, ActionAskConsent, ActionAskLocation, ActionAskRequestedService,
                                 ActionAskTreatmentHistory)
from dialogs.actions.conclude import ActionAfterIntake, ActionConclude
from dialogs.actions.understand import ActionUnderstand
from handoff.turn import TurnUpdate

DOMAIN: dict[str, Any] = yaml.safe_load((Path(__file__).resolve().parents[3] / "dialogs" / "domain.yml").read_text("utf-8"))
ASK = {action.slot: action for action in (ActionAskConsent, ActionAskCancerType, ActionAskTreatmentHistory,
                                          ActionAskLocation, ActionAskRequestedService)}


def slots(**values: Any) -> dict[str, Any]:
    """The domain's slots at their initial values, then `values`."""
    base = {name: spec.get("initial_value") for name, spec in DOMAIN["slots"].items()}
    return {**base, "requested_slot": None, **values}


def message(text: str, intent: str = "inform", confidence: float = 0.9, **metadata: Any) -> dict[str, Any]:
    """Rasa's parse of a user message, with the gateway's metadata (channel, attachments...)."""
    return {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": [],
            "metadata": {"channel": "whatsapp", **metadata}}


@dataclass
class Turn:
    """What one action did: its events, its texts and its turn update."""

    events: list[dict[str, Any]]
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m.get("text")]

    @property
    def updates(self) -> list[TurnUpdate]:
        return [TurnUpdate.parse(m["custom"]) for m in self.messages if m.get("custom")]  # Rasa drops an empty payload

    @property
    def update(self) -> TurnUpdate:
        (only,) = self.updates
        return only

    def slot(self, name: str, default: Any = None) -> Any:
        """The value the action's last SlotSet gave `name` (`default`: none set it)."""
        values = [e["value"] for e in self.events if e.get("event") == "slot" and e.get("name") == name]
        return values[-1] if values else default

    def sets(self, name: str) -> bool:
        return any(e.get("event") == "slot" and e.get("name") == name for e in self.events)


def run(action: Action, state: dict[str, Any], latest: dict[str, Any] | None = None,
        active_loop: str | None = None) -> Turn:
    """Run one action on a tracker holding `state` and the latest message."""
    dispatcher = CollectingDispatcher()
    tracker = Tracker("test-sender", dict(state), latest or {}, [], False, None,
                      {"name": active_loop} if active_loop else {}, None)
    events = action.run(dispatcher, tracker, DOMAIN)
    if inspect.iscoroutine(events):
        events = asyncio.run(events)
    return Turn(list(events), dispatcher.messages)


def apply(state: dict[str, Any], turn: Turn) -> dict[str, Any]:
    """The slots after the action's events, as Rasa applies them."""
    out = dict(state)
    for event in turn.events:
        if event.get("event") == "slot":
            out[event["name"]] = event["value"]
    return out


class Chat:
    """One conversation: each message is understood, then the form asks its next question
    or concludes, and after the intake every message is acknowledged (dialogs/data/rules.yml)."""

    def __init__(self, channel: str = "whatsapp") -> None:
        self.channel = channel
        self.state = slots()

    def say(self, text: str, **metadata: Any) -> list[Turn]:
        latest = message(text, **{"channel": self.channel, **metadata})
        turns = [self._run(ActionUnderstand(), latest)]
        if self.state.get("phase") == "done":
            turns.append(self._run(ActionAfterIntake(), latest))
            return turns
        todo = form_slots.missing(self.state)
        self.state["requested_slot"] = todo[0] if todo else None
        turns.append(self._run(ASK[todo[0]]() if todo else ActionConclude(), latest))
        return turns

    def _run(self, action: Action, latest: dict[str, Any]) -> Turn:
        turn = run(action, self.state, latest)
        self.state = apply(self.state, turn)
        return turn
