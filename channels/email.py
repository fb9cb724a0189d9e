"""E-mail: parse raw MIME into an `InboundMessage`, build replies that thread,
and send them over SMTP with aiosmtplib.

Parsing never raises anything but `InvalidPayload`, and only when no sender
address can be found at all: broken MIME, broken charsets and odd headers are
read as well as they can be (the standard `email` package with
`policy.default` records defects instead of failing; where header parsing does
raise we fall back to the raw header text).

Ids keep their angle brackets ("<abc@example.org>") everywhere: provider_id,
thread_key, in_reply_to, references and SendResult.provider_id.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.errors
import email.utils
import hashlib
import posixpath
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from datetime import datetime, timezone
from email import policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from html.parser import HTMLParser
from typing import BinaryIO, TypeVar

import aiosmtplib
from mailparser_reply import EmailReplyParser

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
    single_part,
)

T = TypeVar("T")

# Default limit of one raw inbound e-mail (config limits.max_email_bytes).
DEFAULT_MAX_RAW_BYTES = 40_000_000
_READ_CHUNK = 1 << 16
# Text kept from one e-mail; longer text is cut and extra["text_truncated"] set.
MAX_TEXT_CHARS = 100_000
# mail-parser-reply's header regexes take time quadratic in a line's length
# (a 4,000-character line costs about 0.3 s); above this budget (sum of squared
# line lengths, about 0.2 s worst case) we use our own line-based rules only.
_MAX_REPLY_PARSER_COST = 10_000_000
_MAX_REFERENCES = 100
_MAX_ID_CHARS = 998  # RFC 5322 line length

# Errors the stdlib may raise while parsing a malformed header or part.
_PARSE_ERRORS = (
    email.errors.MessageError,
    ValueError,  # includes UnicodeError
    LookupError,  # unknown charset
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,  # html.parser on some malformed markup
)

_MSGID_RE = re.compile(r"<([^<>\s]{1,990})>")
_ADDRESS_RE = re.compile(r"^[^\s@<>()\[\],;:\"\\]+@[^\s@<>()\[\],;:\"\\]+$")
_BOILERPLATE_TYPES = frozenset(
    {
        "message/delivery-status",
        "message/disposition-notification",
        "message/feedback-report",
        "text/rfc822-headers",
        "message/global-delivery-status",
        "message/global-disposition-notification",
        "message/global-headers",
    }
)
# Languages whose "On ... wrote:" headers mail-parser-reply should recognise.
_REPLY_LANGUAGES = ["en", "fr", "es", "de", "it", "nl", "zh"]
_reply_parser = EmailReplyParser(languages=_REPLY_LANGUAGES)


# --------------------------------------------------------------------------- header helpers


def _raw_header(msg: Message, name: str) -> str | None:
    """Header value as stored (folded, RFC 2047 still encoded), no parsing."""
    lname = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lname:
            return str(value)
    return None


_SURROGATE_RE = re.compile(r"[\udc80-\udcff]")


def _raw_8bit_header(msg: Message, name: str) -> str | None:
    """The raw header decoded, when it carries 8-bit bytes (non-RFC 2047
    UTF-8 or Latin-1 that some mailers send); None when it is plain ASCII.

    BytesParser keeps such bytes as surrogate escapes and policy.default then
    drops or replaces them; reading the bytes ourselves keeps "José"."""
    raw = _raw_header(msg, name)
    if raw is None or not _SURROGATE_RE.search(raw):
        return None
    data = raw.encode("utf-8", errors="surrogateescape")
    return _decode_words(_decode_bytes(data, None))


def _decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words leniently."""
    try:
        return str(make_header(decode_header(value)))
    except _PARSE_ERRORS:
        return value


def _header_text(msg: Message, name: str) -> str | None:
    """Header decoded to text (RFC 2047), never raising."""
    eight_bit = _raw_8bit_header(msg, name)
    if eight_bit is not None:
        return eight_bit
    try:
        value = msg.get(name)
        if value is None:
            return None
        return str(value)
    except _PARSE_ERRORS:
        raw = _raw_header(msg, name)
        return None if raw is None else _decode_words(raw)


