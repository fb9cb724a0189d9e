"""The blind safety set (tests/corpus/safety_blind/, written by writers who saw neither the
code nor the training data) through both readers combined, as the product reads a message.

First pass (the readers as first built, before any fix): red flags on the emergency path
188/208 (90.4%), kind right 98.9%, false alarms on hard negatives 46/208 (22.1%). The
floors below hold the figures after the fixes (ISSUE 15 note): the acceptance bounds for
false alarms (at most 10%) and the kind (at least 95%), and the recall reached, so a change
that loses a caught red flag fails here.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from dialogs.understanding.safety import read_safety

BLIND_DIR = Path(__file__).resolve().parents[2] / "corpus" / "safety_blind"
ITEMS = [json.loads(line) for path in sorted(BLIND_DIR.glob("*.jsonl"))
         for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

# Red flags taking the emergency path. 200/208 when the model was trained on the machine of
# issue 15, 197/208 trained from the same data and code on the next machine (cause not
# found; the C encoder's floating point may differ by CPU): the floor leaves that room.
RECALL_FLOOR = 0.94
PERSON_FLOOR = 0.97  # red flags reaching a person at once (a red flag or a doubt)
KIND_FLOOR = 0.95
FALSE_ALARM_CEILING = 0.10


@pytest.fixture(scope="module")
def readings() -> list[tuple[dict, object]]:
    return [(item, read_safety(item["text"], item.get("context"))) for item in ITEMS]


def test_blind_red_flags_take_the_emergency_path(readings) -> None:  # type: ignore[no-untyped-def]
    positives = [(i, r) for i, r in readings if i["label"] != "none"]
    caught = [(i, r) for i, r in positives if r.flags]
    reached = [(i, r) for i, r in positives if r.alarm]
    print(f"\nblind red flags: emergency path {len(caught)}/{len(positives)}, "
          f"a person at once {len(reached)}/{len(positives)}")
    assert len(caught) >= RECALL_FLOOR * len(positives)
    assert len(reached) >= PERSON_FLOOR * len(positives)


def test_blind_red_flags_are_of_the_right_kind(readings) -> None:  # type: ignore[no-untyped-def]
    caught = [(i, r) for i, r in readings if i["label"] != "none" and r.flags]
    right = [i["id"] for i, r in caught if r.flags[0] == i["label"] or i["label"] in r.flags]
    print(f"\nblind kind right: {len(right)}/{len(caught)}")
    assert len(right) >= KIND_FLOOR * len(caught)


def test_blind_hard_negatives_rarely_raise_a_flag(readings) -> None:  # type: ignore[no-untyped-def]
    negatives = [(i, r) for i, r in readings if i["label"] == "none"]
    alarms = [i["id"] for i, r in negatives if r.flags]
    doubts = [i["id"] for i, r in negatives if r.unsure]
    print(f"\nblind false alarms: {len(alarms)}/{len(negatives)}, doubts {len(doubts)}")
    assert len(alarms) <= FALSE_ALARM_CEILING * len(negatives)
