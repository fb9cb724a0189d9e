"""The writer's own lines of a reply, without the thread it quotes.

A reply e-mail carries the earlier messages below it, often our own text,
which lists red flags and says "reply YES": read as the patient's, it would
raise false alarms and false consents. Every reader of a message that may be
a reply (red flags, signals, the intake action) strips it the same way.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from dialogs.understanding.text.normal import normalize

# E-mail reply boilerplate after which everything is the quoted earlier message.
_QUOTE_HEADER = re.compile(
    r"^\s*(?:on\s.{0,200}wrote:|le\s.{0,200}a\s[ée]crit\s?:|am\s.{0,200}schrieb.{0,80}:|"
    r"-{2,}\s*(?:original message|message d'origine|forwarded message)|"
    r"_{5,}\s*$|(?:from|de|von)\s?:\s.*[@<]|sent from my\s|envoy[ée] de mon\s|"
    # "... wrote:" as mail clients write it in the supported languages
    r".{0,200}(?:wrote|a\s[ée]crit|yazd[ıi]|написал\w*|كتب|写道|寫道|aliandika|ay\ssumulat|ने\sलिखा|نے\sلکھا|"
    r"লিখেছেন|এ\sলিখেছেন|எழுதினார்|எழுதியது|ලිව්වා|ලියා\sඇත|लेख्नुभयो|लेख्यो|લખ્યું)\s*[:：]\s*$|"
    r".{0,120}\sكتب\s.{0,160}[:：]\s*$)",  # Arabic puts the verb before the name
    re.IGNORECASE)


def strip_quoted_reply(text: str) -> str:
    """The writer's own lines: drop "> " quoted lines and everything after an
    "On ... wrote:" header, so our own quoted question is not read as theirs."""
    own = []
    for line in (text or "").splitlines():
        if _QUOTE_HEADER.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        own.append(line)
    return "\n".join(own)


def own_words(text: str | None) -> str:
    """The writer's own lines in the match form (see normal.normalize)."""
    return normalize(strip_quoted_reply(text or ""))


_FORWARDED = re.compile(r"-{2,}\s*(?:forwarded message|message transf[ée]r[ée]|weitergeleitete nachricht|пересланное сообщение|iletilen ileti)"
                        r"|begin forwarded message|转发的邮件|轉寄的郵件", re.IGNORECASE)
# Reply and forward prefixes of mail clients in the supported languages (RFC 5322 3.6.5 "Re:").
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|sv|rv|réf|ref|ynt|отв|回复|回覆|答复|رد|fw|fwd|tr)\s*[:：]", re.IGNORECASE)


def readable_text(text: str, meta: Mapping[str, Any], channel: str) -> tuple[str, str]:
    """(the new words of the message, what is read for facts: an e-mail's subject too)."""
    # An e-mail's subject often names the diagnosis or the service ("Request: remote second opinion").
    subject = (meta.get("subject") or "").strip() if channel == "email" else ""
    if _REPLY_SUBJECT.match(subject):
        subject = ""  # "Re: ..." repeats the thread's first subject, read with the first e-mail
    if channel == "email":
        # New answers sit above the quoted thread: our quoted questions and the quoted
        # first e-mail never set facts (the channel drops "> " lines; this also ends at
        # a client's "... wrote:" header in any language).
        if not _FORWARDED.search(text):  # a forwarded letter is the family's to read (the channel keeps it)
            text = strip_quoted_reply(text).strip() or text
    return text, f"{subject}\n\n{text}" if subject and text else text
