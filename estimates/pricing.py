"""Itemised, indicative estimates from the catalog, and coordinator overrides.

Every amount in an estimate is an item the patient can see; the totals are
exactly the sums of the items (an override recomputes them), so nothing can
be added later without showing up as an item and in the override history.
"""
from __future__ import annotations

import copy
import datetime as _dt
import math
from pathlib import Path
from typing import Any

from . import messages as msg
from . import vocabulary as vocab
from .catalog import catalog as _catalog
from .catalog import to_usd
from .rules import get_field


def round_money(value: float) -> int:
    """Whole currency units; large converted prices to a sensible precision (they are approximate)."""
    if value >= 10000:
        return int(round(value / 100.0) * 100)
    if value >= 1000:
        return int(round(value / 10.0) * 10)
    return int(round(value))


def round_approx(value: float, significant: int = 3) -> int:
    """Round an approximate (converted) amount to a few significant figures."""
    if value <= 0:
        return 0
    digits = significant - int(math.floor(math.log10(value))) - 1
    return int(round(value, min(digits, 0)))


def _label(key: str) -> str:
    return msg.t(key, msg.DEFAULT_LANGUAGE)


def _item(code: str, label_key: str, unit: str, low: float, high: float, set_by: str,
          quantity: dict[str, int] | None = None, **extra: Any) -> dict[str, Any]:
    q_low, q_high = (quantity["low"], quantity["high"]) if quantity else (1, 1)
    item: dict[str, Any] = {
        "code": code,
        "label": _label(label_key),
        "label_key": label_key,
        "low": round_money(low * q_low),
        "high": round_money(high * q_high),
        "unit": unit,
        "set_by": set_by,
    }
    if quantity:
        item["quantity"] = {"low": q_low, "high": q_high}
        item["unit_low"] = low
        item["unit_high"] = high
    item.update({k: v for k, v in extra.items() if v is not None})
    return item


def _fixed_items(pathway: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        _item(i["code"], i["label"], i["unit"], i["low"], i["high"], i["set_by"], i.get("quantity"), source=i.get("source"))
        for i in pathway["items"]
    ]


def _fits(spec: dict[str, Any] | None, cancer_type: Any) -> bool:
    """Whether a centre speciality takes this cancer type; an unknown type excludes nothing."""
    if not spec:
        return True
    group = vocab.cancer_group(cancer_type)
    if group is None:
        return True
    return cancer_type in spec.get("cancer_types", ()) or group in spec.get("groups", ())


def _centre_fits(cat: dict[str, Any], centre_id: str, option_fits: dict | None, cancer_type: Any) -> bool:
    return _fits(cat["centres"][centre_id]["fits"], cancer_type) and _fits(option_fits, cancer_type)


def _centre_fee_item(cat: dict[str, Any], fee: dict[str, Any], option: dict[str, Any]) -> dict[str, Any]:
    price = option["price"]
    rates = cat["rates"]
    low = to_usd(price["low"], price["currency"], rates)
    high = to_usd(price["high"], price["currency"], rates)
    source_price = None
    if price["currency"] != cat["currency"]:
        source_price = {"currency": price["currency"], "low": price["low"], "high": price["high"]}
    return _item(fee["code"], fee["label"], "flat", low, high, fee["set_by"],
                 centre=option["centre"], source=option.get("source"), source_price=source_price)


def _logistics_items(cat: dict[str, Any], settings: dict[str, Any], country: str, case: dict[str, Any]) -> list[dict[str, Any]]:
    costs = cat["logistics"][country]
    patient_country = get_field(case, "location.country")
    domestic = isinstance(patient_country, str) and patient_country.upper() == country
    language = get_field(case, "language")
    travellers = {"low": settings["travellers"], "high": settings["travellers"]}
    travel = costs["travel"]["domestic"] if domestic else costs["travel"]
    items = [_item("travel", "item.travel", "per_person", travel["low"], travel["high"], "third_party", travellers,
                   domestic=domestic)]
    if not domestic:
        items.append(_item("visa", "item.visa", "per_person", costs["visa"]["low"], costs["visa"]["high"],
                           "third_party", travellers))
    items.append(_item("accommodation", "item.accommodation", "per_night", costs["accommodation"]["low"],
                       costs["accommodation"]["high"], "third_party", settings["nights"]))
    items.append(_item("local_transport", "item.local_transport", "per_day", costs["local_transport"]["low"],
                       costs["local_transport"]["high"], "third_party", settings["days"]))
    if language not in costs["languages"]:
        items.append(_item("interpreter", "item.interpreter", "per_day", costs["interpreter"]["low"],
                           costs["interpreter"]["high"], "third_party", settings["interpreter_days"]))
    return items


