"""Reading a message the dialogue never sees, because a person owns the conversation:
its language, for the transcript, and its red flags, read by the same two readers and
answered with the same immediate reply as the dialogue's own (DESIGN 2.2: every inbound
message is checked before anything else)."""
from __future__ import annotations

from dataclasses import dataclass

from dialogs import emergency
from dialogs.understanding import language as lang_detection
from dialogs.understanding.safety import read_safety
from dialogs.understanding.text import readable_text


@dataclass(frozen=True)
class Reading:
    language: str | None  # the message's own language when clear, else the conversation's
    flags: list[str]  # its red flags (contract vocabulary)
    unsure: bool  # no red flag placed, but a person should look now
    emergency_reply: str | None  # what the patient is told at once on a flag or a doubt


def read_message(text: str, subject: str | None, channel: str, language: str | None,
                 previous: str | None = None, patient_country: str | None = None,
                 writer_region: str | None = None) -> Reading:
    """Only the message's new words are read (an e-mail's quoted thread is not);
    `previous`: the family's message before it, for context."""
    _, readable = readable_text(text or "", {"subject": subject or ""}, channel)
    if not readable.strip():
        return Reading(language, [], False, None)
    language = lang_detection.detect_language_hinted(readable, None, fallback=False) or language
    context = readable_text(previous, {}, channel)[0] if previous else None
    reading = read_safety(readable, context)
    reply = emergency.alert_text(reading.flags, reading.unsure, language or "en", patient_country, writer_region)
    return Reading(language, reading.flags, reading.unsure, reply)
