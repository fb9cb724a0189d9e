"""What the dialogue makes of a message's acts (understanding/acts): a question is
answered, never read as an answer (DESIGN 2.3); a service named in a question changes
nothing, and after a recommendation only an explicit wish, or a yes to our offer to
change, changes the service; a correction replaces what it corrects.

Pure: the reading comes in, facts and decisions go out.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Mapping

from dialogs.understanding import facts as fact_extraction
from dialogs.understanding.acts import ActReading, read_acts
from dialogs.understanding.facts.negation import drop_negated

log = logging.getLogger(__name__)

_NUMBERED = re.compile(r"^\s*\(?\d{1,2}\s*[.):-]")

# How sure the reader must be of a whole message's consent or refusal when the
# consent lexicon did not recognise it ("ji theek hai, ijazat hai").
CONSENT_CONFIDENCE = 0.6
# ... and of a refusal, which erases what the family sent (DESIGN 2.1).
REFUSAL_CONFIDENCE = 0.8
# The first sentences of an e-mail reply, where its consent is read.
CONSENT_PARTS = 3
# How sure, of a request for a person the lexicon did not recognise ("I need some help for
# my brother" asks for help, not for a person).
HUMAN_CONFIDENCE = 0.9
# Acts that may change the service once a recommendation was made.
EXPLICIT = ("wish", "correction")
# How sure the reader must be of the service a sentence names in the family's own words:
# to tell which second opinion the lexicon found, and to name one where it found none.
SERVICE_CONFIDENCE = 0.7
NEW_SERVICE_CONFIDENCE = 0.9
# Acts that choose (and so may name) a service; an answer or a story does only when it
# answers our service question.
CHOOSING = ("wish", "correction")


def read(text: str) -> ActReading:
    """The message's acts; if the reader fails, no acts (the message is then read as
    before: facts from all of it), so a failure never loses a message."""
    if not text or not text.strip():
        return ActReading()
    try:
        return read_acts(text)
    except Exception:  # noqa: BLE001 - the intake goes on without the reading
        log.exception("the dialogue-act reader failed")
        return ActReading()


def told(reading: ActReading, text: str, language: str | None = None) -> str:
    """What the family told us: the message without its questions; a correction without
    what it takes back ("she is 47 not 74": 47)."""
    if not reading.parts:
        return text
    return " ".join(drop_negated(p.text, language) if p.act == "correction" else p.text
                    for p in reading.parts if not p.asks)


def learned_service(reading: ActReading, answering: bool, sure: float = SERVICE_CONFIDENCE) -> str | None:
    """The service what the family told names, as the reader reads it: in a wish or a
    correction, and (`answering` our service question) in any answer or story; never inside
    a question. Unasked, a story or a fact names none: "she had surgery" or "the surgeon
    said it cannot be operated" tell the situation, not the service wanted."""
    telling = CHOOSING + (("answer", "inform") if answering else ())
    named = [p for p in reading.parts if not p.asks and not p.in_question and p.act in telling and p.service
             and p.service_probability >= sure]
    return max(named, key=lambda p: p.service_probability).service if named else None


def named_service(lexicon: str | None, learned: str | None) -> str | None:
    """The service named: the lexicon's exact words first (a "we don't know which" too);
    the reader's when the lexicon found none, or only the unqualified "second opinion" it
    reads as remote while the reader reads the in-person one ("deuxième avis en personne")."""
    if learned and (lexicon is None or (
            lexicon == "remote_second_opinion" and learned == "in_person_second_opinion")):
        return learned
    return lexicon


def choose_service(found: dict[str, Any], reading: ActReading, text: str, language: str, answering: bool) -> None:
    """The service the message chooses, in `found`: the lexicon's reading of what was told
    outside any question ("I heard of CAR-T, what is it?" chooses nothing), the reader's
    where the lexicon found none or only an unqualified "second opinion". Not knowing
    which service counts even when asked ("which service does he need?"): it names none
    (DESIGN 2.3: "not sure")."""
    if not reading.parts:
        return
    lexicon = found.get("request.service")
    if lexicon is None and reading.questions:
        asked = fact_extraction.extract_facts(text, language, answering_service=True)
        if asked.get("request.service") == "unsure":
            found.update({"request.service": "unsure", "request.text": asked.get("request.text")})
            return
    if lexicon not in (None, "unsure") and any(p.in_question for p in reading.parts):
        outside = reading.told_outside_questions
        lexicon = fact_extraction.extract_facts(outside, language, answering_service=answering).get(
            "request.service") if outside.strip() else None
    sure = NEW_SERVICE_CONFIDENCE if lexicon is None else SERVICE_CONFIDENCE
    service = named_service(lexicon, learned_service(reading, answering, sure))
    if service != found.get("request.service"):
        if service is None:
            found.pop("request.service", None)
            found.pop("request.text", None)
        else:
            found["request.service"] = service  # named in the family's own words
            found["request.text"] = reading.told_outside_questions.strip()[:300]


