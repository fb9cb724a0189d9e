"""The trained dialogue-act reader: what a sentence does (answers, tells, corrects, asks,
asks for a person, agrees, refuses, greets, wishes a service) and, for a question, what
it is about. Learned from messages written for training only (train/, see its README), with
the same recipe as the red-flag reader (understanding/textmodel.py), and cached by a hash
of that data and this code.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from dialogs.understanding import textmodel
from dialogs.understanding.textmodel import Classifier
from store.config import model_cache_dir

HERE = Path(__file__).resolve().parent
TRAIN_DIR = HERE / "train"
NLU_FILE = HERE.parents[1] / "data" / "nlu.yml"
ACTS = ("answer", "inform", "correction", "question", "request_human", "consent", "refusal", "greeting", "wish")
TOPICS = ("cost", "price_includes", "duration", "travel", "organisation", "hospitals", "privacy", "reports",
          "contact", "service", "other")
# The dialogue's own NLU examples whose intent is one act (their `inform` mixes answers and
# stories, so it is left out).
NLU_ACTS = {
    "greet": ("greeting", None), "thanks": ("greeting", None), "affirm": ("consent", None),
    "deny": ("refusal", None), "request_human": ("request_human", None),
    "ask_cost": ("question", "cost"), "ask_duration": ("question", "duration"),
    "ask_organisation": ("question", "organisation"), "ask_hospitals": ("question", "hospitals"),
    "ask_privacy": ("question", "privacy"), "ask_travel": ("question", "travel"),
}
SERVICES = ("none", "remote_second_opinion", "in_person_second_opinion", "surgical_resectability_review",
            "car_t_eligibility", "proton_therapy", "clinical_trial_matching", "records_translation")
SERVICE_DIR = TRAIN_DIR / "services"
C_ACTS = 10.0
C_TOPICS = 10.0
C_SERVICES = 10.0


@dataclass(frozen=True)
class Example:
    text: str
    act: str
    topic: str | None
    lang: str


def load_examples(folder: Path = TRAIN_DIR, with_nlu: bool = True) -> list[Example]:
    """Every training example of the folder's *.jsonl files (then the NLU ones), in a fixed order."""
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            act, topic = row["act"], row.get("topic") or None
            if act not in ACTS or (topic is not None and topic not in TOPICS) or (act == "question") != bool(topic):
                raise ValueError(f"{path.name}:{number}: bad labels {act!r}/{topic!r}")
            out.append(Example(row["text"], act, topic, row["lang"]))
    return out + (nlu_examples() if with_nlu else [])


def nlu_examples(path: Path = NLU_FILE) -> list[Example]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for block in data["nlu"]:
        labels = NLU_ACTS.get(block.get("intent", ""))
        if labels:
            out += [Example(line[2:].strip(), labels[0], labels[1], "nlu")
                    for line in block["examples"].splitlines() if line.strip().startswith("- ")]
    return out


def load_service_examples(folder: Path = SERVICE_DIR) -> list[tuple[str, str, str]]:
    """(text, service or "none", language) of the messages naming a service (services/)."""
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                if row["service"] not in SERVICES:
                    raise ValueError(f"{path.name}:{number}: unknown service {row['service']!r}")
                out.append((row["text"], row["service"], row["lang"]))
    return out


@dataclass
class ActModel:
    acts: Classifier
    topics: Classifier
    services: Classifier  # which service a sentence names, in the family's own words


def fit(examples: list[Example], vectors: np.ndarray, named: list[tuple[str, str, str]],
        named_vectors: np.ndarray) -> ActModel:
    texts = [e.text for e in examples]
    questions = [i for i, e in enumerate(examples) if e.topic]
    return ActModel(
        textmodel.fit(texts, [e.act for e in examples], vectors, C_ACTS),
        textmodel.fit([texts[i] for i in questions], [examples[i].topic for i in questions], vectors[questions],
                      C_TOPICS),
        textmodel.fit([n[0] for n in named], [n[1] for n in named], named_vectors, C_SERVICES),
    )


def encode_cached(texts: list[str]) -> np.ndarray:
    return textmodel.encode_cached(texts, "acts")


def train(folder: Path = TRAIN_DIR) -> ActModel:
    examples = load_examples(folder)
    named = load_service_examples(folder / "services")
    return fit(examples, encode_cached([e.text for e in examples]), named, encode_cached([n[0] for n in named]))


def data_hash(folder: Path = TRAIN_DIR) -> str:
    return textmodel.files_hash([NLU_FILE, *sorted(folder.glob("*.jsonl")), *sorted((folder / "services").glob("*.jsonl"))])


def model_path(folder: Path = TRAIN_DIR) -> Path:
    return model_cache_dir() / f"acts-{textmodel.training_hash([Path(__file__)], data_hash(folder))}.pickle"


def ensure_model(folder: Path = TRAIN_DIR) -> Path:
    """The cached model of this data and code, trained first when there is none."""
    return textmodel.ensure_cached(model_path(folder), lambda: train(folder), "dialogue-act classifier")


@functools.cache
def model() -> ActModel:
    loaded: ActModel = textmodel.load(ensure_model())
    return loaded
