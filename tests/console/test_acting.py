"""Acting on a case in a real browser: claim, reply through the patient's channel
(WhatsApp free text, templates outside the 24-hour window, threaded e-mail), notes,
waiting on the patient, resolve and reopen, assign, hand back."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from store.models import AuditEntry, Case, Direction, InboundStatus, Message, Note, Ticket, utcnow
from store.states import Owner, TicketStatus
from tests.console.conftest import csrf_token, seed_into, user_into
from tests.helpers import wait_for

pytestmark = pytest.mark.browser


def _open(browser: Any, live_console: Any, ticket: str) -> None:
    browser.get(f"{live_console.url}/console/tickets/{ticket}")
    wait_for(lambda: browser.find_elements(By.ID, "actions"), timeout=20)


def _click(browser: Any, name: str) -> None:
    """Presses an action button and waits for the next page (not the flash of the last one).

    The old page is marked with a window flag: a new document has none. Asking the
    driver whether an element went stale races the navigation and can fail with an
    inspector error, so the flag is read with driver errors ignored until it is gone."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    browser.execute_script("window.__beforeAction = true;")
    browser.find_element(By.CSS_SELECTOR, f"#actions button[name={name}]").click()
    WebDriverWait(browser, 20, ignored_exceptions=(WebDriverException,)).until(
        lambda driver: driver.execute_script(
            "return window.__beforeAction === undefined && document.readyState === 'complete';"))
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".flash"), timeout=20)


def _state(live_console: Any, ticket: str) -> tuple[TicketStatus, Owner, str | None]:
    with live_console.session() as session:
        row = session.scalar(select(Ticket).where(Ticket.public_id == ticket))
        return row.status, row.case.conversation.owner, row.assignee


def _twilio_bodies(live_console: Any) -> list[dict[str, str]]:
    return [r.data for r in live_console.twilio_http.requests if r.method == "POST" and r.uri.endswith("/Messages.json")]


def _send_reply(browser: Any, text: str) -> None:
    box = browser.find_element(By.ID, "reply-text")
    box.clear()
    box.send_keys(text)
    _click(browser, "send")


def test_claim_then_reply_reaches_the_recorded_twilio_client(live_console, browser, make_user, sign_in) -> None:
    ticket = _seed(live_console)
    email, password = make_user()
    sign_in(browser, email, password)
    _open(browser, live_console, ticket)
    assert not browser.find_elements(By.ID, "reply-text"), "a reply box before the ticket is claimed"
    _click(browser, "claim")
    assert _state(live_console, ticket) == (TicketStatus.claimed, Owner.coordinator, email)

    sent_before = len(_twilio_bodies(live_console))
    _send_reply(browser, "Hello Amina, I am your coordinator. Could you send the pathology report?")
    wait_for(lambda: len(_twilio_bodies(live_console)) > sent_before, timeout=20)
    last = _twilio_bodies(live_console)[-1]
    assert last["Body"] == "Hello Amina, I am your coordinator. Could you send the pathology report?"
    assert last["To"].startswith("whatsapp:+254")
    with live_console.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.actor == email))]
    assert {"view_case", "claim", "reply"} <= set(actions)


def test_a_canned_reply_fills_the_box_in_the_patients_language(live_console, browser, make_user, sign_in) -> None:
    ticket = _seed(live_console, language="fr", body="Bonjour, ma mère a un cancer du sein.")
    email, password = make_user(name="Claire Martin")
    sign_in(browser, email, password)
    _open(browser, live_console, ticket)
    _click(browser, "claim")
    Select(browser.find_element(By.ID, "canned")).select_by_value("introduce")
    text = browser.find_element(By.ID, "reply-text").get_attribute("value")
    assert text.startswith("Bonjour Amina, je m'appelle Claire Martin"), text
    assert "{" not in text


