"""The blind safety set through the whole product, each message at its stage: as the first
message of a conversation, after consent, or while a person owns the conversation. Each
becomes a scripted conversation for `intake replay` (real channel parsing, Rasa model,
actions, tickets, outbox); the case and the replies are then scored. Prints figures;
asserts nothing. Run: .venv/bin/python bench/safety_blind_replay.py [--keep FILE]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialogs.messages import CATALOG  # noqa: E402
from dialogs.understanding.safety import read_safety  # noqa: E402
from store.config import PROJECT_ROOT  # noqa: E402

BLIND_DIR = PROJECT_ROOT / "tests" / "corpus" / "safety_blind"
# A phone number per language (its country's emergency number is named), a greeting and a yes.
OPENING = {
    "en": ("+254722000000", "Hello", "yes"), "ar": ("+201000000000", "السلام عليكم", "نعم"),
    "bn": ("+8801711000000", "আসসালামু আলাইকুম", "হ্যাঁ"), "hi": ("+919810000000", "namaste", "haan ji"),
    "ur": ("+923001000000", "السلام علیکم", "جی ہاں"), "zh-Hans": ("+8613800000000", "你好", "同意"),
    "zh-Hant": ("+85291000000", "你好", "同意"), "tr": ("+905320000000", "Merhaba", "evet"),
    "fr": ("+2250700000000", "Bonjour", "oui"), "ru": ("+79160000000", "Здравствуйте", "да"),
    "sw": ("+255710000000", "Habari", "ndiyo"), "tl": ("+639170000000", "Hello po", "oo po"),
    "ta": ("+94770000000", "வணக்கம்", "ஆம்"), "si": ("+94710000000", "ආයුබෝවන්", "ඔව්"),
    "ne": ("+9779800000000", "नमस्ते", "हजुर"), "gu": ("+919820000000", "નમસ્તે", "હા"),
}
HANDOFF = "I want to talk to a person please"
ALERT_KEYS = ("emergency", "emergency_self_harm", "safety_doubt")


def conversation(item: dict, number: int) -> dict:
    """One conversation per message, from a phone number of its own in the language's country."""
    phone, hello, yes = OPENING[item["lang"]]
    phone = f"{phone[:-3]}{number % 1000:03d}"
    texts = {"first": [], "after_consent": [hello, yes], "coordinator": [hello, yes, HANDOFF]}[item["stage"]]
    texts = texts + ([item["context"]] if item.get("context") else []) + [item["text"]]
    return {"id": item["id"], "events": [{"channel": "whatsapp", "from": f"whatsapp:{phone}", "body": body}
                                         for body in texts]}


def alert_openings() -> dict[str, tuple[str, ...]]:
    """The first words of each immediate reply, in every language (to find it among the replies)."""
    out: dict[str, tuple[str, ...]] = {}
    for key in ALERT_KEYS:
        out[key] = tuple(CATALOG.t(key, lang, org="CancerFax").strip()[:40] for lang in OPENING)
    return out


def score(item: dict, result: dict, openings: dict[str, tuple[str, ...]]) -> dict:
    case = result.get("case") or {}
    safety = case.get("safety") or {}
    ticket = case.get("ticket") or {}
    replies = result.get("replies") or []
    alerts = [r for r in replies if any(r.startswith(o) for group in openings.values() for o in group)]
    flags = safety.get("red_flags") or []
    return {
        "positive": item["label"] != "none",
        # The family's previous message is sent first, as a message of its own: when it is an
        # alarm itself ("yesterday he fainted"), the flag is its, not the scored message's.
        "by_context": bool(item.get("context")) and bool(read_safety(item["context"]).alarm),
        "emergency": bool(flags),
        "doubt": bool(safety.get("review")) and not flags,
        "kind_right": item["label"] in flags,
        "alone": bool(alerts) and all("\n\n" not in a for a in alerts),  # its own message, no greeting in it
        "urgent": ticket.get("priority") == "urgent",
    }


def report(rows: list[tuple[dict, dict]], key) -> None:  # type: ignore[no-untyped-def]
    groups: dict[str, list[dict]] = defaultdict(list)
    for item, r in rows:
        groups[key(item)].append(r)
    for name in sorted(groups):
        pos = [r for r in groups[name] if r["positive"]]
        neg = [r for r in groups[name] if not r["positive"]]
        print(f"  {name:14s} emergency path {sum(r['emergency'] for r in pos):3d}/{len(pos):3d} "
              f"(+{sum(r['doubt'] for r in pos)} doubt) | kind right {sum(r['kind_right'] for r in pos):3d} | "
              f"false alarms {sum(r['emergency'] for r in neg):2d}/{len(neg):3d} (+{sum(r['doubt'] for r in neg)} doubt)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", help="also write the replay output to this file")
    args = parser.parse_args()
    items = [json.loads(line) for path in sorted(BLIND_DIR.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "blind.jsonl"
        script.write_text("".join(json.dumps(conversation(item, n), ensure_ascii=False) + "\n" for n, item in enumerate(items)), encoding="utf-8")
        out = subprocess.run([sys.executable, "-m", "bot.cli", "replay", str(script), "--json"], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, check=True)
    if args.keep:
        Path(args.keep).write_text(out.stdout, encoding="utf-8")
    results = {r["id"]: r for r in map(json.loads, out.stdout.splitlines())}
    openings = alert_openings()
    rows = [(item, score(item, results[item["id"]], openings)) for item in items]
    pos = [r for _, r in rows if r["positive"]]
    neg = [r for _, r in rows if not r["positive"]]
    print(f"{len(items)} blind messages through the product: red flags {len(pos)}, hard negatives {len(neg)}")
    print(f"red flags on the emergency path {sum(r['emergency'] for r in pos)}/{len(pos)}, "
          f"urgent ticket {sum(r['urgent'] for r in pos)}/{len(pos)} (doubts included), "
          f"the immediate reply a message of its own {sum(r['alone'] for r in pos if r['urgent'])}/{sum(r['urgent'] for r in pos)}, "
          f"kind among the flags {sum(r['kind_right'] for r in pos)}/{sum(r['emergency'] for r in pos)}")
    print(f"hard negatives raising a red flag {sum(r['emergency'] for r in neg)}/{len(neg)}, "
          f"a doubt {sum(r['doubt'] for r in neg)}/{len(neg)}; of those, raised by the context message "
          f"itself (sent first, an alarm of its own): {sum(r['by_context'] and (r['emergency'] or r['doubt']) for r in neg)}")
    print("by stage:")
    report(rows, lambda i: i["stage"])
    print("by language:")
    report(rows, lambda i: i["lang"])


if __name__ == "__main__":
    main()
