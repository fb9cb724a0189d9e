"""Dialogue acts (DESIGN 2.3: a question is answered, never read as an answer).

Each sentence of a message is read by the trained reader (model.py) as one act: an answer
to the question asked, a new fact, a correction, a question (and what about), a request
for a person, consent, refusal, a greeting or thanks, or a wish for a service. The message
is the sum of its sentences: "Thanks. She is 58. How much is it and how long?" greets,
answers and asks about cost and duration. What the family asks never sets a fact: the
facts are read from the other sentences only (`told`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from dialogs.understanding.acts import model as act_model
from dialogs.understanding.acts.model import ACTS, SERVICES, TOPICS

# Sentence ends of the 16 languages' scripts: a full stop before a space ("38.5" is a
# number), a question or exclamation mark even glued to the next word ("how much?how
# long?"), the CJK and Devanagari stops, a line break.
_SENTENCE = re.compile(r"(?<=[.।])\s+|(?<=[!?。！？؟])\s*|\n+")
_WORD = re.compile(r"\w", re.UNICODE)
# A short opening before a comma is a sentence of its own: "yes, but how long does it take?"
_OPENING = re.compile(r"^([^,،，、]{1,24}[,،，、])\s*(.+)$", re.DOTALL)
OPENING_WORDS = 3
# A short message is also read whole, as most training messages were written: its
# consent or refusal is read from the whole ("la thikai cha, hunchha, manjur cha").
WHOLE_CHARS = 200
# A long question is read clause by clause: "my father has liver cancer, they said it
# cannot be operated, is our data safe?" tells two facts and asks one thing.
_CLAUSE = re.compile(r"(?<=[,،，;؛；])\s*")
LONG_QUESTION_WORDS = 10
LONG_QUESTION_CHARS = 20  # of a sentence without spaces (Chinese)
MAX_PARTS = 24
SURE_QUESTION = 0.6
# A second topic of one question counts when the reader gives it this much
# ("how much and how long?" is one sentence about two things).
SECOND_TOPIC = 0.3


@dataclass(frozen=True)
class Part:
    text: str
    act: str
    probability: float
    topics: tuple[str, ...] = ()
    service: str | None = None  # the service the sentence names, as the reader reads it
    service_probability: float = 0.0
    in_question: bool = False  # a clause of a longer sentence that asks something

    @property
    def asks(self) -> bool:
        """A question: read as one surely, or with a question mark. A statement the reader
        half takes for a question ("今年9月复查又复发了") keeps its facts."""
        marked = self.text.rstrip().endswith(("?", "？", "؟"))
        worded = bool(_WORD.search(self.text))  # a bare "?" asks nothing we can answer
        return self.act == "question" and worded and (marked or self.probability >= SURE_QUESTION)


@dataclass(frozen=True)
class ActReading:
    parts: tuple[Part, ...] = field(default_factory=tuple)
    whole: Part | None = None  # a short message of several parts, read as one

    @property
    def acts(self) -> set[str]:
        return {p.act for p in self.parts}

    @property
    def questions(self) -> list[Part]:
        return [p for p in self.parts if p.asks]

    @property
    def told(self) -> str:
        """The message without its questions: what the family told us."""
        return " ".join(p.text for p in self.parts if not p.asks)

    @property
    def told_outside_questions(self) -> str:
        """What was told outside any question: "I heard of CAR-T, what is it?" names
        CAR-T inside a question, which chooses nothing."""
        return " ".join(p.text for p in self.parts if not p.asks and not p.in_question)

    @property
    def only_asks(self) -> bool:
        return bool(self.parts) and all(p.asks or p.act == "greeting" for p in self.parts)

    def main(self, told_only: bool = False) -> Part | None:
        """The act of the message as a whole: its likeliest non-greeting sentence
        (`told_only`: of those that ask nothing)."""
        parts = [p for p in self.parts if not (told_only and p.asks)]
        parts = [p for p in parts if p.act != "greeting"] or parts
        return max(parts, key=lambda p: p.probability) if parts else None


def _pieces(text: str) -> list[tuple[str, bool]]:
    """(piece, whether it is a clause of a longer question)."""
    out = []
    for piece in _SENTENCE.split(text or ""):
        long = len(piece.split()) > LONG_QUESTION_WORDS or (" " not in piece.strip() and len(piece) > LONG_QUESTION_CHARS)
        if piece.rstrip().endswith(("?", "？", "؟")) and long:
            out += [(clause, True) for clause in _CLAUSE.split(piece)]
            continue
        opening = _OPENING.match(piece.strip())
        if opening and len(opening.group(1).split()) <= OPENING_WORDS and _WORD.search(opening.group(2)):
            out += [(opening.group(1), False), (opening.group(2), False)]
        else:
            out.append((piece, False))
    return out


def _segments(text: str) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for piece, in_question in _pieces(text):
        piece = piece.strip()
        if not piece:
            continue
        if out and not _WORD.search(piece):
            out[-1] = (f"{out[-1][0]} {piece}".strip(), out[-1][1])
        else:
            out.append((piece, in_question))
    if len(out) > MAX_PARTS:
        out = out[:MAX_PARTS - 1] + [(" ".join(p for p, _ in out[MAX_PARTS - 1:]), False)]
    return out


def sentences(text: str) -> list[str]:
    """The message's sentences (the clauses of a long question, a short opening before a
    comma); a fragment without a letter joins the one before."""
    return [piece for piece, _ in _segments(text)]


def _topics(row: list[float]) -> tuple[str, ...]:
    ranked = sorted(zip(TOPICS, row), key=lambda pair: -pair[1])
    chosen = [ranked[0][0]] + [topic for topic, p in ranked[1:3] if p >= SECOND_TOPIC]
    # "other" is what no answer covers: it stands only alone.
    return tuple(t for t in chosen if t != "other" or len(chosen) == 1)


def read_acts(text: str) -> ActReading:
    """The acts of one message, sentence by sentence."""
    segments = _segments(text)
    parts = [piece for piece, _ in segments]
    if not parts:
        return ActReading()
    trained = act_model.model()
    whole = len(parts) > 1 and len(text.strip()) <= WHOLE_CHARS
    acts = trained.acts.probabilities(parts + [text.strip()] if whole else parts, ACTS)
    if whole:
        row, acts = acts[-1], acts[:-1]
        whole_part: Part | None = Part(text.strip(), ACTS[int(row.argmax())], float(row.max()))
    else:
        whole_part = None
    out = []
    asked = [i for i, row in enumerate(acts) if ACTS[int(row.argmax())] == "question"]
    topics = trained.topics.probabilities([parts[i] for i in asked], TOPICS) if asked else []
    topic_of = {i: _topics(list(row)) for i, row in zip(asked, topics)}
    named = trained.services.probabilities(parts, SERVICES)
    for i, (sentence, row, services) in enumerate(zip(parts, acts, named)):
        best, service = int(row.argmax()), int(services.argmax())
        out.append(Part(sentence, ACTS[best], float(row[best]), topic_of.get(i, ()),
                        None if SERVICES[service] == "none" else SERVICES[service], float(services[service]),
                        segments[i][1]))
    return ActReading(tuple(out), whole_part)