def questions(reading: ActReading, language: str) -> list[dict[str, Any]]:
    """The message's questions: their words, topics, and the service each names."""
    out = []
    for part in reading.questions:
        named = fact_extraction.extract_facts(part.text, language, answering_service=True).get("request.service")
        learned = part.service if part.service_probability >= SERVICE_CONFIDENCE else None
        service = named_service(named, learned)
        out.append({"text": part.text[:500], "topics": list(part.topics),
                    "service": service if service not in (None, "unsure") else None})
    return out


def consent(reading: ActReading) -> str | None:
    """Consent or refusal the reader is sure what the family told gives ("yes, but how
    long does it take?" agrees, and asks). A refusal ends and erases the conversation, so
    it must be surer, and a message that asks something is no refusal: the family is
    still deciding. A short message is read whole first; of its parts, both in one
    message ("no, we don't want to share. ok, thanks") decide nothing: the question comes
    again."""
    whole = reading.whole
    if whole and whole.act == "consent" and whole.probability >= CONSENT_CONFIDENCE:
        return "given"
    if whole and whole.act == "refusal" and whole.probability >= REFUSAL_CONFIDENCE and not reading.questions:
        return "refused"
    told = [p for p in reading.parts if not p.asks]
    agree = any(p.act == "consent" and p.probability >= CONSENT_CONFIDENCE for p in told)
    refuse = any(p.act == "refusal" and p.probability >= CONSENT_CONFIDENCE for p in told)
    if agree and not refuse:
        return "given"
    sure = any(p.act == "refusal" and p.probability >= REFUSAL_CONFIDENCE for p in told)
    if sure and not agree and not reading.questions:
        return "refused"
    return None


def email_consent(reading: ActReading, found: Mapping[str, Any]) -> str | None:
    """Consent in an e-mail reply the consent words did not recognise ("मेरी सहमति है"):
    among the reply's first sentences (where a family answers our request; a story
    further down is no answer: "then everything was fine"), one the reader is sure agrees,
    of more than a bare "yes," (which opens answers to our other questions: "Yes, she had
    chemo"); a refusal only when the whole reply refuses and tells nothing else."""
    said = [p for p in reading.parts if p.act != "greeting"][:CONSENT_PARTS]
    agree = [p for p in said if p.act == "consent" and p.probability >= REFUSAL_CONFIDENCE
             and (len(p.text.split()) > 1 or p is said[0])]  # "OUI, j'consens": the reply opens with it
    if agree:
        return "given"
    whole = reading.parts[0] if len(reading.parts) == 1 else reading.whole
    numbered = any(_NUMBERED.match(p.text) for p in reading.parts)  # "2. No." answers our question 2
    if (whole and whole.act == "refusal" and whole.probability >= REFUSAL_CONFIDENCE and not found
            and not reading.questions and not numbered):
        return "refused"
    return None


def surely_something_else(reading: ActReading) -> bool:
    """Every sentence is surely something other than a request for a person: the human
    words the lexicon found mean something else there ("un avis en personne" is in person)."""
    return bool(reading.parts) and all(
        p.act not in ("request_human", "question") and p.probability >= HUMAN_CONFIDENCE for p in reading.parts)


def wants_human(reading: ActReading) -> bool:
    return any(p.act == "request_human" and p.probability >= HUMAN_CONFIDENCE for p in reading.parts)


def service_after_recommendation(found: dict[str, Any], reading: ActReading, proposed: str | None,
                                 accepted: bool) -> dict[str, Any]:
    """After a recommendation the service changes only on an explicit wish, a number from
    our menu, or a yes to our offer; a service merely mentioned ("we did the translation
    ourselves") changes nothing."""
    out = dict(found)
    if proposed and accepted:
        out["request.service"] = proposed
        return out
    if out.get("request.service") and not (reading.acts & set(EXPLICIT)) and not out.get("_menu_choice"):
        out.pop("request.service", None)
        out.pop("request.text", None)
    if out.get("request.service") == "unsure":
        out.pop("request.service", None)
        out.pop("request.text", None)
    return out


def offer(asked: list[Mapping[str, Any]], current: str | None) -> str | None:
    """The service to offer to change to: the one a question named, when it is not
    the one recommended."""
    named = [q["service"] for q in asked if q.get("service")]
    return named[-1] if named and named[-1] != current else None
