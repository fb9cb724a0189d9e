"""Loading and checking the package's own YAML data files.

The catalog, the rules and the checklist are edited by people, so every
problem is reported as a CatalogError naming the file and the entry, at load
time, before any patient sees a wrong figure.
"""
from __future__ import annotations

import copy
import math
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent


class CatalogError(ValueError):
    """A data file of the estimates package is missing, malformed or inconsistent."""


@lru_cache(maxsize=64)
def _read_cached(path: str, mtime_ns: int, size: int) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot be read: {exc}") from exc


def read_yaml(path: Path | str) -> Any:
    """Parse a YAML file; cached while the file is unchanged (mtime and size)."""
    path = str(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise CatalogError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    return _read_cached(path, st.st_mtime_ns, st.st_size)


def cached_validated(loader: Callable[[str, Any], Any]) -> Callable[[Path | str], Any]:
    """Wrap `loader(path, raw)` so it runs once per file version; callers get a private copy."""
    cache: dict[tuple[str, int, int], Any] = {}

    def load(path: Path | str) -> Any:
        path = str(path)
        try:
            st = os.stat(path)
        except OSError as exc:
            raise CatalogError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
        key = (path, st.st_mtime_ns, st.st_size)
        if key not in cache:
            cache[key] = loader(path, read_yaml(path))
        return cache[key]

    return load


def private_copy(data: Any) -> Any:
    return copy.deepcopy(data)


class Checker:
    """Small helpers that raise CatalogError('<file>: <entry>: <problem>')."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, entry: str, problem: str) -> None:
        raise CatalogError(f"{self.path}: {entry}: {problem}")

    def mapping(self, value: Any, entry: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(entry, "must be a mapping")
        return value

    def seq(self, value: Any, entry: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(entry, "must be a list")
        return value

    def require(self, data: dict[str, Any], key: str, entry: str) -> Any:
        if key not in data or data[key] is None:
            self.fail(entry, f"missing field '{key}'")
        return data[key]

    def text(self, data: dict[str, Any], key: str, entry: str) -> str:
        value = self.require(data, key, entry)
        if not isinstance(value, str) or not value.strip():
            self.fail(entry, f"field '{key}' must be a non-empty string")
        return value

    def number(self, data: dict[str, Any], key: str, entry: str, *, integer: bool = False) -> float:
        value = self.require(data, key, entry)
        ok_types = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_types) or not math.isfinite(value):
            kind = "an integer" if integer else "a number"
            self.fail(entry, f"field '{key}' must be {kind}, got {value!r}")
        if value < 0:
            self.fail(entry, f"negative {key} {value}")
        return value

    def range(self, data: Any, entry: str, *, integer: bool = False) -> tuple[float, float]:
        data = self.mapping(data, entry)
        low = self.number(data, "low", entry, integer=integer)
        high = self.number(data, "high", entry, integer=integer)
        if low > high:
            self.fail(entry, f"low {low} > high {high}")
        return low, high

    def codes(self, values: Any, allowed: Iterable[str], entry: str, what: str) -> list[str]:
        values = self.seq(values, entry)
        allowed = set(allowed)
        for value in values:
            if value not in allowed:
                self.fail(entry, f"unknown {what} {value!r}")
        return values
