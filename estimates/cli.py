"""Command line for the estimates package (the app's `intake` CLI delegates here).

    estimate CASE.json [--json] [--channel CHANNEL] [--language LANG]
    catalog check [PATH]

Exit codes: 0 ok, 1 catalog error, 2 unusable input (missing or malformed file).
These are operator-facing messages, printed in English.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Sequence, TextIO

from .catalog import CATALOG_PATH, validate_catalog
from .datafile import CatalogError
from .messages import check_messages
from .pricing import estimate
from .records import load_checklist
from .render import CHANNEL_TEMPLATES, render_estimate
from .rules import load_rules, recommend

EXIT_OK, EXIT_CATALOG, EXIT_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description="Recommendations and estimates.")
    sub = parser.add_subparsers(dest="command", required=True)
    est = sub.add_parser("estimate", help="recommend a pathway and estimate its costs for a case file")
    est.add_argument("case_file", metavar="CASE.json")
    est.add_argument("--json", action="store_true", help='print {"recommendation": ..., "estimate": ...}')
    est.add_argument("--channel", default="email", choices=sorted(CHANNEL_TEMPLATES),
                     help="layout of the rendered text (default: email plain text)")
    est.add_argument("--language", default=None, help="language of the text (default: the case's language)")
    cat = sub.add_parser("catalog", help="catalog commands")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True)
    check = cat_sub.add_parser("check", help="validate a catalog file (default: the packaged catalog and rules)")
    check.add_argument("path", nargs="?", default=None)
    return parser


def _read_case(path: str) -> dict[str, Any]:
    """The case in a file; also accepts a replay line ({"id", "replies", "case"})."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError as exc:
        raise ValueError(f"{path}: no such file") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot be read: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("case"), dict):
        data = data["case"]
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a case must be a JSON object, got {type(data).__name__}")
    for key in ("patient", "diagnosis", "history", "location", "request", "records", "safety"):
        if key in data and data[key] is not None and not isinstance(data[key], dict):
            raise ValueError(f"{path}: '{key}' must be an object, got {type(data[key]).__name__}")
    if "language" in data and data["language"] is not None and not isinstance(data["language"], str):
        raise ValueError(f"{path}: 'language' must be a string")
    return data


def _estimate_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        case = _read_case(args.case_file)
    except ValueError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_INPUT
    recommendation = recommend(case)
    result = estimate(case, recommendation)
    if args.json:
        json.dump({"recommendation": recommendation, "estimate": result}, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    print(f"primary: {recommendation['primary']}", file=out)
    print(f"secondary: {', '.join(recommendation['secondary']) or '-'}", file=out)
    for reason in recommendation["reasons"]:
        print(f"reason: {reason}", file=out)
    print(file=out)
    language = args.language or case.get("language")
    print(render_estimate(case, recommendation, result, args.channel, language), file=out)
    return EXIT_OK


def _catalog_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    path = args.path or CATALOG_PATH
    try:
        version = validate_catalog(path)
        if args.path is None:
            load_rules()
            load_checklist()
            check_messages()
    except CatalogError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_CATALOG
    print(f"OK catalog {version} ({path})", file=out)
    return EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one command; returns the exit code (argparse exits with 2 on a usage error)."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(list(argv) if argv is not None else None)
    if args.command == "estimate":
        return _estimate_command(args, out, err)
    return _catalog_check(args, out, err)


if __name__ == "__main__":
    sys.exit(main())
