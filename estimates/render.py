"""Render a recommendation and its estimate for a channel, in the patient's language.

Python builds a view of already-localised strings (message catalogs and
Babel); the Jinja2 templates in templates/ only lay them out per channel.
WhatsApp texts must stay within Twilio's 1600-character body limit, so when
the full layout would be longer a compact layout (totals only) is used.
"""
from __future__ import annotations

from typing import Any

import jinja2

from . import messages as msg
from .datafile import PACKAGE_DIR
from .records import records_missing
from .rules import rule_id

TEMPLATES_DIR = PACKAGE_DIR / "templates"
WHATSAPP_LIMIT = 1600  # Twilio caps a WhatsApp body at 1600 characters (DESIGN 3)

CHANNEL_TEMPLATES = {
    "whatsapp": "whatsapp.txt",
    "simulator": "whatsapp.txt",
    "email": "email.txt",
    "email_html": "email.html",
    "console": "console.html",
}

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    undefined=jinja2.StrictUndefined,
)


def body_length(text: str) -> int:
    """Length as Twilio counts it (UTF-16 code units), never less than the code points."""
    return max(len(text), len(text.encode("utf-16-le")) // 2)


def _reason_key(recommendation: dict[str, Any] | None) -> str | None:
    reasons = (recommendation or {}).get("reasons") or []
    if not reasons:
        return None
    key = f"reason.{rule_id(reasons[0])}"
    return key if key in msg.messages(msg.DEFAULT_LANGUAGE) else None


def _pathway_name(code: str | None, language: str) -> str | None:
    if not code:
        return None
    key = f"pathway.{code}"
    return msg.t(key, language) if key in msg.messages(language) else code


def render_recommendation_line(recommendation: dict[str, Any] | None, language: str | None) -> str:
    """One short line: the recommended pathway and why, in plain words (or the no-pathway line)."""
    lang = msg.supported_language(language)
    primary = (recommendation or {}).get("primary")
    if not primary:
        return msg.t("text.no_pathway", lang)
    reason_key = _reason_key(recommendation)
    reason = msg.t(reason_key, lang) if reason_key else ""
    return msg.t("text.recommendation_line", lang, pathway=_pathway_name(primary, lang), reason=reason).strip()


def _label(item: dict[str, Any], language: str) -> str:
    key = item.get("label_key")
    if isinstance(key, str) and key in msg.messages(language):
        return msg.t(key, language)
    return str(item.get("label") or item.get("code"))


def _items_view(items: list[dict[str, Any]], currency: str, language: str) -> list[dict[str, Any]]:
    view = []
    for item in items:
        quantity = None
        q = item.get("quantity")
        unit_key = f"unit.{item.get('unit')}"
        if isinstance(q, dict) and unit_key in msg.messages(language):
            quantity = msg.t(unit_key, language, low=msg.number(q["low"], language), high=msg.number(q["high"], language))
        set_by_key = f"set_by.{item.get('set_by')}"
        label = _label(item, language)
        amount = msg.money_range(item["low"], item["high"], currency, language)
        view.append({
            "label": label,
            "amount": amount,
            "line": msg.t("fmt.label_value", language, label=label, value=amount),
            "quantity": quantity,
            "set_by": msg.t(set_by_key, language) if set_by_key in msg.messages(language) else "",
            "overridden": bool(item.get("overridden")),
        })
    return view


def _timeline(timeline: dict[str, Any], language: str) -> str:
    days = msg.t("fmt.days", language, low=msg.number(timeline["low"], language),
                 high=msg.number(timeline["high"], language))
    key = "text.timeline_business" if timeline.get("business_days") else "text.timeline_days"
    return msg.t(key, language, days=days)


def _block_view(block: dict[str, Any], language: str) -> dict[str, Any]:
    currency = block["currency"]
    centres = []
    for c in block.get("centres") or []:
        amount = None
        if "total_low" in c:
            amount = msg.money_range(c["total_low"], c["total_high"], currency, language)
        name = msg.t("text.centre_name", language, centre=msg.t(c["label_key"], language),
                     country=msg.country_name(c["country"], language) or c["country"])
        centres.append({
            "text": msg.t("text.centre_line", language, name=name, amount=amount) if amount else name,
            "selected": bool(c.get("selected")),
            "priced": amount is not None,
        })
    return {
        "pathway": _pathway_name(block.get("pathway"), language),
        "heading": msg.t("text.estimate_heading", language, currency=currency),
        "items": _items_view(block["items"], currency, language),
        "total": msg.t("text.total", language,
                       amount=msg.money_range(block["total_low"], block["total_high"], currency, language)),
        "timeline": _timeline(block["timeline_days"], language),
        "centres": centres,
        "priced_centres": sum(1 for c in centres if c["priced"]),
        "centres_heading": msg.t("text.centres_heading" if any(c["priced"] for c in centres) else "text.search_heading",
                                 language),
    }


def _view(case: dict[str, Any], recommendation: dict[str, Any] | None, estimate: dict[str, Any] | None,
          language: str) -> dict[str, Any]:
    primary = (recommendation or {}).get("primary")
    reason_key = _reason_key(recommendation)
    missing = records_missing(case, recommendation)
    view: dict[str, Any] = {
        "lang": language,
        "dir": msg.text_direction(language),
        "has_pathway": bool(primary),
        "recommended": msg.t("text.recommended", language, pathway=_pathway_name(primary, language)) if primary else None,
        "reason": msg.t(reason_key, language) if reason_key else None,
        "no_pathway": msg.t("text.no_pathway", language),
        "records_heading": msg.t("text.records_heading", language),
        "records": [msg.t(f"record.{k}", language) for k in missing],
        "records_complete": msg.t("text.records_complete", language),
        "indicative": msg.t("text.indicative", language),
        "coordinator": msg.t("text.coordinator", language),
        "in_estimate": msg.t("text.in_estimate", language),
        "col_item": msg.t("text.col_item", language),
        "col_amount": msg.t("text.col_amount", language),
        "col_set_by": msg.t("text.col_set_by", language),
        "reasons": list((recommendation or {}).get("reasons") or []),
        "estimate": None,
        "local": None,
        "secondary": [],
        "price_list": None,
        "overrides_heading": msg.t("text.overrides_heading", language),
        "overrides": [],
    }
    if estimate:
        view["estimate"] = _block_view(estimate, language)
        view["price_list"] = msg.t("text.price_list", language, version=estimate.get("catalog_version", ""))
        local = estimate.get("local")
        if local:
            view["local"] = msg.t(
                "text.local", language,
                amount=msg.money_range(local["total_low"], local["total_high"], local["currency"], language),
                currency=msg.currency_name(local["currency"], language),
                date=msg.date(local["rate_date"], language))
        for sec in estimate.get("secondary") or []:
            block = _block_view(sec, language)
            block["heading_also"] = msg.t("text.also", language, pathway=block["pathway"])
            view["secondary"].append(block)
        currency = estimate["currency"]
        labels = {i.get("code"): i for i in estimate["items"]}
        for sec in estimate.get("secondary") or []:
            for i in sec["items"]:
                labels.setdefault(i.get("code"), i)
        for o in estimate.get("overrides") or []:
            item = labels.get(o.get("code"), {"code": o.get("code")})
            view["overrides"].append(msg.t(
                "text.override_line", language, item=_label(item, language),
                old=msg.money_range(o["old"]["low"], o["old"]["high"], currency, language),
                new=msg.money_range(o["new"]["low"], o["new"]["high"], currency, language),
                reason=o.get("reason", ""), by=o.get("by", "")))
    return view


def render_estimate(case: dict[str, Any] | None, recommendation: dict[str, Any] | None,
                    estimate: dict[str, Any] | None, channel: str, language: str | None) -> str:
    """The recommendation, itemised estimate, local-currency total, timeline, missing records
    and the indicative / no-added-fees / coordinator statements, laid out for `channel`."""
    if channel not in CHANNEL_TEMPLATES:
        raise ValueError(f"unknown channel {channel!r} (one of {', '.join(CHANNEL_TEMPLATES)})")
    lang = msg.supported_language(language)
    view = _view(case if isinstance(case, dict) else {}, recommendation, estimate, lang)
    text = _env.get_template(CHANNEL_TEMPLATES[channel]).render(compact=False, **view).strip()
    if channel in ("whatsapp", "simulator") and body_length(text) > WHATSAPP_LIMIT:
        text = _env.get_template("whatsapp.txt").render(compact=True, **view).strip()
    return text
