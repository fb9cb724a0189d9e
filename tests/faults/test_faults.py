"""Never lose, never repeat, proven on real processes: the worker, Rasa, the action
server and the gateway run as subprocesses and are killed with -9; Twilio is a local
server at its HTTP edge that can be slow, unavailable or refuse."""
from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import select

from store.models import DeliveryStatus, InboundStatus, Message, OutboxItem, OutboxStatus, Ticket
from tests.faults.fake_twilio import FakeTwilio
from tests.faults.stack import Stack
from tests.helpers import wait_for

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

TURNS = ("Hello, my mother has breast cancer", "yes", "She had surgery last year")


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, twilio: FakeTwilio) -> Iterator[Stack]:
    running = Stack(Path(tmp_path_factory.mktemp("faults")), twilio.url).start_all()
    yield running
    running.stop_all()


@pytest.fixture(autouse=True)
def healthy_provider(twilio: FakeTwilio) -> None:
    twilio.delay, twilio.unavailable_until, twilio.refuse_code = 0.0, None, None
    twilio.clock_file = None


def _numbers(prefix: str, n: int) -> list[str]:
    return [f"+2547{prefix}{i:05d}" for i in range(n)]


def _replies_by_inbound(stack: Stack, numbers: list[str]) -> tuple[list[Message], Counter[int]]:
    inbound = [m for m in stack.inbound() if m.conversation_id in _conversations(stack, numbers)]
    replies = Counter(m.reply_to_id for m in stack.outbound() if m.reply_to_id is not None)
    return inbound, replies


def _conversations(stack: Stack, numbers: list[str]) -> set[int]:
    from store.models import Contact, Conversation

    with stack.factory() as session:
        return set(session.scalars(select(Conversation.id).join(Contact).where(Contact.whatsapp.in_(numbers))))


def _assert_each_answered_once(stack: Stack, twilio: FakeTwilio, numbers: list[str], expected: int) -> None:
    def settled() -> bool:
        inbound, replies = _replies_by_inbound(stack, numbers)
        return len(inbound) == expected and all(replies[m.id] == 1 and m.inbound_status == InboundStatus.processed for m in inbound)

    wait_for(settled, timeout=240, every=0.5)
    replies = [m.id for m in stack.outbound() if m.conversation_id in _conversations(stack, numbers)]
    wait_for(lambda: _all_sent(stack, replies), timeout=120, every=0.5)
    # Exactly once at the provider: every part of every reply reached Twilio one time.
    refs = Counter(s.ref for n in numbers for s in twilio.to(n))
    assert refs and set(refs.values()) == {1}, refs.most_common(3)
    inbound, replies = _replies_by_inbound(stack, numbers)
    assert sum(replies[m.id] for m in inbound) == expected


def _all_sent(stack: Stack, message_ids: list[int]) -> bool:
    with stack.factory() as session:
        items = session.scalars(select(OutboxItem).where(OutboxItem.message_id.in_(message_ids))).all()
        return len(items) == len(message_ids) and all(i.status == OutboxStatus.sent for i in items)


def test_worker_killed_mid_burst_loses_and_repeats_nothing(stack: Stack, twilio: FakeTwilio) -> None:
    numbers = _numbers("1", 10)
    acks = []

    def family(number: str) -> None:
        for turn, body in enumerate(TURNS):
            acks.append(stack.post(f"SMburst{number[1:]}{turn}", number, body).status_code)

    threads = [threading.Thread(target=family, args=(n,)) for n in numbers]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(stack.outbound()) >= 5, timeout=120, every=0.05)
    stack.kill("worker")  # mid-burst: leases held, tasks in flight, outbox items claimed
    for thread in threads:
        thread.join()
    assert acks.count(200) == 30
    stack.start("worker")
    _assert_each_answered_once(stack, twilio, numbers, expected=30)
    with stack.factory() as session:
        from store.models import Conversation

        assert all(c.lease_owner is None for c in session.scalars(select(Conversation)))  # none stuck


def test_a_provider_taking_20_seconds_gets_no_duplicate(stack: Stack, twilio: FakeTwilio) -> None:
    twilio.delay = 20
    numbers = _numbers("2", 3)
    for n in numbers:
        assert stack.post(f"SMslow{n[1:]}", n, TURNS[0]).status_code == 200
    _assert_each_answered_once(stack, twilio, numbers, expected=3)


