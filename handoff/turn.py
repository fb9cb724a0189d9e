"""The turn contract: what the dialogue's actions hand back to the gateway each turn.

Actions never write to the database (DESIGN 7: the outbox is written with the state
change); they send one `TurnUpdate` as a Rasa custom payload, `{"intake": {...}}`,
and the gateway stores it in the transaction of the turn's replies. Both sides
import this module, so the shape is written down once and checked where it
crosses the process boundary (`TurnUpdate.parse`).

    {"intake": {"version": 1, "case": {...}, "ticket": {"reason": ..., "priority": ...},
                "owner": "coordinator", "opt_out": true, "erase": true, "alert": "..."}}

Every key but `version` is optional; a key left out means "no change".
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handoff.tickets import priority_for
from store.states import Priority, Reason

VERSION = 1
# Where the update travels inside the custom payload.
PAYLOAD_KEY = "intake"
# Rasa's REST channel needs some text; a media-only message is sent as this intent trigger.
MEDIA_ONLY_TEXT = "/inform"

_KEYS = frozenset({"version", "case", "ticket", "owner", "opt_out", "erase", "alert"})


class TurnError(ValueError):
    """A turn update that breaks the contract: a bug in the actions or a version
    mismatch between the action server and the gateway, never the patient's doing."""


class OwnerChange(str, enum.Enum):
    """The ownership changes the dialogue may ask for (its wire value in the payload)."""

    hand_over = "coordinator"  # the patient wants a person: the bot steps back


@dataclass(frozen=True)
class TicketRequest:
    """A ticket the dialogue asks for; the gateway opens it (or escalates the open one)."""

    reason: Reason
    priority: Priority

    @classmethod
    def for_case(cls, case: Mapping[str, Any], reason: Reason) -> TicketRequest:
        """The request at the case's own priority (DESIGN 6.6)."""
        return cls(reason, Priority(priority_for(case)))


@dataclass(frozen=True)
class TurnUpdate:
    """One turn's state change. `case` is the whole new case body (None: unchanged)."""

    case: dict[str, Any] | None = None
    ticket: TicketRequest | None = None
    owner: OwnerChange | None = None
    opt_out: bool = False
    erase: bool = False
    # A message of its own, sent before the turn's other replies (DESIGN 2.2: the reply to
    # a red flag comes before any greeting or consent question).
    alert: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The custom payload the action sends (`dispatcher.utter_message(json_message=...)`)."""
        body: dict[str, Any] = {"version": VERSION}
        if self.case is not None:
            body["case"] = self.case
        if self.ticket is not None:
            body["ticket"] = {"reason": self.ticket.reason.value, "priority": self.ticket.priority.value}
        if self.owner is not None:
            body["owner"] = self.owner.value
        if self.opt_out:
            body["opt_out"] = True
        if self.erase:
            body["erase"] = True
        if self.alert:
            body["alert"] = self.alert
        return {PAYLOAD_KEY: body}

    @classmethod
    def parse(cls, obj: Any) -> TurnUpdate:
        """The update in a custom payload, as `to_json` writes it.

        Raises:
            TurnError: not this contract (no or another version, an unknown key, a value
                of the wrong type, a reason, priority or owner change outside the vocabulary, an
                empty alert).
        """
        if not isinstance(obj, Mapping) or set(obj) != {PAYLOAD_KEY}:
            raise TurnError(f"a turn update is a mapping with the one key {PAYLOAD_KEY!r}")
        body = obj[PAYLOAD_KEY]
        if not isinstance(body, Mapping):
            raise TurnError(f"{PAYLOAD_KEY!r} must be a mapping, not {type(body).__name__}")
        unknown = sorted(str(key) for key in set(body) - _KEYS)
        if unknown:
            raise TurnError(f"unknown keys in the turn update: {', '.join(unknown)}")
        version = body.get("version")
        if type(version) is not int or version != VERSION:
            raise TurnError(f"turn update version {_shown(version)}; this gateway reads version {VERSION}")
        case = body.get("case")
        if case is not None and not isinstance(case, dict):
            raise TurnError(f"'case' must be a mapping, not {type(case).__name__}")
        return cls(
            case=case,
            ticket=_ticket(body.get("ticket")),
            owner=None if body.get("owner") is None else _member(OwnerChange, body["owner"], "owner"),
            opt_out=_flag(body, "opt_out"),
            erase=_flag(body, "erase"),
            alert=_text(body, "alert"),
        )


def carries_update(reply: Mapping[str, Any]) -> bool:
    """Whether a Rasa reply is the actions' payload (valid or not: `parse` decides)."""
    return reply.get("custom") is not None


def _ticket(value: Any) -> TicketRequest | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"reason", "priority"}:
        raise TurnError("'ticket' must be a mapping with exactly 'reason' and 'priority'")
    return TicketRequest(_member(Reason, value["reason"], "reason"), _member(Priority, value["priority"], "priority"))


def _member(kind: type[enum.Enum], value: Any, field: str) -> Any:
    if not isinstance(value, str):
        raise TurnError(f"{field!r} must be a string, not {type(value).__name__}")
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        raise TurnError(f"unknown {field} {_shown(value)} (one of: {allowed})") from None


def _flag(body: Mapping[str, Any], field: str) -> bool:
    value = body.get(field, False)
    if not isinstance(value, bool):
        raise TurnError(f"{field!r} must be true or false, not {type(value).__name__}")
    return value


def _text(body: Mapping[str, Any], field: str) -> str | None:
    value = body.get(field)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise TurnError(f"{field!r} must be a non-empty string, not {_shown(value)}")
    return value


def _shown(value: Any) -> str:
    """A value for an error message: short, since it may end up in a log line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
