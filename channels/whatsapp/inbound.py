"""Inbound WhatsApp: Twilio's `application/x-www-form-urlencoded` form for
each patient message (https://www.twilio.com/docs/messaging/guides/webhook-request)
into one neutral `InboundMessage`, with only the fields we use, cleaned.

Also where a WhatsApp number is read (`normalize_number`), which the sender
uses for the other direction.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import phonenumbers

from channels.base import Attachment, InboundMessage, InvalidPayload, clean_line, clean_text, is_content_type

# WhatsApp itself caps a text at 4096 characters; anything far beyond that is
# not a real message, so we refuse it (a clear 4xx) instead of truncating and
# silently losing part of what a patient wrote.
MAX_BODY_CHARS = 10_000
# Twilio accepts up to 10 media per message (MediaUrl0..MediaUrl9).
MAX_MEDIA = 10

# A Twilio SID (MessageSid, SmsSid); the status callbacks check the same shape.
SID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
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


def number_region(number: str) -> str | None:
    """ISO 3166 region of a stored E.164 number: a hint for the language of very short messages."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return None


def masked_number(number: str) -> str | None:
    """Enough to recognise a number without showing it: its last four digits."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"···{digits[-4:]}" if digits else None


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
        if not is_content_type(content_type):
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
    if not SID_RE.match(sid):
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
