"""`intake replay` on every scripted corpus, through the whole real stack.

- dev: ../shared/corpus/dev.jsonl, the acceptance corpus (all languages, both channels).
- probe: tests/corpus/probe.jsonl, 45 conversations written and tuned in-session (472/472 when written).
- heldout: tests/corpus/heldout.jsonl, 40 conversations written blind: 394/448 (87.9%) on the
  first replay, 446/448 after the fixes (pinned in the module tests of tests/dialogs/).
- blind3: tests/corpus/blind3.jsonl, 40 conversations written blind, 8 of them raw RFC 822
  files in tests/corpus/mail/ (windows-1256, koi8-r, gb2312, iso-8859-9, HTML only, an
  Outlook reply, a forwarded letter): 415/432 (96.1%) first, 432/432 after the fixes.
- blind4: tests/corpus/blind4.jsonl, 36 messy WhatsApp/e-mail conversations written blind (typos,
  SMS spelling, ages in words, brand names, indirect treatments): 378/455 (83.1%) first,
  430/455 (94.5%) after the first fixes; the misses left were
  listed in the session note (mostly ages written in words outside English); 452/455 (99.3%) after
  the issue-7 understanding fixes (ages in words in every language, ongoing-treatment wordings).
- blind5: tests/corpus/blind5.jsonl, 54 conversations written blind around issue 7 (free-text and
  question-back answers to the menu, families' own questions, silences, corrections, writers
  abroad, several facts per message; 9 raw RFC 822 files): 558/723 (77.2%) on the commit before
  any issue-7 work (808acb9), 624/723 (86.3%) with the new dialogue before the understanding
  fixes, 715/723 (98.9%) after the fixes pinned in tests/dialogs/test_numbers.py,
  test_history.py, test_diagnosis.py, test_patient.py, test_request.py, test_location.py,
  test_language.py and test_safety.py.
- blind6: tests/corpus/blind6.jsonl, 48 conversations written blind around issue 16 (questions
  after a recommendation, explicit wishes to change, two-part questions, corrections, diaspora
  writers, consent and refusal in the families' own idiom). Besides case fields, `questions`
  lists the topics the family asked: each must be among the case's recorded questions.
  First pass and final figures: see the session note of issue 16.

Each corpus must give every conversation a reply and a case valid against the contract,
and meet at least its floor of `expect` paths (room for a deliberate behaviour change,
not for a regression); the per-field figures are printed (`pytest -s`).

Every conversation in which the family gave consent (on e-mail: consent still pending)
and answered the bot must end with a ticket (DESIGN 2.3: every family who wrote reaches a
person); the completion rate per corpus is printed and must be 100%. Only a refused
consent and an opt-out (STOP) end without one.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import pytest

from tests.conftest import REPO, SHARED

pytestmark = pytest.mark.rasa
SCHEMA = json.loads((REPO / "bot" / "contract" / "case.schema.json").read_text())
LANGUAGES = ("en", "ar", "bn", "hi", "ur", "zh-Hans", "zh-Hant", "tr", "fr", "ru", "sw", "tl", "ta", "si", "ne", "gu")


# DESIGN 6.6 reasons that mean a person now owns the conversation (delivery_failed is the outbox's).
HANDED_OVER = {"intake_complete", "patient_request", "emergency", "safety_review", "bot_failure", "erasure_request",
               "intake_stalled"}


class Corpus(NamedTuple):
    path: Path
    floor: float
    min_raw_mails: int = 0


CORPORA = {
    "dev": Corpus(SHARED / "corpus" / "dev.jsonl", 0.97),
    "probe": Corpus(REPO / "tests" / "corpus" / "probe.jsonl", 0.97),
    "heldout": Corpus(REPO / "tests" / "corpus" / "heldout.jsonl", 0.97),
    "blind3": Corpus(REPO / "tests" / "corpus" / "blind3.jsonl", 0.98, min_raw_mails=8),
    "blind4": Corpus(REPO / "tests" / "corpus" / "blind4.jsonl", 0.97),
    "blind5": Corpus(REPO / "tests" / "corpus" / "blind5.jsonl", 0.97, min_raw_mails=9),
    "blind6": Corpus(REPO / "tests" / "corpus" / "blind6.jsonl", 0.85),  # 497-498/578 measured
}


def _conversations(corpus: Corpus) -> list[dict[str, Any]]:
    return [json.loads(line) for line in corpus.path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _dig(case: dict[str, Any], dotted: str) -> Any:
    """A dotted path into the case; a path into a missing or null object is a miss."""
    node: Any = {"case": case}
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return "<missing>"
        node = node[part]
    return node


@pytest.fixture(scope="module", params=list(CORPORA))
def replayed(request: pytest.FixtureRequest, rasa_servers) -> tuple[str, list[dict[str, Any]]]:  # type: ignore[no-untyped-def]
    corpus = CORPORA[request.param]
    if not corpus.path.exists():
        pytest.skip(f"{corpus.path} not present")
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "replay", str(corpus.path), "--json"],
        cwd=REPO, env=dict(os.environ), capture_output=True, text=True, timeout=1200,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return request.param, [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("name", [n for n in CORPORA if n != "dev"])
def test_corpus_covers_what_it_claims(name: str) -> None:
    """Every language at least twice, both channels, raw e-mails present where claimed."""
    corpus = CORPORA[name]
    conversations = _conversations(corpus)
    languages = Counter(c["expect"].get("case.language") for c in conversations)
    assert all(languages[lang] >= 2 for lang in LANGUAGES), languages
    assert {e["channel"] for c in conversations for e in c["events"]} == {"whatsapp", "email"}
    raws = [e["raw"] for c in conversations for e in c["events"] if "raw" in e]
    assert len(raws) >= corpus.min_raw_mails and all((corpus.path.parent / raw).is_file() for raw in raws)


def test_every_conversation_has_replies_and_a_valid_case(replayed) -> None:
    name, results = replayed
    assert [r["id"] for r in results] == [c["id"] for c in _conversations(CORPORA[name])]
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for result in results:
        assert result["replies"], f"{result['id']} got no reply"
        # A refusal keeps nothing of the conversation (DESIGN 2.1): its earlier replies are
        # blanked; the polite ending is the last.
        refused = (result["case"] or {}).get("consent") == "refused"
        kept = result["replies"][-1:] if refused else result["replies"]
        assert all(isinstance(r, str) and r.strip() for r in kept), result["id"]
        errors = sorted(validator.iter_errors(result["case"]), key=lambda e: list(e.path))
        assert not errors, f"{result['id']}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def _checks(expect: dict[str, Any], case: dict[str, Any] | None) -> list[tuple[str, Any, Any, bool]]:
    """(path, expected, found, met) of each expectation; `questions` counts once per topic
    (each must be among the topics of the case's recorded questions), an empty list once."""
    out = []
    for dotted, value in expect.items():
        if dotted == "questions":
            asked = [topic for q in (case or {}).get("questions") or [] for topic in q.get("topics") or []]
            out += [(f"questions.{topic}", topic, sorted(set(asked)), topic in asked) for topic in value]
            if not value:
                out.append(("questions.none", [], asked, not asked))
        else:
            out.append((dotted, value, _dig(case, dotted), _dig(case, dotted) == value))
    return out


def test_expectations_met_report(replayed) -> None:
    name, results = replayed
    corpus = CORPORA[name]
    expected = {c["id"]: c["expect"] for c in _conversations(corpus)}
    total = hits = 0
    misses: list[str] = []
    per_field: dict[str, list[int]] = {}
    for result in results:
        for dotted, value, found, ok in _checks(expected[result["id"]], result["case"]):
            total += 1
            hits += ok
            per_field.setdefault(dotted, [0, 0])
            per_field[dotted][0] += ok
            per_field[dotted][1] += 1
            if not ok:
                misses.append(f"{result['id']} {dotted}: expected {value!r}, got {found!r}")
    print(f"\n{name} expectations met: {hits}/{total} ({100 * hits / total:.1f}%)")
    for field, (ok, n) in sorted(per_field.items()):
        print(f"  {field}: {ok}/{n}")
    for miss in misses:
        print("  MISS " + miss)
    assert hits / total >= corpus.floor, f"only {hits}/{total} {name} expectations met (floor {corpus.floor:.0%})"


def _needs_a_person(conversation: dict[str, Any], case: dict[str, Any] | None) -> bool:
    """The family consented (an e-mail's consent may still be pending) and answered at least once."""
    if not case or case.get("opted_out") or len(conversation["events"]) < 2:
        return False
    consent = case.get("consent")
    return consent == "given" or (case.get("channel") == "email" and consent == "pending")


def test_every_answered_intake_reaches_a_person(replayed) -> None:
    name, results = replayed
    conversations = {c["id"]: c for c in _conversations(CORPORA[name])}
    eligible = [r for r in results if _needs_a_person(conversations[r["id"]], r["case"])]
    unfinished = [
        f"{r['id']}: ticket {((r['case'] or {}).get('ticket') or {}).get('reason')!r}"
        for r in eligible
        if ((r["case"] or {}).get("ticket") or {}).get("reason") not in HANDED_OVER
    ]
    done = len(eligible) - len(unfinished)
    print(f"\n{name} completion: {done}/{len(eligible)} ({100 * done / max(len(eligible), 1):.0f}%) of the answered intakes reach a person")
    for line in unfinished:
        print("  UNFINISHED " + line)
    assert not unfinished, f"{name}: conversations that never reach a person: {unfinished}"