def test_an_hour_long_provider_outage_delivers_once_afterwards(stack: Stack, twilio: FakeTwilio) -> None:
    clock_file = Path(stack.env["INTAKE_CLOCK_FILE"])
    twilio.clock_file = clock_file
    twilio.unavailable_until = twilio.clock_offset() + 3600
    number = _numbers("3", 1)[0]
    assert stack.post("SMoutage1", number, TURNS[0]).status_code == 200
    wait_for(lambda: twilio.posts and stack.outbound() and _attempts(stack) >= 2, timeout=120, every=0.3)
    assert twilio.to(number) == []
    for _ in range(14):  # an hour and ten minutes of simulated outage, five minutes at a time
        clock_file.write_text(str(twilio.clock_offset() + 300))
        _pause(1.0)
    assert twilio.posts >= 3  # it kept trying through the outage
    _assert_each_answered_once(stack, twilio, [number], expected=1)


def _attempts(stack: Stack) -> int:
    with stack.factory() as session:
        return max((i.attempts for i in session.scalars(select(OutboxItem))), default=0)


def _pause(seconds: float) -> None:
    threading.Event().wait(seconds)


def test_a_permanent_refusal_and_a_failed_callback_fail_the_message_and_flag_the_ticket(stack: Stack, twilio: FakeTwilio) -> None:
    refused, reported = _numbers("4", 2)
    twilio.refuse_code = 63016
    assert stack.post("SMrefuse1", refused, TURNS[0]).status_code == 200

    def failed(number: str) -> Message | None:
        for m in stack.outbound():
            if m.conversation_id in _conversations(stack, [number]) and m.delivery_status == DeliveryStatus.failed:
                return m
        return None

    message = wait_for(lambda: failed(refused), timeout=120)
    assert message.error_code == "63016"
    twilio.refuse_code = None
    assert stack.post("SMreport1", reported, TURNS[0]).status_code == 200
    sent = wait_for(lambda: twilio.to(reported), timeout=120)
    assert stack.post_status(sent[0].sid, "failed", "30008").status_code == 200
    message = wait_for(lambda: failed(reported), timeout=30)
    assert message.error_code == "30008"
    with stack.factory() as session:
        flagged = {t.case.conversation_id: t for t in session.scalars(select(Ticket))}
        for number in (refused, reported):
            [conversation] = _conversations(stack, [number])
            assert flagged[conversation].flagged and flagged[conversation].reason == "delivery_failed"


def test_rasa_killed_mid_turn_is_answered_after_restart(stack: Stack, twilio: FakeTwilio) -> None:
    number = _numbers("5", 1)[0]
    assert stack.post("SMrasa1", number, TURNS[0]).status_code == 200
    stack.kill("rasa")
    assert stack.post("SMrasa2", number, "yes").status_code == 200  # accepted while Rasa is down
    _pause(3)
    assert [m.inbound_status for m in stack.inbound() if m.conversation_id in _conversations(stack, [number])][-1] == InboundStatus.received
    stack.start("rasa")
    _assert_each_answered_once(stack, twilio, [number], expected=2)


def test_gateway_killed_under_load_keeps_every_acknowledged_message(stack: Stack, twilio: FakeTwilio) -> None:
    numbers = _numbers("6", 8)
    acknowledged: list[str] = []
    lock = threading.Lock()

    def family(number: str) -> None:
        for turn in range(6):
            sid = f"SMload{number[1:]}{turn}"
            try:
                if stack.post(sid, number, f"message {turn} about my father", timeout=5).status_code == 200:
                    with lock:
                        acknowledged.append(sid)
            except Exception:  # noqa: BLE001 - a refused connection is not an acknowledgement
                continue

    threads = [threading.Thread(target=family, args=(n,)) for n in numbers]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(acknowledged) >= 10, timeout=60, every=0.01)
    stack.kill("gateway")
    for thread in threads:
        thread.join()
    stack.start("gateway")
    stored = {m.provider_id for m in stack.inbound()}
    assert acknowledged and set(acknowledged) <= stored