def _clean_address(addr: str) -> str | None:
    addr = clean_line(addr, 320).strip("<>").strip().lower()
    return addr if _ADDRESS_RE.match(addr) else None


def _addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """[(display name, lower-cased address)] of an address header, never raising."""
    found: list[tuple[str, str]] = []
    eight_bit = _raw_8bit_header(msg, name)
    if eight_bit is not None:
        for display, addr_spec in email.utils.getaddresses([clean_line(eight_bit, 4000)]):
            addr = _clean_address(addr_spec)
            if addr:
                found.append((clean_line(display, 256), addr))
        if found:
            return found
    try:
        header = msg.get(name)
        if header is not None:
            for a in getattr(header, "addresses", ()):
                addr = _clean_address(a.addr_spec)
                if addr:
                    found.append((clean_line(a.display_name or "", 256), addr))
    except _PARSE_ERRORS:
        found = []
    if found:
        return found
    raw = _raw_header(msg, name)
    if raw is None:
        return []
    for display, addr_spec in email.utils.getaddresses([clean_line(raw, 4000)]):
        addr = _clean_address(addr_spec)
        if addr:
            found.append((clean_line(_decode_words(display), 256), addr))
    return found


def _message_ids(value: str | None) -> list[str]:
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


def _first_id(msg: Message, name: str) -> str | None:
    ids = _message_ids(_raw_header(msg, name))
    return ids[0] if ids else None


def _normalize_id(value: str) -> str:
    """"abc@host" or "<abc@host>" -> "<abc@host>"."""
    value = clean_line(value, _MAX_ID_CHARS).strip()
    ids = _message_ids(value)
    return ids[0] if ids else f"<{value.strip('<>')}>"


def derive_message_id(data: bytes) -> str:
    """A stable Message-ID for a message that has none, so a retried webhook
    with the same bytes still deduplicates."""
    return f"<{hashlib.sha256(data).hexdigest()[:40]}@intake.invalid>"


# --------------------------------------------------------------------------- auto replies


