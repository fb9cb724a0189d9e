"""The dialogue through the real Rasa model and action server (DESIGN 2.3, issue 7):
no question blocks the intake, no loop, the families' own questions answered
before the pending question, corrections told, co-occurring red flags.

Each test drives WhatsApp conversations through the whole real pipeline
(signed webhook -> worker -> Rasa -> actions -> outbox), as test_pipeline.py does.
"""
from __future__ import annotations

import itertools
from typing import Any

import pytest
from huey import MemoryHuey
from sqlalchemy import select

import estimates
from bot.app import create_app
from bot.dialogue import RasaClient
from store.models import Case, Conversation, Direction, Message, Owner
from bot.senders import sender_factory
from bot.worker import Worker
from dialogs.actions import answers
from dialogs.messages import t
from estimates import messages as est_msg
from tests.helpers import post_signed, twilio_form

pytestmark = pytest.mark.rasa
_sids = itertools.count(1)

# (language, sender, story, yes, a free-text answer to "how can we help?" naming no service)
STORIES = [
    ("en", "+254711100001", "My mother has breast cancer. No treatment yet. We live in Nairobi, Kenya.", "yes",
     "You are the experts, whatever helps her most"),
    ("ar", "+962790100002", "والدتي مصابة بسرطان الثدي. لم تبدأ أي علاج بعد. نعيش في عمّان، الأردن.", "نعم",
     "أنتم الخبراء، أي شيء يساعدها"),
    ("bn", "+8801711100003", "আমার মায়ের স্তন ক্যান্সার। এখনও কোনো চিকিৎসা হয়নি। আমরা ঢাকা, বাংলাদেশে থাকি।", "হ্যাঁ",
     "আপনারাই বিশেষজ্ঞ, যেটা ভালো হয় সেটাই করুন"),
    ("hi", "+919811100004", "मेरी माँ को स्तन कैंसर है। अभी तक कोई इलाज नहीं हुआ। हम पटना, भारत में रहते हैं।", "हाँ",
     "आप लोग विशेषज्ञ हैं, जो भी उनके लिए अच्छा हो"),
    ("ur", "+923001100005", "میری والدہ کو چھاتی کا کینسر ہے۔ ابھی تک کوئی علاج نہیں ہوا۔ ہم لاہور، پاکستان میں رہتے ہیں۔", "جی ہاں",
     "آپ ماہر ہیں، جو بھی ان کے لیے بہتر ہو"),
    ("zh-Hans", "+8613800100006", "我妈妈得了乳腺癌，还没有开始治疗。我们住在中国成都。", "同意",
     "你们是专家，怎么对她好就怎么来"),
    ("zh-Hant", "+886912100007", "我媽媽得了乳癌，還沒有開始治療。我們住在台灣台中。", "同意",
     "你們是專家，怎麼對她好就怎麼做"),
    ("tr", "+905321100008", "Annemde meme kanseri var. Henüz tedavi almadı. İzmir, Türkiye'de yaşıyoruz.", "evet",
     "Uzman sizsiniz, onun için en iyisi neyse"),
    ("fr", "+221771100009", "Ma mère a un cancer du sein. Pas encore de traitement. Nous vivons à Dakar, au Sénégal.", "oui",
     "C'est vous les experts, ce qui l'aidera le plus"),
    ("ru", "+77011100010", "У моей мамы рак молочной железы. Лечения ещё не было. Мы живём в Алматы, Казахстан.", "да",
     "Вы специалисты, решайте, что ей лучше"),
    ("sw", "+255711100011", "Mama yangu ana saratani ya matiti. Bado hajaanza matibabu. Tunaishi Dar es Salaam, Tanzania.", "ndiyo",
     "Ninyi ndio wataalamu, chochote kitakachomsaidia"),
    ("tl", "+639171100012", "May breast cancer ang nanay ko. Wala pang gamutan. Nakatira kami sa Cebu, Pilipinas.", "oo po",
     "Kayo po ang eksperto, kahit ano pong makakatulong sa kanya"),
    ("ta", "+94771100013", "என் அம்மாவுக்கு மார்பகப் புற்றுநோய். இன்னும் சிகிச்சை எதுவும் இல்லை. நாங்கள் இலங்கை, யாழ்ப்பாணத்தில் வசிக்கிறோம்.", "ஆம்",
     "நீங்கள்தான் நிபுணர்கள், அவருக்கு எது நல்லதோ அதைச் செய்யுங்கள்"),
    ("si", "+94711100014", "මගේ අම්මාට පියයුරු පිළිකාවක්. තවම ප්‍රතිකාර කරලා නැහැ. අපි ශ්‍රී ලංකාවේ මහනුවර ජීවත් වෙනවා.", "ඔව්",
     "ඔයාලා තමයි විශේෂඥයෝ, එයාට හොඳ දේ කරන්න"),
    ("ne", "+9779801100015", "मेरो आमालाई स्तन क्यान्सर भएको छ। अहिलेसम्म कुनै उपचार भएको छैन। हामी पोखरा, नेपालमा बस्छौं।", "हुन्छ",
     "तपाईंहरू नै विज्ञ हुनुहुन्छ, उहाँलाई जे राम्रो हुन्छ त्यही गर्नुहोस्"),
    ("gu", "+919825100016", "મારી માતાને સ્તન કેન્સર છે. હજી કોઈ સારવાર નથી થઈ. અમે સુરત, ભારતમાં રહીએ છીએ.", "હા",
     "તમે નિષ્ણાત છો, એમના માટે જે સારું હોય તે કરો"),
]


