"""Pure recommendation, estimate and records logic (DESIGN 3, 6.1-6.3).

A case dict in, a recommendation and an itemised indicative estimate out,
driven by the versioned data files of this package (catalog.yml, rules.yml,
checklist.yml, messages/). No I/O besides loading those files.
"""
from __future__ import annotations

from typing import Any

from .catalog import load_catalog, validate_catalog
from .datafile import CatalogError
from .pricing import carry_overrides, estimate, override_item
from .records import records_checklist, records_missing
from .render import render_estimate, render_recommendation_line
from .rules import recommend


def estimate_for_case(case: dict[str, Any] | None) -> dict[str, Any]:
    """Recommendation and estimate together, as the dialogue actions and the CLI need them."""
    recommendation = recommend(case)
    return {"recommendation": recommendation, "estimate": estimate(case, recommendation)}


__all__ = [
    "CatalogError",
    "carry_overrides",
    "estimate",
    "estimate_for_case",
    "load_catalog",
    "override_item",
    "recommend",
    "records_checklist",
    "records_missing",
    "render_estimate",
    "render_recommendation_line",
    "validate_catalog",
]