def auto_reply_reason(msg: Message) -> str | None:
    """Why `msg` must not get an automatic answer, or None when it may.

    RFC 3834 section 2 and common practice: Auto-Submitted other than "no";
    Precedence bulk/junk/list; mailing-list headers (RFC 2369, 2919); an empty
    Return-Path (bounces, RFC 5321 section 4.5.5); a multipart/report
    (delivery or read reports, RFC 6522); vendor X-Autoreply/X-Autorespond;
    mails from MAILER-DAEMON or postmaster.
    """
    auto = _header_text(msg, "Auto-Submitted")
    if auto is not None:
        token = auto.split(";")[0].strip().lower()
        if token and token != "no":
            return f"auto-submitted:{token[:40]}"
    precedence = (_header_text(msg, "Precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"precedence:{precedence}"
    for name in ("List-Id", "List-Unsubscribe"):
        if _raw_header(msg, name) is not None:
            return name.lower()
    return_path = _raw_header(msg, "Return-Path")
    if return_path is not None and re.sub(r"\s", "", return_path) == "<>":
        return "empty-return-path"
    try:
        content_type = msg.get_content_type()
    except _PARSE_ERRORS:
        content_type = ""
    if content_type == "multipart/report" or content_type in _BOILERPLATE_TYPES:
        return "report"
    for name in ("X-Autoreply", "X-Autorespond"):
        if _raw_header(msg, name) is not None:
            return name.lower()
    senders = _addresses(msg, "From")
    if senders and senders[0][1].split("@")[0] in ("mailer-daemon", "postmaster"):
        return "mailer-daemon"
    return None


def is_auto_reply(msg: Message) -> bool:
    """True for auto-replies, bounces and list mail: never answer those
    automatically (RFC 3834 section 2)."""
    return auto_reply_reason(msg) is not None


# --------------------------------------------------------------------------- text


def _decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset, replacing bad bytes; an unknown or
    bogus charset falls back to UTF-8, then Windows-1252. Never raises."""
    if charset:
        try:
            return data.decode(charset, errors="replace")
        except (LookupError, UnicodeError, ValueError, TypeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _part_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except _PARSE_ERRORS:
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", errors="surrogateescape")
    return b""


def _part_text(part: Message) -> str:
    try:
        charset = part.get_content_charset()
    except _PARSE_ERRORS:
        charset = None
    return _decode_bytes(_part_bytes(part), charset)


class _HTMLToText(HTMLParser):
    """Markup to plain text: drops script/style/head, turns block elements into
    line breaks and <blockquote> into "> " lines (so quote removal sees them)."""

    _SKIP = frozenset({"script", "style", "head", "title", "template", "svg"})
    _BLOCK = frozenset(
        {
            "p", "div", "br", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
            "blockquote", "pre", "hr", "section", "article", "header", "footer", "dd", "dt", "dl",
            "address", "form", "fieldset", "figure", "main", "nav", "aside", "details", "summary",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._line_depth = 0
        self._skip = 0
        self._quote = 0
        self._pre = 0

    def _break(self) -> None:
        text = "".join(self._line)
        if not self._pre:
            text = " ".join(text.split())
        prefix = "> " * self._line_depth
        self.lines.append(prefix + text if text else (prefix.rstrip() if self._line_depth else ""))
        self._line = []
        self._line_depth = self._quote

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self._break()
        elif tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            if self._line:
                self._break()
            if tag == "blockquote":
                self._quote += 1
            if tag == "pre":
                self._pre += 1
            self._line_depth = self._quote

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self._break()
        elif tag in self._BLOCK and self._line:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            if self._line:
                self._break()
            if tag == "blockquote":
                self._quote = max(0, self._quote - 1)
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            self._line_depth = self._quote

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if not self._line:
            self._line_depth = self._quote
        if self._pre:
            chunks = data.split("\n")
            for i, chunk in enumerate(chunks):
                if i:
                    self._break()
                self._line.append(chunk)
        else:
            self._line.append(data)

    def text(self) -> str:
        if self._line:
            self._break()
        text = "\n".join(line.rstrip() for line in self.lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_to_text(html: str) -> str:
    """Readable plain text from HTML. Tags are removed, entities decoded,
    script and style contents dropped; the result is plain text to be escaped
    by whoever renders it."""
    parser = _HTMLToText()
    try:
        parser.feed(html)
        parser.close()
        return parser.text()
    except _PARSE_ERRORS:
        # Last resort for markup html.parser gives up on: drop anything tag-like.
        return " ".join(re.sub(r"<[^>]*>", " ", html).split())


# "On Mon, 3 Mar 2025 at 10:00, X <x@y>\nwrote:" as wrapped by some clients.
_WRAPPED_WROTE_RE = re.compile(r"^(On\s[^\n]{5,200})\n([^\n]{0,200}wrote:[ \t]*)$", re.MULTILINE)
_WROTE_LINE_RE = re.compile(
    r"^\s*(On\s.{5,300}wrote:|Le\s.{5,300}a écrit\s?:|El\s.{5,300}escribió:|Am\s.{5,300}schrieb.{0,200}:)\s*$",
    re.IGNORECASE,
)


_ORIGINAL_MESSAGE_RE = re.compile(r"^\s*-{3,}\s*(Original Message|Message d'origine|Mensaje original|Ursprüngliche Nachricht)\s*-{3,}\s*$", re.IGNORECASE)


def _cut_at_quote_header(lines: list[str]) -> list[str]:
    """Drop everything from the first "On ... wrote:" or "-----Original
    Message-----" line that follows some text of the patient's own."""
    for i, line in enumerate(lines):
        if i and len(line) <= 1000 and (_WROTE_LINE_RE.match(line) or _ORIGINAL_MESSAGE_RE.match(line)):
            if any(previous.strip() and not previous.lstrip().startswith(">") for previous in lines[:i]):
                return lines[:i]
    return lines


def remove_quoted_text(text: str) -> str:
    """The new part of a reply: drops "On ... wrote:" blocks, Outlook
    "-----Original Message-----"/"From: ... Sent: ..." blocks (mail-parser-reply)
    and every line starting with ">" (so inline answers between quotes stay).

    When nothing would be left (a message that is only a quote), the text is
    returned with only the ">" lines removed, or unchanged, rather than lose
    what the patient sent.
    """
    text = text.replace("\r\n", "\n")
    joined = _WRAPPED_WROTE_RE.sub(r"\1 \2", text)
    latest: str | None = None
    if sum(len(line) ** 2 for line in joined.split("\n")) <= _MAX_REPLY_PARSER_COST:
        latest = _reply_parser.parse_reply(joined)
    if not latest or not latest.strip():
        latest = joined
    lines = _cut_at_quote_header(latest.split("\n"))
    lines = [line for line in lines if not line.lstrip().startswith(">")]
    # An "On ... wrote:" line left at the end (header of a quote we removed).
    while lines and (not lines[-1].strip() or _WROTE_LINE_RE.match(lines[-1])):
        lines.pop()
    result = "\n".join(lines).strip()
    if result:
        return result
    unquoted = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">")).strip()
    return unquoted or text.strip()


