"""handoff.metrics: the dashboard's period, tickets per day by pathway (days in the tickets'
timezone), time to first reply, overdue counts and the funnel, on a real migrated database.

Tickets are opened, claimed and answered through handoff.verbs, and the console's audit
entries written by handoff.audit.record; a test only places each in time (the verbs
stamp the wall clock), by setting `created_at` / `at` on the object the verb returned."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.orm import Session

import estimates
from dialogs.actions import form_slots
from handoff import audit, metrics, users, verbs
from handoff.metrics import Period, PeriodError
from store.models import Case, Contact, Conversation, Direction, InboundStatus, Message, Ticket, User
from store.states import Role, TicketStatus, move

NAIROBI = "Africa/Nairobi"  # UTC+3 all year
_n = itertools.count(1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


class Seed:
    """Conversations, cases and tickets for one test, in one session."""

    def __init__(self, session: Session, settings: Any) -> None:
        self.session = session
        self.settings = settings
        self.coordinator: User | None = None

    def conversation(self, at: datetime, case: dict[str, Any] | None = None) -> Conversation:
        n = next(_n)
        # E-mail: a reply is free text at any time (no 24-hour window to step around).
        contact = Contact(email=f"family{n}@example.org", name="Amina Otieno")
        self.session.add(contact)
        self.session.flush()
        conversation = Conversation(contact_id=contact.id, channel="email", subject="My mother",
                                    thread_key=f"<metrics{n}@example.org>", created_at=at)
        self.session.add(conversation)
        self.session.flush()
        self.session.add(Message(conversation_id=conversation.id, direction=Direction.inbound, channel="email",
                                 provider_id=f"<metrics{n}@example.org>", inbound_status=InboundStatus.processed,
                                 body="hello", attachments=[], created_at=at))
        if case is not None:
            self.session.add(Case(public_id=f"C-9{n:05d}", conversation_id=conversation.id, data=case))
        self.session.flush()
        self.session.refresh(conversation)
        return conversation

    def ticket(self, at: datetime, pathway: str | None = "remote_second_opinion", priority: str = "normal",
               conversation_at: datetime | None = None, reason: str = "intake_complete",
               recommendation: dict[str, Any] | None = None) -> Ticket:
        """A ticket as the bot opens it: by default at the end of an intake, with its pathway;
        `recommendation` replaces the case's (e.g. a placeholder, or R1 after a red flag)."""
        data: dict[str, Any] = {"language": "en", "consent": "given"}
        if recommendation is not None:
            data["recommendation"] = recommendation
        elif pathway:
            data["recommendation"] = {"primary": pathway, "reasons": []}
        conversation = self.conversation(conversation_at or at - timedelta(minutes=20), data)
        case = conversation.case
        assert case is not None
        ticket, _ = verbs.open_ticket(self.session, self.settings, case, reason, priority, at)
        ticket.created_at = at
        self.session.flush()
        return ticket

    def _user(self) -> User:
        if self.coordinator is None:
            self.coordinator, _ = users.create_user(self.session, f"coord{next(_n)}@example.org", Role.coordinator)
        return self.coordinator

    def claim(self, ticket: Ticket, at: datetime) -> None:
        verbs.claim(self.session, ticket, self._user().email)
        audit.record(self.session, self._user(), "claim", ticket=ticket).at = at
        self.session.flush()

    def reply(self, ticket: Ticket, at: datetime, action: str = "reply") -> None:
        if ticket.assignee is None:
            self.claim(ticket, at)
        verbs.reply(self.session, ticket, "We have read your message.", now=at)
        audit.record(self.session, self._user(), action, ticket=ticket).at = at
        self.session.flush()


@pytest.fixture
def seed(factory, settings):  # type: ignore[no-untyped-def]
    with factory() as session, session.begin():
        yield Seed(session, settings)


# ------------------------------------------------------------------ the period


