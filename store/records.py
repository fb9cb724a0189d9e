"""Files patients send (e-mail attachments), kept on disk beside the case."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def safe_name(filename: str | None, index: int) -> str:
    """A file name that cannot leave its folder ("../../etc/passwd" -> "etc_passwd")."""
    name = _UNSAFE.sub("_", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip("._")
    return (name or f"attachment-{index}")[:120]


def save(files_dir: Path, channel: str, provider_id: str, index: int, filename: str | None, data: bytes) -> str:
    """Write the file once per provider message (a retry rewrites the same path); returns its relative path."""
    folder = hashlib.sha1(f"{channel}/{provider_id}".encode()).hexdigest()[:20]
    relative = f"{folder}/{index}-{safe_name(filename, index)}"
    target = files_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return relative


def remove(files_dir: Path, relative: str) -> None:
    target = (files_dir / relative).resolve()
    if files_dir.resolve() in target.parents and target.exists():
        target.unlink()
