"""The product as real processes on loopback (action server, Rasa, worker, gateway),
each killable with -9 and restartable, Twilio replaced at its HTTP edge."""
from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from store.config import DEFAULT_CONFIG_FILE, PROJECT_ROOT, Settings, load_settings
from store.db import session_factory
from bot.mailsink import MailSink
from store.models import Direction, Message
from bot.rasa_runtime import action_server_ready, ensure_model, rasa_ready, start_action_server, start_rasa_server
from tests.conftest import PUBLIC_BASE, TWILIO_SID, TWILIO_TOKEN, free_port
from tests.helpers import WHATSAPP_PATH, sign, twilio_form

FAST = {
    "worker": {"lease_seconds": 6, "sweep_seconds": 0.5, "stale_after_seconds": 1, "requeue_lost_after_seconds": 10,
               "turn_retry_base": 0.5, "turn_retry_max": 2},
    "rasa": {"retry_delay": 0.5, "timeout": 30},
    "outbox": {"backoff_base": 1, "backoff_max": 5, "lease_seconds": 40},
}


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


class Stack:
    def __init__(self, workdir: Path, twilio_url: str, overrides: dict[str, Any] | None = None) -> None:
        self.workdir = workdir
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        # Coordinators' notification e-mails go to a real local SMTP server.
        self.mail = MailSink(folder=workdir / "mail").start()
        tree = yaml.safe_load(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))
        tree = _merge(tree, _merge(FAST, overrides or {}))
        tree = _merge(tree, {
            "data_dir": str(workdir / "var"),
            "server": {"host": "127.0.0.1", "port": self.port, "public_base_url": PUBLIC_BASE},
            "rasa": {"url": f"http://127.0.0.1:{free_port()}", "action_port": free_port()},
            "twilio": {"api_base_url": twilio_url},
            "smtp": {"host": "127.0.0.1", "port": self.mail.port, "sink": False},
        })
        config = workdir / "config.yml"
        config.write_text(yaml.safe_dump(tree), encoding="utf-8")
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "RASA_URL", "ACTION_SERVER_PORT", "INTAKE_DATA_DIR")}
        self.env.update({
            "INTAKE_CONFIG": str(config),
            "INTAKE_CLOCK_FILE": str(workdir / "clock"),
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_WHATSAPP_FROM": "+14155238886",
            "PYTHONPATH": str(PROJECT_ROOT),
        })
        self.settings: Settings = load_settings(environ=self.env)
        migrate.upgrade(self.settings.database_url)
        self.factory: sessionmaker[Session] = session_factory(self.settings.database_url)
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.base = f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ processes
    def _app(self, name: str, *argv: str) -> subprocess.Popen[bytes]:
        with open(self.logs / f"{name}.log", "ab") as log:
            return subprocess.Popen([sys.executable, "-m", "bot.cli", *argv], cwd=PROJECT_ROOT, env=self.env,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start(self, name: str) -> None:
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env)  # the action server and Rasa inherit this environment
        try:
            if name == "actions":
                self.procs[name] = start_action_server(self.settings, self.logs / "actions.log")
                self._wait(lambda: action_server_ready(self.settings), name)
            elif name == "rasa":
                model = ensure_model(self.settings.get_path("rasa.version"))
                self.procs[name] = start_rasa_server(self.settings, model, self.logs / "rasa.log")
                self._wait(lambda: rasa_ready(self.settings), name, 180)
            elif name == "worker":
                self.procs[name] = self._app("worker", "worker", "--workers", "4")
            elif name == "gateway":
                self.procs[name] = self._app("gateway", "serve")
                self._wait(self._gateway_up, name)
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def _gateway_up(self) -> bool:
        try:
            return requests.get(f"{self.base}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def _wait(self, check: Any, name: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            proc = self.procs.get(name)
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{name} exited: {(self.logs / (name + '.log')).read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready after {timeout} s")
            time.sleep(0.3)

    def start_all(self) -> "Stack":
        for name in ("actions", "rasa", "worker", "gateway"):
            self.start(name)
        return self

    def kill(self, name: str) -> None:
        """kill -9: no cleanup, no release of leases, no goodbye."""
        proc = self.procs.pop(name)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name)
        self.mail.stop()

    # ------------------------------------------------------------------ traffic and state
    def post(self, sid: str, sender: str, body: str, timeout: float = 10) -> requests.Response:
        form = twilio_form(sid, body=body, sender=sender)
        return requests.post(self.base + WHATSAPP_PATH, data=form, headers={"X-Twilio-Signature": sign(WHATSAPP_PATH, form)},
                             timeout=timeout)

    def post_status(self, sid: str, status: str, error_code: str | None = None) -> requests.Response:
        path = "/webhooks/twilio/status"
        form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": TWILIO_SID}
        if error_code:
            form["ErrorCode"] = error_code
        return requests.post(self.base + path, data=form, headers={"X-Twilio-Signature": sign(path, form)}, timeout=10)

    def inbound(self) -> list[Message]:
        with self.factory() as session:
            return list(session.scalars(select(Message).where(Message.direction == Direction.inbound).order_by(Message.id)))

    def outbound(self) -> list[Message]:
        with self.factory() as session:
            return list(session.scalars(select(Message).where(Message.direction == Direction.outbound).order_by(Message.id)))