def test_outside_the_24_hour_window_only_templates_are_offered(live_console, browser, make_user, sign_in) -> None:
    ticket = _seed(live_console)
    with live_console.session() as session, session.begin():  # the patient last wrote 25 hours ago
        row = session.scalar(select(Ticket).where(Ticket.public_id == ticket))
        for msg in row.case.conversation.messages:
            msg.created_at = utcnow() - timedelta(hours=25)
    email, password = make_user()
    sign_in(browser, email, password)
    _open(browser, live_console, ticket)
    _click(browser, "claim")
    assert not browser.find_elements(By.ID, "reply-text"), "free text offered outside the window"
    why = browser.find_element(By.ID, "window-closed").text
    assert "24 hours" in why and "template" in why
    choices = [e.get_attribute("value") for e in browser.find_elements(By.CSS_SELECTOR, "#template-form input[name=template]")]
    assert choices == list(live_console.settings["console"]["whatsapp_templates"])

    # Free text posted anyway (a stale page, a script) is refused by the server.
    client = live_console.http(email, password)
    page = client.get(f"{live_console.url}/console/tickets/{ticket}")
    assert page.status_code == 200 and 'id="window-closed"' in page.text  # signed in, on the ticket's page
    sent_before, outbound_before = len(_twilio_bodies(live_console)), _outbound_count(live_console)
    refused = client.post(f"{live_console.url}/console/tickets/{ticket}/reply",
                          data={"text": "hi", "csrf_token": csrf_token(page.text)})
    assert refused.status_code == 200 and "only an approved template may be sent" in refused.text
    assert len(_twilio_bodies(live_console)) == sent_before and _outbound_count(live_console) == outbound_before

    _click(browser, "send")
    wait_for(lambda: len(_twilio_bodies(live_console)) > sent_before, timeout=20)
    sent = _twilio_bodies(live_console)[-1]
    spec = live_console.settings["console"]["whatsapp_templates"]["follow_up"]
    assert sent["ContentSid"] == spec["content_sids"]["en"]
    assert "Body" not in sent
    assert json.loads(sent["ContentVariables"])["1"] == "Amina"


def test_an_email_reply_is_threaded(live_console, browser, make_user, sign_in) -> None:
    ticket = _seed(live_console, channel="email", subject="Second opinion for my father")
    with live_console.session() as session:
        row = session.scalar(select(Ticket).where(Ticket.public_id == ticket))
        inbound = [m for m in row.case.conversation.messages if m.direction == Direction.inbound][-1]
        patient_id, patient = inbound.provider_id, row.case.conversation.contact.email
    email, password = make_user()
    sign_in(browser, email, password)
    _open(browser, live_console, ticket)
    _click(browser, "claim")
    _send_reply(browser, "Dear family, thank you for the reports. I will write again tomorrow.")

    def reply() -> Any:
        return next((m for m in live_console.mail_sink.messages
                     if m["To"] == patient and "I will write again tomorrow" in m.get_content()), None)

    mail = wait_for(reply, timeout=30)
    assert mail["In-Reply-To"] == patient_id
    assert patient_id in mail["References"]
    assert mail["Subject"] == "Re: Second opinion for my father"


def test_notes_waiting_on_the_patient_resolve_reopen_and_assign(live_console, browser, make_user, sign_in) -> None:
    ticket = _seed(live_console)
    colleague, _ = make_user(name="Second Coordinator")
    email, password = make_user()
    sign_in(browser, email, password)
    _open(browser, live_console, ticket)
    _click(browser, "claim")

    browser.find_element(By.ID, "note-text").send_keys("Father prefers calls after 6 pm.")
    _click(browser, "add_note")
    with live_console.session() as session:
        assert [n.body for n in session.scalars(select(Note))] == ["Father prefers calls after 6 pm."]

    _click(browser, "wait")
    assert _state(live_console, ticket)[0] == TicketStatus.waiting_patient
    with live_console.session() as session:
        sender = session.scalar(select(Ticket).where(Ticket.public_id == ticket)).case.conversation.contact.whatsapp
    assert live_console.post_whatsapp(sender, "Here are the reports").status_code == 200
    wait_for(lambda: _state(live_console, ticket)[0] == TicketStatus.claimed, timeout=20)

    _open(browser, live_console, ticket)
    Select(browser.find_element(By.ID, "assignee")).select_by_value(colleague)
    _click(browser, "assign")
    assert _state(live_console, ticket)[2] == colleague

    _click(browser, "resolve")
    assert _state(live_console, ticket)[0] == TicketStatus.resolved
    _click(browser, "reopen")
    assert _state(live_console, ticket)[0] == TicketStatus.open


