"""Client for the Rasa server's REST channel (and its token-protected HTTP API)."""
from __future__ import annotations

from typing import Any

import requests


class DialogueUnavailable(RuntimeError):
    """Rasa or the action server could not be reached; the message stays queued and is retried."""


class TurnFailed(RuntimeError):
    """The dialogue is up but failed on this message: counted towards the poison limit."""


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 30, token: str | None = None, actions_url: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.token = token
        self.actions_url = actions_url.rstrip("/") if actions_url else None
        self._http = requests.Session()

    def _auth(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}

    def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Run one user turn; returns Rasa's bot messages (text and custom payloads).

        Raises:
            DialogueUnavailable: Rasa did not answer usefully (the caller tells an
                outage from a failure on this message with `available()`).
        """
        try:
            resp = self._http.post(
                f"{self.base_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": metadata},
                params=self._auth(),
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise DialogueUnavailable(f"Rasa unreachable: {exc.__class__.__name__}") from exc
        if resp.status_code != 200:
            raise DialogueUnavailable(f"Rasa answered HTTP {resp.status_code}")
        try:
            data = resp.json()
        except ValueError as exc:
            raise DialogueUnavailable("Rasa answered with invalid JSON") from exc
        if not isinstance(data, list):
            raise DialogueUnavailable("Rasa answered with an unexpected shape")
        return data

    def is_ready(self) -> bool:
        try:
            resp = self._http.get(f"{self.base_url}/status", params=self._auth(), timeout=2)
            return resp.status_code == 200 and bool(resp.json().get("model_file"))
        except (requests.RequestException, ValueError):
            return False

    def actions_ready(self) -> bool:
        if not self.actions_url:
            return True
        try:
            return self._http.get(f"{self.actions_url}/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def available(self) -> bool:
        """Both servers answer their health checks: a failed turn is then the message's fault."""
        return self.is_ready() and self.actions_ready()
