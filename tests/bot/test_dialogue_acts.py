"""Dialogue acts through the real Rasa model and action server (issue 16, DESIGN 2.3): a
question is answered and never read as an answer, an explicit wish changes the service,
every part of a question is answered, a correction replaces a field, a diaspora writer's
patient is placed where the patient lives, a stalled relapsed intake reaches a person at
high priority with the recommendation so far. Each in at least five languages."""
from __future__ import annotations

import pytest
from huey import MemoryHuey
from sqlalchemy import select

from bot.app import create_app
from bot.rasa_runtime import dialogue_client
from bot.senders import sender_factory
from bot.worker import Worker
from dialogs.actions import answers
from dialogs.messages import org, t
from store.models import Case, Ticket
from tests.bot.test_dialogue_rasa import STORIES, Chat

pytestmark = pytest.mark.rasa
STORY = {s[0]: s for s in STORIES}
# The service menu's first entry (remote second opinion), as every language's menu numbers it.
FIRST = "1"


@pytest.fixture
def chat(rasa_servers, settings, factory, twilio_http):  # type: ignore[no-untyped-def]
    def start(sender: str) -> Chat:
        return Chat(settings, factory, twilio_http, rasa_servers.get_path("rasa.url"), sender)
    return start


def _recommended(chat, language: str) -> Chat:  # type: ignore[no-untyped-def]
    """A conversation in `language` up to its recommendation (a remote second opinion)."""
    _, sender, story, yes, _ = STORY[language]
    c = chat(sender)
    c.say(story)
    c.say(yes)
    c.say(FIRST)
    assert c.case()["recommendation"]["primary"] == "remote_second_opinion", c.replies()
    return c


@pytest.mark.parametrize(("language", "question"), [
    ("en", "Is proton therapy also possible for her? How much would that cost?"),
    ("ar", "هل العلاج بالبروتون ممكن أيضاً؟ وكم تكلفته؟"),
    ("hi", "क्या प्रोटॉन थेरेपी भी हो सकती है? उसका खर्च कितना होगा?"),
    ("fr", "Est-ce que la protonthérapie serait possible aussi ? Ça coûte combien ?"),
    ("tl", "Pwede rin po ba ang proton therapy sa kanya? Magkano po iyon?"),
])
def test_a_question_naming_another_service_after_the_recommendation_changes_nothing_and_is_answered(
        chat, language: str, question: str) -> None:
    c = _recommended(chat, language)
    reply = c.say(question)[-1]
    case = c.case()
    assert case["recommendation"]["primary"] == "remote_second_opinion"
    assert case["request"]["service"] == "remote_second_opinion"
    assert t("about_proton_therapy", language) in reply  # what it is, its price and time
    assert t("change_offer", language, service=answers.pathway_name("proton_therapy", language)) in reply
    assert all(q["answered"] for q in case["questions"]) and any("service" in q["topics"] for q in case["questions"])


@pytest.mark.parametrize(("language", "question", "yes"), [
    ("en", "could CAR-T be done too?", "yes please"),
    ("sw", "Je, tiba ya CAR-T inawezekana pia?", "ndiyo"),
])
def test_a_yes_to_the_offer_to_change_changes_the_recommendation(chat, language: str, question: str, yes: str) -> None:
    c = _recommended(chat, language)
    c.say(question)
    c.say(yes)
    assert c.case()["recommendation"]["primary"] == "car_t_eligibility"
    assert t("update_pathway_changed", language, previous=answers.pathway_name("remote_second_opinion", language)) in c.replies()[-1]


@pytest.mark.parametrize(("language", "wish"), [
    ("en", "We would rather see the doctors in person. Please change it to an in-person second opinion."),
    ("ar", "نفضل أن نسافر ونقابل الأطباء. غيّروا الطلب إلى رأي ثانٍ حضوري من فضلكم."),
    # Known misses of the first service reader (strict, so a fix shows): the French wish is
    # read as the in-person opinion at 0.86, under the 0.9 it needs where the lexicon found
    # no service; the Hindi one at 0.38.
    pytest.param("fr", "Finalement on préfère un deuxième avis en personne, sur place. Merci de changer.",
                 marks=pytest.mark.xfail(strict=True, reason="service reader 0.86 < 0.9")),
    pytest.param("hi", "हम चाहते हैं कि इसे बदलकर इन-पर्सन सेकंड ओपिनियन कर दीजिए।",
                 marks=pytest.mark.xfail(strict=True, reason="service reader 0.38")),
    ("tr", "Yüz yüze ikinci görüş istiyoruz, lütfen onunla değiştirin."),
    # Added after the two misses above, written before running them.
    ("sw", "Tumeamua tungependa kwenda kuonana na madaktari ana kwa ana. Badilisheni iwe maoni ya pili ya ana kwa ana."),
    ("ur", "ہم چاہتے ہیں کہ اسے بدل کر اِن پرسن سیکنڈ اوپینین کر دیں، ہم خود جا کر ڈاکٹر سے ملنا چاہتے ہیں۔"),
])
def test_an_explicit_wish_after_the_recommendation_changes_it(chat, language: str, wish: str) -> None:
    c = _recommended(chat, language)
    c.say(wish)
    case = c.case()
    assert case["request"]["service"] == "in_person_second_opinion"
    assert case["recommendation"]["primary"] == "in_person_second_opinion"
    assert answers.pathway_name("in_person_second_opinion", language) in c.replies()[-1]


