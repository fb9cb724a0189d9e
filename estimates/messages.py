"""Texts of the estimates package, per language (messages/<lang>.yml), and
locale-aware formatting with Babel.

All user-facing words live in the message catalogs, never in Python code;
amounts, dates and country names come from CLDR through Babel so each patient
reads them the way their language writes them.
"""
from __future__ import annotations

import copy
import datetime as _dt
from functools import lru_cache
from typing import Any

import jinja2
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, get_territory_currencies

from . import vocabulary as vocab
from .datafile import PACKAGE_DIR, CatalogError, Checker, cached_validated

MESSAGES_DIR = PACKAGE_DIR / "messages"
DEFAULT_LANGUAGE = "en"

# Our BCP 47 codes -> Babel locales (DESIGN 6.5); the rest map directly.
_BABEL_LOCALES = {"zh-Hans": "zh_Hans_CN", "zh-Hant": "zh_Hant_TW", "tl": "fil"}

_env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=False)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{full}."))
        else:
            out[full] = value
    return out


def _validate(path: str, raw: Any) -> dict[str, str]:
    ck = Checker(path)
    flat = _flatten(ck.mapping(raw, "messages"))
    for key, value in flat.items():
        if not isinstance(value, str) or not value.strip():
            ck.fail(key, "must be a non-empty string")
        try:
            _env.parse(value)
        except jinja2.TemplateSyntaxError as exc:
            ck.fail(key, f"bad template: {exc}")
    return flat


_load = cached_validated(_validate)


@lru_cache(maxsize=1)
def _available() -> frozenset[str]:
    return frozenset(lang for lang in vocab.languages() if (MESSAGES_DIR / f"{lang}.yml").exists())


def supported_language(language: str | None) -> str:
    """The language itself when we have texts for it, else English."""
    if isinstance(language, str) and language in _available():
        return language
    return DEFAULT_LANGUAGE


def messages(language: str | None) -> dict[str, str]:
    """All texts of a language (flattened dotted keys), English for anything it lacks."""
    lang = supported_language(language)
    base = _load(MESSAGES_DIR / f"{DEFAULT_LANGUAGE}.yml")
    if lang == DEFAULT_LANGUAGE:
        return base
    merged = dict(base)
    merged.update(_load(MESSAGES_DIR / f"{lang}.yml"))
    return merged


@lru_cache(maxsize=4096)
def _template(source: str) -> jinja2.Template:
    return _env.from_string(source)


def t(key: str, language: str | None, **params: Any) -> str:
    """The text `key` in `language` (English fallback), with Jinja2 parameters filled in."""
    texts = messages(language)
    if key not in texts:
        raise KeyError(f"no message {key!r}")
    return _template(texts[key]).render(**params)


def check_messages() -> list[str]:
    """Every language file: parse it and compare its keys with English. Raises CatalogError."""
    english = set(_load(MESSAGES_DIR / f"{DEFAULT_LANGUAGE}.yml"))
    for lang in vocab.languages():
        path = MESSAGES_DIR / f"{lang}.yml"
        keys = set(_load(path))
        if keys != english:
            missing = sorted(english - keys)
            extra = sorted(keys - english)
            raise CatalogError(f"{path}: keys differ from en.yml: missing {missing}, extra {extra}")
    return vocab.languages()


def babel_locale(language: str | None) -> Locale:
    lang = supported_language(language)
    return Locale.parse(_BABEL_LOCALES.get(lang, lang))


def money(amount: float, currency: str, language: str | None) -> str:
    """An amount in whole units, formatted for the language (Babel, CLDR patterns)."""
    locale = babel_locale(language)
    pattern = copy.copy(locale.currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    return pattern.apply(round(amount), locale, currency=currency, currency_digits=False)


def money_range(low: float, high: float, currency: str, language: str | None) -> str:
    if round(low) == round(high):
        return money(low, currency, language)
    return t("fmt.range", language, low=money(low, currency, language), high=money(high, currency, language))


def number(value: float, language: str | None) -> str:
    return format_decimal(value, locale=babel_locale(language))


def date(value: str | _dt.date, language: str | None) -> str:
    if isinstance(value, str):
        value = _dt.date.fromisoformat(value)
    return format_date(value, "medium", locale=babel_locale(language))


def country_name(code: str | None, language: str | None) -> str | None:
    if not isinstance(code, str):
        return None
    return babel_locale(language).territories.get(code.upper())


def currency_name(code: str, language: str | None) -> str:
    return babel_locale(language).currencies.get(code, code)


def text_direction(language: str | None) -> str:
    return babel_locale(language).text_direction


def territory_currency(country: str | None) -> str | None:
    """The first currency in use in an ISO 3166 country today (CLDR), or None."""
    if not isinstance(country, str) or len(country) != 2:
        return None
    try:
        currencies = get_territory_currencies(country.upper(), _dt.date.today())
    except (KeyError, ValueError):
        return None
    return currencies[0] if currencies else None
