"""The case page in a real browser: facts in English linked to their messages, delivery
status, record downloads (signed in only), estimate adjustments with their history, an
Arabic case read in English with its text right to left, and phone width."""
from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from store.models import AuditEntry, Case, Direction, EstimateAdjustment, Message, Ticket
from tests.conftest import TWILIO_TOKEN
from tests.console.conftest import csrf_token
from tests.helpers import wait_for

pytestmark = pytest.mark.browser

ARABIC = "والدتي عمرها ٦١ سنة ومصابة بسرطان الرئة في المرحلة الرابعة. نحن في دبي."


def _open(browser: Any, live_console: Any, ticket: str) -> None:
    browser.get(f"{live_console.url}/console/tickets/{ticket}")
    wait_for(lambda: browser.find_elements(By.ID, "transcript"), timeout=20)


def _messages(live_console: Any, ticket: str) -> list[Message]:
    with live_console.session() as session:
        row = session.scalar(select(Ticket).where(Ticket.public_id == ticket))
        return list(session.scalars(select(Message).where(Message.conversation_id == row.case.conversation_id)
                                    .order_by(Message.id)))


def _audit(live_console: Any, action: str) -> list[AuditEntry]:
    with live_console.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _status_callback(live_console: Any, sid: str, status: str) -> None:
    """Twilio's delivery callback, signed as Twilio signs it."""
    import requests

    path = "/webhooks/twilio/status"
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "1" * 32}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(live_console.url + path, form)
    answer = requests.post(live_console.url + path, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)
    assert answer.status_code == 200, answer.text[:300]


def _drain_log(browser: Any) -> None:
    browser.get_log("browser")  # the session's driver keeps an earlier test's entries until read


def _errors(browser: Any) -> list[dict[str, Any]]:
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]


def test_each_fact_links_to_its_message_and_clicking_highlights_it(
    live_console, browser, make_user, sign_in, seed_ticket, screenshot  # type: ignore[no-untyped-def]
) -> None:
    ticket = seed_ticket(body="My mother is 52, she has <b>breast cancer</b> stage 2. We live in Nairobi.",
                         histology="invasive ductal carcinoma", biomarkers=["HER2+"],
                         treatments=[{"type": "surgery", "detail": "lumpectomy", "year": 2025}])
    inbound, outbound = _messages(live_console, ticket)
    assert inbound.direction == Direction.inbound and outbound.direction == Direction.outbound
    _status_callback(live_console, outbound.provider_id, "read")
    email, password = make_user()
    sign_in(browser, email, password)
    _drain_log(browser)
    _open(browser, live_console, ticket)

    fact = browser.find_element(By.CSS_SELECTOR, ".fact[data-field='diagnosis.stage']")
    assert "Stage II" in fact.text
    assert "Breast cancer" in browser.find_element(By.CSS_SELECTOR, ".fact[data-field='diagnosis.cancer_type']").text
    assert "Surgery (lumpectomy, 2025)" in browser.find_element(
        By.CSS_SELECTOR, ".fact[data-field='history.treatments']").text
    links = browser.find_elements(By.CSS_SELECTOR, "#facts a.fact-source")
    assert len(links) >= 8 and {a.get_attribute("href").rsplit("#", 1)[1] for a in links} == {f"msg-{inbound.id}"}
    # The patient's words are text, not markup.
    body = browser.find_element(By.CSS_SELECTOR, f"#msg-{inbound.id} .msg-body")
    assert "<b>breast cancer</b>" in body.text and not body.find_elements(By.TAG_NAME, "b")
    # The bot's reply says how far it got.
    assert browser.find_element(By.CSS_SELECTOR, f"#msg-{outbound.id} .delivery").text == "Read"
    assert browser.find_element(By.CSS_SELECTOR, f"#msg-{outbound.id}").get_attribute("data-status") == "read"
    message = browser.find_element(By.ID, f"msg-{inbound.id}")
    assert "is-highlighted" not in message.get_attribute("class")

    fact.find_element(By.CSS_SELECTOR, "a.fact-source").click()
    wait_for(lambda: "is-highlighted" in message.get_attribute("class"), timeout=5)
    assert browser.current_url.endswith(f"#msg-{inbound.id}")
    assert browser.execute_script("return document.querySelector(':target').id") == f"msg-{inbound.id}"
    glow = browser.execute_script("return getComputedStyle(arguments[0]).boxShadow", message)
    assert glow and glow != "none"
    assert not _errors(browser)  # no script error, no CSP refusal
    assert [e.ticket_id is not None and e.case_id is not None for e in _audit(live_console, "view_case")] == [True]
    browser.get(f"{live_console.url}/console/tickets/{ticket}")
    screenshot(browser, "case-en")
    assert len(_audit(live_console, "view_case")) == 2  # every view of the page


