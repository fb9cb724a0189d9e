"""Fixtures for the estimates tests."""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.estimates.casebuild import SCHEMA


@pytest.fixture(scope="session")
def estimate_schema() -> dict[str, Any]:
    """The `estimate` part of the case contract."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return schema["properties"]["estimate"]