@pytest.mark.rasa
def test_after_hand_back_the_bot_answers_the_next_patient_message(live_console_rasa, browser, sign_in) -> None:
    live = live_console_rasa
    ticket = _seed(live)
    email, password = _user(live)
    sign_in(browser, email, password)
    _open(browser, live, ticket)
    _click(browser, "claim")
    with live.session() as session:
        sender = session.scalar(select(Ticket).where(Ticket.public_id == ticket)).case.conversation.contact.whatsapp
    # While a coordinator owns the conversation, the bot is silent.
    sent_before = len(_twilio_bodies(live))
    live.post_whatsapp(sender, "Are you there?")
    wait_for(lambda: _routed(live, "Are you there?"), timeout=20)
    assert len(_twilio_bodies(live)) == sent_before

    _click(browser, "hand_back")
    assert _state(live, ticket)[1] == Owner.bot
    live.post_whatsapp(sender, "Thank you. What happens next?")
    wait_for(lambda: len(_twilio_bodies(live)) > sent_before, timeout=90)
    assert _twilio_bodies(live)[-1]["To"] == f"whatsapp:{sender}"
    assert _twilio_bodies(live)[-1]["Body"].strip()


def test_a_form_posted_without_its_csrf_token_is_refused(live_console, make_user) -> None:
    ticket = _seed(live_console)
    email, password = make_user()
    client = live_console.http(email, password)
    answer = client.post(f"{live_console.url}/console/tickets/{ticket}/claim", data={})
    assert answer.status_code == 400
    assert "CSRF" in answer.text
    assert _state(live_console, ticket)[0] == TicketStatus.open
    page = client.get(f"{live_console.url}/console/tickets/{ticket}")
    ok = client.post(f"{live_console.url}/console/tickets/{ticket}/claim", data={"csrf_token": csrf_token(page.text)})
    assert ok.status_code == 200 and _state(live_console, ticket)[0] == TicketStatus.claimed


def test_a_refused_move_is_said_on_the_page_and_changes_nothing(live_console, make_user) -> None:
    ticket = _seed(live_console)
    client = live_console.http(*make_user())
    page = client.get(f"{live_console.url}/console/tickets/{ticket}")
    answer = client.post(f"{live_console.url}/console/tickets/{ticket}/wait", data={"csrf_token": csrf_token(page.text)})
    assert "cannot go from open to waiting_patient" in answer.text
    assert _state(live_console, ticket)[0] == TicketStatus.open
    missing = client.post(f"{live_console.url}/console/tickets/T-999999-9/claim", data={"csrf_token": csrf_token(page.text)})
    assert missing.status_code == 404


# ------------------------------------------------------------------ helpers


def _seed(live_console: Any, **options: Any) -> str:
    return seed_into(live_console, **options)


def _user(live: Any) -> tuple[str, str]:
    return user_into(live, "coordinator")


def _routed(live: Any, text: str) -> bool:
    with live.session() as session:
        msg = session.scalar(select(Message).where(Message.body == text))
        return msg is not None and msg.inbound_status == InboundStatus.routed_to_ticket


def _outbound_count(live: Any) -> int:
    with live.session() as session:
        return len(session.scalars(select(Message).where(Message.direction == Direction.outbound)).all())