def test_an_unknown_ticket_is_a_404_page_and_an_anonymous_visitor_is_sent_to_sign_in(
    live_console, make_user, seed_ticket  # type: ignore[no-untyped-def]
) -> None:
    ticket = seed_ticket()
    anonymous = live_console.http().get(f"{live_console.url}/console/tickets/{ticket}", allow_redirects=False)
    assert anonymous.status_code == 302 and "/console/login" in anonymous.headers["Location"]
    client = live_console.http(*make_user())
    missing = client.get(f"{live_console.url}/console/tickets/T-999999-9")
    assert missing.status_code == 404 and "There is no ticket T-999999-9" in missing.text
    assert not _audit(live_console, "view_case")


def test_a_record_downloads_when_signed_in_and_not_anonymously(
    live_console, browser, make_user, sign_in, seed_ticket  # type: ignore[no-untyped-def]
) -> None:
    sender = "family.records@example.org"
    ticket = seed_ticket(channel="email", sender=sender)
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, "care@intake.localhost", "Re: Enquiry for my mother"
    mail["Message-ID"] = "<records-1@example.org>"
    mail.set_content("Here is the biopsy report.")
    pdf = b"%PDF-1.4\n% biopsy report of Amina\n"
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename="biopsy-report.pdf")
    assert live_console.post_email(mail.as_bytes()).status_code in (200, 202)
    wait_for(lambda: any(m.attachments for m in _messages(live_console, ticket)), timeout=20)
    seed_whatsapp = seed_ticket(sender="+254711000777")
    media = {"NumMedia": "1", "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
             "MediaContentType0": "image/jpeg"}
    assert live_console.post_whatsapp("+254711000777", "the scan", **media).status_code == 200
    wait_for(lambda: any(m.attachments for m in _messages(live_console, seed_whatsapp)), timeout=20)

    email, password = make_user()
    sign_in(browser, email, password)
    _open(browser, live_console, ticket)
    link = browser.find_element(By.CSS_SELECTOR, "#records a[download]")
    assert link.text == "biopsy-report.pdf"
    assert "Pathology (biopsy) report" in browser.find_element(By.ID, "records").text
    href = link.get_attribute("href")
    assert re.search(rf"/console/tickets/{ticket}/records/\d+/0$", href)

    signed_in = live_console.http(email, password)
    answer = signed_in.get(href)
    assert answer.status_code == 200 and answer.content == pdf
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert "biopsy-report.pdf" in answer.headers["Content-Disposition"]
    (entry,) = _audit(live_console, "download_record")
    assert entry.actor == email and entry.detail["index"] == 0
    anonymous = live_console.http().get(href, allow_redirects=False)
    assert anonymous.status_code == 302 and "/console/login" in anonymous.headers["Location"]
    for bad in (href[:-1] + "7", re.sub(r"/records/\d+/", "/records/999999/", href)):
        assert signed_in.get(bad).status_code == 404
    # Another ticket's URL does not serve this case's file.
    assert signed_in.get(href.replace(ticket, seed_whatsapp)).status_code == 404
    assert len(_audit(live_console, "download_record")) == 1

    # WhatsApp media known only by their Twilio URL are listed, not linked.
    _open(browser, live_console, seed_whatsapp)
    row = browser.find_element(By.CSS_SELECTOR, "#records tr.record-remote")
    assert "not stored here" in row.text and not row.find_elements(By.CSS_SELECTOR, "a[download]")


def _adjust(browser: Any, code: str, low: str, high: str, reason: str) -> None:
    row = browser.find_element(By.CSS_SELECTOR, f".estimate-table[data-pathway] tr[data-code='{code}']")
    row.find_element(By.TAG_NAME, "summary").click()
    for name, value in (("low", low), ("high", high), ("reason", reason)):
        box = row.find_element(By.NAME, name)
        box.clear()
        box.send_keys(value)
    row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def _total(browser: Any) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".estimate-table .estimate-total .total").text


