"""Neutral message types shared by every channel adapter.

An adapter turns a provider request into one `InboundMessage` and an
`OutboundMessage` into one provider call (a `Sender`). Nothing here knows about
Rasa, tickets or the database.

Logging: the `repr` of a message shows ids only, never bodies, numbers or
addresses (STYLE 10), so a message can be logged without leaking patient data.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Callable, Protocol, runtime_checkable

CHANNELS = frozenset({"whatsapp", "email", "simulator"})

# Control characters (Unicode category Cc) other than newline and tab, plus lone
# surrogates (category Cs), which a database or a JSON encoder would reject.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# A MIME type "type/subtype" (RFC 6838 section 4.2 characters), lower-case.
_CONTENT_TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def clean_text(text: str) -> str:
    """Normalise line ends to "\\n" and drop control characters except "\\n" and "\\t".

    Everything else (emoji, right-to-left marks, zero-width joiners, HTML) is
    kept verbatim: escaping is the job of whoever renders the text.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text)


def clean_line(text: str, max_chars: int) -> str:
    """One-line variant of `clean_text` for names and subjects: whitespace runs
    (including newlines) become one space, result stripped and capped."""
    text = clean_text(text)
    text = " ".join(text.split())
    return text[:max_chars]


def base_name(name: str, max_chars: int = 255) -> str:
    """The last segment of a sender-chosen file name ("/" or "\\" separated),
    cleaned to one line: never let a sender choose a path. May be ""."""
    return posixpath.basename(clean_line(name, max_chars).replace("\\", "/"))


def is_content_type(value: str) -> bool:
    """True for a lower-case MIME type like "application/pdf" (no parameters)."""
    return bool(_CONTENT_TYPE_RE.match(value))


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (how JavaScript and many providers count)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def is_grapheme_continuation(ch: str) -> bool:
    """True for characters that must never start a new text part: combining
    marks, zero-width joiner, variation selectors and emoji skin-tone modifiers."""
    cp = ord(ch)
    if cp == 0x200D or 0xFE00 <= cp <= 0xFE0F or 0x1F3FB <= cp <= 0x1F3FF:
        return True
    if 0xE0020 <= cp <= 0xE007F:  # emoji tag sequences (subdivision flags)
        return True
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


@dataclass(frozen=True)
class Attachment:
    """A file that came with an inbound message.

    WhatsApp attachments carry a `url` (Twilio media URL, fetched later with
    credentials) and no data; e-mail attachments carry `data` and no url.
    """

    url: str | None
    content_type: str
    filename: str | None
    size: int | None
    data: bytes | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (
            f"Attachment(content_type={self.content_type!r}, size={self.size!r}, "
            f"has_data={self.data is not None})"
        )


@dataclass(frozen=True, kw_only=True)
class InboundMessage:
    """One message from a patient, whatever the channel.

    Ids keep the provider's form: a Twilio MessageSid, an e-mail Message-ID
    *with* its angle brackets ("<abc@example.org>"), a simulator client id.
    """

    channel: str
    sender: str
    recipient: str | None = None
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    provider_id: str
    profile_name: str | None = None
    subject: str | None = None
    thread_key: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    auto_submitted: bool = False
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        if not self.sender:
            raise ValueError("sender must not be empty")
        if not self.provider_id:
            raise ValueError("provider_id must not be empty")

    def __repr__(self) -> str:
        # Redacted on purpose: no text, no sender, no subject (STYLE 10).
        return (
            f"InboundMessage(channel={self.channel!r}, provider_id={self.provider_id!r}, "
            f"text_chars={len(self.text)}, attachments={len(self.attachments)}, "
            f"auto_submitted={self.auto_submitted})"
        )


@dataclass(frozen=True, kw_only=True)
class OutboundMessage:
    """One provider message to a patient (one part of a long text). `message_id` is
    the id chosen once before the first send (`ChannelRules.new_message_id`), so an
    outbox retry is the same message; `headers` are extra e-mail headers, where an
    "Auto-Submitted" replaces the default "auto-replied". `reference` is an opaque id the provider echoes back in its
    status callbacks (Twilio: a query parameter of the StatusCallback URL), so a
    callback that arrives before the send returned still finds its part."""

    channel: str
    to: str
    text: str
    subject: str | None = None
    html: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    reference: str | None = None
    content_sid: str | None = None
    content_variables: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    message_id: str | None = None

    def __repr__(self) -> str:
        return f"OutboundMessage(channel={self.channel!r}, text_chars={len(self.text)})"


@dataclass(frozen=True)
class SendResult:
    """What a provider said about one send: the id to match later status
    callbacks against (Twilio SID, or the e-mail Message-ID) and its status."""

    provider_id: str | None
    status: str


class InvalidPayload(ValueError):
    """The request is the sender's fault (malformed, missing fields): answer 4xx
    or a polite reply; never retry."""


