"""The reply to a red flag on the real stack (signed webhook -> real Rasa model and action
server -> outbox -> the recorded Twilio client): it is the first message, on its own, before
any greeting or consent question, in the family's language, with the emergency number of
the country; thoughts of self-harm, the writer's own too, get the crisis reply."""
from __future__ import annotations

import pytest
from huey import MemoryHuey
from sqlalchemy import select

from bot.app import create_app
from bot.dialogue import RasaClient
from bot.senders import sender_factory
from bot.worker import Worker
from dialogs import emergency
from dialogs.messages import org, t
from store.models import Case
from tests.helpers import post_signed, twilio_form

pytestmark = pytest.mark.rasa


def _client(settings, twilio_http, rasa_servers):  # type: ignore[no-untyped-def]
    worker = Worker(settings, huey=MemoryHuey("test", immediate=True),
                    dialogue=RasaClient(rasa_servers.get_path("rasa.url")), sender_for=sender_factory(settings, twilio_http))
    return create_app(settings, enqueue=worker.enqueue).test_client()


def _bodies(twilio_http, sender: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.data["Body"] for r in twilio_http.requests if r.data.get("To") == f"whatsapp:{sender}"]


def _alert(key: str, language: str, country: str) -> str:
    return "\n".join([t(key, language, **org()), *emergency.call_lines(country, country, language)])


# New wording, in no training file; each sender's phone number is from the patient's country.
FIRST_MESSAGES = [
    ("en", "+254722000111", "KE", "Hello, my husband is on chemo for lymphoma and since an hour ago he is shivering, temperature 39.6"),
    ("ar", "+201001234567", "EG", "ابويا بياخد كيماوي ومن امبارح حرارته ٣٩ وبيترعش جامد"),
    ("hi", "+919812345678", "IN", "papa ki chemo chal rahi hai aur aaj subah se unhe khoon ki ulti ho rahi hai"),
    ("fr", "+33612345678", "FR", "Ma mère a un cancer du poumon et depuis ce matin elle n'arrive plus à respirer, ses lèvres sont bleues"),
    ("sw", "+255712345678", "TZ", "Baba yangu ana saratani na sasa hivi amepata degedege, hajitambui"),
    ("ru", "+79161234567", "RU", "У мамы рак груди, она на химии, сейчас температура 39 и сильный озноб"),
]


@pytest.mark.parametrize("language,sender,country,text", FIRST_MESSAGES, ids=[m[0] for m in FIRST_MESSAGES])
def test_the_emergency_reply_is_the_first_message_on_its_own_with_the_countrys_number(
        rasa_servers, settings, factory, twilio_http, language, sender, country, text) -> None:
    client = _client(settings, twilio_http, rasa_servers)
    assert post_signed(client, twilio_form("SM" + "e" * 32, sender=sender, body=text)).status_code == 200
    first, *rest = _bodies(twilio_http, sender)
    assert first == _alert("emergency", language, country)
    assert emergency.emergency_number(country) in first
    assert rest and t("consent_question", language) in rest[0]  # the greeting and consent come after, apart
    assert all(t("emergency", language, **org()) not in body for body in rest)
    with factory() as session:
        case = session.scalar(select(Case))
        assert case.data["safety"]["emergency"] is True and case.tickets[0].priority == "urgent"
        assert case.tickets[0].reason == "emergency"


WRITERS_OWN_THOUGHTS = [
    ("en", "+254722000222", "KE", "Honestly I can't go on caring for her like this, I keep thinking about killing myself"),
    ("hi", "+919812345679", "IN", "mujhse ab aur nahi hota, main khud ko khatam kar dena chahta hoon, maa ka cancer aur sab kuch"),
    ("ar", "+201001234568", "EG", "انا تعبت خلاص ومش قادر اكمل، بفكر انتحر واخلص من كل ده"),
    ("fr", "+33612345679", "FR", "Je n'en peux plus de m'occuper de lui, je pense à mettre fin à mes jours"),
    ("tl", "+639171234567", "PH", "Pagod na pagod na ako, gusto ko na lang mamatay, naiisip ko nang magpakamatay"),
    ("ru", "+79161234568", "RU", "Я больше не могу ухаживать за мамой, думаю покончить с собой"),
]


@pytest.mark.parametrize("language,sender,country,text", WRITERS_OWN_THOUGHTS, ids=[m[0] for m in WRITERS_OWN_THOUGHTS])
def test_self_harm_of_the_writer_gets_the_crisis_reply_not_the_pain_reply(
        rasa_servers, settings, factory, twilio_http, language, sender, country, text) -> None:
    client = _client(settings, twilio_http, rasa_servers)
    post_signed(client, twilio_form("SM" + "a" * 32, sender=sender, body="Hello"))
    post_signed(client, twilio_form("SM" + "b" * 32, sender=sender, body="yes"))
    before = len(_bodies(twilio_http, sender))
    assert post_signed(client, twilio_form("SM" + "c" * 32, sender=sender, body=text)).status_code == 200
    replies = _bodies(twilio_http, sender)[before:]
    assert replies[0] == _alert("emergency_self_harm", language, country)
    with factory() as session:
        case = session.scalar(select(Case))
        assert "self_harm" in case.data["safety"]["red_flags"]
        assert "severe_pain" not in case.data["safety"]["red_flags"]
        assert (case.tickets[0].priority, case.tickets[0].reason) == ("urgent", "emergency")
