"""handoff.turn: the update the actions send round-trips through JSON, and the gateway
refuses anything else with a TurnError that says what is wrong."""
from __future__ import annotations

import json
from typing import Any

import pytest

from handoff.turn import VERSION, OwnerChange, TicketRequest, TurnError, TurnUpdate, carries_update
from store.states import Priority, Reason

CASE = {"language": "en", "diagnosis": {"cancer_type": "breast"}, "safety": {"emergency": False}}


@pytest.mark.parametrize(
    "update",
    [
        TurnUpdate(),
        TurnUpdate(case=CASE),
        TurnUpdate(case=CASE, ticket=TicketRequest(Reason.intake_complete, Priority.normal)),
        TurnUpdate(case=CASE, ticket=TicketRequest(Reason.patient_request, Priority.high), owner=OwnerChange.hand_over),
        TurnUpdate(case=CASE, opt_out=True),
        TurnUpdate(erase=True),
        TurnUpdate(case=CASE, ticket=TicketRequest(Reason.emergency, Priority.urgent), alert="Call 999 now."),
        TurnUpdate(case=CASE, ticket=TicketRequest(Reason.safety_review, Priority.urgent), alert="A person looks now."),
    ],
    ids=["nothing", "case", "ticket", "hand-over", "opt-out", "erase", "alert", "doubt"],
)
def test_an_update_survives_the_wire(update: TurnUpdate) -> None:
    # Through json as Rasa carries it, not just the dict.
    assert TurnUpdate.parse(json.loads(json.dumps(update.to_json()))) == update


def test_the_payload_keeps_the_keys_the_gateway_always_read() -> None:
    update = TurnUpdate(case=CASE, ticket=TicketRequest(Reason.erasure_request, Priority.urgent), owner=OwnerChange.hand_over)
    assert update.to_json() == {
        "intake": {
            "version": VERSION,
            "case": CASE,
            "ticket": {"reason": "erasure_request", "priority": "urgent"},
            "owner": "coordinator",
        }
    }
    # Keys with nothing to say are left out, as before the contract.
    assert TurnUpdate(erase=True).to_json() == {"intake": {"version": VERSION, "erase": True}}


def test_a_ticket_request_takes_the_case_priority() -> None:
    red_flag = {"safety": {"emergency": True, "red_flags": ["bleeding"]}}
    assert TicketRequest.for_case(red_flag, Reason.emergency) == TicketRequest(Reason.emergency, Priority.urgent)
    doubt = {"safety": {"emergency": False, "red_flags": [], "review": True}}
    assert TicketRequest.for_case(doubt, Reason.intake_complete).priority is Priority.urgent
    assert TicketRequest.for_case({}, Reason.intake_complete).priority is Priority.normal


def _body(**fields: Any) -> dict[str, Any]:
    return {"intake": {"version": VERSION, **fields}}


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ("not a mapping", "mapping with the one key 'intake'"),
        ({}, "mapping with the one key 'intake'"),
        ({"intake": {"version": VERSION}, "other": 1}, "mapping with the one key 'intake'"),
        ({"intake": ["case"]}, "'intake' must be a mapping, not list"),
        ({"intake": {"case": CASE}}, "version None"),
        (_body(version=2), "version 2; this gateway reads version 1"),
        (_body(version="1"), "version '1'"),
        (_body(version=True), "version True"),
        (_body(owner_change="coordinator"), "unknown keys in the turn update: owner_change"),
        (_body(case=["language", "en"]), "'case' must be a mapping, not list"),
        (_body(ticket="bot_failure"), "exactly 'reason' and 'priority'"),
        (_body(ticket={"reason": "bot_failure"}), "exactly 'reason' and 'priority'"),
        (_body(ticket={"reason": "because", "priority": "normal"}), "unknown reason 'because' (one of: intake_complete"),
        (_body(ticket={"reason": "bot_failure", "priority": "asap"}), "unknown priority 'asap' (one of: normal, high, urgent)"),
        (_body(ticket={"reason": 3, "priority": "normal"}), "'reason' must be a string, not int"),
        (_body(owner="bot"), "unknown owner 'bot' (one of: coordinator)"),
        (_body(opt_out="yes"), "'opt_out' must be true or false, not str"),
        (_body(erase=1), "'erase' must be true or false, not int"),
        (_body(alert=""), "'alert' must be a non-empty string, not ''"),
        (_body(alert=["Call 999"]), "'alert' must be a non-empty string, not ['Call 999']"),
    ],
    ids=["not-mapping", "empty", "extra-key", "body-list", "no-version", "future-version", "version-string",
         "version-bool", "unknown-key", "case-list", "ticket-string", "ticket-no-priority", "unknown-reason",
         "unknown-priority", "reason-int", "unknown-owner", "opt-out-string", "erase-int", "alert-empty", "alert-list"],
)
def test_anything_else_is_refused_with_what_is_wrong(payload: Any, says: str) -> None:
    with pytest.raises(TurnError) as refused:
        TurnUpdate.parse(payload)
    assert says in str(refused.value)
    assert isinstance(refused.value, ValueError)


def test_a_long_value_is_cut_in_the_error() -> None:
    with pytest.raises(TurnError) as refused:
        TurnUpdate.parse(_body(owner="x" * 500))
    assert len(str(refused.value)) < 120


def test_only_replies_with_a_custom_payload_carry_an_update() -> None:
    assert carries_update({"custom": TurnUpdate().to_json()})
    assert carries_update({"custom": {"other": 1}})  # carried, and parse will refuse it
    assert not carries_update({"text": "Hello"})
    assert not carries_update({"text": "Hello", "custom": None})
