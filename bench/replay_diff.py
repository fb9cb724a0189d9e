"""Compare two `intake replay --json` outputs of one corpus, conversation by conversation:
the case JSON (without the ticket's due time, which follows the clock) and the replies.
Prints one line per conversation that differs and a summary; exit status 1 when any does.

    python bench/replay_diff.py before.jsonl after.jsonl
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# Fields that follow the clock of the run, not the behaviour.
CLOCK_FIELDS = (("ticket", "due_at"),)


def _load(path: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            out[str(row.get("id") or f"line-{number}")] = row
    return out


def _case(row: dict[str, Any]) -> dict[str, Any]:
    case = json.loads(json.dumps(row.get("case") or {}))
    for section, field in CLOCK_FIELDS:
        if isinstance(case.get(section), dict):
            case[section].pop(field, None)
    return case


def _paths(a: Any, b: Any, prefix: str = "") -> list[str]:
    """The dotted paths where two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [p for key in sorted(set(a) | set(b)) for p in _paths(a.get(key), b.get(key), f"{prefix}{key}.")]
    return [] if a == b else [prefix.rstrip(".") or "(root)"]


def compare(before: Path, after: Path) -> list[str]:
    """One line per conversation whose case, replies or error differ."""
    old, new = _load(before), _load(after)
    lines = []
    for conv in sorted(set(old) | set(new)):
        a, b = old.get(conv), new.get(conv)
        if a is None or b is None:
            lines.append(f"{conv}: only in {'after' if a is None else 'before'}")
            continue
        problems = _paths(_case(a), _case(b))
        if a.get("replies") != b.get("replies"):
            problems.append("replies")
        if a.get("error") != b.get("error"):
            problems.append(f"error: {a.get('error')!r} -> {b.get('error')!r}")
        if problems:
            lines.append(f"{conv}: " + ", ".join(problems))
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip())
        return 2
    before, after = map(Path, argv)
    lines = compare(before, after)
    total = len(_load(before).keys() | _load(after).keys())
    for line in lines:
        print(line)
    print(f"{after.name}: {total - len(lines)}/{total} conversations identical")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
