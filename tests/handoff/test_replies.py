"""handoff.replies: the reply window per channel, templates only outside it, canned
replies per language with their placeholders filled, and the server-side refusals."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from handoff import replies, verbs
from store.models import Case, Contact, Conversation, Direction, InboundStatus, Message, OutboxItem, Ticket, utcnow


def _ticket(factory, channel: str = "whatsapp", language: str = "en", hours_ago: float = 1,  # type: ignore[no-untyped-def]
            name: str | None = "Amina Otieno") -> int:
    with factory() as session, session.begin():
        contact = Contact(whatsapp="+254711000123", email="amina@example.org", name=name)
        session.add(contact)
        session.flush()
        conversation = Conversation(contact_id=contact.id, channel=channel, subject="My mother", thread_key="<t1@x>")
        session.add(conversation)
        session.flush()
        session.add(Message(conversation_id=conversation.id, direction=Direction.inbound, channel=channel,
                            provider_id="SM1", inbound_status=InboundStatus.processed, body="hello", attachments=[],
                            created_at=utcnow() - timedelta(hours=hours_ago)))
        case = Case(public_id="C-000001", conversation_id=conversation.id, data={"language": language})
        session.add(case)
        session.flush()
        ticket = Ticket(public_id="T-000001-1", case_id=case.id, priority="normal", reason="intake_complete", due_at=utcnow())
        session.add(ticket)
        session.flush()
        verbs.claim(session, ticket, "lee@example.org")
        return ticket.id


@pytest.mark.parametrize(("channel", "hours_ago", "free"), [
    ("whatsapp", 1, True), ("whatsapp", 23.9, True), ("whatsapp", 24.1, False), ("whatsapp", 72, False),
    ("email", 24 * 30, True),
])
def test_free_text_only_inside_the_channels_reply_window(settings, factory, channel, hours_ago, free) -> None:
    ticket_id = _ticket(factory, channel, hours_ago=hours_ago)
    with factory() as session:
        opts = replies.options(session, session.get(Ticket, ticket_id), settings, "Lee", utcnow())
    assert opts.free_text is free
    assert bool(opts.templates) is not free
    assert (opts.why_templates_only is None) is free


def test_templates_carry_their_content_sid_and_variables_in_the_patients_language(settings, factory) -> None:
    ticket_id = _ticket(factory, language="ar", hours_ago=30)
    with factory() as session:
        opts = replies.options(session, session.get(Ticket, ticket_id), settings, "Lee", utcnow())
    follow_up = replies.template(opts, "follow_up")
    assert follow_up.content_sid == settings["console"]["whatsapp_templates"]["follow_up"]["content_sids"]["ar"]
    assert follow_up.variables == {"1": "Amina", "2": "Lee", "3": settings["organisation"]["name"]}
    assert "Amina" in follow_up.preview and "{{" not in follow_up.preview
    with pytest.raises(replies.ReplyError):
        replies.template(opts, "no_such_template")


@pytest.mark.parametrize(("language", "words", "start"), [
    ("en", "en", "Hello Amina, my name is Lee"), ("fr", "fr", "Bonjour Amina, je m'appelle Lee"),
    ("ar", "ar", "مرحباً Amina"), ("sw", "en", "Hello Amina"),
])
def test_canned_replies_per_language_with_english_fallback(settings, factory, language, words, start) -> None:
    ticket_id = _ticket(factory, language=language)
    with factory() as session:
        opts = replies.options(session, session.get(Ticket, ticket_id), settings, "Lee", utcnow())
    assert opts.catalog_language == words
    introduce = next(c for c in opts.canned if c.key == "introduce")
    assert introduce.text.startswith(start)
    assert "C-000001" in introduce.text and "{" not in introduce.text


def test_the_reply_verb_refuses_free_text_outside_the_window_and_sends_a_template(settings, factory) -> None:
    ticket_id = _ticket(factory, hours_ago=25)
    with factory() as session, session.begin():
        ticket = session.get(Ticket, ticket_id)
        with pytest.raises(replies.ReplyError):
            verbs.reply(session, ticket, "hello again", now=utcnow())
        opts = replies.options(session, ticket, settings, "Lee", utcnow())
        outbox_id = verbs.reply_template(session, ticket, replies.template(opts, "records_reminder"))
    with factory() as session:
        item = session.get(OutboxItem, outbox_id)
        assert item.payload["content_sid"].startswith("HX")
        assert item.payload["content_variables"] == {"1": "Amina", "2": "C-000001"}
        assert len(session.scalars(select(OutboxItem)).all()) == 1


def test_an_empty_reply_is_refused(settings, factory) -> None:
    ticket_id = _ticket(factory)
    with factory() as session, session.begin(), pytest.raises(replies.ReplyError):
        verbs.reply(session, session.get(Ticket, ticket_id), "   ", now=utcnow())


@pytest.mark.parametrize(("language", "hello"), [("en", "Hello there,"), ("fr", "Bonjour Madame, Monsieur,"),
                                                 ("ar", "مرحباً حضرتك،")])
def test_without_the_contacts_name_no_template_variable_is_empty_and_no_canned_text_dangles(
        settings, factory, language, hello) -> None:
    ticket_id = _ticket(factory, language=language, name=None)
    with factory() as session:
        ticket = session.get(Ticket, ticket_id)
        late = replies.options(session, ticket, settings, "Lee", utcnow() + timedelta(hours=30))
        now = replies.options(session, ticket, settings, "Lee", utcnow())
    for template in late.templates:
        assert all(value.strip() for value in template.variables.values()), template
        assert template.preview.startswith(hello)
    texts = [c.text for c in now.canned]
    assert texts and not any(" ," in text or " ." in text or " ،" in text or "يا ." in text for text in texts), texts


def test_a_template_in_another_language_than_the_patients_says_so(settings, factory) -> None:
    ticket_id = _ticket(factory, language="sw", hours_ago=30)
    with factory() as session:
        opts = replies.options(session, session.get(Ticket, ticket_id), settings, "Lee", utcnow())
    assert opts.language == "sw" and opts.templates
    assert {t.language for t in opts.templates} == {"en"}
