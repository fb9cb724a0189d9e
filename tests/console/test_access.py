"""Console access in a real browser: sign-in and the first-login password change,
anonymous redirects, roles, the login rate limit, secure cookies, the audit log of
views, and patient text shown as text (no script runs)."""
from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from handoff import users
from store.models import AuditEntry, Ticket
from store.states import Role
from tests.console.conftest import csrf_token, fill_login
from tests.helpers import wait_for

pytestmark = pytest.mark.browser


def test_anonymous_requests_redirect_to_the_login_page(live_console) -> None:
    import requests

    for path in ("/console/", "/console/tickets/T-000001-1", "/console/dashboard", "/console/users", "/console/audit"):
        answer = requests.get(live_console.url + path, allow_redirects=False, timeout=30)
        assert answer.status_code == 302, path
        assert "/console/login" in answer.headers["Location"], path


def test_sign_in_with_a_one_time_password_asks_for_a_new_one(live_console, browser, screenshot) -> None:
    with live_console.session() as session, session.begin():
        _, one_time = users.create_user(session, "new.coordinator@example.org", Role.coordinator, name="New Person")
    fill_login(browser, live_console.url, "new.coordinator@example.org", one_time)
    wait_for(lambda: "/console/password" in browser.current_url, timeout=20)
    browser.get(live_console.url + "/console/")  # every page sends them back until it is changed
    assert "/console/password" in browser.current_url
    browser.find_element(By.NAME, "current").send_keys(one_time)
    browser.find_element(By.NAME, "new").send_keys("a much longer passphrase 42")
    browser.find_element(By.CSS_SELECTOR, "#password-form button[type=submit]").click()
    wait_for(lambda: browser.current_url.rstrip("/").endswith("/console"), timeout=20)
    screenshot(browser, "queue-first-login")
    cookie = next(c for c in browser.get_cookies() if c["name"] == "session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"


def test_a_coordinator_gets_403_on_admin_pages(live_console, browser, make_user, sign_in) -> None:
    email, password = make_user("coordinator")
    sign_in(browser, email, password)
    for path in ("/console/users", "/console/audit"):
        client = live_console.http(email, password)
        assert client.get(live_console.url + path, timeout=30).status_code == 403, path
    browser.get(live_console.url + "/console/users")
    assert "403" in browser.title or "Forbidden" in browser.page_source
    assert not browser.find_elements(By.LINK_TEXT, "Users"), "the nav offers admin pages to a coordinator"


def test_the_audit_log_records_case_views_and_admins_can_filter_it(
    live_console, browser, make_user, sign_in, seed_ticket, screenshot
) -> None:
    ticket = seed_ticket()
    coordinator, password = make_user("coordinator")
    sign_in(browser, coordinator, password)
    browser.get(f"{live_console.url}/console/tickets/{ticket}")
    wait_for(lambda: browser.find_elements(By.ID, "actions"), timeout=20)

    admin, admin_password = make_user("admin")
    browser.delete_all_cookies()
    sign_in(browser, admin, admin_password)
    browser.get(f"{live_console.url}/console/audit?action=view_case&case={ticket}&actor={coordinator}")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.audit tbody tr")
    assert len(rows) == 1, [r.text for r in rows]
    assert coordinator in rows[0].text and ticket in rows[0].text
    screenshot(browser, "audit-log")
    with live_console.session() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "view_case"))
        case_id = session.scalar(select(Ticket).where(Ticket.public_id == ticket)).case_id
    assert (entry.actor, entry.case_id) == (coordinator, case_id)


def test_the_sixth_wrong_password_is_refused_by_the_rate_limit(live_console, make_user) -> None:
    import requests

    email, password = make_user()
    client = requests.Session()
    codes = []
    for _ in range(6):
        page = client.get(live_console.url + "/console/login", timeout=30)
        codes.append(client.post(live_console.url + "/console/login", timeout=30, allow_redirects=False,
                                 data={"email": email, "password": "wrong password!", "csrf_token": csrf_token(page.text)}).status_code)
    assert codes == [401] * 5 + [429]
    # The right password is refused too while the limit holds.
    page = client.get(live_console.url + "/console/login", timeout=30)
    late = client.post(live_console.url + "/console/login", timeout=30, allow_redirects=False,
                       data={"email": email, "password": password, "csrf_token": csrf_token(page.text)})
    assert late.status_code == 429


def test_the_login_form_without_its_csrf_token_is_refused(live_console, make_user) -> None:
    import requests

    email, password = make_user()
    answer = requests.post(live_console.url + "/console/login", data={"email": email, "password": password},
                           allow_redirects=False, timeout=30)
    assert answer.status_code == 400


SCRIPTED = '<script>window.__pwned = "script"</script> and <img src=x onerror="window.__pwned = \'img\'"> hello'


def test_patient_html_is_shown_as_text_and_no_script_runs(
    live_console, browser, make_user, sign_in, seed_ticket
) -> None:
    ticket = seed_ticket(body=SCRIPTED, name='<b onmouseover="alert(1)">Eve</b>')
    email, password = make_user()
    sign_in(browser, email, password)
    for path in ("/console/", f"/console/tickets/{ticket}"):
        browser.get(live_console.url + path)
        wait_for(lambda: browser.execute_script("return document.readyState") == "complete", timeout=20)
        assert browser.execute_script("return window.__pwned === undefined"), path
        assert not browser.find_elements(By.CSS_SELECTOR, "main img[src=x], main script:not([src])"), path
    assert SCRIPTED in _text(browser)
    blocked = [e for e in browser.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    assert blocked == [], blocked  # nothing was even attempted: the markup never became elements


def _text(browser: Any) -> str:
    return browser.execute_script("return document.querySelector('main').innerText")