@pytest.mark.parametrize(("language", "question"), [
    ("en", "How much does it cost? And how long does it take?"),
    ("ru", "Сколько это стоит? И сколько времени это займёт?"),
    ("zh-Hans", "费用大概多少？需要多长时间？"),
    ("sw", "Inagharimu kiasi gani? Na inachukua muda gani?"),
    ("tr", "Ücreti ne kadar? Ne kadar sürüyor?"),
])
def test_both_parts_of_a_two_part_question_are_answered(chat, language: str, question: str) -> None:
    _, sender, story, yes, _ = STORY[language]
    c = chat(sender)
    c.say(story)
    c.say(yes)
    reply = c.say(question)[-1]
    case = c.case()
    for kind in ("cost", "duration"):
        assert answers.answer(kind, case, language, org()) in reply, (kind, reply)
    # Asked back instead of choosing from the menu: "not sure" (DESIGN 2.3), so the
    # recommendation follows the answers.
    assert case["request"]["service"] == "unsure"
    assert reply.index(answers.answer("duration", case, language, org())) < reply.index(t("recommendation_intro", language))


@pytest.mark.parametrize(("language", "story", "correction"), [
    ("en", "My mother is 74 and has breast cancer, no treatment yet, we live in Nairobi, Kenya.",
     "Sorry, typo: she is 47, not 74."),
    ("fr", "Ma mère a 74 ans, elle a un cancer du sein, pas encore de traitement. Nous vivons à Dakar, au Sénégal.",
     "Pardon, erreur : elle a 47 ans, pas 74."),
    ("ar", "أمي عمرها 74 سنة ومصابة بسرطان الثدي، لم تبدأ العلاج بعد. نعيش في عمّان، الأردن.",
     "عفواً، خطأ: عمرها 47 سنة وليس 74."),
    ("tl", "Ang nanay ko ay 74 taong gulang, may breast cancer, wala pang gamutan. Nakatira kami sa Cebu, Pilipinas.",
     "Sorry po, mali: 47 taong gulang po siya, hindi 74."),
    ("ru", "Моей маме 74 года, у неё рак молочной железы, лечения ещё не было. Мы живём в Алматы, Казахстан.",
     "Извините, ошибка: ей 47 лет, не 74."),
])
def test_a_correction_replaces_the_field(chat, language: str, story: str, correction: str) -> None:
    _, sender, _, yes, _ = STORY[language]
    c = chat(sender)
    c.say(story)
    assert c.case()["patient"]["age"] == 74
    c.say(yes)
    c.say(correction)
    assert c.case()["patient"]["age"] == 47


@pytest.mark.parametrize(("language", "sender", "first", "country"), [
    ("en", "+966501300001", "Hello, I'm in Riyadh for work, my father is in Batangas, he has lung cancer.", "PH"),
    ("tl", "+966501300002", "Nasa Riyadh po ako, ang tatay ko nasa Cebu, may lung cancer siya.", "PH"),
    ("ar", "+966501300003", "أنا في الرياض للعمل، وأبوي في القاهرة مصاب بسرطان الرئة.", "EG"),
    ("ur", "+971501300004", "main Dubai mein kaam karta hoon, abbu Multan mein rehte hain, unhein lung cancer hai", "PK"),
    ("zh-Hans", "+8613800300005", "我在深圳上班，我爸在广州，他得了肺癌。", "CN"),
])
def test_a_diaspora_writers_patient_is_placed_where_the_patient_lives(
        chat, language: str, sender: str, first: str, country: str) -> None:
    c = chat(sender)
    c.say(first)
    assert c.case()["location"]["country"] == country


@pytest.mark.parametrize(("language", "sender", "story", "yes"), [
    ("en", "+233201400001", "My father's DLBCL lymphoma came back after R-CHOP and a second line.", "yes"),
    ("fr", "+225071400002", "Le lymphome DLBCL de mon père a rechuté après R-CHOP puis une deuxième ligne.", "oui"),
    ("ru", "+77011400003", "У папы рецидив лимфомы DLBCL после R-CHOP и второй линии.", "да"),
    ("hi", "+919811400004", "पापा का DLBCL लिंफोमा R-CHOP के बाद फिर से लौट आया है।", "हाँ"),
    ("tl", "+639171400005", "Bumalik po ang DLBCL lymphoma ni tatay pagkatapos ng R-CHOP.", "oo po"),
])
def test_a_stalled_relapsed_intake_opens_a_high_ticket_with_the_recommendation_so_far(
        rasa_servers, settings, factory, twilio_http, test_clock, language: str, sender: str, story: str, yes: str
) -> None:
    worker = Worker(settings, huey=MemoryHuey("stall", immediate=True), dialogue=dialogue_client(rasa_servers),
                    sender_for=sender_factory(settings, twilio_http))
    c = Chat(settings, factory, twilio_http, rasa_servers.get_path("rasa.url"), sender)
    c.client = create_app(settings, enqueue=worker.enqueue).test_client()
    c.say(story)
    c.say(yes)
    test_clock(25 * 3600)
    worker.sweep()
    with factory() as session:
        [ticket] = session.scalars(select(Ticket)).all()
        recommendation = session.scalar(select(Case)).data["recommendation"]
    assert (ticket.reason, ticket.priority) == ("intake_stalled", "high")
    assert recommendation["primary"] == "car_t_eligibility"
    assert any(str(r).startswith("pending") for r in recommendation["reasons"])
