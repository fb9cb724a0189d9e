"""Client for the Rasa server's REST channel."""
from __future__ import annotations

from typing import Any

import requests


class DialogueUnavailable(RuntimeError):
    """Rasa could not be reached or failed; the message stays queued and is retried."""


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = requests.Session()

    def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Run one user turn; returns Rasa's bot messages (text and custom payloads)."""
        try:
            resp = self._http.post(
                f"{self.base_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": metadata},
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
            resp = self._http.get(f"{self.base_url}/status", timeout=2)
            return resp.status_code == 200 and bool(resp.json().get("model_file"))
        except (requests.RequestException, ValueError):
            return False
