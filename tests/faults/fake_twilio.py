"""Twilio's REST API at its HTTP edge, on loopback: records every request and can be
slow, answer 503 until the shared test clock passes a time, or refuse for good."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.helpers import JsonHandler



@dataclass
class Sent:
    sid: str
    to: str
    body: str
    ref: str | None
    at: float


class FakeTwilio:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.posts = 0
        self.delay = 0.0
        # While the shared test clock (an offset in seconds in `clock_file`) is before
        # `unavailable_until`, every send is answered 503.
        self.unavailable_until: float | None = None
        self.clock_file: Path | None = None
        self.refuse_code: int | None = None  # answer 400 with this error code
        self.lock = threading.Lock()
        outer = self

        class Handler(JsonHandler):

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"] or 0)).decode()).items()}
                with outer.lock:
                    outer.posts += 1
                if outer.delay:
                    time.sleep(outer.delay)
                if outer.unavailable_until is not None and outer.clock_offset() < outer.unavailable_until:
                    return self._json(503, {"code": 20503, "message": "Service unavailable", "status": 503})
                if outer.refuse_code is not None:
                    return self._json(400, {"code": outer.refuse_code, "message": "refused", "status": 400})
                callback = form.get("StatusCallback") or ""
                ref = parse_qs(urlsplit(callback).query).get("ref", [None])[0]
                with outer.lock:
                    sid = f"SM{len(outer.sent) + 1:032x}"
                    outer.sent.append(Sent(sid, form.get("To", ""), form.get("Body", ""), ref, time.time()))
                self._json(201, {"sid": sid, "status": "queued", "body": form.get("Body", ""), "to": form.get("To"),
                                   "date_created": formatdate(usegmt=True)})

            def do_GET(self) -> None:  # noqa: N802 - list messages, for reconciliation
                query = parse_qs(urlsplit(self.path).query)
                to = query.get("To", [""])[0]
                with outer.lock:
                    rows = [s for s in outer.sent if s.to == to]
                messages = [{"sid": s.sid, "to": s.to, "body": s.body, "status": "sent",
                             "date_created": formatdate(s.at, usegmt=True)} for s in rows]
                self._json(200, {"messages": messages, "next_page_uri": None, "page": 0, "page_size": 50})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def clock_offset(self) -> float:
        try:
            return float(self.clock_file.read_text(encoding="ascii")) if self.clock_file else 0.0
        except (OSError, ValueError):
            return 0.0

    def to(self, number: str) -> list[Sent]:
        with self.lock:
            return [s for s in self.sent if s.to == f"whatsapp:{number}"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