# --------------------------------------------------------------------------- MIME walking


def _leaves(part: Message) -> Iterator[Message]:
    """Leaf parts in order; an attached message (message/rfc822) is one leaf."""
    try:
        maintype = part.get_content_maintype()
        multipart = part.is_multipart()
    except _PARSE_ERRORS:
        yield part
        return
    if multipart and maintype == "multipart":
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else ():
            if isinstance(sub, Message):
                yield from _leaves(sub)
    else:
        yield part


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except _PARSE_ERRORS:
        return None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except _PARSE_ERRORS:
        name = None
    if not name:
        return None
    # Only the base name: never let a sender choose a path.
    name = clean_line(str(name), 255).replace("\\", "/")
    name = posixpath.basename(name).strip(". ")
    return name or None


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except _PARSE_ERRORS:
        return "application/octet-stream"


def _attachment_bytes(part: Message) -> bytes:
    if part.is_multipart():  # an attached message/rfc822
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            try:
                return inner.as_bytes()
            except _PARSE_ERRORS:
                return b""
        return b""
    return _part_bytes(part)


def _body_and_attachments(msg: Message) -> tuple[str, tuple[Attachment, ...]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in _leaves(msg):
        ctype = _content_type(part)
        if ctype in _BOILERPLATE_TYPES:
            continue
        filename = _filename(part)
        disposition = _disposition(part)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            (plain if ctype == "text/plain" else html).append(_part_text(part))
            continue
        data = _attachment_bytes(part)
        if not data and not filename:
            continue  # an empty non-text part carries nothing
        if not filename:
            filename = f"attachment-{len(attachments) + 1}"
        attachments.append(Attachment(url=None, content_type=ctype, filename=filename, size=len(data), data=data))
    if plain and any(p.strip() for p in plain):
        text = "\n".join(p.strip("\n") for p in plain)
    elif html:
        text = "\n\n".join(html_to_text(h) for h in html)
    else:
        text = "\n".join(plain)
    return text, tuple(attachments)


# --------------------------------------------------------------------------- parsing


_FORWARD_SUBJECT_RE = re.compile(r"^\s*(fwd?|tr|wg|enc|rv|ilt|转发|轉寄|пересл\w*)\s*[:：]", re.IGNORECASE)
_FORWARD_MARKER_RE = re.compile(
    r"^\s*-*\s*(Forwarded message|Begin forwarded message|Message transféré|Weitergeleitete Nachricht"
    r"|Mensaje reenviado|Mensagem encaminhada|İletilen ileti|Пересылаемое сообщение|转发的邮件|轉寄的郵件)",
    re.IGNORECASE | re.MULTILINE,
)


def is_forward(subject: str | None, text: str) -> bool:
    """A forwarded letter (a doctor's summary, a report) is the patient's history, not a quote of ours."""
    return bool((subject and _FORWARD_SUBJECT_RE.match(subject)) or _FORWARD_MARKER_RE.search(text))


def _finish_text(text: str, extra: dict, subject: str | None) -> str:
    full = clean_text(text).strip()
    reply = full if is_forward(subject, full) else remove_quoted_text(full)
    if reply != full:
        extra["full_text"] = full[:MAX_TEXT_CHARS]
    if len(reply) > MAX_TEXT_CHARS:
        reply = reply[:MAX_TEXT_CHARS]
        extra["text_truncated"] = True
    return reply


def _thread_key(own_id: str, in_reply_to: str | None, references: Iterable[str]) -> str:
    """Root of the thread: first References id (RFC 5322 section 3.6.4 keeps the
    root first), else the parent, else the message itself."""
    refs = list(references)
    if refs:
        return refs[0]
    return in_reply_to or own_id


def read_limited(stream: BinaryIO, limit: int) -> tuple[bytes, bool]:
    """Read a raw message from `stream`, keeping at most `limit` bytes; the rest is
    read and discarded (so the sender gets an answer, not a reset). Returns
    (kept bytes, whether the message was over the limit)."""
    kept = bytearray()
    over = False
    while chunk := stream.read(_READ_CHUNK):
        room = limit - len(kept)
        if len(chunk) > room:
            over = True
            kept += chunk[: max(room, 0)]
        else:
            kept += chunk
    return bytes(kept), over


def parse_raw(raw: bytes, truncated: bool = False) -> InboundMessage:
    """Parse one raw RFC 5322 message (as an inbound-parse webhook or IMAP
    delivers it) into an `InboundMessage`.

    `truncated`: `raw` is only the first part of a message over the size limit
    (the caller stopped reading there). Its text is kept; its attachments are
    not (the last one is cut), and the notice "email_too_large" asks the patient
    to send the files in smaller e-mails.

    Raises:
        InvalidPayload: no sender address can be found in From, Sender or Return-Path.
    """
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="surrogateescape")
    raw = bytes(raw)
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except _PARSE_ERRORS as exc:
        raise InvalidPayload("message could not be read as e-mail") from exc

    senders = _addresses(msg, "From") or _addresses(msg, "Sender") or _addresses(msg, "Return-Path")
    if not senders:
        raise InvalidPayload("message has no sender address (From)")
    display_name, sender = senders[0]

    recipients = _addresses(msg, "To") or _addresses(msg, "Delivered-To") or _addresses(msg, "X-Original-To")
    subject_raw = _header_text(msg, "Subject")
    subject = clean_line(subject_raw, 998) if subject_raw is not None else None

    extra: dict = {}
    provider_id = _first_id(msg, "Message-ID")
    if provider_id is None:
        provider_id = derive_message_id(raw)
        extra["message_id_derived"] = True
    in_reply_to = _first_id(msg, "In-Reply-To")
    references = tuple(_message_ids(_raw_header(msg, "References"))[:_MAX_REFERENCES])

    reason = auto_reply_reason(msg)
    if reason:
        extra["auto_reason"] = reason
    reply_to = _addresses(msg, "Reply-To")
    if reply_to and reply_to[0][1] != sender:
        extra["reply_to"] = reply_to[0][1]
    date = _header_text(msg, "Date")
    if date:
        try:
            extra["date"] = email.utils.parsedate_to_datetime(date).isoformat()
        except _PARSE_ERRORS:
            pass
    if msg.defects:
        extra["defects"] = sorted({type(d).__name__ for d in msg.defects})

    text, attachments = _body_and_attachments(msg)
    text = _finish_text(text, extra, subject)
    if truncated:
        extra["attachments_dropped"] = len(attachments)
        extra["notices"] = ["email_too_large"]
        attachments = ()

    return InboundMessage(
        channel="email",
        sender=sender,
        recipient=recipients[0][1] if recipients else None,
        text=text,
        attachments=attachments,
        provider_id=provider_id,
        profile_name=display_name or None,
        subject=subject or None,
        thread_key=_thread_key(provider_id, in_reply_to, references),
        in_reply_to=in_reply_to,
        references=references,
        auto_submitted=reason is not None,
        extra=extra,
    )


