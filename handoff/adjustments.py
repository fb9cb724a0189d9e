"""A coordinator adjusts one item of a case's estimate, with a reason; and the estimate
as the case page shows it (its items in English, the totals, the adjustment history).

An adjustment is kept twice, in one transaction: an EstimateAdjustment row (who, when,
old and new range, why) and the case's estimate itself (estimates.override_item: the
item's new range, the totals recomputed as the sums of the items, and the change in
the estimate's own `overrides`), so the estimate and its history never disagree.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping

from sqlalchemy.orm import Session

import estimates
from estimates import messages as msg
from handoff.tickets import as_utc
from store.models import Case, EstimateAdjustment

EN = "en"
# The database keeps amounts as NUMERIC(12, 2); estimates are in whole currency units.
MAX_AMOUNT = 9_999_999_999
REASON_MAX = 500
_AMOUNT = re.compile(r"\d+(\.0+)?")


class AdjustmentError(ValueError):
    """An adjustment the coordinator must correct (the sender's fault: a 400, nothing changed)."""


def parse_amount(text: str | None, name: str) -> int:
    """A whole amount typed in a form ("2400", "2,400", "2 400.00").

    Raises:
        AdjustmentError: empty, not a whole number, negative or too large.
    """
    raw = re.sub(r"[\s,_]", "", text or "")
    if not raw:
        raise AdjustmentError(f"{name.capitalize()} is missing: write a whole amount of 0 or more, e.g. 2400.")
    if not _AMOUNT.fullmatch(raw):
        raise AdjustmentError(
            f"{name.capitalize()} must be a whole amount of 0 or more, e.g. 2400 (got {text.strip()[:40]!r}).")
    value = int(float(raw))
    if value > MAX_AMOUNT:
        raise AdjustmentError(f"{name.capitalize()} is too large (at most {MAX_AMOUNT:,}).")
    return value


def adjust_item(
    session: Session, case: Case, code: str, low: float, high: float, reason: str, author: str, now: datetime,
    pathway: str | None = None,
) -> EstimateAdjustment:
    """Give item `code` of the case's estimate (of `pathway`, default the recommended one)
    the range low..high, for `reason`; returns the history row (flushed, not committed).

    Raises:
        AdjustmentError: no reason, a range that is negative or low above high, no
            estimate, or no such item (nothing is changed).
    """
    reason = (reason or "").strip()
    if not reason:
        raise AdjustmentError("Say why the amount changes: a reason is required.")
    if len(reason) > REASON_MAX:
        raise AdjustmentError(f"The reason is too long (at most {REASON_MAX} characters).")
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise AdjustmentError(f"{name.capitalize()} must be a number.")
        if value < 0:
            raise AdjustmentError(f"{name.capitalize()} cannot be below 0.")
        if value > MAX_AMOUNT:
            raise AdjustmentError(f"{name.capitalize()} is too large (at most {MAX_AMOUNT:,}).")
    if low > high:
        raise AdjustmentError(f"Low ({low:,.0f}) cannot be more than high ({high:,.0f}).")
    if not (author or "").strip():
        raise AdjustmentError("An adjustment needs the coordinator's name.")
    # Read the estimate again under a row lock (PostgreSQL): two coordinators adjusting
    # at once each change the estimate the other left, not a stale copy.
    session.refresh(case, with_for_update=True)
    data = dict(case.data or {})
    estimate = data.get("estimate")
    if not isinstance(estimate, dict) or not estimate.get("items"):
        raise AdjustmentError("This case has no estimate to adjust yet.")
    container = _container(estimate, pathway)
    item = next((i for i in container["items"] if i.get("code") == code), None)
    if item is None:
        raise AdjustmentError(f"The estimate has no item {code!r}.")
    at = as_utc(now)
    data["estimate"] = estimates.override_item(
        estimate, code, low, high, reason, author.strip(), at=at.isoformat(timespec="seconds"),
        pathway=container.get("pathway"))
    case.data = data  # a new dict: the JSON column sees the change
    row = EstimateAdjustment(case_id=case.id, code=code, old_low=item["low"], old_high=item["high"], low=low, high=high,
                             reason=reason, author=author.strip(), created_at=at)
    session.add(row)
    session.flush()
    return row


def _container(estimate: dict[str, Any], pathway: str | None) -> dict[str, Any]:
    if not pathway or pathway == estimate.get("pathway"):
        return estimate
    for secondary in estimate.get("secondary") or []:
        if secondary.get("pathway") == pathway:
            return secondary
    raise AdjustmentError(f"The estimate has no pathway {pathway!r}.")


# ------------------------------------------------------------------ the estimate as the page shows it


@dataclass(frozen=True)
class EstimateLine:
    code: str
    label: str
    low: float
    high: float
    amount: str
    set_by: str
    quantity: str | None
    overridden: bool


@dataclass(frozen=True)
class EstimateBlock:
    pathway: str
    title: str
    primary: bool
    currency: str
    lines: tuple[EstimateLine, ...]
    total: str
    total_low: float
    total_high: float
    timeline: str | None
    local: str | None  # about how much in the patient's currency


@dataclass(frozen=True)
class EstimateChange:
    at: str
    author: str
    item: str
    old: str
    new: str
    reason: str


def _t(key: str, **params: Any) -> str | None:
    return msg.t(key, EN, **params) if key in msg.messages(EN) else None


def _item_label(item: Mapping[str, Any]) -> str:
    key = item.get("label_key")
    return (_t(key) if isinstance(key, str) else None) or str(item.get("label") or item.get("code"))


def _block(block: Mapping[str, Any], primary: bool, currency: str) -> EstimateBlock:
    lines = []
    for item in block.get("items") or []:
        q = item.get("quantity")
        quantity = _t(f"unit.{item.get('unit')}", low=q["low"], high=q["high"]) if isinstance(q, dict) else None
        lines.append(EstimateLine(
            code=str(item.get("code")), label=_item_label(item), low=item["low"], high=item["high"],
            amount=msg.money_range(item["low"], item["high"], currency, EN),
            set_by=_t(f"set_by.{item.get('set_by')}") or "", quantity=quantity, overridden=bool(item.get("overridden")),
        ))
    timeline = None
    days = block.get("timeline_days")
    if isinstance(days, dict):
        span = msg.t("fmt.days", EN, low=days["low"], high=days["high"])
        timeline = _t("text.timeline_business" if days.get("business_days") else "text.timeline_days", days=span)
    local = None
    extra = block.get("local") if primary else None
    if isinstance(extra, dict):
        local = _t("text.local", amount=msg.money_range(extra["total_low"], extra["total_high"], extra["currency"], EN),
                   currency=msg.currency_name(extra["currency"], EN), date=msg.date(extra["rate_date"], EN))
    code = str(block.get("pathway") or "")
    return EstimateBlock(
        pathway=code, title=_t(f"pathway.{code}") or str(block.get("label") or code), primary=primary,
        currency=currency, lines=tuple(lines),
        total=msg.money_range(block["total_low"], block["total_high"], currency, EN),
        total_low=block["total_low"], total_high=block["total_high"], timeline=timeline, local=local,
    )


def blocks(estimate: Mapping[str, Any] | None) -> tuple[EstimateBlock, ...]:
    """The recommended pathway's estimate, then each secondary pathway's."""
    if not estimate or not estimate.get("items"):
        return ()
    currency = str(estimate.get("currency") or "USD")
    out = [_block(estimate, True, currency)]
    out += [_block(sec, False, currency) for sec in estimate.get("secondary") or [] if sec.get("items")]
    return tuple(out)


def changes(
    rows: Iterable[EstimateAdjustment], estimate: Mapping[str, Any] | None, when: Callable[[datetime], str]
) -> tuple[EstimateChange, ...]:
    """The adjustment history, oldest first: who, when, the item, old -> new range, why."""
    estimate = estimate or {}
    currency = str(estimate.get("currency") or "USD")
    items: dict[str, Mapping[str, Any]] = {}
    for block in [estimate, *(estimate.get("secondary") or [])]:
        for item in block.get("items") or []:
            items.setdefault(str(item.get("code")), item)

    def money(low: float | None, high: float | None) -> str:
        return "—" if low is None or high is None else msg.money_range(low, high, currency, EN)

    return tuple(
        EstimateChange(at=when(row.created_at), author=row.author,
                       item=_item_label(items.get(row.code, {"code": row.code})),
                       old=money(row.old_low, row.old_high), new=money(row.low, row.high), reason=row.reason)
        for row in sorted(rows, key=lambda r: (as_utc(r.created_at), r.id))
    )
