"""Reading broken mail without failing: the errors the standard library may
raise on a malformed header or part, and byte decoding that never raises.

Every other module of the e-mail adapter catches `PARSE_ERRORS` (never a bare
`Exception`, STYLE 9) and falls back to the raw text, so one bad header or a
bogus charset never loses a patient's message.
"""

from __future__ import annotations

import email.errors

# Errors the stdlib may raise while parsing a malformed header or part.
PARSE_ERRORS = (
    email.errors.MessageError,
    ValueError,  # includes UnicodeError
    LookupError,  # unknown charset
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,  # html.parser on some malformed markup
)


def decode_bytes(data: bytes, charset: str | None) -> str:
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
