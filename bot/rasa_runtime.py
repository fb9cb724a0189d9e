"""Rasa's own Python 3.10 environment, the trained model cache and the two servers.

Rasa 3.6 needs Python < 3.11 and pins old SQLAlchemy, twilio and pydantic, so it
lives in `.venv-rasa/`; the custom actions run on rasa-sdk in the app's environment.
"""
from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

from store.config import PROJECT_ROOT, Settings, model_cache_dir
from bot.dialogue import RasaClient
from dialogs.understanding import trained

DIALOGS_DIR = PROJECT_ROOT / "dialogs"
RASA_VENV = PROJECT_ROOT / ".venv-rasa"
RASA_BIN = RASA_VENV / "bin" / "rasa"
MODEL_CACHE = model_cache_dir()
TRAINING_FILES = ("config.yml", "domain.yml")


class RasaSetupError(RuntimeError):
    pass


def say(message: str) -> None:
    print(f"[intake] {message}", file=sys.stderr, flush=True)


def find_python310() -> str:
    """Python 3.10 from PATH or pyenv; Rasa 3.6 cannot run on 3.11."""
    candidates = [shutil.which("python3.10")]
    roots = [os.environ.get("PYENV_ROOT"), str(Path.home() / ".pyenv")]
    for root in filter(None, roots):
        candidates += sorted(glob.glob(f"{root}/versions/3.10*/bin/python3.10"), reverse=True)
    for candidate in filter(None, candidates):
        try:
            out = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip().startswith("Python 3.10"):
            return candidate
    raise RasaSetupError(
        "Rasa 3.6 needs Python 3.10, which was not found on PATH or under pyenv. "
        "Install it (e.g. `pyenv install 3.10.13`) and run again."
    )


