"""The data of the learned red-flag reader: the training set as its card describes it, and
the blind evaluation set kept apart from it (STYLE 14: evaluation data never feeds training)."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from dialogs.understanding.safety import detect_red_flags, learned

ROOT = Path(__file__).resolve().parents[3]
BLIND_DIR = ROOT / "tests" / "corpus" / "safety_blind"
LANGUAGES = {"en", "ar", "bn", "hi", "ur", "zh-Hans", "zh-Hant", "tr", "fr", "ru", "sw", "tl", "ta", "si", "ne", "gu"}


def _blind() -> list[dict]:
    return [json.loads(line) for path in sorted(BLIND_DIR.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def test_the_training_data_has_every_kind_in_every_language() -> None:
    examples = [e for e in learned.load_examples() if e.lang != "nlu"]
    assert {e.lang for e in examples} == LANGUAGES
    per_kind = Counter(e.label for e in examples)
    assert all(per_kind[kind] >= 100 for kind in learned.RED_FLAGS), per_kind
    hard = [e for e in examples if e.label == "none" and e.negative_kind != "ordinary"]
    assert len(hard) >= 300
    assert {e.negative_kind for e in hard} >= {"past", "negated", "mild", "risk_question", "someone_else",
                                               "treatment_words", "idiom"}
    for lang in LANGUAGES:
        kinds = {e.label for e in examples if e.lang == lang}
        assert set(learned.RED_FLAGS) <= kinds, lang


def test_every_training_line_is_well_formed() -> None:
    for path in sorted(learned.TRAIN_DIR.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            row = json.loads(line)
            assert row["label"] in learned.LABELS, (path.name, number)
            assert row["text"].strip(), (path.name, number)
            assert row["lang"] in LANGUAGES, (path.name, number)
            assert (row["label"] == "none") == bool(row.get("negative_kind")), (path.name, number)


def test_no_blind_message_is_in_the_training_data() -> None:
    training = {_key(e.text) for e in learned.load_examples()}
    training |= {_key(e.context) for e in learned.load_examples() if e.context}
    blind = _blind()
    assert len(blind) >= 400
    assert [item["id"] for item in blind if _key(item["text"]) in training] == []


def test_the_training_loader_reads_only_the_training_folder() -> None:
    assert BLIND_DIR not in learned.TRAIN_DIR.parents and learned.TRAIN_DIR != BLIND_DIR
    assert (learned.TRAIN_DIR / "README.md").exists() and (BLIND_DIR / "README.md").exists()


def test_the_blind_set_covers_every_language_kind_and_stage() -> None:
    blind = _blind()
    per_language = Counter(item["lang"] for item in blind)
    assert set(per_language) == LANGUAGES and min(per_language.values()) >= 25
    labels = Counter(item["label"] for item in blind)
    assert labels["none"] * 2 == len(blind)
    assert set(labels) == {"none", *learned.RED_FLAGS}
    assert {item["stage"] for item in blind} == {"first", "after_consent", "coordinator"}


def test_the_dialogue_training_messages_used_as_ordinary_ones_raise_no_pattern_flag() -> None:
    """The NLU examples join the training data as `none`: none of them may be a red flag."""
    flagged = [e.text for e in learned.ordinary_examples() if detect_red_flags(e.text)]
    assert flagged == []
