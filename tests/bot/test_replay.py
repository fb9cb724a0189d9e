"""`intake replay` on the whole dev corpus (all languages, both channels), real stack."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import jsonschema
import pytest

from tests.conftest import REPO, SHARED

pytestmark = pytest.mark.rasa
CORPUS = SHARED / "corpus" / "dev.jsonl"
SCHEMA = json.loads((REPO / "bot" / "contract" / "case.schema.json").read_text())


def _dig(case: dict[str, Any], dotted: str) -> Any:
    node: Any = {"case": case}
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return "<missing>"
        node = node[part]
    return node


@pytest.fixture(scope="module")
def replayed(rasa_servers) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} not present")
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "replay", str(CORPUS), "--json"],
        cwd=REPO, env=dict(os.environ), capture_output=True, text=True, timeout=1200,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def test_every_conversation_has_replies_and_a_valid_case(replayed) -> None:
    expected = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [r["id"] for r in replayed] == [c["id"] for c in expected]
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for result in replayed:
        assert result["replies"], f"{result['id']} got no reply"
        assert all(isinstance(r, str) and r.strip() for r in result["replies"])
        errors = sorted(validator.iter_errors(result["case"]), key=lambda e: list(e.path))
        assert not errors, f"{result['id']}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_expectations_met_report(replayed) -> None:
    """Prints per-field accuracy against the corpus `expect` maps and holds a floor against regressions."""
    expected = {c["id"]: c["expect"] for c in map(json.loads, CORPUS.read_text(encoding="utf-8").splitlines()) if c}
    total = hits = 0
    misses: list[str] = []
    per_field: dict[str, list[int]] = {}
    for result in replayed:
        for dotted, value in expected[result["id"]].items():
            got = _dig(result["case"], dotted)
            ok = got == value
            total += 1
            hits += ok
            per_field.setdefault(dotted, [0, 0])
            per_field[dotted][0] += ok
            per_field[dotted][1] += 1
            if not ok:
                misses.append(f"{result['id']} {dotted}: expected {value!r}, got {got!r}")
    print(f"\nreplay expectations met: {hits}/{total} ({100 * hits / total:.1f}%)")
    for field, (ok, n) in sorted(per_field.items()):
        print(f"  {field}: {ok}/{n}")
    for miss in misses:
        print("  MISS " + miss)
    assert hits / total >= 0.9, f"only {hits}/{total} expectations met"
