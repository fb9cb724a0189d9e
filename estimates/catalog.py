"""The versioned price catalog: load, validate, normalise.

`load_catalog` refuses a catalog with a missing field, a negative price, a low
above its high, or a code the vocabulary does not know, so that the figures a
patient sees always come from a file that passed these checks.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

from . import vocabulary as vocab
from .datafile import PACKAGE_DIR, Checker, cached_validated, private_copy

CATALOG_PATH = PACKAGE_DIR / "catalog.yml"

UNITS = ("flat", "per_page", "per_word", "per_night", "per_day", "per_person")
SET_BY = ("organisation", "centre", "third_party")
CHOICES = ("default", "most_affordable")
LOGISTIC_ITEMS = ("travel", "visa", "accommodation", "local_transport", "interpreter")

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def to_usd(amount: float, currency: str, rates: dict[str, float]) -> float:
    """Convert an amount in `currency` to the catalog currency (rates are units per 1 base unit)."""
    return amount / rates[currency]


def _check_fits(ck: Checker, fits: Any, entry: str) -> None:
    fits = ck.mapping(fits, entry)
    unknown_keys = set(fits) - {"groups", "cancer_types"}
    if unknown_keys:
        ck.fail(entry, f"unknown key(s) {sorted(unknown_keys)}")
    if not fits:
        ck.fail(entry, "must name 'groups' or 'cancer_types'")
    if "groups" in fits:
        ck.codes(fits["groups"], vocab.cancer_groups(), f"{entry}.groups", "cancer group")
    if "cancer_types" in fits:
        ck.codes(fits["cancer_types"], vocab.cancer_types(), f"{entry}.cancer_types", "cancer type")


def _check_item(ck: Checker, item: Any, entry: str) -> None:
    item = ck.mapping(item, entry)
    code = item.get("code")
    where = f"{entry} ({code})" if isinstance(code, str) else entry
    ck.text(item, "code", where)
    ck.text(item, "label", where)
    unit = ck.text(item, "unit", where)
    if unit not in UNITS:
        ck.fail(where, f"unknown unit {unit!r} (one of {', '.join(UNITS)})")
    ck.range(item, where)
    set_by = ck.text(item, "set_by", where)
    if set_by not in SET_BY:
        ck.fail(where, f"unknown set_by {set_by!r} (one of {', '.join(SET_BY)})")
    if unit == "flat":
        if "quantity" in item:
            ck.fail(where, "a flat item takes no quantity")
    else:
        ck.range(ck.require(item, "quantity", where), f"{where}.quantity", integer=True)


def _check_timeline(ck: Checker, timeline: Any, entry: str) -> None:
    low, high = ck.range(timeline, entry, integer=True)
    business = ck.require(timeline, "business_days", entry)
    if not isinstance(business, bool):
        ck.fail(entry, "field 'business_days' must be true or false")
    if "rare_high" in timeline:
        rare = ck.number(timeline, "rare_high", entry, integer=True)
        if rare < high:
            ck.fail(entry, f"rare_high {rare} < high {high}")


def _check_centre_fee(ck: Checker, fee: Any, entry: str, centres: dict, rates: dict) -> None:
    fee = ck.mapping(fee, entry)
    ck.text(fee, "code", entry)
    ck.text(fee, "label", entry)
    set_by = ck.text(fee, "set_by", entry)
    if set_by not in SET_BY:
        ck.fail(entry, f"unknown set_by {set_by!r}")
    choose = ck.text(fee, "choose", entry)
    if choose not in CHOICES:
        ck.fail(entry, f"unknown choose {choose!r} (one of {', '.join(CHOICES)})")
    options = ck.seq(ck.require(fee, "options", entry), f"{entry}.options")
    if not options:
        ck.fail(f"{entry}.options", "needs at least one option")
    seen: set[str] = set()
    for i, option in enumerate(options):
        opt_entry = f"{entry}.options[{i}]"
        option = ck.mapping(option, opt_entry)
        centre = ck.text(option, "centre", opt_entry)
        opt_entry = f"{opt_entry} ({centre})"
        if centre not in centres:
            ck.fail(opt_entry, f"unknown centre {centre!r}")
        if centre in seen:
            ck.fail(opt_entry, f"centre {centre!r} listed twice")
        seen.add(centre)
        price = ck.mapping(ck.require(option, "price", opt_entry), f"{opt_entry}.price")
        currency = ck.text(price, "currency", f"{opt_entry}.price")
        if currency not in rates:
            ck.fail(f"{opt_entry}.price", f"currency {currency!r} has no exchange rate")
        ck.range(price, f"{opt_entry}.price")
        if "fits" in option:
            _check_fits(ck, option["fits"], f"{opt_entry}.fits")
    if choose == "default":
        default = ck.text(fee, "default", entry)
        if default not in seen:
            ck.fail(entry, f"default centre {default!r} is not one of the options")


def _check_rates(ck: Checker, data: dict, base: str) -> dict[str, float]:
    rates = ck.mapping(ck.require(data, "rates", "rates"), "rates")
    for code in rates:
        if not isinstance(code, str) or not _CURRENCY.match(code):
            ck.fail(f"rates.{code}", "not an ISO 4217 currency code")
        value = rates[code]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            ck.fail(f"rates.{code}", f"rate must be a positive number, got {value!r}")
    if rates.get(base) != 1:
        ck.fail(f"rates.{base}", "the catalog currency must have rate 1")
    rates_date = ck.require(data, "rates_date", "rates_date")
    if isinstance(rates_date, _dt.date):
        rates_date = rates_date.isoformat()
    try:
        _dt.date.fromisoformat(str(rates_date))
    except ValueError:
        ck.fail("rates_date", f"not an ISO date: {rates_date!r}")
    data["rates_date"] = str(rates_date)
    return rates


def _validate(path: str, raw: Any) -> dict[str, Any]:
    ck = Checker(path)
    data = ck.mapping(raw, "catalog")
    data = private_copy(data)
    ck.text(data, "version", "version")
    currency = ck.text(data, "currency", "currency")
    if not _CURRENCY.match(currency):
        ck.fail("currency", f"not an ISO 4217 code: {currency!r}")
    rates = _check_rates(ck, data, currency)

    ck.codes(data.get("rare_cancer_types", []), vocab.cancer_types(), "rare_cancer_types", "cancer type")

    centres = ck.mapping(ck.require(data, "centres", "centres"), "centres")
    for cid, centre in centres.items():
        entry = f"centres.{cid}"
        centre = ck.mapping(centre, entry)
        country = ck.text(centre, "country", entry)
        if not _COUNTRY.match(country):
            ck.fail(entry, f"country {country!r} is not ISO 3166-1 alpha-2")
        ck.text(centre, "label", entry)
        _check_fits(ck, ck.require(centre, "fits", entry), f"{entry}.fits")

    logistics = ck.mapping(data.get("logistics") or {}, "logistics")
    for country, costs in logistics.items():
        entry = f"logistics.{country}"
        costs = ck.mapping(costs, entry)
        ck.codes(ck.require(costs, "languages", entry), vocab.languages(), f"{entry}.languages", "language")
        for name in LOGISTIC_ITEMS:
            ck.range(ck.require(costs, name, entry), f"{entry}.{name}")
        ck.range(ck.require(costs["travel"], "domestic", f"{entry}.travel"), f"{entry}.travel.domestic")

    pathways = ck.mapping(ck.require(data, "pathways", "pathways"), "pathways")
    known = vocab.pathway_codes()
    for code in pathways:
        if code not in known:
            ck.fail(f"pathways.{code}", f"unknown pathway code {code!r}")
    for code in known:
        if code not in pathways:
            ck.fail(f"pathways.{code}", "missing: every vocabulary pathway needs an entry")
    for code, pathway in pathways.items():
        entry = f"pathways.{code}"
        pathway = ck.mapping(pathway, entry)
        ck.text(pathway, "label", entry)
        _check_timeline(ck, ck.require(pathway, "timeline", entry), f"{entry}.timeline")
        items = ck.seq(ck.require(pathway, "items", entry), f"{entry}.items")
        codes: set[str] = set()
        for i, item in enumerate(items):
            _check_item(ck, item, f"{entry}.items[{i}]")
            if item["code"] in codes:
                ck.fail(f"{entry}.items[{i}] ({item['code']})", "duplicate item code")
            codes.add(item["code"])
        if "centre_fee" in pathway:
            _check_centre_fee(ck, pathway["centre_fee"], f"{entry}.centre_fee", centres, rates)
            if pathway["centre_fee"]["code"] in codes:
                ck.fail(f"{entry}.centre_fee", "code repeats an item code")
        if "logistics" in pathway:
            lg_entry = f"{entry}.logistics"
            lg = ck.mapping(pathway["logistics"], lg_entry)
            travellers = ck.number(lg, "travellers", lg_entry, integer=True)
            if travellers < 1:
                ck.fail(lg_entry, "travellers must be at least 1")
            for key in ("nights", "days", "interpreter_days"):
                ck.range(ck.require(lg, key, lg_entry), f"{lg_entry}.{key}", integer=True)
            if "centre_fee" not in pathway:
                ck.fail(lg_entry, "logistics need a centre_fee with centre options")
            for option in pathway["centre_fee"]["options"]:
                country = centres[option["centre"]]["country"]
                if country not in logistics:
                    ck.fail(lg_entry, f"no logistics costs for centre country {country!r}")
        if "centres" in pathway:
            ck.codes(pathway["centres"], centres, f"{entry}.centres", "centre")
    return data


_load = cached_validated(_validate)


def load_catalog(path: Path | str | None = None) -> dict[str, Any]:
    """The validated catalog as a dict (a private copy; cached while the file is unchanged).

    Raises CatalogError naming the file and the entry on any problem.
    """
    return private_copy(_load(path or CATALOG_PATH))


def catalog(path: Path | str | None = None) -> dict[str, Any]:
    """Shared read-only view of the catalog for this package's own code (do not mutate)."""
    return _load(path or CATALOG_PATH)


def validate_catalog(path: Path | str | None = None) -> str:
    """Check a catalog file; return its version or raise CatalogError."""
    return str(_load(path or CATALOG_PATH)["version"])
