"""bot.supervisor: `intake run` waits for readiness and restarts a child that exits, with backoff."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.supervisor import Child, Supervisor


def _python(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", code], start_new_session=True)


def test_a_child_that_exits_is_restarted_with_growing_backoff(tmp_path: Path) -> None:
    said: list[str] = []
    child = Child("short-lived", lambda: _python("import time; time.sleep(0.2)"))
    supervisor = Supervisor([child], said.append, tmp_path / "run")
    supervisor.start_all()
    first = child.proc.pid  # type: ignore[union-attr]
    assert (tmp_path / "run" / "short-lived.pid").read_text() == str(first)
    deadline = time.monotonic() + 20
    while sum("restarted" in line for line in said) < 2 and time.monotonic() < deadline:
        supervisor.check()
        time.sleep(0.1)
    supervisor.stop()
    exits = [line for line in said if "exited with code 0" in line]
    assert exits[0].endswith("restarting in 1 s") and exits[1].endswith("restarting in 2 s")
    assert sum("restarted" in line for line in said) >= 2 and child.proc.pid != first  # type: ignore[union-attr]


def test_start_waits_for_readiness_and_reports_a_child_that_dies_starting(tmp_path: Path) -> None:
    flag = tmp_path / "ready"
    ready = Child("slow", lambda: _python(f"import time, pathlib; time.sleep(0.5); pathlib.Path({str(flag)!r}).touch(); time.sleep(30)"),
                  ready=flag.exists, ready_timeout=20)
    supervisor = Supervisor([ready], lambda _line: None, tmp_path / "run")
    supervisor.start_all()
    assert flag.exists()  # start_all returned only once the child said it was ready
    supervisor.stop()
    assert ready.proc.poll() is not None  # type: ignore[union-attr]
    broken = Child("broken", lambda: _python("raise SystemExit(3)"), ready=lambda: False, ready_timeout=20)
    with pytest.raises(RuntimeError, match="broken exited with code 3"):
        Supervisor([broken], lambda _line: None, tmp_path / "run").start_all()
