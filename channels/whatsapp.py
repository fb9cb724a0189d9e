"""WhatsApp through Twilio: webhook signature, inbound parsing, status
callbacks, text splitting and sending.

Twilio posts an `application/x-www-form-urlencoded` form for each inbound
message (https://www.twilio.com/docs/messaging/guides/webhook-request) and for
each status change of a message we sent. We check the `X-Twilio-Signature`,
whitelist the fields we use, and hand back one neutral `InboundMessage`.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

import phonenumbers
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from channels.base import (
    Attachment,
    InboundMessage,
    InvalidPayload,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    TransientSendError,
    clean_line,
    clean_text,
    is_grapheme_continuation,
    utf16_len,
)

# WhatsApp itself caps a text at 4096 characters; anything far beyond that is
# not a real message, so we refuse it (a clear 4xx) instead of truncating and
# silently losing part of what a patient wrote.
MAX_BODY_CHARS = 10_000
# Twilio accepts up to 10 media per message (MediaUrl0..MediaUrl9).
MAX_MEDIA = 10
# Twilio caps an outbound body at 1600 characters.
TWILIO_BODY_LIMIT = 1600

_SID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CONTENT_TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_MEDIA_KEY_RE = re.compile(r"^Media(Url|ContentType)(\d+)$")
_PHONE_CHARS_RE = re.compile(r"^\+[0-9 ()./-]{3,30}$")

# Fields we keep (cleaned) in InboundMessage.extra; anything else is ignored.
EXTRA_FIELDS = (
    "WaId",
    "AccountSid",
    "MessagingServiceSid",
    "MessageType",
    "ButtonText",
    "ButtonPayload",
    "Latitude",
    "Longitude",
    "Address",
    "Label",
    "OriginalRepliedMessageSid",
    "OriginalRepliedMessageSender",
    "ReferralBody",
    "ReferralHeadline",
    "ReferralSourceUrl",
    "ReferralCtwaClid",
    "SmsStatus",
    "ApiVersion",
)
_MAX_EXTRA_VALUE = 1000

# Preferred extensions where mimetypes' answer is surprising or missing.
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "audio/ogg": ".ogg",
    "audio/amr": ".amr",
    "audio/mpeg": ".mp3",
    "audio/aac": ".aac",
    "audio/mp4": ".m4a",
    "video/3gpp": ".3gp",
    "text/vcard": ".vcf",
    "text/x-vcard": ".vcf",
    "application/octet-stream": "",
}


# --------------------------------------------------------------------------- signature


def public_url(base_url: str, path: str, query: str | bytes = "") -> str:
    """Rebuild the URL Twilio signed from the configured public base URL.

    Behind a reverse proxy Flask sees "http://127.0.0.1:8000/..." while Twilio
    signed "https://intake.example.org/...". `base_url` is the public origin
    plus any mount prefix ("https://example.org/intake"); `path` is the path
    within the app (Flask's `request.path`); `query` is the raw query string
    (`request.query_string`), kept byte-for-byte because Twilio signs it as sent.
    """
    if isinstance(query, bytes):
        query = query.decode("latin-1")
    query = query.lstrip("?")
    url = base_url.rstrip("/") + "/" + path.lstrip("/")
    return f"{url}?{query}" if query else url


def verify_signature(url: str, params: Mapping[str, str], signature: str | None, auth_token: str) -> bool:
    """True when `signature` (the X-Twilio-Signature header) matches.

    Args:
        url: the full public URL Twilio posted to (see `public_url`).
        params: the POSTed form (a dict or Flask's MultiDict).
        signature: header value; missing or empty is never valid.
        auth_token: the account's auth token; empty is never valid.
    """
    if not signature or not auth_token:
        return False
    return bool(RequestValidator(auth_token).validate(url, params, signature))


# --------------------------------------------------------------------------- inbound


def normalize_number(value: str) -> str:
    """"whatsapp:+254 711 000101" -> "+254711000101" (E.164).

    A number phonenumbers cannot parse but that starts with "+" and looks like
    a phone number is kept as given (stripped), so a new numbering plan never
    makes us drop a patient.

    Raises:
        InvalidPayload: not a phone number at all.
    """
    raw = clean_line(value, 64)
    if raw.lower().startswith("whatsapp:"):
        raw = raw[len("whatsapp:"):].strip()
    if not raw.startswith("+"):
        raise InvalidPayload("phone number must be in international format (+<country code>...)")
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_possible_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if _PHONE_CHARS_RE.match(raw):
        return raw
    raise InvalidPayload("phone number is not valid")


def _media_filename(url: str, content_type: str) -> str | None:
    """Last path segment of the media URL plus an extension from the content type."""
    segment = posixpath.basename(urlsplit(url).path)
    segment = clean_line(segment, 200).replace("\\", "_")
    if not segment:
        return None
    if posixpath.splitext(segment)[1]:
        return segment
    ext = _EXTENSIONS.get(content_type)
    if ext is None:
        ext = mimetypes.guess_extension(content_type) or ""
    return segment + ext


def _parse_media(form: Mapping[str, str]) -> tuple[Attachment, ...]:
    raw_count = (form.get("NumMedia") or "").strip()
    if raw_count == "":
        count = 0
    elif raw_count.isascii() and raw_count.isdigit():
        count = int(raw_count)
    else:
        raise InvalidPayload("NumMedia must be a whole number")
    # Every MediaUrlN / MediaContentTypeN must belong to one of the announced media.
    for key in form.keys():
        m = _MEDIA_KEY_RE.match(key)
        if m and int(m.group(2)) >= count:
            raise InvalidPayload(f"{key} given but NumMedia is {count}")

    media = []
    # Twilio sends at most MAX_MEDIA; beyond that we keep the first ones and the
    # patient is told (notice "media_not_kept") rather than losing the message.
    for i in range(min(count, MAX_MEDIA)):
        url = (form.get(f"MediaUrl{i}") or "").strip()
        if not url:
            raise InvalidPayload(f"NumMedia is {count} but MediaUrl{i} is missing")
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 2048:
            raise InvalidPayload(f"MediaUrl{i} is not an http(s) URL")
        content_type = (form.get(f"MediaContentType{i}") or "").split(";")[0].strip().lower()
        if not _CONTENT_TYPE_RE.match(content_type):
            content_type = "application/octet-stream"
        media.append(Attachment(url=url, content_type=content_type, filename=_media_filename(url, content_type), size=None))
    return tuple(media)


def parse_webhook(form: Mapping[str, str]) -> InboundMessage:
    """Turn Twilio's inbound-message form into an `InboundMessage`.

    A media-only message (no Body) is valid and gets text "". Control
    characters other than newline and tab are removed from the body; HTML or
    script in the body is kept verbatim (it is text; renderers escape it).

    Raises:
        InvalidPayload: MessageSid or From missing or malformed, NumMedia not a
            number, MediaUrlN inconsistent with NumMedia, body
            longer than MAX_BODY_CHARS.
    """
    sid = (form.get("MessageSid") or "").strip()
    if not sid:
        raise InvalidPayload("MessageSid is missing")
    if not _SID_RE.match(sid):
        raise InvalidPayload("MessageSid is malformed")
    from_value = form.get("From") or ""
    if not from_value.strip():
        raise InvalidPayload("From is missing")
    sender = normalize_number(from_value)

    recipient = None
    to_value = form.get("To") or ""
    if to_value.strip():
        try:
            recipient = normalize_number(to_value)
        except InvalidPayload:
            recipient = None  # our own number; not worth refusing the patient's message

    body = form.get("Body") or ""
    if len(body) > MAX_BODY_CHARS:
        raise InvalidPayload(f"Body is too long (more than {MAX_BODY_CHARS} characters)")
    text = clean_text(body)

    attachments = _parse_media(form)
    announced = (form.get("NumMedia") or "0").strip()
    notices = ["media_not_kept"] if announced.isdigit() and int(announced) > len(attachments) else []
    profile_name = clean_line(form.get("ProfileName") or "", 256) or None

    extra: dict[str, str] = {}
    for key in EXTRA_FIELDS:
        value = form.get(key)
        if value:
            cleaned = clean_line(value, _MAX_EXTRA_VALUE)
            if cleaned:
                extra[key] = cleaned
    if notices:
        extra["notices"] = notices

    return InboundMessage(
        channel="whatsapp",
        sender=sender,
        recipient=recipient,
        text=text,
        attachments=attachments,
        provider_id=sid,
        profile_name=profile_name,
        thread_key=None,
        extra=extra,
    )


# --------------------------------------------------------------------------- status callbacks

# Forward order of a message's life. "accepted" and "scheduled" come from a
# Messaging Service before the message is queued.
STATUS_ORDER: tuple[str, ...] = ("accepted", "scheduled", "queued", "sending", "sent", "delivered", "read")
# Failure states are terminal.
FAILURE_STATUSES = frozenset({"failed", "undelivered", "canceled"})
_STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}
_STATUS_RE = re.compile(r"^[a-z_]{1,32}$")


@dataclass(frozen=True)
class StatusUpdate:
    """One Twilio status callback for a message we sent."""

    provider_id: str
    status: str
    error_code: int | None = None
    error_message: str | None = None


def parse_status_callback(form: Mapping[str, str]) -> StatusUpdate:
    """Turn Twilio's status-callback form into a `StatusUpdate`.

    ErrorCode (e.g. 63016, outside the 24-hour window) is kept when numeric.

    Raises:
        InvalidPayload: MessageSid or MessageStatus missing or malformed.
    """
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    if not sid or not _SID_RE.match(sid):
        raise InvalidPayload("MessageSid is missing or malformed")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not status:
        raise InvalidPayload("MessageStatus is missing")
    if not _STATUS_RE.match(status):
        raise InvalidPayload("MessageStatus is malformed")
    raw_code = (form.get("ErrorCode") or "").strip()
    error_code = int(raw_code) if raw_code.isascii() and raw_code.isdigit() else None
    error_message = clean_line(form.get("ErrorMessage") or "", 500) or None
    return StatusUpdate(provider_id=sid, status=status, error_code=error_code, error_message=error_message)


def status_moves_forward(old: str | None, new: str) -> bool:
    """Should a stored status `old` be replaced by `new`?

    Callbacks arrive out of order, so a status never moves backwards:
    - along STATUS_ORDER only a later status wins (sent -> delivered, not back);
    - failed/undelivered/canceled may replace any status before "delivered",
      and nothing replaces them afterwards (terminal);
    - "delivered" and "read" are proof of delivery, so a late failure does not
      replace them;
    - the same status again, or an unknown new status, is not a move;
    - an unknown stored status (None or a value we do not know) is replaced by
      any known status.
    """
    if new not in _STATUS_RANK and new not in FAILURE_STATUSES:
        return False
    if old == new:
        return False
    if old in FAILURE_STATUSES:
        return False
    if old not in _STATUS_RANK:
        return True
    if new in FAILURE_STATUSES:
        return _STATUS_RANK[old] < _STATUS_RANK["delivered"]
    return _STATUS_RANK[new] > _STATUS_RANK[old]


# --------------------------------------------------------------------------- splitting

# Boundary kinds, best first. Each yields candidate cut positions: the part
# ends at the cut (trailing whitespace dropped) and the next part starts after
# the whitespace that follows.
_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
# Latin/Cyrillic/Arabic/Devanagari sentence ends need whitespace after them
# ("3.5 mg" is not a boundary); CJK full stops do not.
_SENTENCE_RE = re.compile(r"[.!?…؟۔।][\"'”’»)\]]*(?=\s)|[。！？][」』”’）)]*")
_LINE_RE = re.compile(r"\n")
_SPACE_RE = re.compile(r"\s")


def _window(text: str, limit: int) -> int:
    """Number of leading characters of `text` that fit in `limit` UTF-16 units."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


_BOUNDARIES = (
    (_PARAGRAPH_RE, False),  # (pattern, cut after the match instead of before)
    (_SENTENCE_RE, True),
    (_LINE_RE, False),
    (_SPACE_RE, False),
)


def _cut_point(text: str, size: int) -> int:
    """Where to end the next part, given that text[:size] fits (and text is longer)."""
    scan = text[: size + 1]  # one more char so a boundary right after the window counts
    fallback = 0
    for pattern, after in _BOUNDARIES:
        best = 0
        for m in pattern.finditer(scan):
            cut = m.end() if after else m.start()
            if 0 < cut <= size:
                best = cut
        if best:
            # A better kind of boundary wins unless it would leave a tiny part.
            if best * 2 >= size:
                return best
            fallback = fallback or best
    if fallback:
        return fallback
    # Hard split as a last resort, never inside a grapheme cluster if avoidable.
    cut = size
    while cut > 0 and _bad_hard_cut(text, cut):
        cut -= 1
    return cut if cut > 0 else size


def _bad_hard_cut(text: str, cut: int) -> bool:
    return is_grapheme_continuation(text[cut]) or text[cut - 1] == "\u200d" or _inside_flag(text, cut)


def _inside_flag(text: str, cut: int) -> bool:
    """True when `cut` falls between the two regional indicators of a flag."""

    def is_ri(ch: str) -> bool:
        return 0x1F1E6 <= ord(ch) <= 0x1F1FF

    if not (is_ri(text[cut - 1]) and is_ri(text[cut])):
        return False
    run = 0
    i = cut - 1
    while i >= 0 and is_ri(text[i]):
        run += 1
        i -= 1
    return run % 2 == 1


def split_text(text: str, limit: int = TWILIO_BODY_LIMIT) -> list[str]:
    """Split `text` into parts of at most `limit` characters for Twilio.

    Cuts at paragraph or sentence ends first (".", "!", "?", "…", "؟", "۔",
    "।", and the CJK "。！？"), then at line breaks, then at spaces, and only as
    a last resort inside a word (never between an emoji and its modifiers when
    avoidable). Length is counted in UTF-16 code units, which is never less
    than the number of code points, so the limit holds however the provider
    counts. Parts are stripped and never empty; only whitespace at the cuts is
    dropped, so every word survives in order. Blank text gives [].

    Raises:
        ValueError: limit below 2 (an emoji needs 2 UTF-16 units).
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    rest = text.strip()
    parts: list[str] = []
    while rest:
        size = _window(rest, limit)
        if size >= len(rest):
            parts.append(rest)
            break
        cut = _cut_point(rest, size)
        part = rest[:cut].rstrip()
        if part:
            parts.append(part)
        rest = rest[cut:].lstrip()
    return parts


# --------------------------------------------------------------------------- sending

# Twilio error codes that no retry will fix.
# 63016: outside the 24-hour customer-service window, needs a template.
# 21610: the recipient replied STOP (opted out).
# 21211: invalid "To" number. 21614: "To" is not a valid mobile number.
# 63003: channel could not find the "To" address (not on WhatsApp).
PERMANENT_TWILIO_CODES = frozenset({63016, 21610, 21211, 21614, 63003})


class WhatsAppSender:
    """Send WhatsApp messages through Twilio's REST API, one provider message per call.

    `http_client` is injectable (any `twilio.http.HttpClient`), so tests record
    the exact request Twilio would receive without network access; `api_base_url`
    points the client at another host (a proxy, or a local stand-in in fault tests).
    """

    channel = "whatsapp"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        status_callback: str | None = None,
        http_client: HttpClient | None = None,
        timeout: float = 30,
        api_base_url: str | None = None,
    ) -> None:
        self.from_number = normalize_number(from_number)
        self.status_callback = status_callback
        self._client = Client(account_sid, auth_token, http_client=http_client or TwilioHttpClient(timeout=timeout))
        if api_base_url:
            self._client.api.base_url = api_base_url.rstrip("/")

    def split(self, text: str) -> list[str]:
        """Twilio caps a body at 1600 characters: longer texts go out in parts."""
        return split_text(text, TWILIO_BODY_LIMIT)

    def _callback_url(self, reference: str | None) -> str | None:
        if not self.status_callback or not reference:
            return self.status_callback
        joiner = "&" if "?" in self.status_callback else "?"
        return f"{self.status_callback}{joiner}{urlencode({'ref': reference})}"

    def send(self, msg: OutboundMessage) -> SendResult:
        """Send `msg.text` (at most 1600 characters: split it first) as one message.

        Raises:
            ValueError: not a WhatsApp message, nothing to send, or too long for one message.
            TransientSendError: Twilio 429 or 5xx, or a network error (`maybe_sent`
                when the request may have reached Twilio).
            PermanentSendError: Twilio 4xx (63016, 21610, 21211, ...).
            InvalidPayload: `msg.to` is not a phone number.
        """
        if msg.channel != "whatsapp":
            raise ValueError(f"WhatsAppSender cannot send {msg.channel!r} messages")
        if not msg.text.strip():
            raise ValueError("nothing to send: the text is empty")
        if utf16_len(msg.text) > TWILIO_BODY_LIMIT:
            raise ValueError(f"a WhatsApp message is at most {TWILIO_BODY_LIMIT} characters: split it first")
        options: dict[str, str] = {}
        callback = self._callback_url(msg.reference)
        if callback:
            options["status_callback"] = callback
        try:
            created = self._client.messages.create(
                from_=f"whatsapp:{self.from_number}", to=f"whatsapp:{normalize_number(msg.to)}", body=msg.text, **options
            )
        except TwilioRestException as exc:
            raise _map_twilio_error(exc) from exc
        except (requests.exceptions.RequestException, OSError) as exc:
            # A read timeout or a reset after sending: Twilio may have the message.
            raise TransientSendError(
                f"network error talking to Twilio: {type(exc).__name__}", maybe_sent=not _never_left(exc)
            ) from exc
        return SendResult(provider_id=created.sid, status=str(created.status or "queued"))

    def lookup(self, msg: OutboundMessage, since: datetime) -> list[str]:
        """Ask Twilio for messages like `msg` (same recipient and body, created at or
        after `since`): a send whose answer we never recorded.

        Raises:
            TransientSendError: Twilio could not be asked now.
        """
        try:
            candidates = self._client.messages.list(
                to=f"whatsapp:{normalize_number(msg.to)}", from_=f"whatsapp:{self.from_number}",
                date_sent_after=since - timedelta(days=1), limit=50,
            )
        except TwilioRestException as exc:
            raise TransientSendError(f"Twilio lookup failed: HTTP {exc.status}") from exc
        except (requests.exceptions.RequestException, OSError) as exc:
            raise TransientSendError(f"network error looking up at Twilio: {type(exc).__name__}") from exc
        earliest = since - timedelta(minutes=1)
        return [
            str(c.sid) for c in candidates
            if c.body == msg.text and (c.date_created is None or c.date_created >= earliest)
        ]


def _never_left(exc: BaseException) -> bool:
    """True when the request certainly did not reach Twilio: the connection was
    never made (refused, unresolved, connect timeout). requests reports a reset
    after sending as a ConnectionError too, so the cause decides."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    return "NewConnectionError" in repr(exc) or isinstance(exc, ConnectionRefusedError)


def _map_twilio_error(exc: TwilioRestException) -> Exception:
    """Twilio 429 and 5xx are transient; known codes and other 4xx are permanent."""
    status = int(exc.status or 0)
    code = exc.code if isinstance(exc.code, int) else None
    label = f"Twilio HTTP {status}" + (f", error {code}" if code is not None else "")
    if code in PERMANENT_TWILIO_CODES:
        return PermanentSendError(code, label)
    if status == 429 or status >= 500 or status == 0:
        return TransientSendError(label, code=code)
    return PermanentSendError(code if code is not None else status, label)


__all__ = [
    "EXTRA_FIELDS",
    "FAILURE_STATUSES",
    "MAX_BODY_CHARS",
    "MAX_MEDIA",
    "PERMANENT_TWILIO_CODES",
    "STATUS_ORDER",
    "StatusUpdate",
    "TWILIO_BODY_LIMIT",
    "WhatsAppSender",
    "normalize_number",
    "parse_status_callback",
    "parse_webhook",
    "public_url",
    "split_text",
    "status_moves_forward",
    "verify_signature",
]
