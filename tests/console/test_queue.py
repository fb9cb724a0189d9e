"""The queue in a real browser: order, filters, live updates without reloading, phone
width; and its JSON updates endpoint."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from store.models import AuditEntry
from tests.helpers import wait_for


# Not autouse: these need the live app, which must come after the module's autouse fixtures.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("_fast_polling")]


@pytest.fixture
def _fast_polling(live_console) -> None:  # type: ignore[no-untyped-def]
    live_console.settings["console"]["queue_poll_seconds"] = 1


def _row_ids(driver: Any) -> list[str]:
    # One script call: the poll may replace the rows between two WebDriver calls.
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#queue-rows tr[data-ticket]')).map(function (tr) {"
        " return tr.getAttribute('data-ticket'); });"
    )


def _live(driver: Any, ticket: str, selector: str = "", what: str = "text") -> Any:
    """Read a row in one script call: the poll may replace the rows between two WebDriver calls."""
    return driver.execute_script(
        "var tr = document.querySelector('#queue-rows tr[data-ticket=\"' + arguments[0] + '\"]');"
        "var el = tr && (arguments[1] ? tr.querySelector(arguments[1]) : tr);"
        "if (!el) { return null; }"
        "if (arguments[2] === 'class') { return el.className; }"
        "if (arguments[2] === 'href') { return el.href; }"
        "return el.textContent.replace(/\\s+/g, ' ').trim();",
        ticket, selector, what,
    )


def _view_queue_entries(live_console) -> int:  # type: ignore[no-untyped-def]
    with live_console.factory() as session:
        return len(session.scalars(select(AuditEntry).where(AuditEntry.action == "view_queue")).all())


def test_the_queue_lists_tickets_by_priority_then_due_and_filters_narrow_it(
    live_console, browser, make_user, sign_in, seed_ticket, screenshot  # type: ignore[no-untyped-def]
) -> None:
    first_normal = seed_ticket(name="Amina Otieno")
    high = seed_ticket(disease_status="relapsed", name="Kofi Mensah", cancer_type="large_b_cell_lymphoma")
    second_normal = seed_ticket(channel="email", name="Yaw Boateng", cancer_type="lung_nsclc", stage="IV")
    urgent = seed_ticket(red_flags=["spinal_cord_compression"], name="Fatima Hassan")
    arabic = seed_ticket(language="ar", name="ليلى أحمد", country="AE", city="Dubai")
    email, password = make_user()
    sign_in(browser, email, password)
    browser.get(live_console.url + "/console/")
    assert _row_ids(browser) == [urgent, high, first_normal, second_normal, arabic]
    assert _live(browser, urgent, ".badge.urgent") == "urgent"
    assert "min left" in _live(browser, urgent, "td[data-label=Due]")
    # The ticket id links to its case page; the number is not shown in clear.
    assert _live(browser, urgent, "td[data-label=Ticket] a", "href") == f"{live_console.url}/console/tickets/{urgent}"
    assert "WhatsApp ···" in _live(browser, urgent) and "+2547" not in browser.page_source
    screenshot(browser, "queue")

    # Filters are GET parameters of the form: Arabic only, then urgent only.
    Select(browser.find_element(By.NAME, "language")).select_by_value("ar")
    browser.find_element(By.CSS_SELECTOR, ".queue-filters button[type=submit]").click()
    wait_for(lambda: "language=ar" in browser.current_url, timeout=10)
    assert _row_ids(browser) == [arabic]
    assert _live(browser, arabic, "td[data-label=Language]") == "Arabic"
    browser.get(live_console.url + "/console/?urgent=1")
    assert _row_ids(browser) == [urgent]
    assert browser.find_element(By.NAME, "urgent").is_selected()
    browser.get(live_console.url + "/console/?channel=email&status=all")
    assert _row_ids(browser) == [second_normal]
    browser.get(live_console.url + "/console/?mine=1")
    assert "No tickets match these filters." in browser.find_element(By.ID, "queue-rows").text
    # One audit entry per page load (after sign-in, then five more), none per poll.
    loads = _view_queue_entries(live_console)
    assert loads == 6
    wait_for(lambda: "Updated" in browser.find_element(By.ID, "queue-live").text, timeout=10)
    assert _view_queue_entries(live_console) == loads


def test_a_new_ticket_and_a_new_patient_message_appear_without_reloading(
    live_console, browser, make_user, sign_in, seed_ticket  # type: ignore[no-untyped-def]
) -> None:
    sender = "+254711222333"
    existing = seed_ticket(sender=sender)
    email, password = make_user()
    sign_in(browser, email, password)
    browser.get(live_console.url + "/console/")
    assert _row_ids(browser) == [existing]
    browser.execute_script("window.__sameQueuePage = true;")

    fresh = seed_ticket(red_flags=["bleeding"], name="Zainab Ali")
    wait_for(lambda: fresh in _row_ids(browser), timeout=15)
    assert _row_ids(browser) == [fresh, existing]  # urgent first
    assert browser.execute_script("return window.__sameQueuePage === true;"), "the page was reloaded"
    assert "fresh" in _live(browser, fresh, what="class") and _live(browser, fresh, ".badge.new") == "new"
    assert browser.title.startswith("(1) ")
    # The coordinators' e-mail about the urgent ticket went at once, with a link to its page.
    mail = wait_for(lambda: [m for m in live_console.mail_sink.messages if fresh in m["Subject"]], timeout=10)[0]
    assert mail["Subject"].startswith("[CancerFax] URGENT")
    assert f"{live_console.url}/console/tickets/{fresh}" in mail.get_content()

    assert live_console.post_whatsapp(sender, "Any news? She is in more pain today.").status_code == 200
    wait_for(lambda: _live(browser, existing, ".badge.unread") == "unread", timeout=15)
    assert _live(browser, existing, ".badge.new") == "new message"
    assert "just now" in _live(browser, existing, "td[data-label='Patient wrote']")
    assert browser.execute_script("return window.__sameQueuePage === true;")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]
    assert not errors  # no script error, no CSP refusal


def test_the_queue_is_usable_at_phone_width(
    live_console, phone_browser, make_user, sign_in, seed_ticket, screenshot  # type: ignore[no-untyped-def]
) -> None:
    seed_ticket(red_flags=["spinal_cord_compression"], name="Fatima Hassan")
    seed_ticket(channel="email", name="Yaw Boateng", cancer_type="lung_nsclc", stage="IV")
    seed_ticket(language="ar", name="ليلى أحمد", country="AE")
    email, password = make_user()
    sign_in(phone_browser, email, password)
    phone_browser.get(live_console.url + "/console/")
    assert len(_row_ids(phone_browser)) == 3
    # Nothing wider than the screen; each cell says what it is (td[data-label]).
    assert phone_browser.execute_script("return document.documentElement.scrollWidth") <= 390
    assert not phone_browser.find_element(By.CSS_SELECTOR, ".queue-table thead").is_displayed()
    cell = phone_browser.find_element(By.CSS_SELECTOR, "#queue-rows tr td[data-label=Due]")
    label = phone_browser.execute_script("return getComputedStyle(arguments[0], '::before').content", cell)
    assert label == '"Due: "'
    link = phone_browser.find_element(By.CSS_SELECTOR, "#queue-rows tr td[data-label=Ticket] a")
    assert link.size["height"] >= 16 and link.is_displayed()
    Select(phone_browser.find_element(By.NAME, "channel")).select_by_value("email")
    phone_browser.find_element(By.CSS_SELECTOR, ".queue-filters button[type=submit]").click()
    wait_for(lambda: len(_row_ids(phone_browser)) == 1, timeout=10)
    phone_browser.get(live_console.url + "/console/")
    screenshot(phone_browser, "queue-phone")


# ------------------------------------------------------------------ the JSON endpoint


def _client(live_console, make_user):  # type: ignore[no-untyped-def]
    client = live_console.app.test_client()
    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', page)
    assert token, "no csrf_token on the login page"
    email, password = make_user()
    answer = client.post("/console/login", data={"email": email, "password": password,
                                                 "csrf_token": token.group(1) or token.group(2)})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return client


def test_updates_need_a_signed_in_user(live_console) -> None:  # type: ignore[no-untyped-def]
    answer = live_console.app.test_client().get("/console/queue/updates?since=2026-01-01T00:00:00%2B00:00")
    assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]


@pytest.mark.parametrize("since", ["", "yesterday", "2026-12-02T09:30:00", "2026-13-40T00:00:00+00:00"])
def test_a_bad_since_is_refused_with_a_clear_message(live_console, make_user, since: str) -> None:  # type: ignore[no-untyped-def]
    client = _client(live_console, make_user)
    answer = client.get("/console/queue/updates", query_string={"since": since} if since else {})
    assert answer.status_code == 400
    assert "ISO 8601" in answer.get_json()["error"] and "timezone" in answer.get_json()["error"]


def test_updates_return_the_tickets_and_patient_messages_after_since(live_console, make_user, seed_ticket) -> None:  # type: ignore[no-untyped-def]
    sender = "+254711444555"
    old = seed_ticket(sender=sender)
    client = _client(live_console, make_user)
    first = client.get("/console/queue/updates", query_string={"since": "2000-01-01T00:00:00+00:00"}).get_json()
    assert first["new_tickets"] == [old] and first["tickets"] == [old] and old in first["rows_html"]
    cursor = first["cursor"]
    quiet = client.get("/console/queue/updates", query_string={"since": cursor}).get_json()
    assert quiet["new_tickets"] == [] and quiet["new_messages"] == [] and quiet["tickets"] == [old]

    new = seed_ticket(channel="email", language="fr")
    live_console.post_whatsapp(sender, "Here is the scan")
    found = client.get("/console/queue/updates", query_string={"since": cursor}).get_json()
    assert found["new_tickets"] == [new]
    assert [m["ticket"] for m in found["new_messages"]] == [old]
    assert datetime.fromisoformat(found["new_messages"][0]["at"]) > datetime.fromisoformat(cursor)
    assert "Here is the scan" not in str(found)  # ids and times, not the patient's words
    # The page's filters apply to the updates too.
    french = client.get("/console/queue/updates", query_string={"since": cursor, "language": "fr"}).get_json()
    assert french["tickets"] == [new] and french["new_messages"] == []
    bad = client.get("/console/queue/updates", query_string={"since": cursor, "status": "closed"})
    assert bad.status_code == 400 and "status" in bad.get_json()["error"]
    # A "+" sent unencoded arrives as a space, and "Z" is UTC: both understood.
    later = (datetime.now(timezone.utc) + timedelta(minutes=1)).replace(microsecond=0)
    assert client.get(f"/console/queue/updates?since={later.isoformat()}").status_code == 200
    assert client.get(f"/console/queue/updates?since={later.isoformat().replace('+00:00', 'Z')}").status_code == 200
    with live_console.factory() as session:  # polling is not audited as a view
        assert not session.scalars(select(AuditEntry).where(AuditEntry.action == "view_queue")).all()
