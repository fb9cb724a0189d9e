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
from pathlib import Path
from typing import Any, Callable

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


class MessageCatalog:
    """Per-language catalogs of Jinja2 texts in `<directory>/<lang>.yml`, English for
    whatever a language lacks: the one mechanism for the bot's, the estimates' and the
    console's words. Files are validated once (non-empty strings, valid templates)."""

    def __init__(self, directory: Path, languages: Callable[[], list[str]] | None = None) -> None:
        self.directory = directory
        self._declared = languages

    def languages(self) -> list[str]:
        """The languages that have a file (of the declared ones, when declared)."""
        present = sorted(p.stem for p in self.directory.glob("*.yml"))
        return [lang for lang in self._declared() if lang in present] if self._declared else present

    def supported_language(self, language: str | None) -> str:
        """The language itself when we have texts for it, else English."""
        if isinstance(language, str) and (self.directory / f"{language}.yml").is_file():
            return language
        return DEFAULT_LANGUAGE

    def own(self, language: str) -> dict[str, str]:
        """A language's own texts only ({} when it has no file)."""
        path = self.directory / f"{language}.yml"
        return _load(path) if path.is_file() else {}

    def messages(self, language: str | None) -> dict[str, str]:
        """All texts of a language (flattened dotted keys), English for anything it lacks."""
        lang = self.supported_language(language)
        base = self.own(DEFAULT_LANGUAGE)
        return base if lang == DEFAULT_LANGUAGE else {**base, **self.own(lang)}

    def t(self, key: str, language: str | None, **params: Any) -> str:
        """The text `key` in `language` (English fallback), with Jinja2 parameters filled in."""
        texts = self.messages(language)
        if key not in texts:
            raise KeyError(f"no message {key!r}")
        return _template(texts[key]).render(**params)

    def check(self) -> list[str]:
        """Every language file parses and has exactly English's keys. Raises CatalogError."""
        english = set(self.own(DEFAULT_LANGUAGE))
        languages = self._declared() if self._declared else self.languages()
        for lang in languages:
            path = self.directory / f"{lang}.yml"
            keys = set(_load(path))
            if keys != english:
                missing = sorted(english - keys)
                extra = sorted(keys - english)
                raise CatalogError(f"{path}: keys differ from en.yml: missing {missing}, extra {extra}")
        return languages


@lru_cache(maxsize=4096)
def _template(source: str) -> jinja2.Template:
    return _env.from_string(source)


CATALOG = MessageCatalog(MESSAGES_DIR, vocab.languages)
supported_language = CATALOG.supported_language
messages = CATALOG.messages
t = CATALOG.t
check_messages = CATALOG.check


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


def territory_currency(country: str | None, on: _dt.date) -> str | None:
    """The first currency in use in an ISO 3166 country on a date (CLDR), or None.
    The date is an argument: estimates read no clock, so the same case always
    gives the same estimate (pricing passes the catalog's rates date)."""
    if not isinstance(country, str) or len(country) != 2:
        return None
    try:
        currencies = get_territory_currencies(country.upper(), on)
    except (KeyError, ValueError):
        return None
    return currencies[0] if currencies else None
