"""Which transport sends each channel's messages, from the configuration."""
from __future__ import annotations

from typing import Any

from store.config import Settings
from bot.outbox import SenderFactory
from channels.base import Sender
from channels.email import EmailSender
from channels.simulator import SimulatorSender
from channels.whatsapp import WhatsAppSender


def sender_factory(settings: Settings, twilio_http_client: Any = None) -> SenderFactory:
    """Build senders once; WhatsApp falls back to the local simulator without Twilio credentials."""
    cache: dict[str, Sender] = {}

    def sender_for(channel: str) -> Sender:
        if channel not in cache:
            cache[channel] = _build(channel, settings, twilio_http_client)
        return cache[channel]

    return sender_for


def _build(channel: str, settings: Settings, twilio_http_client: Any) -> Sender:
    if channel == "whatsapp" and settings.twilio_configured:
        base = settings.get_path("server.public_base_url").rstrip("/")
        return WhatsAppSender(
            account_sid=settings.secret("TWILIO_ACCOUNT_SID") or "",
            auth_token=settings.secret("TWILIO_AUTH_TOKEN") or "",
            from_number=settings.secret("TWILIO_WHATSAPP_FROM") or "",
            status_callback=f"{base}/webhooks/twilio/status",
            http_client=twilio_http_client,
            timeout=float(settings.get_path("twilio.timeout", 30)),
            api_base_url=settings.get_path("twilio.api_base_url"),
        )
    if channel == "email":
        smtp = settings["smtp"]
        return EmailSender(
            hostname=smtp["host"],
            port=int(smtp["port"]),
            from_addr=settings["organisation"]["email_from"],
            org_name=settings["organisation"]["name"],
            username=settings.secret("SMTP_USERNAME"),
            password=settings.secret("SMTP_PASSWORD"),
            use_tls=bool(smtp.get("use_tls")),
            timeout=float(smtp.get("timeout", 30)),
        )
    # WhatsApp without Twilio credentials: replies go to the local simulator (DESIGN 4).
    return SimulatorSender(channels=(channel,))
