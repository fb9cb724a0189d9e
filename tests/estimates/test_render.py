"""Rendering per channel and language: content, locale formatting, escaping, WhatsApp limit."""
from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest
import yaml

from estimates import estimate, recommend, render_estimate, render_recommendation_line
from estimates.messages import MESSAGES_DIR, babel_locale, check_messages, money, t
from estimates.render import WHATSAPP_LIMIT, body_length
from estimates.vocabulary import languages
from tests.estimates.casebuild import make_case

CHANNELS = ["whatsapp", "simulator", "email", "email_html", "console"]


def _full(facts):
    case = make_case(facts)
    rec = recommend(case)
    return case, rec, estimate(case, rec)


@pytest.fixture(scope="module")
def car_t():
    return _full({"diagnosis.cancer_type": "large_b_cell_lymphoma", "history.disease_status": "relapsed",
                  "location.country": "NG", "language": "en"})


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_shows_the_required_parts(car_t, channel):
    case, rec, est = car_t
    text = render_estimate(case, rec, est, channel, "en")
    assert "CAR-T eligibility assessment" in text
    assert t("reason.R3_car_t", "en") in text
    assert "CAR-T cell therapy (drug only)" in text
    assert "USD" in text and "$" in text
    assert f"${est['total_low']:,}" in text and f"${est['total_high']:,}" in text
    assert "Nigerian Naira" in text  # the approximate local-currency total
    assert "5–10 business days" in text
    assert "Pathology (biopsy) report" in text  # a record still missing
    assert "indicative and itemised" in text and "no fees are added later" in text
    assert "within one business day" in text


def test_whatsapp_is_short_numbered_plain_text(car_t):
    case, rec, est = car_t
    text = render_estimate(case, rec, est, "whatsapp", "en")
    assert body_length(text) <= WHATSAPP_LIMIT
    assert "1. Our coordination fee: $" in text
    assert "<" not in text


def test_html_channels_escape_coordinator_text(car_t):
    case, rec, est = car_t
    from estimates import override_item
    est = override_item(est, "visa", 0, 0, "<script>alert(1)</script>", "<b>bob</b>", at="2026-11-27T10:00:00+00:00")
    html = render_estimate(case, rec, est, "console", "en")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;bob" in html
    assert 'class="overridden"' in html
    assert "R3_car_t: diagnosis.cancer_type=large_b_cell_lymphoma" in html
    assert html.startswith("<section") and html.endswith("</section>")
    email = render_estimate(case, rec, est, "email_html", "en")
    assert email.startswith("<div") and "<table" in email


def test_amounts_follow_the_locale(car_t):
    case, rec, est = car_t
    low = est["total_low"]
    assert money(low, "USD", "fr") in render_estimate(case, rec, est, "whatsapp", "fr")
    assert "\u202f" in money(12345, "USD", "fr") or "\xa0" in money(12345, "USD", "fr")  # French groups with a space
    assert money(2450000, "INR", "hi") == "₹24,50,000"  # Indian grouping in lakhs
    assert money(2400, "USD", "en") == "$2,400"
    assert str(babel_locale("zh-Hans")) == "zh_Hans_CN"
    assert str(babel_locale("zh-Hant")) == "zh_Hant_TW"
    assert str(babel_locale("tl")) == "fil"
    assert str(babel_locale("xx")) == "en"


@pytest.mark.parametrize("language", languages())
def test_each_language_renders_its_own_texts(language):
    case, rec, est = _full({"diagnosis.cancer_type": "ovarian", "history.disease_status": "progressing",
                            "language": language, "location.country": "BD"})
    text = render_estimate(case, rec, est, "whatsapp", language)
    assert t("pathway.clinical_trial_matching", language) in text
    assert t("text.indicative", language) in text
    assert t("text.coordinator", language) in text
    assert t("record.pathology_report", language) in text
    assert body_length(text) <= WHATSAPP_LIMIT
    if language != "en":
        assert t("text.coordinator", "en") not in text
        assert t("pathway.records_translation", language) in text  # the secondary pathway
    html = render_estimate(case, rec, est, "email_html", language)
    assert f'dir="{"rtl" if language in ("ar", "ur") else "ltr"}"' in html


