"""dialogs/understanding/safety: the two readers combined for recall (either one firing is
a red flag), the kind from the more specific reader, doubt when neither can place a
message, and the patterns standing alone when the classifier fails."""
from __future__ import annotations

import pytest

from dialogs.understanding import safety
from dialogs.understanding.safety import SafetyReading, combine, learned

NOTHING = learned.LearnedReading(None, False, {})
UNSURE = learned.LearnedReading(None, True, {})


def classifier(kind: str) -> learned.LearnedReading:
    return learned.LearnedReading(kind, False, {})


def test_either_reader_firing_is_a_red_flag() -> None:
    assert combine(["bleeding"], NOTHING).flags == ["bleeding"]
    assert combine([], classifier("neurological")).flags == ["neurological"]
    assert combine([], None).flags == []


def test_severe_pain_yields_to_the_more_specific_kind_the_classifier_read() -> None:
    """The wife who thinks of ending her life is not a pain case; nor is back pain with numb legs."""
    assert combine(["severe_pain"], classifier("self_harm")).flags == ["self_harm"]
    assert combine(["severe_pain"], classifier("spinal_cord_compression")).flags == ["spinal_cord_compression"]
    assert combine(["spinal_cord_compression"], classifier("severe_pain")).flags == ["spinal_cord_compression"]
    assert combine(["spinal_cord_compression", "severe_pain"], classifier("spinal_cord_compression")).flags == [
        "spinal_cord_compression", "severe_pain"]  # both named by the patterns, both stand


def test_the_patterns_name_the_kind_when_they_fire() -> None:
    """A seizure after chemotherapy "with no fever" is neurological, whatever the classifier
    makes of the word chemotherapy."""
    assert combine(["neurological"], classifier("neutropenic_fever")).flags == ["neurological"]


def test_thoughts_of_self_harm_the_classifier_read_are_never_dropped() -> None:
    assert combine(["bleeding"], classifier("self_harm")).flags == ["bleeding", "self_harm"]


def test_doubt_only_when_no_reader_placed_a_flag() -> None:
    assert combine([], UNSURE) == SafetyReading([], True, [], None)
    assert combine(["bleeding"], UNSURE).unsure is False


def test_a_failing_classifier_leaves_the_patterns_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, context: str | None = None) -> learned.LearnedReading:
        raise OSError("model file unreadable")

    monkeypatch.setattr(learned, "read", broken)
    reading = safety.read_safety("He is vomiting blood since this morning")
    assert reading.flags == ["bleeding"] and reading.by_classifier is None


def test_decide_fires_on_the_red_flag_mass_and_names_the_likeliest_kind() -> None:
    limits = learned.Thresholds(fire=0.6, doubt=0.4, other=0.5)
    row = [0.3, 0.05, 0.35, 0.25, 0, 0, 0.05, 0, 0]  # none, then the seven in vocabulary order, then urgent_other
    reading = learned.decide(row, limits)
    assert reading.kind == "breathing_difficulty" and not reading.unsure


def test_decide_is_unsure_between_the_thresholds_and_on_an_urgent_other_symptom() -> None:
    limits = learned.Thresholds(fire=0.6, doubt=0.4, other=0.5)
    assert learned.decide([0.5, 0.45, 0, 0, 0, 0, 0, 0, 0.05], limits) == learned.LearnedReading(
        None, True, dict(zip(learned.LABELS, [0.5, 0.45, 0, 0, 0, 0, 0, 0, 0.05])))
    assert learned.decide([0.3, 0.1, 0, 0, 0, 0, 0, 0, 0.6], limits).unsure
    assert not learned.decide([0.9, 0.05, 0, 0, 0, 0, 0, 0, 0.05], limits).unsure


def test_a_long_message_is_read_in_parts_cut_at_sentence_ends() -> None:
    letter = "We are writing about our father. " * 20 + "Since last night he is shivering after his chemo. " * 2
    parts = learned.windows(letter, "previous message")
    assert len(parts) > 1 and all(len(p) <= 2 * learned.WINDOW + 40 for p in parts)
    assert parts[0].startswith("previous message") and "shivering" in parts[-1]
    assert learned.windows("short", None) == ["short"]


@pytest.mark.parametrize("text,context,kind", [
    ("my father is on chemo and since an hour he is shaking with 39.4 fever", None, "neutropenic_fever"),
    ("she is shivering now and feels very hot", "her third chemotherapy was on Monday", "neutropenic_fever"),
    ("abbu saans nahi le pa rahe, honth neele ho gaye hain", None, "breathing_difficulty"),
    ("je n'en peux plus, je pense à en finir avec ma vie", None, "self_harm"),
])
def test_the_trained_classifier_reads_new_wording(text: str, context: str | None, kind: str) -> None:
    """Wording written for this test, in no training file: the trained model, not a lookup."""
    assert learned.read(text, context).kind == kind


@pytest.mark.parametrize("text", [
    "My mother has breast cancer, stage 2, in Nairobi. We would like a second opinion.",
    "yes",
    "How much does the remote second opinion cost?",
])
def test_the_trained_classifier_leaves_ordinary_intake_alone(text: str) -> None:
    reading = learned.read(text)
    assert reading.kind is None and not reading.unsure


def test_the_thresholds_were_chosen_on_the_current_training_data() -> None:
    """Retrain, re-run `bench/safety_readers.py cv --write`: thresholds follow their data."""
    import yaml

    data = yaml.safe_load(learned.THRESHOLDS_FILE.read_text(encoding="utf-8"))
    assert data["training_data"] == learned.data_hash()
    assert 0 < data["doubt"]["value"] < data["fire"]["value"] < 1
