"""Checks of the bot's message catalogs and of the NLU training data.

* dialogs/messages/<lang>.yml: one catalog per supported language, with the
  same keys as en.yml; every value is a Jinja2 template that renders with the
  documented parameters, keeps the placeholders of the English text and, for
  the service menu, the numbered lines 1-8 that patients answer with.
* dialogs/data/nlu.yml: Rasa 3.x NLU data; every intent has examples in all
  16 languages (checked by script for the non-Latin languages), and no
  example text occurs twice (Rasa rejects the same text under two intents).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MESSAGES_DIR = ROOT / "dialogs" / "messages"
NLU_FILE = ROOT / "dialogs" / "data" / "nlu.yml"

LANGUAGES = (
    "en", "ar", "bn", "hi", "ur", "zh-Hans", "zh-Hant", "tr",
    "fr", "ru", "sw", "tl", "ta", "si", "ne", "gu",
)
TRANSLATIONS = tuple(lang for lang in LANGUAGES if lang != "en")
# Written in Latin letters: only counted together in the NLU check.
LATIN_LANGUAGES = ("en", "tr", "fr", "sw", "tl")
NON_LATIN_LANGUAGES = tuple(lang for lang in LANGUAGES if lang not in LATIN_LANGUAGES)

PARAMS = {"org": "X", "name": "Y", "privacy_url": "https://x", "count": 2, "service": "S", "price": "P", "timeline": "T", "previous": "R", "countries": "C", "country": "K", "number": "112", "items": "I", "email": "E", "about": "A", "services": "V", "line": "L"}
DOCUMENTED_PARAMS = {"org", "name", "privacy_url", "count", "service_menu", "service", "price", "timeline", "previous", "countries", "country", "number", "items", "email", "about", "services", "line"}

INTENTS = ("greet", "affirm", "deny", "inform", "request_human", "stop", "thanks",
           "ask_cost", "ask_duration", "ask_organisation", "ask_hospitals", "ask_privacy", "ask_travel")
MIN_PER_LANGUAGE = 4
# Intents that need more variety than a handful of set phrases.
MIN_PER_LANGUAGE_RICH = {"inform": 8, "request_human": 6}


# --------------------------------------------------------------------------
# Script / language heuristics (deliberately simple: lower bounds only)
# --------------------------------------------------------------------------

# Letters used by Urdu but not by Arabic (Arabic writes ي ك ه instead of ی ک ہ).
URDU_LETTERS = frozenset("ٹڈڑںےۓہھیکگچپژ")
ARABIC_ONLY_LETTERS = frozenset("يك")

# Simplified/Traditional pairs of characters that are only used in one of the
# two standards (characters shared by both, such as 台 系 里 干, are left out).
_SIMP_TRAD_PAIRS = (
    "们們 谢謝 请請 问問 话話 说說 这這 个個 没沒 题題 对對 为為 医醫 疗療 诊診 断斷"
    " 国國 岁歲 发發 过過 还還 联聯 务務 员員 让讓 吗嗎 转轉 别別 订訂 阅閱 确確 项項"
    " 妈媽 亲親 广廣 术術 后後 开開 马馬 质質 线線 两兩 复復 机機 协協 调調 询詢 扰擾"
    " 帮幫 传傳 讯訊 见見 给給 经經 时時 间間 么麼 肿腫 肠腸 处處 师師 门門 关關 长長"
    " 东東 当當 会會 应應 该該 与與 从從 将將 进進 难難 头頭 验驗 检檢 报報 号號 码碼"
    " 记記 录錄 资資 译譯 书書 电電 邮郵 贵貴 钱錢 费費 实實 际際 体體 态態 续續 约約"
    " 级級 语語 写寫 读讀 证證 选選 择擇 种種 类類 动動 办辦 络絡 药藥 试試 临臨 儿兒"
    " 爷爺 删刪 档檔 现現 获獲 欢歡 护護 据據 隐隱 来來 愿願 错錯 继繼 专專 历歷 啰囉"
    " 节節 评評 远遠 诉訴 紧緊 热熱 况況 团團 谁誰 边邊 认認 识識"
)
SIMPLIFIED_ONLY = frozenset(p[0] for p in _SIMP_TRAD_PAIRS.split())
TRADITIONAL_ONLY = frozenset(p[1] for p in _SIMP_TRAD_PAIRS.split())

# Hindi and Nepali share Devanagari: tell them apart by function words.
HINDI_TOKENS = frozenset(
    "है हैं हूँ हूं हाँ हां नहीं मैं मुझे मेरे मेरा हम हमें हमारे हमारी हमारा करें कीजिए"
    " दीजिए चाहिए जी आप आपको आपकी आपका आपके क्या कोई था थे थी रहा रही रहे गया गई गए"
    " हुआ".split()
)
NEPALI_TOKENS = frozenset(
    "छ छु छन् छौं छौँ छैन छैनौं छैनन् हजुर होइन म मलाई मेरो हाम्रो हामी तपाईं तपाईँ"
    " दाइ दिदी भयो पर्दैन हुँदैन धेरै लागि ठिक कुनै पनि कोही हौं हुन्छ".split()
)
NEPALI_SUFFIXES = (
    "हुन्छ", "नुहोस्", "लाई", "हरू", "न्छ", "न्छु", "न्छौं", "न्नँ", "सँग", "छौं",
    "दैन", "नुभयो", "एको",
)
NEPALI_PREFIXES = ("तपाईं", "हाम्रो", "हामी")
_DEVANAGARI_WORD = re.compile(r"[\u0900-\u097F]+")


def _has(text: str, lo: int, hi: int) -> bool:
    return any(lo <= ord(ch) <= hi for ch in text)


def _devanagari_language(text: str) -> str | None:
    tokens = _DEVANAGARI_WORD.findall(text)
    for tok in tokens:
        if (
            tok in NEPALI_TOKENS
            or tok.endswith(NEPALI_SUFFIXES)
            or tok.startswith(NEPALI_PREFIXES)
        ):
            return "ne"
    if any(tok in HINDI_TOKENS for tok in tokens):
        return "hi"
    return None


def _chinese_language(text: str) -> str | None:
    simplified = sum(ch in SIMPLIFIED_ONLY for ch in text)
    traditional = sum(ch in TRADITIONAL_ONLY for ch in text)
    if simplified > traditional:
        return "zh-Hans"
    if traditional > simplified:
        return "zh-Hant"
    return None  # "你好", "同意": valid in both


def script_language(text: str) -> str | None:
    """The language a text's script points to; 'latin' for Latin letters;
    None when the script cannot tell (e.g. digits only, shared Han text)."""
    if _has(text, 0x0980, 0x09FF):
        return "bn"
    if _has(text, 0x0A80, 0x0AFF):
        return "gu"
    if _has(text, 0x0B80, 0x0BFF):
        return "ta"
    if _has(text, 0x0D80, 0x0DFF):
        return "si"
    if _has(text, 0x0900, 0x097F):
        return _devanagari_language(text)
    if _has(text, 0x0600, 0x06FF) or _has(text, 0xFB50, 0xFDFF) or _has(text, 0xFE70, 0xFEFF):
        return "ur" if any(ch in URDU_LETTERS for ch in text) else "ar"
    if _has(text, 0x0400, 0x04FF):
        return "ru"
    if _has(text, 0x4E00, 0x9FFF) or _has(text, 0x3400, 0x4DBF):
        return _chinese_language(text)
    if any(ch.isalpha() and "LATIN" in unicodedata.name(ch, "") for ch in text):
        return "latin"
    return None


def test_script_language_heuristics() -> None:
    assert script_language("السلام عليكم") == "ar"
    assert script_language("السلام علیکم") == "ur"
    assert script_language("मुझे इंसान से बात करनी है") == "hi"
    assert script_language("मलाई मान्छेसँग कुरा गर्नु छ") == "ne"
    assert script_language("请帮我转人工") == "zh-Hans"
    assert script_language("請幫我轉人工") == "zh-Hant"
    assert script_language("你好") is None
    assert script_language("নমস্কার") == "bn"
    assert script_language("વાત") == "gu"
    assert script_language("நன்றி") == "ta"
    assert script_language("ස්තූතියි") == "si"
    assert script_language("спасибо") == "ru"
    assert script_language("salamat po") == "latin"
    assert script_language("8") is None


# --------------------------------------------------------------------------
# Message catalogs
# --------------------------------------------------------------------------

ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)


def load_catalog(lang: str) -> dict:
    path = MESSAGES_DIR / f"{lang}.yml"
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict), f"{path.name} is not a mapping"
    return data


def placeholders(template: str) -> set[str]:
    return set(jinja2.meta.find_undeclared_variables(ENV.parse(template)))


@pytest.fixture(scope="module")
def english() -> dict:
    return load_catalog("en")


def test_all_languages_have_a_catalog() -> None:
    missing = [lang for lang in LANGUAGES if not (MESSAGES_DIR / f"{lang}.yml").is_file()]
    assert not missing, f"missing catalogs: {missing}"


def test_english_catalog_uses_only_documented_parameters(english: dict) -> None:
    for key, value in english.items():
        assert isinstance(value, str) and value.strip(), key
        assert placeholders(value) <= DOCUMENTED_PARAMS, key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_same_keys_as_english(lang: str, english: dict) -> None:
    catalog = load_catalog(lang)
    assert set(catalog) == set(english), (
        f"{lang}: missing {sorted(set(english) - set(catalog))}, "
        f"extra {sorted(set(catalog) - set(english))}"
    )
    for key, value in catalog.items():
        assert isinstance(value, str) and value.strip(), f"{lang}.{key} is empty or not text"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_value_renders(lang: str) -> None:
    catalog = load_catalog(lang)
    for key, value in catalog.items():
        for params in (PARAMS, {**PARAMS, "name": ""}):
            try:
                text = ENV.from_string(value).render(**params)
            except jinja2.TemplateError as exc:  # syntax error or unknown variable
                pytest.fail(f"{lang}.{key} does not render: {exc}")
            assert "{{" not in text and "{%" not in text, f"{lang}.{key}"
            assert text.strip(), f"{lang}.{key} renders empty"
        rendered = ENV.from_string(value).render(**PARAMS)
        for name, marker in (("org", "X"), ("privacy_url", "https://x"), ("count", "2")):
            if name in placeholders(value):
                assert marker in rendered, f"{lang}.{key} drops {name}"


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_placeholders_match_english(lang: str, english: dict) -> None:
    catalog = load_catalog(lang)
    for key, en_value in english.items():
        expected = placeholders(en_value)
        found = placeholders(catalog.get(key, ""))
        assert found == expected, f"{lang}.{key}: placeholders {sorted(found)} != {sorted(expected)}"
        # {% if name %} ... {% endif %} keeps the greeting right without a name.
        if "{% if name %}" in en_value and key in catalog:
            assert "{% if name %}" in catalog[key], f"{lang}.{key} lost the name condition"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_service_menu_keeps_numbers_one_to_eight(lang: str) -> None:
    text = ENV.from_string(load_catalog(lang)["ask_requested_service"]).render(**PARAMS)
    numbered = [
        match.group(1)
        for line in text.splitlines()
        if (match := re.match(r"^(\d+)\.\s*\S", line.strip()))
    ]
    assert numbered == [str(n) for n in range(1, 9)], f"{lang}: menu lines {numbered}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_consent_texts_keep_yes_and_no(lang: str) -> None:
    catalog = load_catalog(lang)
    for key in ("consent_question", "consent_reask"):
        assert re.search(r"\bYES\b", catalog[key]), f"{lang}.{key} lacks YES"
        assert re.search(r"\bNO\b", catalog[key]), f"{lang}.{key} lacks NO"
    assert re.search(r"\bYES\b", catalog["consent_request_email"]), lang


def _has_words(template: str) -> bool:
    """Layout-only values ("- {{ service }}: {{ price }}") need no translation."""
    return any(ch.isalpha() for ch in re.sub(r"{{.*?}}|{%.*?%}", "", template))


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_values_are_translated(lang: str, english: dict) -> None:
    catalog = load_catalog(lang)
    untranslated = [key for key, value in english.items() if catalog.get(key) == value and _has_words(value)]
    assert not untranslated, f"{lang}: untranslated {untranslated}"


@pytest.mark.parametrize("lang", NON_LATIN_LANGUAGES)
def test_values_are_in_the_language_script(lang: str) -> None:
    catalog = load_catalog(lang)
    texts = {key: ENV.from_string(value).render(**PARAMS) for key, value in catalog.items() if _has_words(value)}
    for key, text in texts.items():
        detected = script_language(text)
        if lang in ("zh-Hans", "zh-Hant", "hi", "ne"):
            # Shared scripts: a value must at least not point to the sibling.
            sibling = {"zh-Hans": "zh-Hant", "zh-Hant": "zh-Hans", "hi": "ne", "ne": "hi"}[lang]
            assert detected in (lang, None), f"{lang}.{key} looks like {detected}: {text}"
            assert detected != sibling
        else:
            assert detected == lang, f"{lang}.{key} looks like {detected}: {text}"
    whole = "".join(texts.values())
    if lang == "zh-Hans":
        assert not set(whole) & TRADITIONAL_ONLY, sorted(set(whole) & TRADITIONAL_ONLY)
    if lang == "zh-Hant":
        assert not set(whole) & SIMPLIFIED_ONLY, sorted(set(whole) & SIMPLIFIED_ONLY)
    if lang == "ur":
        assert not set(whole) & ARABIC_ONLY_LETTERS, "Arabic ي/ك in the Urdu catalog"


# --------------------------------------------------------------------------
# NLU training data
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nlu_examples() -> dict[str, list[str]]:
    with NLU_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert str(data.get("version")) == "3.1"
    assert isinstance(data.get("nlu"), list) and data["nlu"]
    examples: dict[str, list[str]] = {}
    for item in data["nlu"]:
        if "intent" not in item:
            continue  # synonyms, regexes, lookups
        block = item.get("examples")
        assert isinstance(block, str), f"intent {item['intent']}: examples must be a block string"
        texts = []
        for line in block.splitlines():
            if not line.strip():
                continue
            assert line.startswith("- "), f"intent {item['intent']}: bad example line {line!r}"
            text = line[2:].strip()
            assert text, f"intent {item['intent']}: empty example"
            texts.append(text)
        examples.setdefault(item["intent"], []).extend(texts)
    return examples


def test_every_intent_has_examples(nlu_examples: dict[str, list[str]]) -> None:
    for intent in INTENTS:
        assert nlu_examples.get(intent), f"intent {intent} has no examples"


def test_no_duplicate_examples(nlu_examples: dict[str, list[str]]) -> None:
    seen: dict[str, str] = {}
    duplicates = []
    for intent, texts in nlu_examples.items():
        for text in texts:
            norm = " ".join(text.casefold().split())
            if norm in seen:
                duplicates.append((text, seen[norm], intent))
            seen[norm] = intent
    assert not duplicates, f"duplicate examples (text, first intent, second intent): {duplicates}"


@pytest.mark.parametrize("intent", INTENTS)
def test_examples_cover_every_language(intent: str, nlu_examples: dict[str, list[str]]) -> None:
    counts = Counter(script_language(text) for text in nlu_examples[intent])
    needed = MIN_PER_LANGUAGE_RICH.get(intent, MIN_PER_LANGUAGE)
    short = {
        lang: counts[lang] for lang in NON_LATIN_LANGUAGES if counts[lang] < needed
    }
    assert not short, f"{intent}: too few examples for {short} (need {needed} each)"
    # en, tr, fr, sw and tl (plus Hinglish) share the Latin script: trust the
    # grouping in the file and check the total only.
    assert counts["latin"] >= needed * len(LATIN_LANGUAGES), (
        f"{intent}: only {counts['latin']} Latin-script examples"
    )