def test_message_catalogs_have_the_same_keys_and_real_translations():
    assert check_messages() == languages()
    english = yaml.safe_load((MESSAGES_DIR / "en.yml").read_text(encoding="utf-8"))
    for language in languages():
        if language == "en":
            continue
        other = yaml.safe_load((MESSAGES_DIR / f"{language}.yml").read_text(encoding="utf-8"))
        assert other["note"] != english["note"], language
        same = [k for k in english["reason"] if other["reason"][k] == english["reason"][k]]
        assert not same, (language, same)


def test_red_flag_renders_without_prices():
    case, rec, est = _full({"safety.red_flags": ["breathing_difficulty"], "language": "sw"})
    assert est is None
    text = render_estimate(case, rec, None, "whatsapp", "sw")
    assert text == t("text.no_pathway", "sw")
    assert "$" not in render_estimate(case, rec, None, "console", "en")


def test_recommendation_line():
    rec = recommend(make_case({"diagnosis.cancer_type": "pancreatic", "history.told_inoperable": True}))
    line = render_recommendation_line(rec, "en")
    assert line.startswith("Recommended: Surgical review")
    assert "cannot be operated on" in line
    assert render_recommendation_line(rec, "ru").startswith("Рекомендуем:")
    assert render_recommendation_line({"primary": None, "secondary": [], "reasons": []}, "en") == t("text.no_pathway", "en")
    assert render_recommendation_line(None, None) == t("text.no_pathway", "en")


def test_whatsapp_falls_back_to_a_compact_layout_when_too_long(car_t):
    case, rec, est = car_t
    big = copy.deepcopy(est)
    big["items"] = [dict(big["items"][0], code=f"extra_{n}") for n in range(60)]
    big["total_low"] = sum(i["low"] for i in big["items"])
    big["total_high"] = sum(i["high"] for i in big["items"])
    full = render_estimate(case, rec, big, "email", "ta")
    compact = render_estimate(case, rec, big, "whatsapp", "ta")
    assert body_length(full) > WHATSAPP_LIMIT
    assert body_length(compact) <= WHATSAPP_LIMIT
    assert t("item.facilitation_fee", "ta") not in compact  # item lines dropped, totals kept
    assert t("text.total", "ta", amount="").split(":")[0] in compact
    assert t("text.indicative", "ta") in compact and t("text.coordinator", "ta") in compact


def test_unknown_channel_is_an_error(car_t):
    case, rec, est = car_t
    with pytest.raises(ValueError, match="unknown channel"):
        render_estimate(case, rec, est, "fax", "en")


def test_unknown_language_falls_back_to_english(car_t):
    case, rec, est = car_t
    assert render_estimate(case, rec, est, "whatsapp", "xx") == render_estimate(case, rec, est, "whatsapp", "en")


def test_no_user_facing_string_literals_in_python_code():
    """Texts live in messages/<lang>.yml; Python strings are codes, keys, paths and developer errors."""
    package = Path(__file__).resolve().parents[2] / "estimates"
    from estimates.messages import messages

    english = set(messages("en").values())
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if " " in node.value:  # single words are codes (e.g. set_by 'centre')
                    assert node.value not in english, (path.name, node.value)
                assert "no fees are added later" not in node.value, (path.name, node.value)
                assert "business day" not in node.value, (path.name, node.value)


def test_unpriced_centre_list_is_titled_as_search_regions():
    case, rec, est = _full({"diagnosis.cancer_type": "ovarian", "history.disease_status": "progressing", "language": "en"})
    text = render_estimate(case, rec, est, "email", "en")
    assert t("text.search_heading", "en") in text
    assert t("text.centres_heading", "en") not in text
    assert "Cancer centre, United States" in text