def installed_rasa_version() -> str | None:
    if not RASA_BIN.exists():
        return None
    out = subprocess.run(
        [str(RASA_VENV / "bin" / "python"), "-c", "import importlib.metadata as m; print(m.version('rasa'))"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() if out.returncode == 0 else None


def ensure_rasa_env(version: str) -> None:
    if installed_rasa_version() == version:
        return
    python = find_python310()
    say(f"creating Rasa environment in {RASA_VENV} with {python} (rasa=={version}, about 3 minutes the first time)")
    subprocess.run([python, "-m", "venv", str(RASA_VENV)], check=True)
    pip = [str(RASA_VENV / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip", "wheel"], check=True)
    subprocess.run([*pip, f"rasa=={version}"], check=True)
    if installed_rasa_version() != version:
        raise RasaSetupError(f"rasa=={version} did not install into {RASA_VENV}")


def training_hash(version: str) -> str:
    """Changes only when the training data, domain, config or Rasa version change."""
    digest = hashlib.sha256(version.encode())
    files = [DIALOGS_DIR / name for name in TRAINING_FILES] + sorted((DIALOGS_DIR / "data").glob("*.yml"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_model(version: str) -> Path:
    """Train when the training inputs changed; otherwise reuse the cached model."""
    key = training_hash(version)
    model = MODEL_CACHE / f"intake-{key}.tar.gz"
    if model.exists():
        return model
    ensure_rasa_env(version)
    MODEL_CACHE.mkdir(parents=True, exist_ok=True)
    say(f"training the Rasa model {key} (under a minute)")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    tmp_out = MODEL_CACHE / f"tmp-{key}-{os.getpid()}"
    subprocess.run(
        [
            str(RASA_BIN), "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
            "--out", str(tmp_out), "--fixed-model-name", f"intake-{key}", "--quiet",
        ],
        cwd=DIALOGS_DIR,
        env=env,
        check=True,
    )
    built = tmp_out / f"intake-{key}.tar.gz"
    if not built.exists():
        raise RasaSetupError(f"rasa train finished without producing {built}")
    os.replace(built, model)
    shutil.rmtree(tmp_out, ignore_errors=True)
    return model


def tracker_store(settings: Settings) -> dict[str, object]:
    """Rasa's SQL tracker store: PostgreSQL beside the app's database, else SQLite in the data folder."""
    url = settings.get("database_url") or ""
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        from sqlalchemy.engine import make_url

        u = make_url(url)
        return {
            "type": "SQL", "dialect": "postgresql", "url": u.host or "127.0.0.1", "port": u.port or 5432,
            "username": u.username or "", "password": u.password or "", "db": u.database,
        }
    return {"type": "SQL", "dialect": "sqlite", "db": str(settings.data_dir / "rasa_tracker.db")}


def write_endpoints(settings: Settings) -> Path:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    port = int(settings.get_path("rasa.action_port"))
    endpoints = {
        "action_endpoint": {"url": f"http://127.0.0.1:{port}/webhook"},
        "tracker_store": tracker_store(settings),
    }
    path = settings.data_dir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    return path


def _rasa_port(settings: Settings) -> int:
    return int(settings.get_path("rasa.url").rstrip("/").rsplit(":", 1)[-1])


def start_action_server(settings: Settings, log_file: Path | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SANIC_HOST": "127.0.0.1", "PYTHONPATH": str(PROJECT_ROOT)}
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "dialogs.actions", "--port", str(settings.get_path("rasa.action_port"))],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_rasa_server(settings: Settings, model: Path, log_file: Path | None = None) -> subprocess.Popen[bytes]:
    endpoints = write_endpoints(settings)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL
    return subprocess.Popen(
        [
            str(RASA_BIN), "run", "--enable-api", "--auth-token", rasa_token(settings),
            "-i", "127.0.0.1", "--port", str(_rasa_port(settings)),
            "--model", str(model), "--endpoints", str(endpoints),
            "--credentials", str(DIALOGS_DIR / "credentials.yml"),
        ],
        cwd=DIALOGS_DIR,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def rasa_token(settings: Settings) -> str:
    """The secret that guards Rasa's HTTP API (trackers hold patients' words)."""
    return settings.secret_or_generated("RASA_TOKEN")


def actions_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.get_path('rasa.action_port')}"


def dialogue_client(settings: Settings) -> RasaClient:
    """A client for the servers these settings start (same token, same ports)."""
    return RasaClient(
        settings.get_path("rasa.url"), float(settings.get_path("rasa.timeout", 30)), rasa_token(settings), actions_url(settings)
    )


def action_server_ready(settings: Settings) -> bool:
    try:
        return requests.get(f"{actions_url(settings)}/health", timeout=2).ok
    except requests.RequestException:
        return False


def rasa_ready(settings: Settings) -> bool:
    return dialogue_client(settings).is_ready()


def wait_until(check, timeout: float, what: str, process: subprocess.Popen[bytes] | None = None) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if process is not None and process.poll() is not None:
            raise RasaSetupError(f"{what} exited with code {process.returncode}")
        time.sleep(0.5)
    raise RasaSetupError(f"{what} not ready after {timeout:.0f} s")


class DialogueServers:
    """Starts the action server and Rasa when they are not already reachable."""

    def __init__(self, settings: Settings, log_dir: Path | None = None) -> None:
        self.settings = settings
        self.log_dir = log_dir or settings.data_dir / "logs"
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> "DialogueServers":
        version = self.settings.get_path("rasa.version")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if not action_server_ready(self.settings):
            if trained.missing():
                say("training the red-flag and dialogue-act classifiers (a few minutes the first time)")
            trained.ensure_models()  # before the server starts, so its first message finds it
            say(f"starting the action server on 127.0.0.1:{self.settings.get_path('rasa.action_port')}")
            proc = start_action_server(self.settings, self.log_dir / "actions.log")
            self.processes.append(proc)
            wait_until(lambda: action_server_ready(self.settings), 60, "action server", proc)
        if not rasa_ready(self.settings):
            ensure_rasa_env(version)
            model = ensure_model(version)
            say(f"starting Rasa on {self.settings.get_path('rasa.url')} with {model.name}")
            proc = start_rasa_server(self.settings, model, self.log_dir / "rasa.log")
            self.processes.append(proc)
            wait_until(lambda: rasa_ready(self.settings), 180, "Rasa server", proc)
        return self

    def stop(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, 15)
                except ProcessLookupError:
                    continue
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, 9)
        self.processes.clear()

    def __enter__(self) -> "DialogueServers":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