class Chat:
    """One WhatsApp conversation through the real stack."""

    def __init__(self, settings, factory, twilio_http, rasa_url: str, sender: str) -> None:  # type: ignore[no-untyped-def]
        worker = Worker(settings, huey=MemoryHuey("dialogue", immediate=True), dialogue=RasaClient(rasa_url),
                        sender_for=sender_factory(settings, twilio_http))
        self.client = create_app(settings, enqueue=worker.enqueue).test_client()
        self.factory = factory
        self.sender = sender

    def say(self, body: str) -> list[str]:
        """Send one message; the bot's replies to it (none when a coordinator owns the conversation)."""
        before = len(self.replies())
        form = twilio_form(f"SM{next(_sids):032d}", sender=self.sender, body=body)
        assert post_signed(self.client, form).status_code == 200
        return self.replies()[before:]

    def replies(self) -> list[str]:
        with self.factory() as session:
            conversation = self._conversation(session)
            if conversation is None:
                return []
            return [m.body for m in session.scalars(
                select(Message).where(Message.conversation_id == conversation.id, Message.direction == Direction.outbound)
                .order_by(Message.id))]

    def case(self) -> dict[str, Any]:
        with self.factory() as session:
            return dict(session.scalar(select(Case).where(Case.conversation_id == self._conversation(session).id)).data)

    def ticket_reasons(self) -> list[str]:
        with self.factory() as session:
            case = session.scalar(select(Case).where(Case.conversation_id == self._conversation(session).id))
            return [ticket.reason for ticket in case.tickets]

    def owner(self) -> Owner:
        with self.factory() as session:
            return self._conversation(session).owner

    def _conversation(self, session) -> Conversation | None:  # type: ignore[no-untyped-def]
        # Each test has its own database: its one conversation.
        return session.scalars(select(Conversation).order_by(Conversation.id)).first()


@pytest.fixture
def chat(rasa_servers, settings, factory, twilio_http):  # type: ignore[no-untyped-def]
    def start(sender: str) -> Chat:
        return Chat(settings, factory, twilio_http, rasa_servers.get_path("rasa.url"), sender)
    return start


def _menu(language: str) -> str:
    return t("ask_requested_service", language)


@pytest.mark.parametrize(("language", "sender", "story", "yes", "free_text"), STORIES, ids=[s[0] for s in STORIES])
def test_free_text_answer_to_the_service_question_leads_to_a_recommendation(
    chat, language: str, sender: str, story: str, yes: str, free_text: str
) -> None:
    c = chat(sender)
    c.say(story)
    asked = c.say(yes)
    assert asked and _menu(language) in asked[-1], f"{language}: the service question was not asked: {asked}"
    answer = c.say(free_text)
    case = c.case()
    assert case["language"] == language
    assert case["request"]["service"] == "unsure"
    assert case["recommendation"]["primary"] == "remote_second_opinion"
    assert c.ticket_reasons() == ["intake_complete"]
    assert answer and t("recommendation_intro", language) in answer[-1]


@pytest.mark.parametrize(
    ("language", "answer", "pathway"),
    [("en", "the sixth", "clinical_trial_matching"), ("hi", "छह", "clinical_trial_matching"),
     ("ar", "رقم ٤", "car_t_eligibility"), ("zh-Hans", "第五个", "proton_therapy"), ("bn", "৩", "surgical_resectability_review")],
)
def test_numbered_answers_in_words_and_any_digits_choose_the_service(chat, language: str, answer: str, pathway: str) -> None:
    story = next(s for s in STORIES if s[0] == language)
    c = chat(story[1])
    c.say(story[2])
    c.say(story[3])
    c.say(answer)
    assert c.case()["request"]["service"] == pathway
    assert c.case()["recommendation"]["primary"] == pathway


def test_three_unusable_answers_open_a_bot_failure_ticket_and_no_further_question(chat) -> None:
    c = chat("+254711200001")
    c.say("Hello")
    first = c.say("yes")
    assert t("ask_cancer_type", "en") in first[-1]
    second = c.say("hmm")
    assert t("reask_cancer_type", "en") in second[-1]  # asked again, rephrased with an example
    third = c.say("I don't know")
    assert third and t("bot_failure", "en") in third[-1]
    assert c.ticket_reasons() == ["bot_failure"]
    assert c.owner() == Owner.waiting
    assert c.say("???") == []  # no further question
    replies = c.replies()
    assert all(a != b for a, b in zip(replies, replies[1:])), "the same text twice in a row"


