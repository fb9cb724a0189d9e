"""The patient's own words in a mail: HTML turned into plain text, quoted
earlier messages cut off, forwarded letters recognised (those are kept whole).

Pure text in, text out: no MIME, no headers, so each rule can be tested on a
string and the parser only decides which rule applies.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser

from channels.email.lenient import PARSE_ERRORS

# mail-parser-reply's header regexes take time quadratic in a line's length
# (a 4,000-character line costs about 0.3 s); above this budget (sum of squared
# line lengths, about 0.2 s worst case) we use our own line-based rules only.
_MAX_REPLY_PARSER_COST = 10_000_000
# Languages whose "On ... wrote:" headers mail-parser-reply should recognise.
_REPLY_LANGUAGES = ["en", "fr", "es", "de", "it", "nl", "zh"]
_reply_parser = EmailReplyParser(languages=_REPLY_LANGUAGES)


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
    except PARSE_ERRORS:
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



_FORWARD_SUBJECT_RE = re.compile(r"^\s*(fwd?|tr|wg|enc|rv|ilt|转发|轉寄|пересл\w*)\s*[:：]", re.IGNORECASE)
_FORWARD_MARKER_RE = re.compile(
    r"^\s*-*\s*(Forwarded message|Begin forwarded message|Message transféré|Weitergeleitete Nachricht"
    r"|Mensaje reenviado|Mensagem encaminhada|İletilen ileti|Пересылаемое сообщение|转发的邮件|轉寄的郵件)",
    re.IGNORECASE | re.MULTILINE,
)


def is_forward(subject: str | None, text: str) -> bool:
    """A forwarded letter (a doctor's summary, a report) is the patient's history, not a quote of ours."""
    return bool((subject and _FORWARD_SUBJECT_RE.match(subject)) or _FORWARD_MARKER_RE.search(text))
