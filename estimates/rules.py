"""Pathway recommendation (DESIGN 6.1) as data: rules.yml, evaluated in order.

The rules are a list of declarative conditions so the organisation can audit
and change routing without touching code; every recommendation carries the
id of the rule that fired and the case facts it used.
"""
from __future__ import annotations

import operator
from pathlib import Path
from typing import Any, Callable

from . import vocabulary as vocab
from .datafile import PACKAGE_DIR, CatalogError, Checker, cached_validated

RULES_PATH = PACKAGE_DIR / "rules.yml"


def get_field(case: Any, dotted: str) -> Any:
    """The value at a dotted path of the case, or None when any part is missing."""
    value = case
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part, None)
        if value is None:
            return None
    return value


def _ordered(fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(actual: Any, expected: Any) -> bool:
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return False
        return fn(actual, expected)

    return test


def _in(actual: Any, expected: Any) -> bool:
    return isinstance(actual, (str, int, float)) and actual in expected


def _not_in(actual: Any, expected: Any) -> bool:
    return isinstance(actual, (str, int, float)) and actual not in expected


def _not_empty(actual: Any, _expected: Any) -> bool:
    if isinstance(actual, (list, tuple, set, dict, str)):
        return len(actual) > 0
    return False


def _in_vocabulary(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str) and actual in vocab.vocabulary().get(expected, ())


# Every test is False for an unknown (None) value: nothing is concluded from a
# fact the patient has not given.
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, e: a is not None and a == e,
    "ne": lambda a, e: a is not None and a != e,
    "in": _in,
    "not_in": _not_in,
    "lt": _ordered(operator.lt),
    "lte": _ordered(operator.le),
    "gt": _ordered(operator.gt),
    "gte": _ordered(operator.ge),
    "is_true": lambda a, _e: a is True,
    "not_empty": _not_empty,
    "in_vocabulary": _in_vocabulary,
}
_NO_VALUE_OPS = {"is_true", "not_empty"}
GROUP_FIELD = "diagnosis.cancer_type"

# Fields whose `in`/`eq` values must be vocabulary codes.
_FIELD_VOCAB = {
    "diagnosis.cancer_type": ("cancer_types", "cancer type"),
    "history.disease_status": ("disease_statuses", "disease status"),
    "language": ("languages", "language"),
    "request.service": ("pathways", "pathway code"),
}