def _coerce_attachment(item: Attachment | Mapping) -> Attachment:
    if isinstance(item, Attachment):
        return item
    if not isinstance(item, Mapping):
        raise InvalidPayload("attachment must be an object")
    content_type = str(item.get("content_type") or "application/octet-stream").strip().lower()
    data = item.get("data")
    if data is not None and not isinstance(data, (bytes, bytearray)):
        raise InvalidPayload("attachment data must be bytes")
    size = item.get("size")
    if data is not None:
        size = len(data)
    elif size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise InvalidPayload("attachment size must be a non-negative integer")
    filename = item.get("filename")
    if filename is not None:
        filename = posixpath.basename(clean_line(str(filename), 255).replace("\\", "/")) or None
    url = item.get("url")
    return Attachment(
        url=str(url) if url else None,
        content_type=content_type,
        filename=filename,
        size=size,
        data=bytes(data) if data is not None else None,
    )


def parse_simple(
    sender: str,
    subject: str | None,
    body: str,
    message_id: str | None = None,
    attachments: Iterable[Attachment | Mapping] = (),
    *,
    recipient: str | None = None,
    in_reply_to: str | None = None,
    references: Iterable[str] = (),
) -> InboundMessage:
    """An `InboundMessage` from already-split fields (the replay format and
    simple webhooks). `sender` may be "Name <addr>". Without `message_id` a
    stable id is derived from sender, subject and body.

    Raises:
        InvalidPayload: no valid sender address, or malformed attachments.
    """
    if not isinstance(sender, str) or not isinstance(body, str):
        raise InvalidPayload("sender and body must be text")
    display, addr_spec = email.utils.parseaddr(clean_line(sender, 400))
    address = _clean_address(addr_spec)
    if not address:
        raise InvalidPayload("sender is not an e-mail address")
    subject_text = clean_line(subject, 998) if isinstance(subject, str) else None
    extra: dict = {}
    if message_id:
        provider_id = _normalize_id(message_id)
    else:
        seed = "\x00".join((address, subject or "", body)).encode("utf-8", errors="surrogatepass")
        provider_id = derive_message_id(seed)
        extra["message_id_derived"] = True
    parent = _normalize_id(in_reply_to) if in_reply_to else None
    refs = tuple(_normalize_id(r) for r in references if r)[:_MAX_REFERENCES]
    rcpt = _clean_address(recipient) if recipient else None
    return InboundMessage(
        channel="email",
        sender=address,
        recipient=rcpt,
        text=_finish_text(body, extra, subject_text),
        attachments=tuple(_coerce_attachment(a) for a in attachments),
        provider_id=provider_id,
        profile_name=clean_line(display, 256) or None,
        subject=subject_text or None,
        thread_key=_thread_key(provider_id, parent, refs),
        in_reply_to=parent,
        references=refs,
        auto_submitted=False,
        extra=extra,
    )


