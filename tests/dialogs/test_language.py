"""Tests for dialogs/understanding/language.py (DESIGN 6.5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.understanding.language import (
    MIN_CONFIDENCE,
    SUPPORTED,
    detect_language,
    detect_language_scored,
)
from dialogs.understanding.text import tokens

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "dev.jsonl"
VOCABULARY = ROOT / "bot" / "contract" / "vocabulary.yml"


def _dev_messages() -> list[tuple[str, int, str, str]]:
    if not CORPUS.exists():
        return []
    out = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        conv = json.loads(line)
        for i, event in enumerate(conv["events"]):
            out.append((conv["id"], i, conv["expect"]["case.language"], event["body"]))
    return out


DEV = _dev_messages()


def test_supported_codes_match_the_contract():
    vocab = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))
    assert set(SUPPORTED) == set(vocab["languages"])


@pytest.mark.skipif(not DEV, reason="dev corpus not available")
@pytest.mark.parametrize("conv_id,index,expected,body", DEV, ids=[f"{d[0]}-{d[1]}" for d in DEV])
def test_dev_corpus_never_wrong(conv_id, index, expected, body):
    """Every dev message: the conversation's language, or None for a short answer."""
    got = detect_language(body)
    if len(tokens(body)) >= 3:
        assert got == expected
    else:
        assert got in (expected, None)


