"""Reading a message the dialogue never sees, because a person owns the conversation:
its language, for the transcript, and its red flags, with the same immediate reply as
the dialogue's own (DESIGN 2.2: every inbound message is checked before anything else)."""
from __future__ import annotations

from dataclasses import dataclass

from dialogs.messages import org, t
from dialogs.understanding import language as lang_detection
from dialogs.understanding import safety
from dialogs.understanding.text import readable_text


@dataclass(frozen=True)
class Reading:
    language: str | None  # the message's own language when clear, else the conversation's
    flags: list[str]  # its red flags (contract vocabulary)
    emergency_reply: str | None  # what the patient is told at once when there are flags


def read_message(text: str, subject: str | None, channel: str, language: str | None) -> Reading:
    """Only the message's new words are read (an e-mail's quoted thread is not)."""
    _, readable = readable_text(text or "", {"subject": subject or ""}, channel)
    if not readable.strip():
        return Reading(language, [], None)
    language = lang_detection.detect_language_hinted(readable, None, fallback=False) or language
    flags = safety.detect_red_flags(readable)
    if not flags:
        return Reading(language, [], None)
    key = "emergency_self_harm" if "self_harm" in flags else "emergency"
    return Reading(language, flags, t(key, language, **org()))