# --------------------------------------------------------------------------- building

# Build with 7bit transfer encodings (quoted-printable/base64 for non-ASCII) so
# any relay accepts the message, with or without 8BITMIME.
_BUILD_POLICY = policy.default.clone(cte_type="7bit")
# Set by build_message itself; msg.headers cannot replace them (threading and
# addressing stay authoritative). Message-ID and Auto-Submitted are read above.
_RESERVED_HEADERS = frozenset(
    {"message-id", "auto-submitted", "from", "to", "subject", "date", "in-reply-to", "references",
     "content-type", "content-transfer-encoding", "mime-version"}
)
_HEADER_NAME_RE = re.compile(r"^[!-9;-~]+$")  # RFC 5322 field name: printable, no colon


def build_message(msg: OutboundMessage, from_addr: str, org_name: str) -> EmailMessage:
    """A reply ready for SMTP: From "org_name <from_addr>", a Message-ID (or
    the one given in msg.headers), Date, In-Reply-To and References so the
    patient's client threads it (RFC 5322 section 3.6.4), and
    "Auto-Submitted: auto-replied" (RFC 3834 section 5) unless msg.headers says
    otherwise. Text part plus an optional HTML alternative, UTF-8.

    Raises:
        InvalidPayload: the recipient is not an e-mail address.
    """
    to = _clean_address(email.utils.parseaddr(msg.to)[1])
    if not to:
        raise InvalidPayload("recipient is not an e-mail address")
    out = EmailMessage(policy=_BUILD_POLICY)
    out["From"] = Address(display_name=clean_line(org_name, 200), addr_spec=from_addr)
    out["To"] = to
    out["Subject"] = clean_line(msg.subject or org_name, 998)
    out["Date"] = email.utils.format_datetime(datetime.now(timezone.utc))

    headers = {k: v for k, v in (msg.headers or {}).items()}
    given_id = next((v for k, v in headers.items() if k.lower() == "message-id"), None)
    domain = from_addr.rpartition("@")[2] or "intake.invalid"
    out["Message-ID"] = _normalize_id(given_id) if given_id else email.utils.make_msgid(domain=domain)

    references = [_normalize_id(r) for r in msg.references if r]
    if msg.in_reply_to:
        parent = _normalize_id(msg.in_reply_to)
        out["In-Reply-To"] = parent
        if parent not in references:
            references.append(parent)  # parent's References followed by the parent
    if references:
        out["References"] = " ".join(references[-_MAX_REFERENCES:])

    auto = next((v for k, v in headers.items() if k.lower() == "auto-submitted"), None)
    out["Auto-Submitted"] = clean_line(auto, 100) if auto else "auto-replied"
    for name, value in headers.items():
        if name.lower() in _RESERVED_HEADERS:
            continue
        if not _HEADER_NAME_RE.match(name):
            raise ValueError(f"invalid header name {name!r}")
        del out[name]
        out[name] = clean_line(str(value), 998)

    out.set_content(clean_text(msg.text), charset="utf-8")
    if msg.html:
        out.add_alternative(msg.html, subtype="html", charset="utf-8")
    return out


