"""Which records to ask for (checklist.yml), and which are still missing."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from . import vocabulary as vocab
from .datafile import PACKAGE_DIR, Checker, cached_validated
from .rules import get_field

CHECKLIST_PATH = PACKAGE_DIR / "checklist.yml"


def _validate(path: str, raw: Any) -> dict[str, Any]:
    ck = Checker(path)
    data = ck.mapping(raw, "checklist")
    ck.text(data, "version", "version")
    kinds = vocab.record_kinds()
    by_group = ck.mapping(ck.require(data, "by_group", "by_group"), "by_group")
    for group in vocab.cancer_groups():
        if group not in by_group:
            ck.fail(f"by_group.{group}", "missing: every cancer group needs a list")
    for group, values in by_group.items():
        if group not in vocab.cancer_groups():
            ck.fail(f"by_group.{group}", f"unknown cancer group {group!r}")
        ck.codes(values, kinds, f"by_group.{group}", "record kind")
    for cancer_type, values in ck.mapping(data.get("by_cancer_type") or {}, "by_cancer_type").items():
        if cancer_type not in vocab.cancer_types():
            ck.fail(f"by_cancer_type.{cancer_type}", f"unknown cancer type {cancer_type!r}")
        ck.codes(values, kinds, f"by_cancer_type.{cancer_type}", "record kind")
    for pathway, values in ck.mapping(data.get("by_pathway") or {}, "by_pathway").items():
        if pathway not in vocab.pathway_codes():
            ck.fail(f"by_pathway.{pathway}", f"unknown pathway code {pathway!r}")
        ck.codes(values or [], kinds, f"by_pathway.{pathway}", "record kind")
    return data


_load = cached_validated(_validate)


def load_checklist(path: Path | str | None = None) -> dict[str, Any]:
    """The validated checklist file (shared; do not mutate). Raises CatalogError."""
    return _load(path or CHECKLIST_PATH)


def records_checklist(case: dict[str, Any] | None, recommendation: dict[str, Any] | None) -> list[str]:
    """Record kinds to ask for, for this cancer type and primary pathway (vocabulary order).

    Without a pathway (no recommendation yet, or a red flag) the list for the
    cancer type alone is returned: a coordinator still needs those records.
    """
    data = load_checklist()
    cancer_type = get_field(case or {}, "diagnosis.cancer_type")
    group = vocab.cancer_group(cancer_type) or "unknown"
    wanted = set(data["by_group"][group])
    if isinstance(cancer_type, str):
        wanted.update((data.get("by_cancer_type") or {}).get(cancer_type, []))
    primary = (recommendation or {}).get("primary")
    if isinstance(primary, str):
        wanted.update((data.get("by_pathway") or {}).get(primary) or [])
    return [kind for kind in vocab.record_kinds() if kind in wanted]


def received_kinds(case: dict[str, Any] | None) -> set[str]:
    received = get_field(case or {}, "records.received")
    if not isinstance(received, list):
        return set()
    return {r.get("kind") for r in received if isinstance(r, dict) and isinstance(r.get("kind"), str)}


def records_missing(case: dict[str, Any] | None, recommendation: dict[str, Any] | None) -> list[str]:
    """The checklist minus the record kinds already received for the case."""
    have = received_kinds(case)
    return [kind for kind in records_checklist(case, recommendation) if kind not in have]
