"""Header reading for inbound mail: addresses, decoded text and Message-IDs,
each read leniently (8-bit bytes, RFC 2047 words, missing brackets).

Ids keep their angle brackets ("<abc@example.org>") everywhere: provider_id,
thread_key, in_reply_to, references and SendResult.provider_id. The builder
uses `normalize_id` and `clean_address` too, so what we write is what we read.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
from email.header import decode_header, make_header
from email.message import Message

from channels.base import clean_line, clean_text
from channels.email.lenient import PARSE_ERRORS, decode_bytes

MAX_REFERENCES = 100
_MAX_ID_CHARS = 998  # RFC 5322 line length

_MSGID_RE = re.compile(r"<([^<>\s]{1,990})>")
_ADDRESS_RE = re.compile(r"^[^\s@<>()\[\],;:\"\\]+@[^\s@<>()\[\],;:\"\\]+$")
_SURROGATE_RE = re.compile(r"[\udc80-\udcff]")


def raw_header(msg: Message, name: str) -> str | None:
    """Header value as stored (folded, RFC 2047 still encoded), no parsing."""
    lname = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lname:
            return str(value)
    return None


def _raw_8bit_header(msg: Message, name: str) -> str | None:
    """The raw header decoded, when it carries 8-bit bytes (non-RFC 2047
    UTF-8 or Latin-1 that some mailers send); None when it is plain ASCII.

    BytesParser keeps such bytes as surrogate escapes and policy.default then
    drops or replaces them; reading the bytes ourselves keeps "José"."""
    raw = raw_header(msg, name)
    if raw is None or not _SURROGATE_RE.search(raw):
        return None
    data = raw.encode("utf-8", errors="surrogateescape")
    return _decode_words(decode_bytes(data, None))


def _decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words leniently."""
    try:
        return str(make_header(decode_header(value)))
    except PARSE_ERRORS:
        return value


def header_text(msg: Message, name: str) -> str | None:
    """Header decoded to text (RFC 2047), never raising."""
    eight_bit = _raw_8bit_header(msg, name)
    if eight_bit is not None:
        return eight_bit
    try:
        value = msg.get(name)
        if value is None:
            return None
        return str(value)
    except PARSE_ERRORS:
        raw = raw_header(msg, name)
        return None if raw is None else _decode_words(raw)


def clean_address(addr: str) -> str | None:
    """`addr` lower-cased without brackets, or None when it is not an address."""
    addr = clean_line(addr, 320).strip("<>").strip().lower()
    return addr if _ADDRESS_RE.match(addr) else None


def masked_address(addr: str) -> str | None:
    """Enough to recognise an address without showing it: first letter and domain."""
    if "@" not in addr:
        return None
    local, domain = addr.rsplit("@", 1)
    return f"{local[:1]}···@{domain}"


def addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """[(display name, lower-cased address)] of an address header, never raising."""
    found: list[tuple[str, str]] = []
    eight_bit = _raw_8bit_header(msg, name)
    if eight_bit is not None:
        for display, addr_spec in email.utils.getaddresses([clean_line(eight_bit, 4000)]):
            addr = clean_address(addr_spec)
            if addr:
                found.append((clean_line(display, 256), addr))
        if found:
            return found
    try:
        header = msg.get(name)
        if header is not None:
            for a in getattr(header, "addresses", ()):
                addr = clean_address(a.addr_spec)
                if addr:
                    found.append((clean_line(a.display_name or "", 256), addr))
    except PARSE_ERRORS:
        found = []
    if found:
        return found
    raw = raw_header(msg, name)
    if raw is None:
        return []
    for display, addr_spec in email.utils.getaddresses([clean_line(raw, 4000)]):
        addr = clean_address(addr_spec)
        if addr:
            found.append((clean_line(_decode_words(display), 256), addr))
    return found


def message_ids(value: str | None) -> list[str]:
    """All "<id>" tokens of a Message-ID / In-Reply-To / References value."""
    if not value:
        return []
    value = clean_text(value)
    ids = [f"<{m}>" for m in _MSGID_RE.findall(value)]
    if not ids:
        # Some mailers omit the brackets; accept one bare token that looks like an id.
        token = value.strip()
        if token and " " not in token and "@" in token and len(token) <= _MAX_ID_CHARS:
            ids = [f"<{clean_line(token, _MAX_ID_CHARS)}>"]
    return ids


def first_id(msg: Message, name: str) -> str | None:
    """The first "<id>" of header `name`, or None."""
    ids = message_ids(raw_header(msg, name))
    return ids[0] if ids else None


def normalize_id(value: str) -> str:
    """"abc@host" or "<abc@host>" -> "<abc@host>"."""
    value = clean_line(value, _MAX_ID_CHARS).strip()
    ids = message_ids(value)
    return ids[0] if ids else f"<{value.strip('<>')}>"


def derive_message_id(data: bytes) -> str:
    """A stable Message-ID for a message that has none, so a retried webhook
    with the same bytes still deduplicates."""
    return f"<{hashlib.sha256(data).hexdigest()[:40]}@intake.invalid>"
