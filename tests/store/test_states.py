"""store.states: the owner and ticket state machines allow their moves and refuse the rest."""
from __future__ import annotations

import pytest

from store.states import OWNER_MOVES, TICKET_MOVES, IllegalTransition, Owner, TicketStatus, move

ALLOWED_OWNER = [
    (Owner.bot, Owner.waiting), (Owner.waiting, Owner.coordinator), (Owner.coordinator, Owner.bot),
    (Owner.coordinator, Owner.closed), (Owner.waiting, Owner.bot), (Owner.bot, Owner.closed),
]
REFUSED_OWNER = [(Owner.closed, Owner.bot), (Owner.bot, Owner.coordinator), (Owner.closed, Owner.waiting)]
ALLOWED_TICKET = [
    (TicketStatus.open, TicketStatus.claimed), (TicketStatus.claimed, TicketStatus.waiting_patient),
    (TicketStatus.waiting_patient, TicketStatus.claimed), (TicketStatus.claimed, TicketStatus.resolved),
    (TicketStatus.resolved, TicketStatus.open),
]
REFUSED_TICKET = [(TicketStatus.resolved, TicketStatus.claimed), (TicketStatus.open, TicketStatus.waiting_patient),
                  (TicketStatus.resolved, TicketStatus.waiting_patient)]


@pytest.mark.parametrize("current, new", ALLOWED_OWNER + ALLOWED_TICKET)
def test_allowed_moves(current, new) -> None:  # type: ignore[no-untyped-def]
    assert move(current, new) is new


@pytest.mark.parametrize("current, new", REFUSED_OWNER + REFUSED_TICKET)
def test_refused_moves(current, new) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IllegalTransition, match=f"from {current.value} to {new.value}"):
        move(current, new)


def test_every_state_has_a_row_and_staying_put_is_no_move() -> None:
    assert set(OWNER_MOVES) == set(Owner) and set(TICKET_MOVES) == set(TicketStatus)
    assert all(move(s, s) is s for s in [*Owner, *TicketStatus])
    assert OWNER_MOVES[Owner.closed] == frozenset()  # closed is final


def test_states_priorities_and_reasons_are_the_contracts_vocabulary() -> None:
    import yaml

    from store.states import Priority, Reason
    from tests.conftest import REPO

    vocabulary = yaml.safe_load((REPO / "bot" / "contract" / "vocabulary.yml").read_text(encoding="utf-8"))
    assert [p.value for p in Priority][::-1] == vocabulary["ticket_priorities"]
    assert [r.value for r in Reason] == vocabulary["ticket_reasons"]
    assert [s.value for s in TicketStatus] == vocabulary["ticket_statuses"]
