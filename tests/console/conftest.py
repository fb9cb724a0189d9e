"""Browser tests of the coordinator console: the real app on a real WSGI server thread,
driven by Debian's headless Chromium through Selenium (nothing downloads a browser).

Fixtures (the names are fixed; console tests code against them):

- `live_console`: the app on a free port, a migrated SQLite database, an immediate huey
  worker (no Rasa: a patient message to the bot waits for its retry), Twilio's HTTP
  client recorded at the edge and a real SMTP sink. Attributes: `.url`, `.settings`,
  `.factory`, `.worker`, `.twilio_http`, `.mail_sink`, `.post_whatsapp(sender, body,
  sid=None)`, `.post_email(raw_bytes)`, `.http(email, password)` (a requests
  session signed in through the form; `csrf_token(html)` reads a page's token).
- `live_console_rasa`: the same with the real Rasa model and action server.
- `browser` (1280x800) and `phone_browser` (390x844): Chrome drivers kept for the
  session, cookies cleared for each test.
- `make_user(role="coordinator") -> (email, password)`: past the first-login change.
- `sign_in(browser, email, password)`: through the login form; waits until signed in.
- `screenshot(browser, name)`: `<name>.png` (the whole page) in the screenshot folder,
  printed at the end of the run.
- `seed_ticket(channel="whatsapp", language="en", **facts) -> ticket public id`: a
  contact, conversation, inbound message, the bot's reply, a case and its ticket,
  written through conversations.receive and apply_turn (no raw SQL).
"""
from __future__ import annotations

import base64
import copy
import itertools
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests
from huey import MemoryHuey
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server

from bot.mailsink import MailSink
from store.config import Settings, load_settings
from store.db import session_factory
from tests.conftest import REPO, TWILIO_SID, TWILIO_TOKEN, free_port
from tests.helpers import WHATSAPP_PATH, twilio_form, wait_for

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = Path(os.environ.get("INTAKE_SCREENSHOTS", REPO / "var" / "test-screenshots"))
DESKTOP = (1280, 800)
PHONE = (390, 844)
EMAIL_PATH = "/webhooks/email/inbound"
MAIL_TOKEN = "test-mail-token"

_written: list[Path] = []  # screenshots of this run, for the summary
_serial = itertools.count(1)


# ------------------------------------------------------------------ the live app


def console_settings(tmp_path: Path, public_base_url: str, mail_port: int, **overrides: Any) -> Settings:
    """Settings like tests/conftest.py's, on SQLite, with the public URL of the live server
    (Twilio signs it; the notification links point at it; http, so cookies are not Secure)."""
    from bot import migrate

    url = f"sqlite:///{tmp_path / 'console.db'}"
    migrate.upgrade(url)
    values: dict[str, Any] = {
        "data_dir": str(tmp_path / "var"),
        "database_url": url,
        "redis_url": None,
        "server": {"public_base_url": public_base_url},
        "rasa": {"retry_delay": 0.2},
        "smtp": {"host": "127.0.0.1", "port": mail_port, "sink": False},
        "simulator": {"enabled": False},
        "worker": {"sweep_seconds": 0.2, "stale_after_seconds": 0.5, "requeue_lost_after_seconds": 2,
                   "turn_retry_base": 0.1, "turn_retry_max": 0.5},
        "outbox": {"backoff_base": 0.01, "backoff_max": 0.05},
    }
    values.update(overrides)
    s = load_settings(overrides=values)
    s["secrets"].update(
        {
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_WHATSAPP_FROM": "+14155238886",
            "API_TOKEN": "test-api-token",
            "EMAIL_WEBHOOK_TOKEN": MAIL_TOKEN,
            "SECRET_KEY": "console-test-secret-" + "k" * 24,
        }
    )
    return s