def _totals(items: list[dict[str, Any]]) -> tuple[float, float]:
    return sum(i["low"] for i in items), sum(i["high"] for i in items)


def _centre_entry(cat: dict[str, Any], centre_id: str, fits: bool) -> dict[str, Any]:
    centre = cat["centres"][centre_id]
    return {"centre": centre_id, "country": centre["country"], "label": _label(centre["label"]),
            "label_key": centre["label"], "fits": fits}


def _timeline(cat: dict[str, Any], pathway: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    tl = pathway["timeline"]
    rare = get_field(case, "diagnosis.cancer_type") in cat.get("rare_cancer_types", ())
    high = tl["rare_high"] if rare and "rare_high" in tl else tl["high"]
    return {"low": tl["low"], "high": high, "business_days": tl["business_days"],
            "rare_tumour": bool(rare and "rare_high" in tl)}


def pathway_estimate(cat: dict[str, Any], code: str, case: dict[str, Any]) -> dict[str, Any]:
    """Items, totals, timeline and centre options of one pathway for one case."""
    pathway = cat["pathways"][code]
    cancer_type = get_field(case, "diagnosis.cancer_type")
    fixed = _fixed_items(pathway)
    centres: list[dict[str, Any]] = []
    items = fixed
    selected: str | None = None
    fee = pathway.get("centre_fee")
    if fee:
        options = fee["options"]
        fitting = [o for o in options if _centre_fits(cat, o["centre"], o.get("fits"), cancer_type)]
        candidates = fitting or options
        priced = []
        for option in candidates:
            option_items = fixed + [_centre_fee_item(cat, fee, option)]
            if "logistics" in pathway:
                country = cat["centres"][option["centre"]]["country"]
                option_items = option_items + _logistics_items(cat, pathway["logistics"], country, case)
            priced.append((option, option_items))
        choice = None
        if fee["choose"] == "default":
            choice = next((p for p in priced if p[0]["centre"] == fee["default"]), None)
        if choice is None:
            choice = min(priced, key=lambda p: sum(_totals(p[1])))  # min() keeps catalog order on ties
        selected = choice[0]["centre"]
        items = choice[1]
        for option, option_items in priced:
            entry = _centre_entry(cat, option["centre"], bool(fitting))
            fee_item = next(i for i in option_items if i["code"] == fee["code"])
            low, high = _totals(option_items)
            entry.update({"fee_low": fee_item["low"], "fee_high": fee_item["high"],
                          "total_low": low, "total_high": high, "selected": option["centre"] == selected})
            if "source_price" in fee_item:
                entry["source_price"] = fee_item["source_price"]
            centres.append(entry)
    else:
        for centre_id in pathway.get("centres", []):
            if _fits(cat["centres"][centre_id]["fits"], cancer_type):
                centres.append(_centre_entry(cat, centre_id, True) | {"selected": False})
    total_low, total_high = _totals(items)
    return {
        "pathway": code,
        "label": _label(pathway["label"]),
        "label_key": pathway["label"],
        "currency": cat["currency"],
        "items": copy.deepcopy(items),
        "total_low": total_low,
        "total_high": total_high,
        "timeline_days": _timeline(cat, pathway, case),
        "centre": selected,
        "centres": centres,
    }


def _local(cat: dict[str, Any], case: dict[str, Any], total_low: float, total_high: float) -> dict[str, Any] | None:
    currency = msg.territory_currency(get_field(case, "location.country"), _dt.date.fromisoformat(cat["rates_date"]))
    if currency is None or currency == cat["currency"] or currency not in cat["rates"]:
        return None
    rate = cat["rates"][currency]
    return {"currency": currency, "total_low": round_approx(total_low * rate),
            "total_high": round_approx(total_high * rate), "rate": rate, "rate_date": cat["rates_date"]}


def estimate(case: dict[str, Any] | None, recommendation: dict[str, Any] | None,
             catalog_path: Path | str | None = None) -> dict[str, Any] | None:
    """The itemised indicative estimate for the recommended pathway, or None without a pathway."""
    primary = (recommendation or {}).get("primary")
    if primary is None:
        return None
    case = case if isinstance(case, dict) else {}
    cat = _catalog(catalog_path)
    if primary not in cat["pathways"]:
        raise ValueError(f"unknown pathway code {primary!r}")
    result = pathway_estimate(cat, primary, case)
    result["catalog_version"] = cat["version"]
    result["indicative"] = True
    result["note"] = msg.t("note", msg.DEFAULT_LANGUAGE)
    result["local"] = _local(cat, case, result["total_low"], result["total_high"])
    result["secondary"] = []
    for code in (recommendation or {}).get("secondary") or []:
        if code in cat["pathways"] and code != primary:
            sec = pathway_estimate(cat, code, case)
            sec.pop("centre", None)
            result["secondary"].append(sec)
    result["overrides"] = []
    return result


def _recompute(container: dict[str, Any]) -> None:
    container["total_low"], container["total_high"] = _totals(container["items"])


def override_item(estimate: dict[str, Any], code: str, low: float, high: float, reason: str, by: str,
                  *, at: str, pathway: str | None = None) -> dict[str, Any]:
    """A new estimate with one item's range replaced by a coordinator, totals recomputed,
    and the change appended to `overrides` (who, when, why, old and new range). `at`
    (ISO 8601) comes from the caller: estimates read no clock.

    `pathway` picks a secondary pathway's item; by default the primary's items
    are searched first, then the secondary ones. Raises ValueError/KeyError.
    """
    if not isinstance(estimate, dict) or "items" not in estimate:
        raise ValueError("not an estimate")
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    if low > high:
        raise ValueError(f"low {low} > high {high}")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("an override needs a reason")
    if not isinstance(by, str) or not by.strip():
        raise ValueError("an override needs the coordinator's name")
    new = copy.deepcopy(estimate)
    containers = [new] + list(new.get("secondary") or [])
    if pathway is not None:
        containers = [c for c in containers if c.get("pathway") == pathway]
    for container in containers:
        item = next((i for i in container["items"] if i.get("code") == code), None)
        if item is not None:
            break
    else:
        raise KeyError(f"no item {code!r} in the estimate")
    old = {"low": item["low"], "high": item["high"]}
    item["low"], item["high"] = low, high
    item["overridden"] = True
    _recompute(container)
    if container is new and new.get("local"):
        rate = new["local"]["rate"]
        new["local"]["total_low"] = round_approx(new["total_low"] * rate)
        new["local"]["total_high"] = round_approx(new["total_high"] * rate)
    new.setdefault("overrides", [])
    new["overrides"] = list(new["overrides"]) + [{
        "pathway": container.get("pathway"), "code": code, "old": old, "new": {"low": low, "high": high},
        "reason": reason.strip(), "by": by.strip(), "at": at,
    }]
    return new


def carry_overrides(previous: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any] | None:
    """`new` with the coordinator's overrides of `previous` applied again, in order.

    The dialogue estimates afresh each turn; a coordinator's range for an item stays the
    item's range while the same pathway still has that item. An override whose pathway
    or item is gone is left out of the new estimate (its history row stays with the case).
    """
    if not isinstance(new, dict) or "items" not in new or not isinstance(previous, dict):
        return new
    carried = new
    for change in previous.get("overrides") or []:
        if change in (carried.get("overrides") or []):
            continue
        try:
            carried = override_item(carried, change["code"], change["new"]["low"], change["new"]["high"],
                                    change["reason"], change["by"], at=change["at"], pathway=change.get("pathway"))
        except (KeyError, TypeError, ValueError):
            continue
    return carried
