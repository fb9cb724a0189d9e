"""Configuration: config.yml defaults, overridden by environment variables.

Secrets (Twilio token, SMTP password, API token, secret key) are read only
from the environment, never from the file.
"""
from __future__ import annotations

import copy
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config.yml"

# Environment variable -> dotted config key. Values are parsed as YAML scalars.
ENV_OVERRIDES: dict[str, str] = {
    "DATABASE_URL": "database_url",
    "REDIS_URL": "redis_url",
    "INTAKE_DATA_DIR": "data_dir",
    "INTAKE_HOST": "server.host",
    "INTAKE_PORT": "server.port",
    "PUBLIC_BASE_URL": "server.public_base_url",
    "TRUSTED_PROXIES": "server.trusted_proxies",
    "RASA_URL": "rasa.url",
    "ACTION_SERVER_PORT": "rasa.action_port",
    "SMTP_HOST": "smtp.host",
    "SMTP_PORT": "smtp.port",
    "SMTP_SINK": "smtp.sink",
    "SMTP_USE_TLS": "smtp.use_tls",
    "ORG_NAME": "organisation.name",
    "EMAIL_FROM": "organisation.email_from",
    "COORDINATOR_EMAILS": "organisation.coordinator_emails",
    "SIMULATOR_ENABLED": "simulator.enabled",
    "TWILIO_API_BASE_URL": "twilio.api_base_url",
    "MAX_EMAIL_BYTES": "limits.max_email_bytes",
}

# Secrets: environment only.
SECRET_ENV = (
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_WHATSAPP_FROM",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "API_TOKEN",
    "SECRET_KEY",
    "EMAIL_WEBHOOK_TOKEN",
    "RASA_TOKEN",
)


def model_cache_dir() -> Path:
    """Where trained models are cached by a hash of their data (INTAKE_MODEL_CACHE): the
    Rasa model and the red-flag classifier, shared by every checkout on the machine."""
    return Path(os.environ.get("INTAKE_MODEL_CACHE", Path.home() / ".cache" / "intake" / "models"))


class Settings(dict):
    """Nested configuration with dotted lookup (`settings.get_path("rasa.url")`)."""

    def get_path(self, dotted: str, default: Any = None) -> Any:
        node: Any = self
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node

    @property
    def data_dir(self) -> Path:
        path = Path(self["data_dir"])
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def database_url(self) -> str:
        return self.get("database_url") or f"sqlite:///{self.data_dir / 'intake.db'}"

    def secret(self, name: str) -> str | None:
        return self["secrets"].get(name) or None

    def secret_or_generated(self, name: str) -> str:
        """The secret from the environment, else one generated once per data folder
        (`secrets/<name>`, mode 0600), so every process and restart shares it."""
        value = self.secret(name)
        if value:
            return value
        path = self.data_dir / "secrets" / name.lower()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
        value = secrets.token_urlsafe(32)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(value)
        return value

    @property
    def twilio_configured(self) -> bool:
        return all(self.secret(k) for k in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_FROM"))


def _set_path(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = value


def _deep_update(base: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _deep_update(base[key], value)
        else:
            base[key] = value


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    path: Path | None = None,
) -> Settings:
    """Build settings from the file, then the environment, then explicit overrides (tests)."""
    environ = os.environ if environ is None else environ
    path = Path(environ.get("INTAKE_CONFIG", path or DEFAULT_CONFIG_FILE))
    with open(path, encoding="utf-8") as fh:
        tree: dict[str, Any] = yaml.safe_load(fh) or {}
    tree = copy.deepcopy(tree)
    for env_name, dotted in ENV_OVERRIDES.items():
        raw = environ.get(env_name)
        if raw not in (None, ""):
            value = yaml.safe_load(raw) if env_name not in ("DATABASE_URL", "REDIS_URL") else raw
            if dotted == "organisation.coordinator_emails" and isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            _set_path(tree, dotted, value)
    tree["secrets"] = {name: environ.get(name, "") for name in SECRET_ENV}
    if overrides:
        _deep_update(tree, overrides)
    return Settings(tree)