CASES = [
    # English, including messages full of names, numbers and medical terms
    ("en", "My father is 70 and has lung cancer, we live in Accra"),
    ("en", "We are in Lusaka, Zambia. My dad is 63 years old."),
    ("en", "She had 6 cycles of R-CHOP at KATH"),
    ("en", "Stage 4 NSCLC, EGFR positive, on osimertinib since 2024"),
    ("en", "Please call me tomorrow"),
    ("en", "Yes I agree"),
    ("en", "I want to talk to a human"),
    ("en", "Thank you so much for your help"),
    ("en", "Hello my name is Ravi and my wife has cancer"),
    ("en", "My brother Juan lives in Quezon City, he is 45 years old"),
    ("en", "Namaste, my father has lung cancer"),
    ("en", "mashallah she is doing better now"),
    ("en", "The doctor said it is inoperable"),
    # French
    ("fr", "Mon père a un cancer du poumon"),
    ("fr", "Nous habitons à Dakar, au Sénégal"),
    ("fr", "oui je suis d'accord"),
    ("fr", "ma mere a 60 ans et elle a un cancer du sein stade 3"),
    ("fr", "Il a fait 6 cures de chimiotherapie en 2024"),
    ("fr", "Salam, ma mère a un cancer"),
    ("fr", "oui"),
    # Turkish
    ("tr", "Babam akciğer kanseri, 65 yaşında"),
    ("tr", "annem kemoterapi aliyor ve cok yorgun"),
    ("tr", "Evet kabul ediyorum"),
    ("tr", "Bir temsilciyle görüşmek istiyorum"),
    ("tr", "Merhaba, annem kanser"),
    ("tr", "Ankara'da yaşıyoruz"),
    ("tr", "evet"),
    # Swahili
    ("sw", "Mama yangu ana saratani ya matiti"),
    ("sw", "Tunaishi Mombasa, Kenya"),
    ("sw", "Ndiyo nakubali"),
    ("sw", "Hatujui huduma gani inafaa"),
    ("sw", "Baba yangu ana miaka 60"),
    ("sw", "ndiyo"),
    # Tagalog and Taglish
    ("tl", "Ang tatay ko ay may lung cancer stage 4"),
    ("tl", "Hi po, yung nanay ko may breast cancer stage 2"),
    ("tl", "Nakatira po kami sa Davao"),
    ("tl", "Opo, pumapayag ako"),
    ("tl", "Sabi ng doctor kailangan ng chemo"),
    ("tl", "Oo, sige po"),
    ("tl", "opo"),
    # Hindi: Devanagari and Hinglish
    ("hi", "मेरी माँ को स्तन कैंसर है"),
    ("hi", "हम दिल्ली में रहते हैं"),
    ("hi", "पापा की उम्र 60 साल है और उन्हें lung cancer है"),
    ("hi", "मेरे पिताजी का chemotherapy चल रहा है"),
    ("hi", "mere papa ko mouth cancer hai"),
    ("hi", "hum log Delhi me rehte hain"),
    ("hi", "kaunsi service leni chahiye"),
    ("hi", "meri maa ko breast cancer hai, stage 3"),
    ("hi", "doctor ne bola chemo karna padega"),
    ("hi", "Papa ko stage 4 lung cancer hai"),
    # Nepali must never be Hindi
    ("ne", "मेरो बुबालाई फोक्सोको क्यान्सर छ"),
    ("ne", "हामी पोखरामा बस्छौं"),
    ("ne", "आमाको उमेर ५५ वर्ष हो"),
    ("ne", "मेरो श्रीमतीलाई स्तन क्यान्सर भएको छ"),
    ("ne", "कृपया मलाई सल्लाह दिनुहोस्"),
    ("ne", "हो, सहमत छु"),
    ("ne", "हुन्छ"),
    ("ne", "mero buba lai cancer chha"),
    # Urdu against Arabic
    ("ur", "میری والدہ کو بریسٹ کینسر ہے"),
    ("ur", "ہم کراچی میں رہتے ہیں"),
    ("ur", "جی ہاں"),
    ("ur", "Ammi ko breast cancer hai aur hum Karachi mein rehte hain"),
    ("ar", "والدي عنده سرطان الرئة"),
    ("ar", "نحن نسكن في القاهرة"),
    ("ar", "ابني عمره ١٠ سنوات"),
    ("ar", "نعم موافق"),
    ("ar", "شلونكم، ابوي عنده سرطان بالقولون"),
    ("ar", "نعم"),
    # Scripts that name one language
    ("bn", "আমার বাবার ফুসফুসের ক্যান্সার"),
    ("bn", "হ্যাঁ"),
    ("bn", "amar ammur breast cancer hoyeche, amra Dhaka te thaki"),
    ("ru", "У моей мамы рак груди"),
    ("ru", "да, согласна"),
    ("ta", "என் அப்பாவுக்கு புற்றுநோய்"),
    ("ta", "ஆம்"),
    ("ta", "enaku cancer iruku"),
    ("si", "මගේ අම්මාට පිළිකාවක් තියෙනවා"),
    ("si", "ඔව්"),
    ("si", "mage thaththata cancer thiyenawa"),
    ("gu", "મારા પપ્પાને કેન્સર છે"),
    ("gu", "હા"),
    ("gu", "mara pappa ne cancer chhe"),
    # Chinese: simplified against traditional
    ("zh-Hans", "我妈妈得了乳腺癌"),
    ("zh-Hans", "我们住在北京"),
    ("zh-Hans", "医生说不能手术"),
    ("zh-Hans", "好的，谢谢"),
    ("zh-Hant", "我媽媽得了乳癌，我們住在台北"),
    ("zh-Hant", "我父親是肺癌第四期"),
    ("zh-Hant", "醫生說不能開刀"),
]


@pytest.mark.parametrize("expected,text", CASES, ids=[f"{c[0]}:{c[1][:24]}" for c in CASES])
def test_detects_language(expected, text):
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", [
    "", "   ", "yes", "ok", "Yes", "ok yes", "yes ok", "3", "52", "👍", "🙏🙏", "?", "...",
    "ok thank you", "thank you doctor", "Kampala, Uganda", "hello", "Stage 3",
])
def test_too_short_or_ambiguous_is_none(text):
    assert detect_language(text) is None


@pytest.mark.parametrize("text", [
    "Hola, mi padre tiene cáncer de pulmón",
    "Ayah saya menderita kanker paru-paru",
    "Mein Vater hat Lungenkrebs",
    "私の父は肺がんです",            # Japanese (kana)
    "우리 아버지는 폐암입니다",       # Korean
    "พ่อของฉันเป็นมะเร็งปอด",         # Thai
    "माझ्या वडिलांना कर्करोग आहे आणि आम्ही पुण्यात राहतो",  # Marathi
])
def test_unsupported_language_is_not_given_a_wrong_code(text):
    assert detect_language(text) is None


