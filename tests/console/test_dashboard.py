"""The dashboard in a real browser: its charts load as images (and are drawn in colour,
so the chart's own style applied), its figures match the seeded tickets, the CSV has the
same figures; phone width; anonymous visitors go to the login page; bad periods are 400."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from bot import conversations
from channels.base import InboundMessage
from handoff import audit, verbs
from handoff.tickets import as_utc
from store.models import AuditEntry, Ticket, User
from tests.helpers import wait_for

pytestmark = pytest.mark.browser

# Draws each chart image on a canvas and counts the pixels in the console's accent
# colour (bars) and in near-black: pygal's inline <style> gives the bars their colour;
# were it refused (CSP), SVG's default fill would paint them black.
_CHART_PIXELS = """
var out = {};
document.querySelectorAll('img.dash-chart').forEach(function (img) {
  var c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  var ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  var d = ctx.getImageData(0, 0, c.width, c.height).data, colour = 0, black = 0;
  for (var i = 0; i < d.length; i += 4) {
    if (d[i + 3] < 200) { continue; }
    if (d[i] < 30 && d[i + 1] < 30 && d[i + 2] < 30) { black++; }
    else if (d[i + 2] > 150 && d[i] < 120) { colour++; }
  }
  out[img.id] = {complete: img.complete, width: img.naturalWidth, src: img.currentSrc, colour: colour, black: black};
});
return out;
"""


def _ticket_work(live_console, coordinator: str, public_id: str, *, claim: bool = False,  # type: ignore[no-untyped-def]
                 reply_after: timedelta | None = None, resolve: bool = False) -> None:
    """What a coordinator did, through the verbs and the audit log (as the console's actions do)."""
    with live_console.factory() as session, session.begin():
        ticket = session.scalar(select(Ticket).where(Ticket.public_id == public_id))
        user = session.scalar(select(User).where(User.email == coordinator))
        if claim or reply_after is not None:
            verbs.claim(session, ticket, coordinator)
            audit.record(session, user, "claim", ticket=ticket)
        if reply_after is not None:
            verbs.reply(session, ticket, "We have read your message and will write again today.")
            # The entry's time places the reply `reply_after` the ticket opened.
            audit.record(session, user, "reply", ticket=ticket).at = as_utc(ticket.created_at) + reply_after
        if resolve:
            verbs.resolve(session, ticket)


def _a_greeting(live_console) -> None:  # type: ignore[no-untyped-def]
    """A conversation that has not got further than its first message (no case yet)."""
    msg = InboundMessage(channel="whatsapp", sender="+254799000111", recipient="+14155238886", text="Hello",
                         provider_id="SMdashboardgreeting000000000001", profile_name="Visitor")
    conversations.receive(live_console.factory, msg, conversations.files_dir(live_console.settings))


def _text(driver: Any, selector: str) -> str:
    # textContent: the figure tables sit in closed <details>.
    return driver.execute_script(
        "var el = document.querySelector(arguments[0]); return el ? el.textContent.replace(/\\s+/g, ' ').trim() : null;",
        selector)


@pytest.fixture
def seeded(live_console, make_user, seed_ticket, test_clock) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Four tickets and a greeting, worked on by a coordinator; then six days pass.

    Two intakes ended with a pathway (answered, claimed); a red flag opened an emergency
    ticket with no pathway (late); a family asked for a person mid-intake, its case still
    carrying the placeholder recommendation every turn before the end writes, and the
    ticket was resolved without being claimed (resolved)."""
    email, password = make_user()
    pending = {"primary": None, "secondary": [],
               "reasons": ["pending: intake incomplete (treatment_history, location, requested_service)"]}
    made = {
        "answered": seed_ticket(name="Amina Otieno"),  # remote second opinion
        "claimed": seed_ticket(disease_status="relapsed", cancer_type="large_b_cell_lymphoma", name="Kofi Mensah"),
        "late": seed_ticket(red_flags=["spinal_cord_compression"], reason="emergency",
                            name="Fatima Hassan"),  # urgent: due in 60 min
        "resolved": seed_ticket(channel="email", recommend=False, recommendation=pending, reason="patient_request",
                                name="Yaw Boateng"),
    }
    _a_greeting(live_console)
    _ticket_work(live_console, email, made["answered"], reply_after=timedelta(minutes=20))
    _ticket_work(live_console, email, made["claimed"], claim=True)
    _ticket_work(live_console, email, made["late"], reply_after=timedelta(hours=2))  # after its due time
    _ticket_work(live_console, email, made["resolved"], resolve=True)
    with live_console.factory() as session:
        opened = as_utc(session.scalar(select(Ticket.created_at).where(Ticket.public_id == made["answered"])))
    test_clock(6 * 24 * 3600)  # every unresolved ticket is past its due time now
    return {"email": email, "password": password, "day": opened.date().isoformat(), **made}


def test_the_dashboard_shows_charts_and_figures_that_match_the_tickets_and_the_csv(
    live_console, browser, sign_in, seeded, screenshot  # type: ignore[no-untyped-def]
) -> None:
    sign_in(browser, seeded["email"], seeded["password"])  # a coordinator
    browser.get(live_console.url + "/console/dashboard")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Dashboard"
    wait_for(lambda: browser.execute_script(
        "return Array.from(document.querySelectorAll('img.dash-chart')).every(function (i) {"
        " return i.complete && i.naturalWidth > 0; });"), timeout=20)
    pixels = browser.execute_script(_CHART_PIXELS)
    assert set(pixels) == {"chart-tickets", "chart-reply_time", "chart-funnel"}
    for name, seen in pixels.items():
        assert seen["width"] > 500 and "size=wide" in seen["src"], (name, seen)
        assert seen["colour"] > 500 and seen["colour"] > 3 * seen["black"], (name, seen)

    # The default period: the last 30 days, ending today (six days after the tickets).
    assert "30 days" in browser.find_element(By.CSS_SELECTOR, ".dash-note").text
    assert browser.find_element(By.ID, "fig-opened").text == "4"
    assert browser.find_element(By.ID, "fig-not-replied").text == "2"  # claimed only, resolved unanswered
    assert browser.find_element(By.ID, "fig-overdue").text == "3"  # all but the resolved one
    assert browser.find_element(By.ID, "fig-late").text == "1"  # the urgent one, answered after 2 h
    day = f"#table-tickets tr[data-day='{seeded['day']}']"
    assert _text(browser, day + " td[data-pathway=remote_second_opinion]") == "1"
    assert _text(browser, day + " td[data-pathway=car_t_eligibility]") == "1"
    assert _text(browser, day + " td[data-pathway=none]") == "2"  # a red flag, and no recommendation
    assert _text(browser, day + " .dash-total") == "4"
    buckets = {k: _text(browser, f"#table-reply tr[data-bucket='{k}'] td") for k in
               ("under_1h", "1h_4h", "4h_8h", "8h_24h", "1d_3d", "over_3d", "not_replied")}
    assert buckets == {"under_1h": "1", "1h_4h": "1", "4h_8h": "0", "8h_24h": "0", "1d_3d": "0", "over_3d": "0",
                       "not_replied": "2"}
    funnel = {k: _text(browser, f"#table-funnel tr[data-stage='{k}'] td") for k in
              ("conversations", "consent", "intake_complete", "ticket", "claimed", "replied")}
    # Intake complete: only the two told a pathway (not the emergency, not the placeholder);
    # claimed: the three a coordinator claimed (not the one resolved unclaimed).
    assert funnel == {"conversations": "5", "consent": "4", "intake_complete": "2", "ticket": "4", "claimed": "3",
                      "replied": "2"}
    screenshot(browser, "dashboard")
    # The pages keep their strict CSP; only the chart images may use their inline style.
    refused = [e for e in browser.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    assert not refused

    # The CSV has the same figures (a signed-in download of the page's link).
    link = browser.find_element(By.ID, "dash-csv").get_attribute("href")
    client = live_console.http(seeded["email"], seeded["password"])
    got = client.get(link, timeout=30)
    assert got.status_code == 200 and got.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in got.headers["Content-Disposition"] and ".csv" in got.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert list(rows[0]) == ["period_start", "period_end", "figure", "date", "category", "label", "count"]
    counts = {(r["figure"], r["date"], r["category"]): int(r["count"]) for r in rows}
    assert counts[("tickets_opened", seeded["day"], "remote_second_opinion")] == 1
    assert counts[("tickets_opened", seeded["day"], "none")] == 2
    assert sum(v for (figure, _, _), v in counts.items() if figure == "tickets_opened") == 4
    assert counts[("time_to_first_reply", "", "1h_4h")] == 1 and counts[("time_to_first_reply", "", "not_replied")] == 2
    assert counts[("overdue", "", "unresolved_past_due_now")] == 3 and counts[("overdue", "", "first_reply_after_due")] == 1
    assert [r["category"] for r in rows if r["figure"] == "funnel"] == [
        "conversations", "consent", "intake_complete", "ticket", "claimed", "replied"]
    assert counts[("funnel", "", "replied")] == 2
    assert counts[("funnel", "", "intake_complete")] == 2 and counts[("funnel", "", "claimed")] == 3
    assert len({r["date"] for r in rows if r["figure"] == "tickets_opened"}) == 30

    # A chart is an SVG image whose own response allows its inline style and no script.
    chart = client.get(pixels["chart-funnel"]["src"], timeout=30)
    assert chart.headers["Content-Type"].startswith("image/svg+xml")
    assert "script-src" not in chart.headers["Content-Security-Policy"]
    assert "default-src 'none'" in chart.headers["Content-Security-Policy"]
    page_csp = client.get(live_console.url + "/console/dashboard", timeout=30).headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page_csp
    with live_console.factory() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).where(
            AuditEntry.actor == seeded["email"], AuditEntry.action.in_(("view_dashboard", "export_csv"))))]
    assert actions.count("view_dashboard") == 2 and actions.count("export_csv") == 1


def test_a_chosen_period_and_bad_periods(live_console, browser, sign_in, seeded) -> None:  # type: ignore[no-untyped-def]
    sign_in(browser, seeded["email"], seeded["password"])
    browser.get(live_console.url + "/console/dashboard")
    day = seeded["day"]
    browser.get(f"{live_console.url}/console/dashboard?since={day}&until={day}")
    assert browser.find_element(By.ID, "fig-opened").text == "4"
    assert "(1 day)" in browser.find_element(By.CSS_SELECTOR, ".dash-note").text
    assert browser.find_element(By.NAME, "since").get_attribute("value") == day
    # An empty period and the longest one both draw their charts (an empty chart says so).
    longest = (date.fromisoformat(day) - timedelta(days=365)).isoformat()  # 366 days ending on `day`
    for since, until in [("2020-01-01", "2020-01-31"), (longest, day)]:
        browser.get(f"{live_console.url}/console/dashboard?since={since}&until={until}")
        wait_for(lambda: browser.execute_script(
            "var imgs = Array.from(document.querySelectorAll('img.dash-chart'));"
            "return imgs.length === 3 && imgs.every(function (i) { return i.complete && i.naturalWidth > 0; });"),
            timeout=20)
    assert browser.find_element(By.ID, "fig-opened").text == "4"
    assert "(366 days)" in browser.find_element(By.CSS_SELECTOR, ".dash-note").text
    client = live_console.http(seeded["email"], seeded["password"])
    empty = client.get(f"{live_console.url}/console/dashboard/charts/tickets.svg?since=2020-01-01&until=2020-01-31",
                       timeout=30)
    assert empty.status_code == 200 and "No tickets in this period" in empty.text
    for query, message in [
        ("since=2026-13-01", "`since` must be a date written YYYY-MM-DD"),
        ("since=2026-12-05&until=2026-12-04", "the start (2026-12-05) is after the end (2026-12-04)"),
        ("since=2024-01-01&until=2026-01-01", "at most 366 days can be shown at once"),
    ]:
        page = client.get(f"{live_console.url}/console/dashboard?{query}", timeout=30)
        assert page.status_code == 400 and message in page.text.replace("&#39;", "'").replace("&#96;", "`"), query
        exported = client.get(f"{live_console.url}/console/dashboard.csv?{query}", timeout=30)
        assert exported.status_code == 400 and message in exported.text, query
    browser.get(f"{live_console.url}/console/dashboard?since=2026-12-05&until=2026-12-04")
    assert "is after the end" in browser.find_element(By.ID, "dash-error").text
    assert not browser.find_elements(By.CSS_SELECTOR, "img.dash-chart")


def test_anonymous_visitors_are_sent_to_the_login_page(live_console, browser) -> None:  # type: ignore[no-untyped-def]
    browser.get(live_console.url + "/console/dashboard")
    wait_for(lambda: "/console/login" in browser.current_url, timeout=10)
    anonymous = live_console.http()
    for path in ("/console/dashboard.csv", "/console/dashboard/charts/funnel.svg"):
        got = anonymous.get(live_console.url + path, timeout=30, allow_redirects=False)
        assert got.status_code == 302 and "/console/login" in got.headers["Location"], path


def test_the_dashboard_is_usable_at_phone_width(
    live_console, phone_browser, sign_in, seeded, screenshot  # type: ignore[no-untyped-def]
) -> None:
    sign_in(phone_browser, seeded["email"], seeded["password"])
    phone_browser.get(live_console.url + "/console/dashboard")
    wait_for(lambda: phone_browser.execute_script(
        "return Array.from(document.querySelectorAll('img.dash-chart')).every(function (i) {"
        " return i.complete && i.naturalWidth > 0; });"), timeout=20)
    pixels = phone_browser.execute_script(_CHART_PIXELS)
    for name, seen in pixels.items():
        assert "size=phone" in seen["src"] and seen["colour"] > 300, (name, seen)
    # Nothing wider than the screen; each chart fills the width.
    assert phone_browser.execute_script("return document.documentElement.scrollWidth;") <= 390
    widths = phone_browser.execute_script(
        "return Array.from(document.querySelectorAll('img.dash-chart')).map(function (i) { return i.clientWidth; });")
    assert all(320 <= w <= 390 for w in widths), widths
    assert phone_browser.find_element(By.ID, "fig-opened").text == "4"
    screenshot(phone_browser, "dashboard-phone")
