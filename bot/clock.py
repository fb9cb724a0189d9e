"""Business time: backoff due times, give-up deadlines, stall timeouts.

In production this is the wall clock. Tests and benchmarks move it by writing
an offset in seconds to the file named by `INTAKE_CLOCK_FILE`, so that every
process (gateway, worker, a fake provider) sees the same simulated hour pass.
Leases use the real clock (`store.models.utcnow`): they are about whether a
process is alive, not about business time.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from store.models import utcnow

CLOCK_FILE_ENV = "INTAKE_CLOCK_FILE"


def offset_seconds() -> float:
    path = os.environ.get(CLOCK_FILE_ENV)
    if not path:
        return 0.0
    try:
        return float(Path(path).read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return 0.0


def now() -> datetime:
    return utcnow() + timedelta(seconds=offset_seconds())


def advance(seconds: float) -> None:
    """Move the shared test clock forward (only where INTAKE_CLOCK_FILE is set)."""
    path = os.environ.get(CLOCK_FILE_ENV)
    if not path:
        raise RuntimeError(f"{CLOCK_FILE_ENV} is not set: the clock is the wall clock")
    Path(path).write_text(str(offset_seconds() + seconds), encoding="ascii")