def test_the_default_period_is_the_last_30_days_ending_today_in_the_tickets_timezone() -> None:
    late_evening = utc(2026, 12, 3, 22, 30)  # already the 4th in Nairobi
    assert metrics.parse_period(None, "", late_evening, "UTC") == Period(date(2026, 11, 4), date(2026, 12, 3), "UTC")
    nairobi = metrics.parse_period("", None, late_evening, NAIROBI)
    assert (nairobi.since, nairobi.until, nairobi.length) == (date(2026, 11, 5), date(2026, 12, 4), 30)
    assert metrics.parse_period(None, "2026-01-31", late_evening, "UTC").since == date(2026, 1, 2)
    assert metrics.parse_period("2026-12-01", "2026-12-01", late_evening, "UTC").days == [date(2026, 12, 1)]
    # Local midnight to local midnight, in UTC for the queries.
    assert Period(date(2026, 12, 1), date(2026, 12, 2), NAIROBI).bounds() == (utc(2026, 11, 30, 21), utc(2026, 12, 2, 21))


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2026-13-01", "", "`since` must be a date written YYYY-MM-DD"),
        ("yesterday", "", "`since` must be a date"),
        ("20261201", "", "`since` must be a date"),
        ("2026-02-30", "2026-03-01", "`since` must be a date"),
        ("2026-12-01", "1/12/2026", "`until` must be a date"),
        ("2026-12-05", "2026-12-04", "the start (2026-12-05) is after the end (2026-12-04)"),
        ("2025-12-01", "2026-12-02", "the period is 367 days long; at most 366 days"),
    ],
)
def test_a_bad_period_is_refused_with_a_clear_message(since: str, until: str, message: str) -> None:
    with pytest.raises(PeriodError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        metrics.parse_period(since, until, utc(2026, 12, 3, 12), "UTC")


def test_a_period_of_366_days_is_allowed() -> None:
    assert metrics.parse_period("2024-01-01", "2024-12-31", utc(2026, 12, 3), "UTC").length == 366


# ------------------------------------------------------------------ the figures


def test_tickets_per_day_by_pathway_count_days_in_the_tickets_timezone(seed) -> None:  # type: ignore[no-untyped-def]
    seed.ticket(utc(2026, 11, 30, 20, 59))  # 23:59 on the 30th in Nairobi: before the period
    first = seed.ticket(utc(2026, 11, 30, 21, 1))  # 00:01 on 1 December in Nairobi
    seed.ticket(utc(2026, 12, 1, 9), pathway="car_t_eligibility")
    seed.ticket(utc(2026, 12, 1, 20, 59), pathway=None)  # still the 1st (23:59)
    seed.ticket(utc(2026, 12, 1, 21, 0), pathway="car_t_eligibility")  # the 2nd
    seed.ticket(utc(2026, 12, 3, 21, 0))  # the 4th: after the period
    seed.session.flush()
    board = metrics.dashboard(seed.session, Period(date(2026, 12, 1), date(2026, 12, 3), NAIROBI), utc(2026, 12, 10))
    assert board.per_day == {
        date(2026, 12, 1): {"remote_second_opinion": 1, "car_t_eligibility": 1, "none": 1},
        date(2026, 12, 2): {"car_t_eligibility": 1},
        date(2026, 12, 3): {},
    }
    assert board.tickets_opened == 4 and board.day_total(date(2026, 12, 1)) == 3
    # Vocabulary order, "no pathway recommended" last.
    assert board.pathways == [("remote_second_opinion", "Remote cancer second opinion"),
                              ("car_t_eligibility", "CAR-T eligibility assessment"), ("none", "No pathway recommended")]
    assert first.created_at == utc(2026, 11, 30, 21, 1)
    # In UTC the same tickets fall on other days.
    in_utc = metrics.dashboard(seed.session, Period(date(2026, 12, 1), date(2026, 12, 3), "UTC"), utc(2026, 12, 10))
    assert in_utc.per_day[date(2026, 12, 1)] == {"car_t_eligibility": 2, "none": 1}


def test_time_to_first_reply_falls_in_buckets_and_counts_only_the_first_reply_before_now(seed) -> None:  # type: ignore[no-untyped-def]
    opened = utc(2026, 12, 1, 9)
    now = utc(2026, 12, 8, 12)
    waits = {"under_1h": timedelta(minutes=59), "1h_4h": timedelta(hours=1), "4h_8h": timedelta(hours=7, minutes=30),
             "8h_24h": timedelta(hours=8), "1d_3d": timedelta(days=2, hours=23), "over_3d": timedelta(days=3)}
    for wait in waits.values():
        seed.reply(seed.ticket(opened), opened + wait)
    twice = seed.ticket(opened)
    seed.reply(twice, opened + timedelta(minutes=10), action="reply_template")  # a template counts as a reply
    seed.reply(twice, opened + timedelta(hours=30))
    seed.ticket(opened)  # never answered
    claimed_only = seed.ticket(opened)
    seed.claim(claimed_only, opened + timedelta(minutes=5))  # claimed is not replied
    seed.reply(seed.ticket(opened), now + timedelta(minutes=1))  # after `now`: not yet
    board = metrics.dashboard(seed.session, Period(date(2026, 12, 1), date(2026, 12, 1)), now)
    assert board.first_reply == {"under_1h": 2, "1h_4h": 1, "4h_8h": 1, "8h_24h": 1, "1d_3d": 1, "over_3d": 1,
                                 "not_replied": 3}
    assert list(board.reply_labels().values()) == ["< 1 h", "1–4 h", "4–8 h", "8–24 h", "1–3 days", "> 3 days",
                                                  "Not yet replied"]


def test_overdue_now_and_replied_after_the_due_time(seed) -> None:  # type: ignore[no-untyped-def]
    friday = utc(2026, 12, 4, 10)  # due one business day later: Monday 10:00
    now = utc(2026, 12, 7, 12)
    seed.ticket(friday)  # unresolved, past due at `now`
    on_time = seed.ticket(friday)
    seed.reply(on_time, utc(2026, 12, 7, 9))
    late = seed.ticket(friday)
    seed.reply(late, utc(2026, 12, 7, 11))  # after Monday 10:00: late (and still unresolved, so overdue)
    done = seed.ticket(friday)
    verbs.resolve(seed.session, done)
    seed.ticket(utc(2026, 11, 2, 10))  # an older period's ticket, still overdue now
    seed.ticket(utc(2026, 12, 7, 11, 30), priority="urgent")  # due at 12:30: not yet
    period = Period(date(2026, 12, 4), date(2026, 12, 7))
    board = metrics.dashboard(seed.session, period, now)
    assert board.overdue_now == 4  # the unanswered one, on_time and late (unresolved), the old one
    assert board.replied_late == 1
    assert metrics.dashboard(seed.session, period, utc(2026, 12, 7, 9, 59)).overdue_now == 1  # only the old one


def test_the_funnel_follows_the_conversations_started_in_the_period(seed) -> None:  # type: ignore[no-untyped-def]
    day = utc(2026, 12, 2, 8)
    now = utc(2026, 12, 5)
    seed.conversation(day)  # a greeting, no case yet
    seed.conversation(day, {"consent": "refused", "language": "en"})
    seed.conversation(day, {"consent": "given", "language": "en"})  # intake under way
    seed.conversation(day, {"consent": "given", "recommendation": {"primary": "proton_therapy"}})  # no ticket yet
    seed.ticket(day + timedelta(hours=1), conversation_at=day)  # opened, unclaimed
    seed.claim(seed.ticket(day + timedelta(hours=1), conversation_at=day), day + timedelta(hours=2))
    seed.reply(seed.ticket(day + timedelta(hours=1), conversation_at=day), day + timedelta(hours=3))
    # A handoff before the intake ended (no pathway), resolved without anyone claiming it.
    resolved = seed.ticket(day + timedelta(hours=1), conversation_at=day, pathway=None, reason="patient_request")
    verbs.resolve(seed.session, resolved)  # resolved, but never claimed
    seed.ticket(day, conversation_at=utc(2026, 11, 28))  # started before the period
    seed.reply(seed.ticket(day + timedelta(hours=1), conversation_at=day), now + timedelta(hours=1))  # after now
    board = metrics.dashboard(seed.session, Period(date(2026, 12, 1), date(2026, 12, 3)), now)
    # Claimed: only the claimed and the replied ones (the claim after `now` does not count yet).
    assert board.funnel == {"conversations": 9, "consent": 7, "intake_complete": 5, "ticket": 5, "claimed": 2,
                            "replied": 1}


def test_intake_complete_needs_a_concluded_intake_not_the_placeholder_or_a_red_flag(seed) -> None:  # type: ignore[no-untyped-def]
    """Every turn before the end writes a recommendation with no pathway ("pending: ...");
    a red flag writes R1's (no pathway) and opens an emergency ticket: neither is a
    completed intake. A pathway, or an intake_complete ticket, is."""
    day = utc(2026, 12, 2, 8)
    now = utc(2026, 12, 5)
    pending = form_slots.pending_recommendation({"consent": "given", "cancer_type": "breast", "channel": "whatsapp"})
    assert pending["primary"] is None and pending["reasons"][0].startswith("pending: intake incomplete")
    red_flag = estimates.recommend({"safety": {"emergency": True, "red_flags": ["spinal_cord_compression"]}})
    assert red_flag["primary"] is None and red_flag["reasons"][0].startswith("R1_red_flag")
    # Not complete: mid-intake, a handoff mid-intake, an emergency (no pathway), a stalled intake.
    seed.conversation(day, {"consent": "given", "language": "en", "recommendation": pending})
    seed.ticket(day + timedelta(hours=1), conversation_at=day, recommendation=pending, reason="patient_request")
    seed.ticket(day + timedelta(hours=1), conversation_at=day, recommendation=red_flag, reason="emergency",
                priority="urgent")
    seed.ticket(day + timedelta(hours=1), conversation_at=day, recommendation=pending, reason="intake_stalled")
    # Complete: told a pathway (no ticket yet, or with its ticket); and an intake that ended
    # with a pathway before a red flag took it away (its intake_complete ticket says so).
    seed.conversation(day, {"consent": "given", "language": "en",
                            "recommendation": {"primary": "proton_therapy", "secondary": [], "reasons": ["R5_proton"]}})
    seed.ticket(day + timedelta(hours=1), conversation_at=day)
    seed.ticket(day + timedelta(hours=1), conversation_at=day, recommendation=red_flag)
    # Its ticket is opened after `now`: not yet known to have completed.
    seed.ticket(now + timedelta(hours=1), conversation_at=day, recommendation=red_flag)
    board = metrics.dashboard(seed.session, Period(date(2026, 12, 1), date(2026, 12, 3)), now)
    assert board.funnel["conversations"] == 8 and board.funnel["consent"] == 8
    assert board.funnel["intake_complete"] == 3
    assert board.funnel["ticket"] == 5


def test_claimed_counts_a_coordinators_claim_not_a_ticket_resolved_without_one(seed) -> None:  # type: ignore[no-untyped-def]
    day = utc(2026, 12, 2, 8)
    now = utc(2026, 12, 5)
    unclaimed = seed.ticket(day + timedelta(hours=1), conversation_at=day)
    verbs.resolve(seed.session, unclaimed)  # resolved straight from open: never claimed
    reopened = seed.ticket(day + timedelta(hours=1), conversation_at=day)
    verbs.resolve(seed.session, reopened)
    verbs.reopen(seed.session, reopened)  # open again, still never claimed
    done = seed.ticket(day + timedelta(hours=1), conversation_at=day)
    seed.claim(done, day + timedelta(hours=2))
    verbs.resolve(seed.session, done)  # claimed, then resolved: it was claimed
    given_back = seed.ticket(day + timedelta(hours=1), conversation_at=day)
    seed.claim(given_back, day + timedelta(hours=2))
    given_back.status = move(given_back.status, TicketStatus.open)  # given back (claimed -> open): still claimed once
    waiting = seed.ticket(day + timedelta(hours=1), conversation_at=day)
    seed.claim(waiting, day + timedelta(hours=2))
    verbs.wait_on_patient(seed.session, waiting)
    later = seed.ticket(day + timedelta(hours=1), conversation_at=day)
    seed.claim(later, now + timedelta(minutes=1))  # after `now`: not yet
    seed.session.flush()
    board = metrics.dashboard(seed.session, Period(date(2026, 12, 1), date(2026, 12, 3)), now)
    assert board.funnel["ticket"] == 6
    assert board.funnel["claimed"] == 3  # done, given_back, waiting
    assert board.funnel["replied"] == 0


def test_nothing_in_the_period_gives_zeros_and_the_csv_has_every_figure(seed) -> None:  # type: ignore[no-untyped-def]
    empty = metrics.dashboard(seed.session, Period(date(2026, 12, 1), date(2026, 12, 2)), utc(2026, 12, 3))
    assert empty.tickets_opened == 0 and empty.pathways == [] and set(empty.funnel.values()) == {0}
    assert [r[2:5] for r in empty.csv_rows()][:2] == [("time_to_first_reply", "", "under_1h"),
                                                      ("time_to_first_reply", "", "1h_4h")]
    seed.reply(seed.ticket(utc(2026, 12, 1, 9), pathway="clinical_trial_matching"), utc(2026, 12, 1, 9, 30))
    board = metrics.dashboard(seed.session, Period(date(2026, 12, 1), date(2026, 12, 2)), utc(2026, 12, 3))
    rows = board.csv_rows()
    assert all(len(row) == len(metrics.CSV_COLUMNS) for row in rows)
    assert rows[:2] == [
        ("2026-12-01", "2026-12-02", "tickets_opened", "2026-12-01", "clinical_trial_matching", "Clinical trial matching", 1),
        ("2026-12-01", "2026-12-02", "tickets_opened", "2026-12-02", "clinical_trial_matching", "Clinical trial matching", 0),
    ]
    by_key = {(r[2], r[4]): r[6] for r in rows}
    assert by_key[("time_to_first_reply", "under_1h")] == 1 and by_key[("time_to_first_reply", "not_replied")] == 0
    # Answered but unresolved, and due on the 2nd at 09:00: overdue now, and not replied late.
    assert by_key[("overdue", "unresolved_past_due_now")] == 1 and by_key[("overdue", "first_reply_after_due")] == 0
    assert [r[4] for r in rows if r[2] == "funnel"] == [code for code, _ in metrics.FUNNEL_STAGES]
    assert by_key[("funnel", "replied")] == 1