class _LazyApp:
    """The WSGI app the server thread calls; set once the port (the public URL) is known."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)


@dataclass
class LiveConsole:
    url: str
    settings: Settings
    factory: sessionmaker[Session]
    worker: Any
    app: Any
    twilio_http: Any
    mail_sink: MailSink
    _sids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def post_whatsapp(self, sender: str, body: str, sid: str | None = None, **extra: str) -> requests.Response:
        """A Twilio webhook, signed as Twilio signs it, through the live server."""
        sid = sid or f"SM{next(_serial):08d}{next(self._sids):024d}"
        form = twilio_form(sid, body=body, sender=sender, **extra)
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(self.url + WHATSAPP_PATH, form)
        return requests.post(self.url + WHATSAPP_PATH, data=form, headers={"X-Twilio-Signature": signature}, timeout=60)

    def post_email(self, raw: bytes | str) -> requests.Response:
        """A raw MIME message as the inbound e-mail webhook receives it."""
        data = raw.encode() if isinstance(raw, str) else raw
        headers = {"Authorization": f"Bearer {MAIL_TOKEN}", "Content-Type": "message/rfc822"}
        return requests.post(self.url + EMAIL_PATH, data=data, headers=headers, timeout=60)

    def session(self) -> Session:
        return self.factory()

    def http(self, email: str | None = None, password: str | None = None) -> requests.Session:
        """A plain HTTP client (no browser), signed in through the login form when given a user."""
        client = requests.Session()
        if email is not None:
            page = client.get(self.url + "/console/login", timeout=30)
            resp = client.post(self.url + "/console/login", timeout=30, allow_redirects=False,
                               data={"email": email, "password": password, "csrf_token": csrf_token(page.text)})
            assert resp.status_code == 302, f"sign-in as {email} answered {resp.status_code}"
        return client


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "the page has no csrf_token field"
    return match.group(1)


def _serve(tmp_path: Path, twilio_http: Any, rasa_url: str | None) -> Iterator[LiveConsole]:
    from bot.app import create_app
    from bot.dialogue import RasaClient
    from bot.senders import sender_factory
    from bot.worker import Worker

    sink = MailSink(folder=tmp_path / "mail").start()
    holder = _LazyApp()
    server = make_server("127.0.0.1", 0, holder, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    settings = console_settings(tmp_path, url, sink.port)
    # Without Rasa the dialogue is a closed port: the bot's turns wait for their retry.
    dialogue = RasaClient(rasa_url or f"http://127.0.0.1:{free_port()}", timeout=5 if rasa_url is None else 30)
    worker = Worker(settings, huey=MemoryHuey(f"console-{next(_serial)}", immediate=True), dialogue=dialogue,
                    sender_for=sender_factory(settings, twilio_http))
    app = create_app(settings, enqueue=worker.enqueue, deliver=worker.deliver_outbox,
                     test_config={"RATELIMIT_STORAGE_URI": "memory://"})
    holder.app = app
    thread = threading.Thread(target=server.serve_forever, name="live-console", daemon=True)
    thread.start()
    try:
        yield LiveConsole(url, settings, session_factory(settings.database_url), worker, app, twilio_http, sink)
    finally:
        server.shutdown()
        thread.join(10)
        sink.stop()


@pytest.fixture
def live_console(tmp_path: Path, twilio_http: Any) -> Iterator[LiveConsole]:
    yield from _serve(tmp_path, twilio_http, None)


@pytest.fixture
def live_console_rasa(tmp_path: Path, twilio_http: Any, rasa_servers: Settings) -> Iterator[LiveConsole]:
    yield from _serve(tmp_path, twilio_http, rasa_servers.get_path("rasa.url"))


# ------------------------------------------------------------------ the browser


class _Drivers:
    """One Chromium per window size for the whole session, started when first needed."""

    def __init__(self) -> None:
        self.drivers: dict[str, Any] = {}

    def get(self, kind: str, size: tuple[int, int]) -> Any:
        if kind not in self.drivers:
            self.drivers[kind] = _start_chromium(size)
        return self.drivers[kind]

    def quit(self) -> None:
        for driver in self.drivers.values():
            try:
                driver.quit()
            except Exception:  # noqa: BLE001 - a browser already gone
                pass


def _start_chromium(size: tuple[int, int]) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        pytest.fail(
            f"headless Chromium is needed for the browser tests and {', '.join(missing)} is missing: "
            "`make test` installs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={size[0]},{size[1]}", "--lang=en-GB", "--hide-scrollbars",
                "--disable-extensions", "--no-first-run", "--password-store=basic"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    except Exception as exc:  # noqa: BLE001 - said plainly, never a silent skip
        pytest.fail(f"headless Chromium ({CHROMIUM}, driver {CHROMEDRIVER}) could not start: {exc}", pytrace=False)
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture(scope="session")
def _drivers() -> Iterator[_Drivers]:
    drivers = _Drivers()
    yield drivers
    drivers.quit()


def _fresh(driver: Any, size: tuple[int, int], mobile: bool) -> Any:
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    # The viewport exactly (the window's frame does not count), as a phone reports it.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": mobile},
    )
    driver.get("about:blank")
    driver.get_log("browser")  # drop what an earlier test left in the console log
    return driver


@pytest.fixture
def browser(_drivers: _Drivers) -> Iterator[Any]:
    """Chromium at 1280x800, with no cookies from an earlier test."""
    driver = _fresh(_drivers.get("desktop", DESKTOP), DESKTOP, mobile=False)
    yield driver
    driver.get("about:blank")


@pytest.fixture
def phone_browser(_drivers: _Drivers) -> Iterator[Any]:
    """Chromium at phone width (390x844, a mobile viewport)."""
    driver = _fresh(_drivers.get("phone", PHONE), PHONE, mobile=True)
    yield driver
    driver.get("about:blank")


# ------------------------------------------------------------------ users, pages, screenshots


def user_into(live: LiveConsole, role: str = "coordinator", email: str | None = None,
              name: str | None = None) -> tuple[str, str]:
    """A console user of `live` who has already changed the one-time password: (email, password)."""
    from handoff import users
    from store.states import Role

    n = next(_serial)
    email = email or f"{role}{n}@example.org"
    password = f"correct horse battery {n:04d}"
    with live.factory() as session, session.begin():
        user, one_time = users.create_user(session, email, Role(role), name=name or f"{role.title()} {n}")
        users.change_password(session, user, one_time, password)
    return email, password


@pytest.fixture
def make_user(live_console: LiveConsole) -> Callable[..., tuple[str, str]]:
    """`make_user(role="coordinator", email=None, name=None) -> (email, password)`."""
    return lambda role="coordinator", email=None, name=None: user_into(live_console, role, email, name)


def fill_login(driver: Any, base_url: str, email: str, password: str) -> None:
    """Types e-mail and password into /console/login and submits (no waiting)."""
    from selenium.webdriver.common.by import By

    driver.get(base_url + "/console/login")
    driver.find_element(By.NAME, "email").clear()
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]").click()


@pytest.fixture
def sign_in(live_console: LiveConsole) -> Callable[[Any, str, str], None]:
    def do(driver: Any, email: str, password: str) -> None:
        fill_login(driver, live_console.url, email, password)
        wait_for(lambda: "/console/login" not in driver.current_url, timeout=20,)

    return do


def _full_page_png(driver: Any) -> bytes:
    """The whole page, not just the viewport (Chromium's DevTools capture)."""
    try:
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        width = max(int(size["width"]), int(metrics["cssLayoutViewport"]["clientWidth"]))
        height = min(int(size["height"]), 12000)
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True,
             "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
        )
        return base64.b64decode(shot["data"])
    except Exception:  # noqa: BLE001 - fall back to the viewport
        return driver.get_screenshot_as_png()


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    def take(driver: Any, name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if not _written:  # this run's first: the folder shows this run only
            for old in SCREENSHOTS.glob("*.png"):
                old.unlink()
        path = SCREENSHOTS / f"{name}.png"
        path.write_bytes(_full_page_png(driver) if full_page else driver.get_screenshot_as_png())
        _written.append(path)
        return path

    return take


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _written:
        terminalreporter.write_sep("-", f"console screenshots in {SCREENSHOTS}")
        for path in dict.fromkeys(_written):
            terminalreporter.write_line(f"  {path.name}")


# ------------------------------------------------------------------ a ticket to look at

_SECTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "patient": {"relation": "mother", "age": 52, "sex": "female"},
    "diagnosis": {"cancer_type": "breast", "stage": "II", "text": "breast cancer stage 2"},
    "history": {"treatments": [], "disease_status": "newly_diagnosed"},
    "location": {"country": "KE", "city": "Nairobi"},
    "request": {"service": "unsure"},
}


