"""dialogs/understanding/acts/train: the dialogue-act training data, and the blind
messages kept apart from it (tests/corpus/acts_blind)."""
from __future__ import annotations

import json
from collections import Counter

from dialogs.understanding.acts import model as act_model
from estimates import vocabulary
from store.config import PROJECT_ROOT

BLIND_DIR = PROJECT_ROOT / "tests" / "corpus" / "acts_blind"
PER_ACT = 40  # issue 16: at least 40 messages per act in each of the 16 languages


def _blind() -> list[dict]:
    return [json.loads(line) for path in sorted(BLIND_DIR.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_training_data_has_every_act_in_every_language() -> None:
    examples = act_model.load_examples(with_nlu=False)
    counts = Counter((e.lang, e.act) for e in examples)
    languages = set(vocabulary.vocabulary()["languages"])
    assert {e.lang for e in examples} == languages
    short = {(lang, act): counts[(lang, act)] for lang in languages for act in act_model.ACTS if counts[(lang, act)] < PER_ACT}
    assert not short, short


def test_every_question_has_a_topic_and_every_topic_has_examples() -> None:
    examples = act_model.load_examples()
    assert all((e.act == "question") == bool(e.topic) for e in examples)
    topics = Counter(e.topic for e in examples if e.topic)
    assert set(topics) == set(act_model.TOPICS) and min(topics.values()) >= 50, topics


def test_the_loader_refuses_an_unknown_label(tmp_path) -> None:
    (tmp_path / "xx.jsonl").write_text('{"text": "hi", "act": "chat", "topic": null, "lang": "en"}\n', encoding="utf-8")
    try:
        act_model.load_examples(tmp_path)
    except ValueError as exc:
        assert "xx.jsonl:1" in str(exc)
    else:
        raise AssertionError("an unknown act was accepted")


def test_the_blind_messages_cover_every_language_and_are_not_training_data() -> None:
    blind = _blind()
    per_language = Counter(row["lang"] for row in blind)
    assert set(per_language) == set(vocabulary.vocabulary()["languages"]) and min(per_language.values()) >= 24
    assert {row["act"] for row in blind} == set(act_model.ACTS)
    training = {e.text.strip().casefold() for e in act_model.load_examples()}
    # Writers who never saw each other's files still both write "İzmir" or "I want to talk to
    # a real person": a few short coincidences, which the blind figures leave out.
    same = [row["text"] for row in blind if row["text"].strip().casefold() in training]
    assert len(same) <= 0.02 * len(blind) and all(len(text.split()) <= 8 for text in same), same


def test_the_service_data_names_every_service_in_every_language() -> None:
    named = act_model.load_service_examples()
    counts = Counter((lang, service) for _, service, lang in named)
    languages = set(vocabulary.vocabulary()["languages"])
    assert {lang for _, _, lang in named} == languages
    short = {(lang, s): counts[(lang, s)] for lang in languages for s in act_model.SERVICES if counts[(lang, s)] < 15}
    assert not short, short
