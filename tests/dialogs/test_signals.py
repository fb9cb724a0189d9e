"""Tests for dialogs/understanding/signals.py: consent, human, STOP, erasure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.understanding.signals import detect_consent, wants_erasure, wants_human, wants_stop
from dialogs.understanding.facts import extract_facts

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "dev.jsonl"
DEV = ([json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
       if CORPUS.exists() else [])

G, R = "given", "refused"

# --------------------------------------------------------------------------
# Consent
# --------------------------------------------------------------------------

CONSENT_GIVEN = [
    # en
    "yes", "Yes", "YES", "Yes.", "yes!!", "ok yes", "yes ok", "ok", "Okay, thank you", "sure",
    "Yes I agree", "Yes, I consent.", "I agree", "Yes please go ahead", "yes 👍", "👍",
    "YES, I agree to share his medical records",
    "Thank you. I agree to share the records.",
    "Hello team, after talking with my family we agree to share the reports.",
    "Yes. We live in Nairobi.",
    "Yes\nMy mother is 60 and lives in Mombasa",
    "Thank you for your quick reply. Answers to your questions:\n\n1. My brother lives with our family "
    "in Addis Ababa, Ethiopia.\n2. We are not sure which service he needs.\n3. YES, I agree to share "
    "his medical records with your specialists.\n\nSelam",
    "3) Yes",
    # hi / Hinglish
    "haan ji", "haan", "ji haan", "theek hai", "हाँ", "हां", "जी हाँ", "हाँ जी", "ठीक है", "मैं सहमत हूँ",
    "main sahmat hoon",
    # ur
    "جی ہاں", "جی", "ہاں جی", "ٹھیک ہے", "میں متفق ہوں",
    # bn
    "হ্যাঁ", "হ্যা", "জি", "ঠিক আছে", "আমি রাজি",
    # ar (MSA and dialects)
    "نعم", "نعم موافق", "اي", "ايوه", "موافق", "تمام", "اكيد", "ما عندي مانع",
    # zh
    "是的", "好的", "好的，谢谢", "同意", "我同意", "可以",
    # tr
    "evet", "Evet, kabul ediyorum.", "kabul ediyorum", "tamam", "olur",
    # fr
    "oui", "d'accord", "Oui, je suis d'accord", "d'accord merci", "j'accepte",
    # ru
    "да", "согласен", "согласна", "Да, согласна", "хорошо",
    # sw
    "ndiyo", "Ndiyo, nakubali", "sawa", "nakubali", "ndio",
    # tl
    "oo", "opo", "Oo po", "Sige po", "pumapayag po ako", "✔️", "👍🏽", "ok 👌",
    # ta, si, ne, gu
    "ஆம்", "சரி", "ஒப்புக்கொள்கிறேன்", "ඔව්", "හරි", "මම එකඟයි",
    "हो", "हजुर", "हुन्छ", "म सहमत छु", "હા", "બરાબર", "હું સંમત છું",
]

CONSENT_REFUSED = [
    "no", "No", "NO.", "No thanks", "no, I don't agree", "I do not agree", "I refuse", "👎",
    "I don't consent to sharing", "nahi", "ji nahi", "नहीं", "मैं सहमत नहीं", "نہیں", "جی نہیں",
    "না", "আমি রাজি নই", "لا", "لا اوافق", "مو موافق", "不同意", "不要", "我不同意",
    "❌", "hayır", "kabul etmiyorum", "non", "Non merci", "Je ne suis pas d'accord", "нет", "Нет, спасибо",
    "не согласна", "hapana", "sikubali", "hindi po", "ayoko po", "இல்லை", "வேண்டாம்", "නැහැ", "එපා",
    "होइन", "ના", "હું સંમત નથી",
]

CONSENT_NONE = [
    "", "   ", "hello", "3", "I live in Nairobi", "Mama yangu ana saratani",
    "Yes, she had chemo in 2024",
    "She had surgery and yes, the doctors said it was fine",
    "No, she has not started treatment yet",
    "Did she have surgery? Yes. She had it in 2024 and then chemo.",
    "The doctors agree that surgery is needed",
    "ok but how much does it cost",
    "what do you mean?", "yes?", "Do I need to agree?",
    "no idea", "I don't know", "not sure", "maybe later", "hindi ko alam", "pata nahi", "不知道",
    "Kusura bakmayın ama bir robotla yazışmak istemiyorum. Lütfen beni gerçek bir insanla, "
    "bir temsilciyle görüştürün.",
    "Please don't share this with my mother",
    "> Please reply YES to agree\nWhat documents do you need?",
]


@pytest.mark.parametrize("text", CONSENT_GIVEN, ids=[t[:30] for t in CONSENT_GIVEN])
def test_consent_given(text):
    assert detect_consent(text) == G


@pytest.mark.parametrize("text", CONSENT_REFUSED, ids=[t[:30] for t in CONSENT_REFUSED])
def test_consent_refused(text):
    assert detect_consent(text) == R


@pytest.mark.parametrize("text", CONSENT_NONE, ids=[t[:30] or "empty" for t in CONSENT_NONE])
def test_not_a_consent_answer(text):
    assert detect_consent(text) is None


def test_quoted_email_text_is_ignored():
    reply = "I agree.\n\nOn Mon, 3 Nov 2026 at 10:00, CancerFax <intake@example.org> wrote:\n> Reply NO to decline"
    assert detect_consent(reply) == G
    quoted_only = "Thanks, will send the reports.\n> Please reply YES to agree."
    assert detect_consent(quoted_only) is None


@pytest.mark.skipif(not DEV, reason="dev corpus not available")
@pytest.mark.parametrize("conv", DEV, ids=[c["id"] for c in DEV])
def test_dev_corpus_consent(conv):
    """Given conversations have a yes and no no; pending ones have neither."""
    answers = [detect_consent(e["body"]) for e in conv["events"]]
    expected = conv["expect"]["case.consent"]
    assert R not in answers
    if expected == G:
        assert G in answers
    else:
        assert G not in answers


# --------------------------------------------------------------------------
# Human
# --------------------------------------------------------------------------

HUMAN = [
    "I want to talk to a human", "human", "Agent please", "Can I speak to someone?",
    "connect me with a real person", "Please let me talk to your coordinator", "I don't want a bot",
    "are you a robot?", "please call me", "Can someone call me?", "representative",
    "Kusura bakmayın ama bir robotla yazışmak istemiyorum. Lütfen beni gerçek bir insanla, "
    "bir temsilciyle görüştürün.",
    "Bir yetkiliyle konuşmak istiyorum",
    "اريد اتكلم مع شخص", "ابي اكلم موظف", "ممكن احد يتصل بي؟", "خلي احد يتصل",
    "انسان سے بات کرنی ہے", "کسی نمائندے سے بات کروائیں",
    "मुझे किसी इंसान से बात करनी है", "किसी व्यक्ति से बात कराइए",
    "mujhe kisi insaan se baat karni hai", "agent se baat karao",
    "আমি একজন মানুষের সাথে কথা বলতে চাই", "প্রতিনিধির সাথে কথা বলতে চাই",
    "मलाई मान्छेसँग कुरा गर्न मन छ", "કોઈ માણસ સાથે વાત કરવી છે",
    "யாரிடமாவது பேச வேண்டும்", "මට කෙනෙක් එක්ක කතා කරන්න ඕන",
    "我要转人工", "我想跟真人说话", "请让客服联系我", "請打電話給我",
    "Я хочу поговорить с живым человеком", "соедините с оператором",
    "Je veux parler à un conseiller", "Je voudrais parler à quelqu'un",
    "Nataka kuongea na mtu halisi", "Naomba kuzungumza na mwakilishi", "nipigie simu",
    "Gusto ko pong makausap ang isang tao", "Pwede po bang tawagan niyo ako", "ahente po",
]

NOT_HUMAN = [
    "I got this number from a lady at our church", "My mum is a human being",
    "a person in our church told us about you",
    "She is HER2 positive (human epidermal growth factor receptor 2)",
    "He had HPV (human papillomavirus)", "We need someone to help us find treatment",
    "The surgeon wants to talk to us next week", "Normal machine se risky hai", "لا اله الا الله",
    "我们需要人陪护", "人工关节置换术后", "We want a consultation with a doctor in Germany",
    "мы хотим консультацию с врачом", "yes", "Hello, my father has cancer",
    "The proton machine is not available in our country",
    "Thanks!\n> Reply HUMAN at any time to talk to a person",
]


@pytest.mark.parametrize("text", HUMAN, ids=[t[:30] for t in HUMAN])
def test_wants_human(text):
    assert wants_human(text) is True


@pytest.mark.parametrize("text", NOT_HUMAN, ids=[t[:30] for t in NOT_HUMAN])
def test_does_not_want_human(text):
    assert wants_human(text) is False


# --------------------------------------------------------------------------
# STOP
# --------------------------------------------------------------------------

STOP = [
    "STOP", "stop", "Stop.", "STOP!!", "unsubscribe", "Unsubscribe please", "cancel", "END", "quit",
    "stopall", "please stop messaging me", "Stop sending me messages", "don't message me again",
    "Please remove me from your list", "توقف", "الغاء الاشتراك", "لا ترسلوا لي رسائل", "بند کریں",
    "میسج نہ بھیجیں", "बंद करो", "मैसेज मत भेजो", "message mat bhejo", "বন্ধ করুন",
    "মেসেজ পাঠাবেন না", "बन्द गर्नुहोस्", "બંધ કરો", "நிறுத்துங்கள்", "නවත්වන්න", "停止", "退订",
    "不要再给我发信息", "стоп", "Не пишите мне больше", "Arrêtez de m'envoyer des messages", "ARRÊT",
    "Dur", "Mesaj göndermeyin", "Sitisha", "Acheni kunitumia ujumbe", "Tigil",
    "Huwag na po kayong mag-message", "STOP STOP", "stop now please", "Stop 🛑",
]

NOT_STOP = [
    "the bleeding won't stop", "Please don't stop helping us", "I want to cancel my appointment",
    "He will stop chemo next month", "acha", "accha theek hai", "خلاص", "بس", "istemiyorum",
    "It is the end of the world", "yeah", "ruko", "Doctors don't contact us back",
    "His treatment ended in 2024", "no", "Stop, I have a question about the cost",
    "Thanks.\n> Reply STOP to stop receiving messages",
]


@pytest.mark.parametrize("text", STOP, ids=[t[:30] for t in STOP])
def test_wants_stop(text):
    assert wants_stop(text) is True


@pytest.mark.parametrize("text", NOT_STOP, ids=[t[:30] for t in NOT_STOP])
def test_does_not_want_stop(text):
    assert wants_stop(text) is False


# --------------------------------------------------------------------------
# Erasure
# --------------------------------------------------------------------------

ERASE = [
    "delete my data", "Please delete all my information", "erase everything",
    "remove my details from your system", "I want you to delete our conversation", "forget me",
    "right to be forgotten", "supprimez mes données", "Veuillez effacer mes informations",
    "احذفوا بياناتي", "امسحوا كل المعلومات", "میرا ڈیٹا ڈیلیٹ کریں", "मेरा डेटा डिलीट कर दो",
    "mera data delete kar do", "আমার তথ্য মুছে ফেলুন", "मेरो डाटा मेटाइदिनुहोस्", "મારો ડેટા ડિલીટ કરો",
    "என் தரவை நீக்க வேண்டும்", "මගේ දත්ත මකන්න", "请删除我的数据", "請刪除我的資料",
    "Удалите мои данные", "Verilerimi silin", "Futa taarifa zangu", "Pakibura po ang aking data",
    "Burahin niyo po ang data ko",
]

NOT_ERASE = [
    "Surgery to remove his left kidney", "They removed the tumour", "Please don't forget us",
    "The doctor said to remove the stent", "We want to keep the records", "Are you GDPR compliant?",
    "डॉक्टर ने कहा ट्यूमर हटा दें", "ગાંઠ કાઢી નાખો", "the CT was clear",
    "Can you clear the doubts about cost", "yes",
]


@pytest.mark.parametrize("text", ERASE, ids=[t[:30] for t in ERASE])
def test_wants_erasure(text):
    assert wants_erasure(text) is True


@pytest.mark.parametrize("text", NOT_ERASE, ids=[t[:30] for t in NOT_ERASE])
def test_does_not_want_erasure(text):
    assert wants_erasure(text) is False


@pytest.mark.skipif(not DEV, reason="dev corpus not available")
def test_dev_corpus_only_the_turkish_request_asks_for_a_human():
    hits = [(c["id"], i) for c in DEV for i, e in enumerate(c["events"]) if wants_human(e["body"])]
    assert hits == [("dev-18", 3)]
    assert not any(wants_stop(e["body"]) or wants_erasure(e["body"]) for c in DEV for e in c["events"])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_handled(text):
    assert detect_consent(text) in (G, R, None)
    assert isinstance(wants_human(text), bool)
    assert isinstance(wants_stop(text), bool)
    assert isinstance(wants_erasure(text), bool)


# ---------------------------------------------------------------- consent (Urdu)

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3. YES، میں رپورٹس شیئر کرنے پر راضی ہوں۔", "given"),
        ("ہم رپورٹس بھیجنے پر رضامند ہیں۔", "given"),
        ("میں رپورٹس شیئر کرنے پر راضی نہیں ہوں۔", "refused"),
    ],
)
def test_urdu_consent_phrases(text: str, expected: str) -> None:
    assert detect_consent(text) == expected


# ---------------------------------------------------------------- consent in Roman Urdu

@pytest.mark.parametrize("text", ["jee haan", "jee", "ji haan", "Jee han"])
def test_roman_urdu_yes(text: str) -> None:
    assert detect_consent(text) == "given"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Now: relapse again (rising paraprotein, new lytic lesion L2). It has relapsed again.", "relapsed"),
        ("His PSA keeps rising after radiotherapy", "progressing"),
        ("The CT showed new lesions in the liver", "progressing"),
        ("The lymphoma relapsed and the nodes grew", "relapsed"),
    ],
)
def test_weak_progression_cues_yield_to_a_named_status(text, status) -> None:
    """Regression (heldout-02): "rising paraprotein" beside "relapsed again" made a relapse look like progression."""

    assert extract_facts(text).get("history.disease_status") == status


# ---------------------------------------------------------------- test_consent_on_its_own_line_and_new_words

CONSENT = [
    # a bare YES / EVET on its own line under numbered answers
    ("1. Dhaka\n2. in person second opinion, we can travel to India or Singapore\nYES\n\nRashed", "given"),
    ("1. İzmir\n2. emin değilim\nEVET\n\nAyşe", "given"),
    ("1. Nairobi\n2. not sure\nYES\n\nMary\n\nOn Tue, 3 Nov 2026 at 10:02, CancerFax <intake@example.org> wrote:\n> please reply YES", "given"),
    ("sawa endelea", "given"),
    ("હા ચાલો", "given"),
    # not consent: yes/no words inside sentences about something else
    ("Hello\nShe had surgery.\nNo chemo yet.", None),
    ("1. Yes, she had chemo in 2024\n2. Lagos", None),
]


@pytest.mark.parametrize("text,expected", CONSENT)
def test_consent_on_its_own_line_and_new_words(text: str, expected: str | None) -> None:
    assert detect_consent(text) == expected
