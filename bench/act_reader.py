"""The dialogue-act reader, measured. Prints figures; asserts nothing.

  cv     5-fold stratified cross-validation on the training data (dialogs/understanding/
         acts/train/ and the NLU examples): macro F1 and per-class precision/recall/F1 of
         the acts, then of the question topics and of the named services, by language too;
         with --compare, also the n-grams alone and the encoder alone.
  blind  the blind messages (tests/corpus/acts_blind/, never used for training), read as
         the product reads them (sentence by sentence, read_acts): act and topic accuracy
         by language, and the confusions.
  speed  milliseconds per message of read_acts, one message at a time.

Run: .venv/bin/python bench/act_reader.py cv|blind|speed
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialogs.understanding import textmodel  # noqa: E402
from dialogs.understanding.acts import read_acts  # noqa: E402
from dialogs.understanding.acts import model as act_model  # noqa: E402
from store.config import PROJECT_ROOT  # noqa: E402

BLIND_DIR = PROJECT_ROOT / "tests" / "corpus" / "acts_blind"
FOLDS = 5


def out_of_fold(texts: list[str], labels: list[str], vectors: np.ndarray, c: float, weight: float = 1.0) -> list[str]:
    predicted = [""] * len(texts)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=textmodel.SEED)
    for train, test in folds.split(texts, labels):
        model = textmodel.fit([texts[i] for i in train], [labels[i] for i in train], vectors[train] * weight, c)
        for i, label in zip(test, model.model.predict(model.features([texts[i] for i in test], vectors[test] * weight))):
            predicted[i] = label
    return predicted


def report(title: str, gold: list[str], predicted: list[str], langs: list[str]) -> None:
    print(f"\n== {title}: {len(gold)} examples, macro F1 {f1_score(gold, predicted, average='macro'):.3f}")
    print(classification_report(gold, predicted, digits=3, zero_division=0))
    by_lang: dict[str, list[bool]] = defaultdict(list)
    for g, p, lang in zip(gold, predicted, langs):
        by_lang[lang].append(g == p)
    print("accuracy by language: " + ", ".join(f"{k} {sum(v) / len(v):.2f}" for k, v in sorted(by_lang.items())))


def cmd_cv(compare: bool) -> None:
    examples = act_model.load_examples()
    texts = [e.text for e in examples]
    acts = [e.act for e in examples]
    langs = [e.lang for e in examples]
    print(f"{len(examples)} examples ({Counter(langs).most_common()}); {FOLDS}-fold stratified (seed {textmodel.SEED})")
    vectors = act_model.encode_cached(texts)
    report("acts (product: n-grams + e5)", acts, out_of_fold(texts, acts, vectors, act_model.C_ACTS), langs)
    asked = [i for i, e in enumerate(examples) if e.topic]
    topics = [examples[i].topic or "" for i in asked]
    report("question topics (product: n-grams + e5)", topics,
           out_of_fold([texts[i] for i in asked], topics, vectors[asked], act_model.C_TOPICS), [langs[i] for i in asked])
    named = act_model.load_service_examples()
    if named:
        services = [n[1] for n in named]
        report("named services (product: n-grams + e5)", services,
               out_of_fold([n[0] for n in named], services, act_model.encode_cached([n[0] for n in named]),
                           act_model.C_SERVICES), [n[2] for n in named])
    if compare:
        print("\n-- candidates, acts macro F1 --")
        print(f"n-grams alone: {f1_score(acts, out_of_fold(texts, acts, vectors, act_model.C_ACTS, 0.0), average='macro'):.3f}")
        from sklearn.linear_model import LogisticRegression

        predicted = [""] * len(texts)
        for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=textmodel.SEED).split(texts, acts):
            model = LogisticRegression(C=10, max_iter=5000, class_weight="balanced").fit(vectors[train], [acts[i] for i in train])
            for i, label in zip(test, model.predict(vectors[test])):
                predicted[i] = label
        print(f"e5 alone: {f1_score(acts, predicted, average='macro'):.3f}")


def blind_rows() -> list[dict]:
    rows = []
    for path in sorted(BLIND_DIR.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def cmd_blind() -> None:
    training = {e.text.strip().casefold() for e in act_model.load_examples()}
    rows = [row for row in blind_rows() if row["text"].strip().casefold() not in training]
    print(f"{len(blind_rows()) - len(rows)} blind messages left out: the same words are in the training data")
    right: dict[str, list[bool]] = defaultdict(list)
    topic_right: dict[str, list[bool]] = defaultdict(list)
    confusions: Counter[tuple[str, str]] = Counter()
    misses = []
    for row in rows:
        reading = read_acts(row["text"])
        main = reading.main()
        acts = reading.acts
        expected = row["act"]
        ok = expected in acts if expected != "question" else bool(reading.questions)
        right[row["lang"]].append(ok)
        if not ok:
            confusions[(expected, main.act if main else "-")] += 1
            misses.append((row["lang"], expected, main.act if main else "-", row["text"][:90]))
        if row.get("topic"):
            found = {t for q in reading.questions for t in q.topics}
            topic_right[row["lang"]].append(row["topic"] in found)
    total = [v for vs in right.values() for v in vs]
    topics = [v for vs in topic_right.values() for v in vs]
    print(f"blind: {len(rows)} messages; act found {sum(total)}/{len(total)} ({sum(total) / len(total):.1%}); "
          f"question topic found {sum(topics)}/{len(topics)} ({sum(topics) / max(1, len(topics)):.1%})")
    print("by language (act): " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(right.items())))
    print("by language (topic): " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(topic_right.items())))
    print("confusions (expected -> read): " + ", ".join(f"{a}->{b} {n}" for (a, b), n in confusions.most_common(15)))
    for miss in misses[:40]:
        print("  miss", *miss)


def cmd_speed() -> None:
    rows = blind_rows() or [{"text": e.text} for e in act_model.load_examples()[:300]]
    read_acts("warm up")
    times = []
    for row in rows[:300]:
        start = time.perf_counter()
        read_acts(row["text"])
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"read_acts: {len(times)} messages, p50 {statistics.median(times):.1f} ms, "
          f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("cv", "blind", "speed"))
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    {"cv": lambda: cmd_cv(args.compare), "blind": cmd_blind, "speed": cmd_speed}[args.command]()


if __name__ == "__main__":
    main()