def case_from_facts(language: str, facts: dict[str, Any]) -> dict[str, Any]:
    """A case body as the dialogue writes it. A fact is a section (`diagnosis={...}` merged,
    `consent="given"`) or one of a section's fields (`cancer_type="lung"`, `country="GH"`,
    `red_flags=[...]`)."""
    from handoff.case_shape import EMPTY_CASE

    case = copy.deepcopy(EMPTY_CASE)
    for section, values in _SECTION_DEFAULTS.items():
        case[section].update(values)
    case["language"] = language
    case["consent"] = "given"
    for key, value in facts.items():
        if key in case:
            if isinstance(case[key], dict) and isinstance(value, dict):
                case[key].update(value)
            else:
                case[key] = value
            continue
        sections = [name for name, body in case.items() if isinstance(body, dict) and key in body]
        if not sections:
            raise TypeError(f"seed_ticket: {key!r} is neither a case section nor a field of one")
        case[sections[0]][key] = value
    if case["safety"].get("red_flags"):
        case["safety"]["emergency"] = True
    return case


def seed_into(live: LiveConsole, channel: str = "whatsapp", language: str = "en", *, body: str | None = None,
              reply: str | None = None, sender: str | None = None, name: str | None = "Amina Otieno",
              subject: str | None = None, reason: str = "intake_complete", priority: str | None = None,
              recommend: bool = True, **facts: Any) -> str:
    """A ticket as the bot opens it at the end of an intake; returns its public id.

    Keyword options besides the facts: `body` (the patient's message, verbatim), `reply`
    (the bot's answer), `sender` (a WhatsApp number or an e-mail address), `name`,
    `subject` (e-mail), `reason` (default intake_complete), `priority` (default from the
    case), `recommend` (False: no recommendation or estimate)."""
    import estimates
    from bot import conversations
    from channels.base import InboundMessage
    from handoff import tickets
    from store.models import Case, Message, Ticket

    n = next(_serial)
    case = case_from_facts(language, facts)
    if recommend and case.get("recommendation") is None:
        case.update(estimates.estimate_for_case(case))
    text = body if body is not None else "Hello, my mother is 52 and has breast cancer stage 2. We live in Nairobi."
    if channel == "email":
        sender = sender or f"family{n}@example.org"
        provider_id = f"<seed{n}@example.org>"
        msg = InboundMessage(channel="email", sender=sender, recipient="care@intake.localhost", text=text,
                             provider_id=provider_id, profile_name=name, subject=subject or "Enquiry for my mother",
                             thread_key=provider_id)
    else:
        sender = sender or f"+2547110{n:05d}"
        msg = InboundMessage(channel=channel, sender=sender, recipient="+14155238886", text=text,
                             provider_id=f"SMseed{n:026d}", profile_name=name)
    received = conversations.receive(live.factory, msg, conversations.files_dir(live.settings))
    request = {"reason": reason, "priority": priority or tickets.priority_for(case)}
    answer = reply if reply is not None else "Thank you. A coordinator will look at your case and write to you."
    replies = [{"text": answer, "custom": {"intake": {"version": 1, "case": case, "ticket": request}}}]
    with live.factory() as session, session.begin():
        outbox_ids = conversations.apply_turn(session, live.settings, received.message_id, replies)
    for outbox_id in outbox_ids:  # the reply to the patient and the coordinators' notice
        live.worker.deliver_now(outbox_id)
    with live.factory() as session:
        conversation_id = session.get(Message, received.message_id).conversation_id
        ticket = session.scalars(
            select(Ticket).join(Case, Case.id == Ticket.case_id)
            .where(Case.conversation_id == conversation_id).order_by(Ticket.id.desc())
        ).first()
        assert ticket is not None, "the seeded turn opened no ticket"
        return ticket.public_id


@pytest.fixture
def seed_ticket(live_console: LiveConsole) -> Callable[..., str]:
    """`seed_ticket(channel="whatsapp", language="en", **options_and_facts)`: see `seed_into`."""
    return lambda *args, **kwargs: seed_into(live_console, *args, **kwargs)