@pytest.mark.parametrize("text,expected", [
    # English medical words inside another language's grammar belong to it.
    ("मेरे पापा को lung cancer stage 4 है", "hi"),
    ("ابو کو lung cancer ہے اور chemo چل رہی ہے", "ur"),
    ("আমার মায়ের breast cancer stage 2", "bn"),
    ("我爸爸是 lung cancer stage IV, EGFR 阳性", "zh-Hans"),
    ("У папы lung cancer, stage 4", "ru"),
    ("அப்பாவுக்கு lung cancer stage 4", "ta"),
    # and a foreign greeting in an English message does not.
    ("Hello, my father has cancer. Shukriya", "en"),
])
def test_mixed_text_belongs_to_the_grammar_language(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize("expected,text", [
    # Greetings and answers that name their language even when short.
    ("tr", "Merhaba"), ("tr", "bilmiyorum"), ("tr", "Annem"),
    ("sw", "Habari"), ("sw", "sijui"), ("sw", "baba yangu"),
    ("tl", "Kumusta"), ("tl", "oo po"), ("tl", "wala pa po"),
    ("fr", "Bonjour"), ("fr", "71 ans"), ("fr", "oui merci"),
    ("hi", "Namaste"), ("hi", "pata nahi"), ("hi", "64 saal"),
    ("ta", "Vanakkam"), ("si", "Ayubowan"), ("gu", "Kem cho"),
])
def test_short_answers_that_name_their_language(expected, text):
    assert detect_language(text) == expected


@pytest.mark.parametrize("text,allowed", [
    # Short answers must never switch a conversation to a wrong language.
    ("Lagos, Nigeria", {None, "en"}), ("in Nairobi", {None, "en"}), ("stage 3", {None, "en"}),
    ("not sure", {None, "en"}), ("breast cancer", {None, "en"}), ("no treatment yet", {None, "en"}),
    ("surgery in 2024", {None, "en"}), ("Dar es Salaam", {None, "sw"}), ("CAR-T", {None, "en"}),
    ("adenocarcinoma", {None, "en"}), ("Karachi", {None}), ("Amina", {None}),
    ("Juan dela Cruz", {None}), ("İzmir, Türkiye", {None, "tr"}), ("Casablanca, Maroc", {None, "fr"}),
    ("بغداد العراق", {None, "ar"}), ("台北", {None, "zh-Hant"}), ("不知道", {None, "zh-Hans"}),
    # English words with Tagalog particles: keep the conversation's language.
    ("58 years old po", {None}), ("Good morning po, my mother has breast cancer", {None, "tl"}),
])
def test_short_or_mixed_answers_never_switch_to_a_wrong_language(text, allowed):
    assert detect_language(text) in allowed


def test_scored_gives_a_confidence_and_low_guesses():
    code, confidence = detect_language_scored("My mother has breast cancer and lives in Nairobi")
    assert code == "en" and confidence >= MIN_CONFIDENCE
    # A Devanagari "yes" is probably Hindi, but not sure enough to switch to.
    code, confidence = detect_language_scored("हाँ")
    assert code == "hi" and confidence < MIN_CONFIDENCE
    assert detect_language("हाँ") is None
    assert detect_language_scored("") == (None, 0.0)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_supported_code_or_none(text):
    code, confidence = detect_language_scored(text)
    assert code is None or code in SUPPORTED
    assert 0.0 <= confidence <= 1.0
    assert detect_language(text) in (*SUPPORTED, None)


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("Meri ammi ko breast cancer hai, unki umar 55 saal hai, hum Lahore mein rehte hain", "PK", "ur"),
        ("Mere papa ko mouth cancer hai, hum log Nashik me rehte hain", "IN", "hi"),
        ("मेरे पिताजी को कैंसर है और वे लखनऊ में रहते हैं", "PK", "hi"),  # Devanagari is Hindi wherever sent from
        ("你好", "TW", "zh-Hant"),
        ("你好", "CN", "zh-Hans"),
        ("हो", "NP", "ne"),
        ("hi", "PK", None),
    ],
)
def test_region_hints(text, region, expected) -> None:
    from dialogs.understanding.language import detect_language_hinted

    assert detect_language_hinted(text, region) == expected
