"""Starts the product's processes, waits until each is ready, and restarts any that
exits, with backoff, saying so (`intake run`)."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Say = Callable[[str], None]


@dataclass
class Child:
    """One supervised process: how to start it and how to tell it is ready."""

    name: str
    start: Callable[[], subprocess.Popen[bytes]]
    ready: Callable[[], bool] = lambda: True
    ready_timeout: float = 180
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0
    restart_at: float | None = field(default=None)


class Supervisor:
    BACKOFF_MAX = 30.0
    # A child that ran this long before exiting starts its backoff again from 1 s.
    STABLE_AFTER = 60.0

    def __init__(self, children: list[Child], say: Say, run_dir: Path) -> None:
        self.children = children
        self.say = say
        self.run_dir = run_dir

    def _launch(self, child: Child) -> None:
        child.proc = child.start()
        child.started_at = time.monotonic()
        child.restart_at = None
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / f"{child.name}.pid").write_text(str(child.proc.pid), encoding="ascii")

    def _wait_ready(self, child: Child) -> None:
        deadline = time.monotonic() + child.ready_timeout
        while not child.ready():
            if child.proc is not None and child.proc.poll() is not None:
                raise RuntimeError(f"{child.name} exited with code {child.proc.returncode} while starting (see its log)")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{child.name} not ready after {child.ready_timeout:.0f} s (see its log)")
            time.sleep(0.3)

    def start_all(self) -> None:
        for child in self.children:
            self.say(f"starting {child.name}")
            self._launch(child)
            self._wait_ready(child)

    def check(self) -> None:
        """Restart children that exited, each after its backoff."""
        now = time.monotonic()
        for child in self.children:
            if child.proc is None or child.proc.poll() is None:
                continue
            if child.restart_at is None:
                # Its own children (Sanic's and Rasa's workers) would keep the port: end them too.
                _signal_group(child.proc, signal.SIGKILL)
                if now - child.started_at > self.STABLE_AFTER:
                    child.restarts = 0
                delay = min(self.BACKOFF_MAX, 2.0 ** child.restarts)
                child.restarts += 1
                child.restart_at = now + delay
                self.say(f"{child.name} exited with code {child.proc.returncode}; restarting in {delay:.0f} s")
            elif now >= child.restart_at:
                self._launch(child)
                self.say(f"{child.name} restarted (pid {child.proc.pid}, restart #{child.restarts})")

    def run_forever(self, every: float = 0.5) -> None:
        while True:
            self.check()
            time.sleep(every)

    def stop(self) -> None:
        for child in reversed(self.children):
            if child.proc is not None and child.proc.poll() is None:
                _signal_group(child.proc, signal.SIGTERM)
        for child in reversed(self.children):
            if child.proc is None:
                continue
            try:
                child.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(child.proc, signal.SIGKILL)
            (self.run_dir / f"{child.name}.pid").unlink(missing_ok=True)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    """Each child leads its own process group (start_new_session), so the group is its tree."""
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass
