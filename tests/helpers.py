"""Small helpers shared by tests (signing like Twilio, waiting for a condition)."""
from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from tests.conftest import PUBLIC_BASE, TWILIO_TOKEN

WHATSAPP_PATH = "/webhooks/twilio/whatsapp"


def twilio_form(sid: str, body: str = "Hello", sender: str = "+254711000101", **extra: str) -> dict[str, str]:
    form = {
        "MessageSid": sid,
        "AccountSid": "AC" + "1" * 32,
        "From": f"whatsapp:{sender}",
        "To": "whatsapp:+14155238886",
        "Body": body,
        "NumMedia": "0",
        "ProfileName": "Test Family",
        "WaId": sender.lstrip("+"),
    }
    form.update(extra)
    return form


def sign(path: str, form: dict[str, str], token: str = TWILIO_TOKEN) -> str:
    return RequestValidator(token).compute_signature(PUBLIC_BASE + path, form)


def post_signed(client: Any, form: dict[str, str], path: str = WHATSAPP_PATH) -> Any:
    return client.post(path, data=form, headers={"X-Twilio-Signature": sign(path, form)})


def wait_for(check: Callable[[], Any], timeout: float = 60.0, every: float = 0.1) -> Any:
    """Poll until check() is truthy; fail (not a timing assertion) if it never becomes so."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout} s")


class TcpSwitch:
    """A TCP forwarder we can turn off and on: the worker's view of Rasa going down."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.server: socket.socket | None = None
        self.port = 0
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self.server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def encoded(form: dict[str, str]) -> str:
    return urlencode(form)


class JsonHandler(BaseHTTPRequestHandler):
    """Base of the loopback servers that stand in for a provider at its HTTP edge."""

    def log_message(self, *args: object) -> None:
        pass

    def _json(self, status: int, payload: object) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