def test_an_adjustment_with_a_reason_is_in_the_history_and_changes_the_totals(
    live_console, browser, make_user, sign_in, seed_ticket, screenshot  # type: ignore[no-untyped-def]
) -> None:
    ticket = seed_ticket()
    email, password = make_user()
    sign_in(browser, email, password)
    _open(browser, live_console, ticket)
    assert _total(browser) == "$2,600 – $3,100"
    assert "None" in browser.find_element(By.ID, "estimate").text

    # Low above high: refused on the page, nothing changed.
    _adjust(browser, "specialist_review", "3000", "2000", "quote")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".adjust-error"), timeout=10)
    assert "cannot be more than high" in browser.find_element(By.CSS_SELECTOR, ".adjust-error").text
    assert _total(browser) == "$2,600 – $3,100"
    with live_console.session() as session:
        assert not session.scalars(select(EstimateAdjustment)).all()

    _open(browser, live_console, ticket)
    _adjust(browser, "specialist_review", "1,800", "2000", "The centre quoted US$1,800–2,000 on 1 Dec")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#adjust-history tr.adjustment"), timeout=10)
    assert browser.current_url.endswith("#estimate")
    history = browser.find_element(By.CSS_SELECTOR, "#adjust-history tr.adjustment").text
    for part in (email, "Specialist review", "$2,400 – $2,500 → $1,800 – $2,000", "The centre quoted"):
        assert part in history
    assert _total(browser) == "$2,000 – $2,600"
    line = browser.find_element(By.CSS_SELECTOR, "tr[data-code='specialist_review']")
    assert "adjusted" in line.text and "$1,800 – $2,000" in line.text
    with live_console.session() as session:
        case = session.scalar(select(Case).join(Ticket, Ticket.case_id == Case.id).where(Ticket.public_id == ticket))
        assert (case.data["estimate"]["total_low"], case.data["estimate"]["total_high"]) == (2000, 2600)
    (entry,) = _audit(live_console, "adjust_estimate")
    assert entry.actor == email and entry.detail["code"] == "specialist_review" and entry.detail["new"] == [1800, 2000]
    screenshot(browser, "case-adjusted")


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"low": "100", "high": "200", "reason": ""}, 400, "reason is required"),
        ({"low": "abc", "high": "200", "reason": "r"}, 400, "Low must be a whole amount"),
        ({"low": "-5", "high": "200", "reason": "r"}, 400, "Low must be a whole amount"),
        ({"code": "helicopter", "low": "1", "high": "2", "reason": "r"}, 400, "no item &#39;helicopter&#39;"),
        ({"low": "100", "high": "200", "reason": "r", "csrf_token": ""}, 400, "security token (CSRF)"),
    ],
)
def test_a_bad_adjustment_is_a_400_with_a_clear_message_and_changes_nothing(
    live_console, make_user, seed_ticket, form: dict[str, str], status: int, message: str  # type: ignore[no-untyped-def]
) -> None:
    ticket = seed_ticket()
    client = live_console.http(*make_user())
    page = client.get(f"{live_console.url}/console/tickets/{ticket}")
    data = {"csrf_token": csrf_token(page.text), "code": "specialist_review", "pathway": "", **form}
    answer = client.post(f"{live_console.url}/console/tickets/{ticket}/estimate", data=data, allow_redirects=False)
    assert answer.status_code == status and message in answer.text
    with live_console.session() as session:
        assert not session.scalars(select(EstimateAdjustment)).all()
    assert not _audit(live_console, "adjust_estimate")


def test_an_arabic_case_is_shown_in_english_with_the_patients_text_right_to_left(
    live_console, browser, make_user, sign_in, seed_ticket, screenshot  # type: ignore[no-untyped-def]
) -> None:
    ticket = seed_ticket(language="ar", body=ARABIC, name="ليلى أحمد", country="AE", city="Dubai",
                         cancer_type="lung_nsclc", stage="IV", age=61, text="سرطان الرئة",
                         reply="شكراً لك. سيتواصل معك منسق قريباً.")
    inbound, _ = _messages(live_console, ticket)
    email, password = make_user()
    sign_in(browser, email, password)
    _drain_log(browser)
    _open(browser, live_console, ticket)
    facts = browser.find_element(By.ID, "facts").text
    for english in ("Non-small cell lung cancer", "Stage IV", "United Arab Emirates (AE)", "Dubai",
                    "Not known yet"):
        assert english in facts, english
    assert "writes in Arabic" in browser.find_element(By.ID, "ticket").text
    body = browser.find_element(By.CSS_SELECTOR, f"#msg-{inbound.id} .msg-body")
    assert body.text == ARABIC and body.get_attribute("dir") == "auto" and body.get_attribute("lang") == "ar"
    assert browser.execute_script("return getComputedStyle(arguments[0]).direction", body) == "rtl"
    quote = browser.find_element(By.CSS_SELECTOR, ".fact[data-field='diagnosis.text'] .patient-text")
    assert quote.text == "سرطان الرئة"
    assert browser.execute_script("return getComputedStyle(arguments[0]).direction", quote) == "rtl"
    assert "Arabic" in browser.find_element(By.CSS_SELECTOR, f"#msg-{inbound.id} .msg-lang").text
    assert not _errors(browser)
    screenshot(browser, "case-ar")


def test_the_case_page_is_usable_at_phone_width(
    live_console, phone_browser, make_user, sign_in, seed_ticket, screenshot  # type: ignore[no-untyped-def]
) -> None:
    ticket = seed_ticket(language="ar", body=ARABIC, name="ليلى أحمد", country="AE", city="Dubai",
                         disease_status="relapsed", cancer_type="large_b_cell_lymphoma")
    email, password = make_user()
    sign_in(phone_browser, email, password)
    _open(phone_browser, live_console, ticket)
    assert phone_browser.execute_script("return document.documentElement.scrollWidth") <= 390
    assert phone_browser.find_element(By.ID, "transcript").is_displayed()
    summary = phone_browser.find_element(By.CSS_SELECTOR, "tr.estimate-line summary")
    summary.click()
    form = phone_browser.find_element(By.CSS_SELECTOR, "details[open] .adjust-form")
    assert form.is_displayed() and form.rect["x"] >= 0 and form.rect["x"] + form.rect["width"] <= 390
    assert phone_browser.execute_script("return document.documentElement.scrollWidth") <= 390
    summary.click()
    screenshot(phone_browser, "case-phone")
