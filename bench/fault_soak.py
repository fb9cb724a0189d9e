"""Soak under chaos: 1,000 WhatsApp messages from 100 senders while a chaos loop kills
the worker, Rasa and the action server with -9 at random (bounded, loopback only).

Prints lost, duplicated and out-of-order counts and the time to drain:
- lost: acknowledged by the webhook but not stored, or never processed, or (answered
  by the bot) without a reply that reached Twilio;
- duplicated: an inbound message stored twice, answered twice, or a reply part that
  reached Twilio more than once;
- out of order: a conversation whose messages were processed, or whose replies reached
  Twilio, in another order than the patient sent them.

Run: .venv/bin/python bench/fault_soak.py [--senders 100] [--per-sender 10] [--seed 7]
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("RASA_TOKEN", "soak-" + os.urandom(8).hex())

from sqlalchemy import select  # noqa: E402

from store.models import InboundStatus, Message, OutboxItem, OutboxPart  # noqa: E402
from tests.faults.fake_twilio import FakeTwilio  # noqa: E402
from tests.faults.stack import Stack  # noqa: E402

TEXTS = (
    "Hello, my father has lung cancer", "yes", "He had chemotherapy last year", "We live in Nairobi, Kenya",
    "not sure, what do you suggest", "thank you", "is it expensive?", "ok", "how long does it take?", "thanks again",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--senders", type=int, default=100)
    parser.add_argument("--per-sender", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-kills", type=int, default=16)
    parser.add_argument("--drain-timeout", type=float, default=1200)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the stack on a kill too
    twilio = FakeTwilio()
    stack = Stack(Path(tempfile.mkdtemp(prefix="intake-soak-")), twilio.url)
    try:
        stack.start_all()
        return soak(args, rng, stack, twilio)
    finally:
        stack.stop_all()
        twilio.close()


def soak(args: argparse.Namespace, rng: random.Random, stack: Stack, twilio: FakeTwilio) -> int:
    numbers = [f"+2547{i:08d}" for i in range(args.senders)]
    acknowledged: dict[str, str] = {}
    ack_lock = threading.Lock()
    kills: list[str] = []

    def family(number: str) -> None:
        for turn in range(args.per_sender):
            sid = f"SMsoak{number[1:]}{turn:03d}"
            for _ in range(60):  # like Twilio: retry until the webhook acknowledges
                try:
                    if stack.post(sid, number, TEXTS[turn % len(TEXTS)], timeout=10).status_code == 200:
                        with ack_lock:
                            acknowledged[sid] = number
                        break
                except Exception:  # noqa: BLE001 - a refused connection: try again
                    pass
                time.sleep(1)
            time.sleep(rng.uniform(0.5, 3))  # a family types, then waits for the answer

    victims = ["worker", "rasa", "worker", "actions"] * args.max_kills
    rng.shuffle(victims)

    calm = threading.Event()  # set once everything drained: the chaos stops

    def chaos() -> None:
        while len(kills) < args.max_kills and not calm.wait(rng.uniform(6, 15)):
            victim = victims[len(kills)]
            stack.kill(victim)
            kills.append(victim)
            print(f"  chaos: killed {victim} (-9) at {time.strftime('%H:%M:%S')}", flush=True)
            time.sleep(rng.uniform(0.5, 3))
            stack.start(victim)

    started = time.monotonic()
    chaos_thread = threading.Thread(target=chaos, daemon=True)
    chaos_thread.start()
    pool = []
    for number in numbers:  # 100 families, starting over the first 20 seconds
        pool.append(threading.Thread(target=family, args=(number,)))
        pool[-1].start()
        time.sleep(0.2)
    for thread in pool:
        thread.join()
    posted_at = time.monotonic()
    expected = args.senders * args.per_sender

    def drained() -> bool:
        with stack.factory() as session:
            inbound = session.scalars(select(Message).where(Message.direction == "inbound")).all()
            if len(inbound) < expected or any(m.inbound_status == InboundStatus.received for m in inbound):
                return False
            return all(i.status.value in ("sent", "failed") for i in session.scalars(select(OutboxItem)))

    deadline = time.monotonic() + args.drain_timeout
    while not drained() and time.monotonic() < deadline:
        time.sleep(1)
    calm.set()
    chaos_thread.join()  # a last kill may have come just before: drain again after its restart
    while not drained() and time.monotonic() < deadline:
        time.sleep(1)
    drain_seconds = time.monotonic() - posted_at
    report(stack, twilio, acknowledged, expected, kills, time.monotonic() - started, drain_seconds)
    return 0


def report(stack: Stack, twilio: FakeTwilio, acknowledged: dict[str, str], expected: int, kills: list[str],
           total: float, drain: float) -> None:
    with stack.factory() as session:
        inbound = session.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id)).all()
        outbound = session.scalars(select(Message).where(Message.direction == "outbound")).all()
        parts = {p.id: p for p in session.scalars(select(OutboxPart))}
        items = {i.id: i for i in session.scalars(select(OutboxItem))}
    stored = Counter(m.provider_id for m in inbound)
    replies = Counter(m.reply_to_id for m in outbound if m.reply_to_id)
    reply_of = {m.id: m.reply_to_id for m in outbound}
    answered = [m for m in inbound if m.inbound_status == InboundStatus.processed]
    at_twilio = Counter(s.ref for s in twilio.sent)
    delivered_replies = {items[parts[int(r)].outbox_id].message_id for r in at_twilio if r and int(r) in parts}
    lost = sum(1 for sid in acknowledged if sid not in stored)
    lost += sum(1 for m in inbound if m.inbound_status in (InboundStatus.received, InboundStatus.failed))
    lost += sum(1 for m in answered if replies[m.id] == 0 or not any(reply_of.get(o) == m.id for o in delivered_replies))
    duplicated = sum(n - 1 for n in stored.values() if n > 1) + sum(n - 1 for n in replies.values() if n > 1)
    duplicated += sum(n - 1 for n in at_twilio.values() if n > 1)
    out_of_order = 0
    by_conversation: dict[int, list[Message]] = defaultdict(list)
    for m in answered:
        by_conversation[m.conversation_id].append(m)
    for messages in by_conversation.values():
        times = [m.processed_at for m in sorted(messages, key=lambda m: m.id)]
        out_of_order += times != sorted(times)
    sent_order: dict[str, list[int]] = defaultdict(list)
    for s in twilio.sent:
        if s.ref and int(s.ref) in parts:
            inbound_id = reply_of.get(items[parts[int(s.ref)].outbox_id].message_id)
            if inbound_id and (not sent_order[s.to] or sent_order[s.to][-1] != inbound_id):
                sent_order[s.to].append(inbound_id)
    out_of_order += sum(1 for order in sent_order.values() if order != sorted(order))
    routed = sum(1 for m in inbound if m.inbound_status == InboundStatus.routed_to_ticket)
    print(f"messages: {expected} sent by the families, {len(acknowledged)} acknowledged, {len(stored)} stored, "
          f"{len(answered)} answered by the bot, {routed} routed to a coordinator's ticket")
    print(f"chaos: {len(kills)} kills ({', '.join(f'{k} x{n}' for k, n in Counter(kills).items())})")
    print(f"lost: {lost}")
    print(f"duplicated: {duplicated}")
    print(f"out of order: {out_of_order}")
    print(f"time to drain after the last message: {drain:.1f} s (whole run {total:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