def test_unanswered_treatment_question_goes_on_as_unknown(chat) -> None:
    c = chat("+254711200002")
    c.say("My father has lung cancer, he lives in Kisumu, Kenya")
    c.say("yes")
    c.say("hmm")
    c.say("not sure what to say")
    case = c.case()
    assert case["history"]["treatments"] == [] and case["history"]["disease_status"] is None
    assert _menu("en") in c.replies()[-1]  # the intake went on to the service question
    assert c.ticket_reasons() == []


@pytest.mark.parametrize(("language", "sender", "story", "yes", "question"), [
    ("en", "+254711200003", "My father has lung cancer", "yes", "how much will it cost?"),
    ("fr", "+221771200004", "Mon père a un cancer du poumon", "oui", "combien ça coûte ?"),
    ("hi", "+919811200005", "मेरे पिता को फेफड़ों का कैंसर है", "हाँ", "इसमें कितना खर्च आएगा?"),
])
def test_cost_question_mid_intake_gets_the_catalog_range_then_the_pending_question(
    chat, language: str, sender: str, story: str, yes: str, question: str
) -> None:
    c = chat(sender)
    c.say(story)
    pending = c.say(yes)[-1]
    assert t("ask_treatment_history", language) in pending
    reply = c.say(question)[-1]
    case = c.case()
    pathway = answers.pointed_pathway(case)
    estimate = estimates.estimate(case, {"primary": pathway, "secondary": [], "reasons": []})
    price = est_msg.money_range(estimate["total_low"], estimate["total_high"], estimate["currency"], language)
    assert price in reply and answers.pathway_name(pathway, language) in reply
    assert reply.rstrip().endswith(t("reask_treatment_history", language)), reply  # then the pending question
    assert c.ticket_reasons() == []
    c.say("no treatment yet" if language == "en" else {"fr": "pas encore de traitement", "hi": "अभी तक कोई इलाज नहीं हुआ"}[language])
    assert t("ask_location", language) in c.replies()[-1]  # the intake resumed


def test_questions_about_the_organisation_are_answered_in_the_patients_language(chat) -> None:
    c = chat("+905321200006")
    c.say("Merhaba, babamda akciğer kanseri var")
    c.say("evet")
    reply = c.say("siz hastane misiniz?")[-1]
    assert t("answer_organisation", "tr", org="CancerFax").split(" ")[1] in reply
    assert reply.rstrip().endswith(t("reask_treatment_history", "tr"))


def test_a_correction_that_changes_the_pathway_is_told(chat) -> None:
    c = chat("+254711200007")
    c.say("My mother has breast cancer. No treatment yet. We live in Nairobi, Kenya.")
    c.say("yes")
    c.say("remote second opinion")
    assert c.case()["recommendation"]["primary"] == "remote_second_opinion"
    c.say("Sorry, correction: she wants to be seen in person, an in-person second opinion")
    case = c.case()
    assert case["recommendation"]["primary"] == "in_person_second_opinion"
    reply = c.replies()[-1]
    assert t("update_pathway_changed", "en", previous=answers.pathway_name("remote_second_opinion", "en")) in reply
    assert answers.pathway_name("in_person_second_opinion", "en") in reply


def test_co_occurring_cord_compression_signs_give_spinal_cord_compression(chat) -> None:
    c = chat("+254711200008")
    c.say("My father has prostate cancer that spread to the bones. Since yesterday he has bad back pain, "
          "his legs are weak and numb and he cannot control his bladder.")
    case = c.case()
    assert "spinal_cord_compression" in case["safety"]["red_flags"]
    assert c.ticket_reasons() == ["emergency"]


def test_the_same_text_is_never_sent_twice_in_a_row(chat) -> None:
    c = chat("+254711200009")
    c.say("My mother has breast cancer. No treatment yet. We live in Nairobi, Kenya.")
    c.say("yes")
    c.say("not sure")
    for body in ("ok", "thanks", "ok", "fine"):
        c.say(body)
    replies = c.replies()
    assert all(a != b for a, b in zip(replies, replies[1:])), replies


def test_a_question_back_to_the_service_question_is_answered_and_counts_as_unsure(chat) -> None:
    c = chat("+254711200010")
    c.say("My mother has breast cancer. No treatment yet. We live in Nairobi, Kenya.")
    c.say("yes")
    reply = c.say("anything that helps. is it expensive?")[-1]
    case = c.case()
    assert case["request"]["service"] == "unsure"
    assert case["recommendation"]["primary"] == "remote_second_opinion"
    assert t("answer_cost_note", "en") in reply and t("recommendation_intro", "en") in reply
    assert reply.index(t("answer_cost_note", "en")) < reply.index(t("recommendation_intro", "en"))
    assert c.ticket_reasons() == ["intake_complete"]


def test_a_late_menu_number_after_the_recommendation_still_counts(chat) -> None:
    c = chat("+254711200011")
    c.say("My mother has breast cancer. No treatment yet. We live in Nairobi, Kenya.")
    c.say("yes")
    c.say("please advise")
    c.say("number 6")
    assert c.case()["request"]["service"] == "clinical_trial_matching"
    assert c.case()["recommendation"]["primary"] == "clinical_trial_matching"
    assert t("update_pathway_changed", "en", previous=answers.pathway_name("remote_second_opinion", "en")) in c.replies()[-1]