# --------------------------------------------------------------------------- sending


def _run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from synchronous code: directly in a plain
    thread, or in a helper thread when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coro_factory())).result()


class EmailSender:
    """Send e-mail replies over SMTP (aiosmtplib) from synchronous code."""

    channel = "email"

    def __init__(
        self,
        hostname: str,
        port: int,
        from_addr: str,
        org_name: str,
        username: str | None = None,
        password: str | None = None,
        use_tls: bool = False,
        start_tls: bool | None = None,
        timeout: float = 10,
    ) -> None:
        self.hostname = hostname
        self.port = port
        self.from_addr = from_addr
        self.org_name = org_name
        self.username = username
        self.password = password
        self.use_tls = use_tls
        self.start_tls = start_tls
        self.timeout = timeout

    def send(self, msg: OutboundMessage) -> SendResult:
        """Build and send `msg`; SendResult.provider_id is its Message-ID.

        Raises:
            ValueError: not an e-mail message.
            InvalidPayload: the recipient is not an e-mail address.
            TransientSendError: SMTP 4xx, connection or timeout errors.
            PermanentSendError: SMTP 5xx (code is the SMTP reply code).
        """
        if msg.channel != "email":
            raise ValueError(f"EmailSender cannot send {msg.channel!r} messages")
        message = build_message(msg, self.from_addr, self.org_name)
        message_id = str(message["Message-ID"])

        def submit():
            return aiosmtplib.send(
                message,
                sender=self.from_addr,
                recipients=[str(message["To"])],
                hostname=self.hostname,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                start_tls=self.start_tls,
                timeout=self.timeout,
            )

        try:
            _run(submit)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients] or [550]
            raise _smtp_error(codes[0], "recipient refused") from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _smtp_error(exc.code, "SMTP server refused the message") from exc
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            # Connection refused/reset, timeouts, server disconnects, STARTTLS
            # trouble: worth retrying later (with the same Message-ID).
            raise TransientSendError(f"SMTP connection problem: {type(exc).__name__}", maybe_sent=True) from exc
        return SendResult(provider_id=message_id, status="sent")

    def split(self, text: str) -> list[str]:
        return single_part(text)

    def lookup(self, msg: OutboundMessage, since: datetime) -> list[str]:
        # SMTP cannot be asked what it has; a resend keeps the same Message-ID
        # (chosen once by the outbox), so receiving clients see one message.
        return []


def _smtp_error(code: int, label: str) -> Exception:
    """SMTP 4xx is transient, 5xx permanent (RFC 5321 section 4.2.1)."""
    if 400 <= code < 500:
        return TransientSendError(f"{label} (SMTP {code})", code=code)
    if code >= 500:
        return PermanentSendError(code, f"{label} (SMTP {code})")
    return TransientSendError(f"{label} (unexpected SMTP reply {code})", code=code)


__all__ = [
    "DEFAULT_MAX_RAW_BYTES",
    "MAX_TEXT_CHARS",
    "EmailSender",
    "auto_reply_reason",
    "build_message",
    "derive_message_id",
    "html_to_text",
    "is_auto_reply",
    "parse_raw",
    "read_limited",
    "parse_simple",
    "remove_quoted_text",
]