class SendError(Exception):
    """Base of send failures. `maybe_sent` is True when the provider may have
    accepted the message although we saw an error (a read timeout, a connection
    reset after the request went out): the caller must look it up before resending."""

    def __init__(self, message: str = "", *, code: int | None = None, maybe_sent: bool = False):
        super().__init__(message or (f"send failed with code {code}" if code is not None else "send failed"))
        self.code = code
        self.maybe_sent = maybe_sent


class TransientSendError(SendError):
    """Worth retrying later with backoff: provider throttling (Twilio 429),
    provider errors (5xx, SMTP 4xx), network failures."""


class PermanentSendError(SendError):
    """Retrying will not help: mark the message failed and flag the ticket.
    `code` is the provider's code (Twilio error code, or SMTP reply code)."""

    def __init__(self, code: int | None, message: str = ""):
        super().__init__(message, code=code)


@runtime_checkable
class Sender(Protocol):
    """Anything that can deliver `OutboundMessage`s through one channel."""

    def split(self, text: str) -> list[str]:
        """The provider messages one text goes out as (the channel's length rule)."""
        ...

    def send(self, msg: OutboundMessage) -> SendResult:
        """Deliver `msg` as one provider message.

        Raises:
            TransientSendError: try again later.
            PermanentSendError: give up, the provider refused for good.
        """
        ...

    def lookup(self, msg: OutboundMessage, since: datetime) -> list[str]:
        """Provider ids of messages like `msg` (same recipient and text, sent at or
        after `since`), newest first, for reconciling a send whose outcome was not
        recorded; empty when there is none, or when the provider cannot tell (then a
        resend is the only way)."""
        ...


@dataclass(frozen=True)
class ChannelRules:
    """What the core needs to know of a channel, so it never branches on its name.

    `address_field`: which of a contact's addresses this channel writes to;
    `threads`: conversations are found by thread key (e-mail Message-IDs);
    `reply_window`: free text is only allowed this long after the patient's last
    message (WhatsApp's 24 hours), None when unlimited;
    `consent_in_first_reply`: the first reply already carries the whole answer and
    asks for consent (e-mail), so an intake counts while consent is pending;
    `fixed_message_id`: each message gets an id chosen once before sending (e-mail);
    `case_insensitive_address`: a contact's address is kept lower-cased, so one
    patient who types it in another case is still one contact (e-mail);
    `region_of`: the ISO 3166 region an address tells (a phone number's country);
    `mask_of`: a short form of an address that a coordinator recognises without
    seeing it in clear.
    """

    name: str
    address_field: str
    threads: bool = False
    reply_window: timedelta | None = None
    consent_in_first_reply: bool = False
    fixed_message_id: bool = False
    case_insensitive_address: bool = False
    region_of: Callable[[str], str | None] | None = field(default=None, compare=False)
    mask_of: Callable[[str], str | None] | None = field(default=None, compare=False)

    def address(self, sender: str) -> str:
        """The contact key of `sender` (a parsed, already valid address)."""
        return sender.lower() if self.case_insensitive_address else sender

    def region(self, address: str | None) -> str | None:
        """Where the contact probably lives, from their address: a hint for the language
        of very short messages; None when the address does not tell."""
        return self.region_of(address) if address and self.region_of else None

    def masked(self, address: str | None) -> str | None:
        """The address shown in a list of cases (last digits, first letter and domain)."""
        return self.mask_of(address) if address and self.mask_of else None

    def new_message_id(self, domain: str | None) -> str | None:
        """The id a message keeps across retries, for channels that choose it before
        sending (an RFC 5322 Message-ID); None for the others, whose provider names it."""
        return make_msgid(domain=domain) if self.fixed_message_id else None

    def reply_headers(self, subject: str | None, thread_key: str | None, inbound_id: str | None) -> dict[str, object]:
        """Threading for a reply: subject "Re: ...", In-Reply-To and References (RFC 5322 3.6.4)."""
        if not self.threads:
            return {}
        subject = subject or ""
        refs = [r for r in (thread_key, inbound_id) if r]
        return {
            "subject": subject if subject.lower().startswith("re:") else f"Re: {subject}".strip(),
            "in_reply_to": inbound_id,
            "references": list(dict.fromkeys(refs)),
        }


def single_part(text: str) -> list[str]:
    """Split rule of channels without a length limit."""
    return [text] if text.strip() else []


__all__ = [
    "CHANNELS",
    "Attachment",
    "ChannelRules",
    "InboundMessage",
    "InvalidPayload",
    "OutboundMessage",
    "PermanentSendError",
    "SendError",
    "SendResult",
    "Sender",
    "TransientSendError",
    "base_name",
    "clean_line",
    "clean_text",
    "is_content_type",
    "is_grapheme_continuation",
    "single_part",
    "utf16_len",
]
