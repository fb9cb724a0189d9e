"""handoff.adjustments: one estimate item changed with a reason, kept in the history row
and in the case's estimate (totals recomputed); a bad change is refused and changes nothing."""
from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import func, select

import estimates
from handoff import adjustments
from handoff.adjustments import AdjustmentError
from handoff.case_shape import EMPTY_CASE
from store.models import Case, Contact, Conversation, EstimateAdjustment

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=timezone.utc)


def case_body(**sections: dict[str, Any]) -> dict[str, Any]:
    case = copy.deepcopy(EMPTY_CASE)
    case.update(language="ar", consent="given")
    case["diagnosis"].update(cancer_type="breast", stage="II")
    case["location"].update(country="KE")
    for name, values in sections.items():
        case[name].update(values)
    case.update(estimates.estimate_for_case(case))
    return case


@pytest.fixture
def case_id(factory) -> int:  # type: ignore[no-untyped-def]
    """A case with a remote second opinion estimate (and a translation one beside it)."""
    with factory() as session, session.begin():
        contact = Contact(whatsapp="+254711000901")
        session.add(contact)
        session.flush()
        conversation = Conversation(contact_id=contact.id, channel="whatsapp")
        session.add(conversation)
        session.flush()
        case = Case(public_id="C-000901", conversation_id=conversation.id, data=case_body())
        session.add(case)
        session.flush()
        return case.id


def items(estimate: dict[str, Any]) -> dict[str, tuple[float, float]]:
    return {i["code"]: (i["low"], i["high"]) for i in estimate["items"]}


def test_an_adjustment_changes_the_item_and_the_totals_and_is_kept_in_the_history(factory, case_id: int) -> None:
    with factory() as session:
        before = session.get(Case, case_id).data["estimate"]
    assert items(before)["specialist_review"] == (2400, 2500)
    with factory() as session, session.begin():
        row = adjustments.adjust_item(session, session.get(Case, case_id), "specialist_review", 1800, 2000,
                                      "  The centre quoted US$1,800-2,000 by e-mail  ", "coord@example.org", NOW)
        assert (row.old_low, row.old_high, row.low, row.high) == (2400, 2500, 1800, 2000)
    with factory() as session:
        case = session.get(Case, case_id)
        after = case.data["estimate"]
        assert items(after)["specialist_review"] == (1800, 2000)
        assert (after["total_low"], after["total_high"]) == (before["total_low"] - 600, before["total_high"] - 500)
        assert after["local"]["total_low"] < before["local"]["total_low"]  # the KES total follows
        assert [i["code"] for i in after["items"] if i.get("overridden")] == ["specialist_review"]
        assert after["overrides"][-1] == {
            "pathway": "remote_second_opinion", "code": "specialist_review", "old": {"low": 2400, "high": 2500},
            "new": {"low": 1800, "high": 2000}, "reason": "The centre quoted US$1,800-2,000 by e-mail",
            "by": "coord@example.org", "at": "2026-12-02T10:30:00+00:00"}
        (kept,) = case.adjustments
        assert (kept.code, kept.author, kept.reason) == (
            "specialist_review", "coord@example.org", "The centre quoted US$1,800-2,000 by e-mail")
        (change,) = adjustments.changes(case.adjustments, after, lambda at: at.strftime("%d %b %H:%M"))
        assert (change.item, change.old, change.new, change.author) == (
            "Specialist review", "$2,400 – $2,500", "$1,800 – $2,000", "coord@example.org")
        total = adjustments.blocks(after)[0]
        assert total.total == f"${after['total_low']:,.0f} – ${after['total_high']:,.0f}"
        assert next(line for line in total.lines if line.code == "specialist_review").overridden


def test_a_secondary_pathways_item_is_adjusted_in_its_own_block(factory, case_id: int) -> None:
    with factory() as session:
        estimate = session.get(Case, case_id).data["estimate"]
    (translation,) = estimate["secondary"]
    code = translation["items"][0]["code"]
    with factory() as session, session.begin():
        adjustments.adjust_item(session, session.get(Case, case_id), code, 0, 0, "Records are in English already",
                                "coord@example.org", NOW, pathway=translation["pathway"])
    with factory() as session:
        after = session.get(Case, case_id).data["estimate"]
        assert items(after) == items(estimate)  # the primary pathway is untouched
        assert items(after["secondary"][0])[code] == (0, 0)
        assert after["secondary"][0]["total_low"] == translation["total_low"] - translation["items"][0]["low"]
        blocks = adjustments.blocks(after)
        assert [b.primary for b in blocks] == [True, False] and blocks[1].pathway == "records_translation"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": "  "}, "reason is required"),
        ({"low": 3000, "high": 2000}, r"Low \(3,000\) cannot be more than high \(2,000\)"),
        ({"low": -1}, "Low cannot be below 0"),
        ({"high": float("nan")}, "High must be a number"),
        ({"high": 10**12}, "High is too large"),
        ({"code": "helicopter"}, "no item 'helicopter'"),
        ({"pathway": "proton_therapy"}, "no pathway 'proton_therapy'"),
        ({"reason": "x" * 501}, "too long"),
        ({"author": ""}, "coordinator's name"),
    ],
)
def test_a_bad_adjustment_is_refused_and_changes_nothing(factory, case_id: int, change: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"code": "specialist_review", "low": 1000, "high": 2000, "reason": "quote",
                            "author": "coord@example.org", "pathway": None}
    args.update(change)
    with factory() as session:
        before = session.get(Case, case_id).data
    with factory() as session, session.begin():
        with pytest.raises(AdjustmentError, match=message):
            adjustments.adjust_item(session, session.get(Case, case_id), args["code"], args["low"], args["high"],
                                    args["reason"], args["author"], NOW, pathway=args["pathway"])
    with factory() as session:
        assert session.get(Case, case_id).data == before
        assert session.scalar(select(func.count()).select_from(EstimateAdjustment)) == 0


def test_a_case_without_an_estimate_cannot_be_adjusted(factory, case_id: int) -> None:
    with factory() as session, session.begin():
        case = session.get(Case, case_id)
        case.data = {**case.data, "recommendation": None, "estimate": None}
    with factory() as session, session.begin():
        with pytest.raises(AdjustmentError, match="no estimate"):
            adjustments.adjust_item(session, session.get(Case, case_id), "specialist_review", 1, 2, "r", "c@x.org", NOW)
    assert adjustments.blocks(None) == ()


@pytest.mark.parametrize(("text", "value"), [("2400", 2400), (" 2,400 ", 2400), ("2 400.00", 2400), ("0", 0)])
def test_amounts_are_read_as_whole_numbers(text: str, value: int) -> None:
    assert adjustments.parse_amount(text, "low") == value


@pytest.mark.parametrize(("text", "message"), [
    ("", "Low is missing"), ("abc", "whole amount"), ("-5", "whole amount"), ("12.50", "whole amount"),
    ("1e5", "whole amount"), ("99999999999", "too large"),
])
def test_an_amount_that_is_not_a_whole_number_is_refused_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(AdjustmentError, match=message):
        adjustments.parse_amount(text, "low")