def _fact(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ",".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def evaluate(cond: dict[str, Any], case: dict[str, Any]) -> tuple[bool, list[str]]:
    """(matched, facts used) for a validated condition."""
    if "always" in cond:
        return True, []
    if "all_of" in cond:
        facts: list[str] = []
        for sub in cond["all_of"]:
            ok, used = evaluate(sub, case)
            if not ok:
                return False, []
            facts.extend(used)
        return True, facts
    if "any_of" in cond:
        for sub in cond["any_of"]:
            ok, used = evaluate(sub, case)
            if ok:
                return True, used
        return False, []
    if "group" in cond:
        cancer_type = get_field(case, GROUP_FIELD)
        group = vocab.cancer_group(cancer_type)
        if group is not None and group == cond["group"]:
            return True, [f"{GROUP_FIELD}={cancer_type} (group {group})"]
        return False, []
    field = cond["field"]
    actual = get_field(case, field)
    if OPS[cond["op"]](actual, cond.get("value")):
        return True, [f"{field}={_fact(actual)}"]
    return False, []


def _check_condition(ck: Checker, cond: Any, entry: str) -> None:
    cond = ck.mapping(cond, entry)
    kinds = [k for k in ("always", "all_of", "any_of", "group", "field") if k in cond]
    if len(kinds) != 1:
        ck.fail(entry, "a condition needs exactly one of always, all_of, any_of, group, field")
    kind = kinds[0]
    if kind == "always":
        if cond["always"] is not True:
            ck.fail(entry, "'always' must be true")
    elif kind in ("all_of", "any_of"):
        subs = ck.seq(cond[kind], f"{entry}.{kind}")
        if not subs:
            ck.fail(f"{entry}.{kind}", "needs at least one condition")
        for i, sub in enumerate(subs):
            _check_condition(ck, sub, f"{entry}.{kind}[{i}]")
    elif kind == "group":
        if cond["group"] not in vocab.cancer_groups():
            ck.fail(entry, f"unknown cancer group {cond['group']!r}")
    else:
        field = ck.text(cond, "field", entry)
        op = ck.text(cond, "op", entry)
        if op not in OPS:
            ck.fail(entry, f"unknown op {op!r} (one of {', '.join(OPS)})")
        if op in _NO_VALUE_OPS:
            return
        if "value" not in cond:
            ck.fail(entry, f"missing field 'value' for op {op}")
        value = cond["value"]
        if op in ("in", "not_in"):
            ck.seq(value, f"{entry}.value")
            values = value
        elif op == "in_vocabulary":
            if value not in vocab.vocabulary() or not isinstance(vocab.vocabulary()[value], (list, dict)):
                ck.fail(entry, f"unknown vocabulary list {value!r}")
            return
        elif op in ("lt", "lte", "gt", "gte"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                ck.fail(entry, f"op {op} needs a number, got {value!r}")
            return
        else:
            values = [value]
        if field in _FIELD_VOCAB:
            vocab_key, what = _FIELD_VOCAB[field]
            ck.codes(values, vocab.vocabulary()[vocab_key], f"{entry}.value", what)


def _validate(path: str, raw: Any) -> dict[str, Any]:
    ck = Checker(path)
    data = ck.mapping(raw, "rules file")
    ck.text(data, "version", "version")
    rules = ck.seq(ck.require(data, "rules", "rules"), "rules")
    if not rules:
        ck.fail("rules", "needs at least one rule")
    pathways = vocab.pathway_codes()
    ids: set[str] = set()
    for i, rule in enumerate(rules):
        entry = f"rules[{i}]"
        rule = ck.mapping(rule, entry)
        rid = ck.text(rule, "id", entry)
        entry = f"rules[{i}] ({rid})"
        if rid in ids:
            ck.fail(entry, "duplicate rule id")
        ids.add(rid)
        _check_condition(ck, ck.require(rule, "when", entry), f"{entry}.when")
        then = ck.mapping(rule.get("then"), f"{entry}.then")
        if "from" in then:
            ck.text(then, "from", f"{entry}.then")
        elif "primary" in then:
            if then["primary"] is not None and then["primary"] not in pathways:
                ck.fail(f"{entry}.then", f"unknown pathway code {then['primary']!r}")
        else:
            ck.fail(f"{entry}.then", "needs 'primary' (a pathway code or null) or 'from'")
    last = rules[-1]
    if "always" not in last["when"] or "from" in last["then"]:
        ck.fail(f"rules[{len(rules) - 1}] ({last['id']})", "the last rule must be a default: when {always: true} with a primary")
    for i, sec in enumerate(ck.seq(data.get("secondary") or [], "secondary")):
        entry = f"secondary[{i}]"
        sec = ck.mapping(sec, entry)
        sid = ck.text(sec, "id", entry)
        entry = f"secondary[{i}] ({sid})"
        if sid in ids:
            ck.fail(entry, "duplicate rule id")
        ids.add(sid)
        _check_condition(ck, ck.require(sec, "when", entry), f"{entry}.when")
        add = ck.text(sec, "add", entry)
        if add not in pathways:
            ck.fail(entry, f"unknown pathway code {add!r}")
    return data


_load = cached_validated(_validate)


def load_rules(path: Path | str | None = None) -> dict[str, Any]:
    """The validated rules file (shared; do not mutate). Raises CatalogError."""
    return _load(path or RULES_PATH)


def recommend(case: dict[str, Any] | None, rules_path: Path | str | None = None) -> dict[str, Any]:
    """Primary and secondary pathways for a case, with the rule ids and facts that decided them.

    Missing fields are unknown, never an error: a rule that needs a fact the
    case lacks simply does not fire.
    """
    case = case if isinstance(case, dict) else {}
    data = load_rules(rules_path)
    pathways = vocab.pathway_codes()
    primary: str | None = None
    reasons: list[str] = []
    for rule in data["rules"]:
        matched, facts = evaluate(rule["when"], case)
        if not matched:
            continue
        then = rule["then"]
        if "from" in then:
            value = get_field(case, then["from"])
            if value not in pathways:
                continue  # e.g. 'unsure': the rule cannot decide, the next one does
            primary = value
        else:
            primary = then["primary"]
        reasons.append(f"{rule['id']}: {', '.join(facts)}" if facts else rule["id"])
        break
    secondary: list[str] = []
    if primary is not None:
        for sec in data.get("secondary") or []:
            matched, facts = evaluate(sec["when"], case)
            if matched and sec["add"] != primary and sec["add"] not in secondary:
                secondary.append(sec["add"])
                reasons.append(f"{sec['id']}: {', '.join(facts)}" if facts else sec["id"])
    return {"primary": primary, "secondary": secondary, "reasons": reasons}


def rule_id(reason: str) -> str:
    """The rule id at the start of a reason string."""
    return reason.split(":", 1)[0].strip()


__all__ = ["recommend", "load_rules", "evaluate", "get_field", "rule_id", "CatalogError", "RULES_PATH"]
