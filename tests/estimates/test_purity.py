"""estimates is pure: no clock and no I/O beyond its own data files, so the same
case always gives the same estimate (time comes in as an argument)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ESTIMATES = Path(__file__).resolve().parents[2] / "estimates"
CLOCKS = {"today", "now", "utcnow", "time", "monotonic", "perf_counter"}


def _clock_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CLOCKS:
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node.func)}()")
    return found


@pytest.mark.parametrize("path", sorted(ESTIMATES.glob("*.py")), ids=lambda p: p.name)
def test_no_clock_is_read(path: Path) -> None:
    assert _clock_calls(path) == []


def test_the_check_finds_a_clock(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime\nx = datetime.date.today()\n")
    assert _clock_calls(sample) == ["sample.py:2 datetime.date.today()"]
