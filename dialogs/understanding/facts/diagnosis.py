"""Diagnosis facts: cancer type, the patient's words for it, stage, histology,
biomarkers and the year of diagnosis."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dialogs.understanding.facts.negation import Negation
from dialogs.understanding.facts.numbers import nearest_year, stage_value, templates
from dialogs.understanding.text import Hit, Terms, Text, cue_terms, is_cjk, load_lexicon, longest, undominated

HEAD_WINDOW = 25  # characters between an organ word and "cancer" (same sentence)
HEAD_WINDOW_CJK = 3
METASTASIS_WINDOW = 16
_SITE_LIST_OPENING = re.compile(r"[\s:(\[\-–]*")


@dataclass(frozen=True)
class CancerFinding:
    code: str
    confidence: int  # 2 specific, 1 organ only, 0 family name ("lymphoma")
    start: int
    end: int


@lru_cache(maxsize=1)
def _cancer_lexicon() -> dict[str, Any]:
    data = load_lexicon("facts/cancer_types.yml")
    heads = Terms()
    for name, block in data["heads"].items():
        heads.add_block(block, name)
    terms, organs = Terms(), Terms()
    for key, spec in data["codes"].items():
        code = spec.get("code", key)
        confidence = int(spec.get("confidence", 2))
        terms.add_block(spec.get("terms"), (code, confidence))
        window = int(spec.get("head_window", HEAD_WINDOW))
        organs.add_block(spec.get("organs"), (code, confidence, spec.get("head", "cancer"), window))
    before, after = Terms(), Terms()
    before.add_block(data["metastasis"]["before"], True)
    after.add_block(data["metastasis"]["after"], True)
    return {"heads": heads, "terms": terms, "organs": organs, "meta_before": before, "meta_after": after}


def cancer_findings(t: Text, language: str | None = None) -> list[CancerFinding]:
    """Every cancer-type finding that is not inside a more specific one."""
    lex = _cancer_lexicon()
    found = [CancerFinding(h.value[0], h.value[1], h.start, h.end) for h in undominated(lex["terms"].find(t, language))]
    terms = list(found)
    heads = lex["heads"].find(t, language)
    meta_before = lex["meta_before"].find(t, language)
    meta_after = lex["meta_after"].find(t, language)
    for organ in undominated(lex["organs"].find(t, language)):
        code, confidence, head_name, window = organ.value
        if _is_spread_site(t, organ, meta_before, meta_after):
            continue
        # A head word inside a longer cancer name ("koo (thyroid cancer)") belongs to that
        # name, not to an organ word outside it ("கண்ணில் மெலனோமா" still pairs).
        free = [h for h in heads if h.value == head_name and not any(
            f.start <= h.start and h.end <= f.end and f.end - f.start > h.end - h.start
            and (organ.end <= f.start or f.end <= organ.start) for f in terms)]
        head = _nearest_head(t, organ, free, window)
        if head is not None:
            found.append(CancerFinding(code, confidence, min(organ.start, head.start), max(organ.end, head.end)))
        elif t.is_short() and head_name == "cancer":
            found.append(CancerFinding(code, min(confidence, 1), organ.start, organ.end))  # "breast" answering "which cancer?"
    return [f for f in found if not any(_covers(o, f) for o in found)]


def _covers(a: CancerFinding, b: CancerFinding) -> bool:
    return a.start <= b.start and b.end <= a.end and (a.end - a.start) > (b.end - b.start)


def _is_spread_site(t: Text, organ: Hit, before: list[Hit], after: list[Hit]) -> bool:
    clause = t.clause(organ.start)
    if any(organ.start - METASTASIS_WINDOW <= h.end <= organ.start
           and (clause[0] <= h.start or _SITE_LIST_OPENING.fullmatch(t.low[h.end:organ.start])) for h in before):
        return True  # "métastatique (os et foie)": the sites listed in brackets after the word
    return any(organ.end <= h.start <= organ.end + METASTASIS_WINDOW and h.start < clause[1] + 1 for h in after)


def _nearest_head(t: Text, organ: Hit, heads: list[Hit], window: int = HEAD_WINDOW) -> Hit | None:
    best, best_gap = None, None
    for head in heads:
        if head.start >= organ.end:
            gap = head.start - organ.end
        elif head.end <= organ.start:
            gap = organ.start - head.end
        else:
            continue
        cjk = is_cjk(t.low[organ.start]) or is_cjk(t.low[head.start])
        if gap > (HEAD_WINDOW_CJK if cjk else window) or not t.same_sentence(organ.start, head.start):
            continue
        if best_gap is None or gap < best_gap:
            best, best_gap = head, gap
    return best


def best_cancer(t: Text, language: str | None = None) -> CancerFinding | None:
    """The most specific finding; among equals the first mentioned (the patient's own
    cancer usually comes before a relative's or a spread site)."""
    findings = cancer_findings(t, language)
    if not findings:
        return None
    past = cue_terms("facts/diagnosis.yml", "past_cues").find(t, language)

    def in_the_past(f: CancerFinding) -> bool:
        return any(t.clause(f.start) == t.clause(p.start) for p in past)

    # "They cannot find where it started": the organs named are where it spread, not its origin.
    return min(findings, key=lambda f: (-f.confidence, f.code != "unknown_primary", in_the_past(f), f.start))


def cancer_confidence(text: str) -> int:
    """How specific the cancer words in `text` are (used when merging messages)."""
    found = best_cancer(Text(text))
    return found.confidence if found else 0


# ---------------------------------------------------------------- stage


@lru_cache(maxsize=1)
def _stage_rules() -> tuple[list[re.Pattern[str]], Terms]:
    data = load_lexicon("facts/stage.yml")
    words = Terms()
    for value, block in data["words"].items():
        words.add_block(block, str(value))
    return templates(data["patterns"]), words


def stage(t: Text, language: str | None = None) -> str | None:
    """The last stage mentioned that is not negated ("stage 3, not stage 4" -> III)."""
    patterns, words = _stage_rules()
    negated = Negation(t, language)
    found: list[tuple[int, int, str]] = []
    for pattern in patterns:
        for m in pattern.finditer(t.low):
            value = stage_value(m.group("S"))
            if value:
                found.append((m.start(), m.end(), value))
    for hit in longest(words.find(t, language)):
        found.append((hit.start, hit.end, hit.value))
    found = [f for f in found if not negated(f[0], f[1])]
    if not found:
        return None
    found.sort(key=lambda f: (f[0], -f[1]))
    return found[-1][2]


# ---------------------------------------------------------------- histology, biomarkers, year


@lru_cache(maxsize=1)
def _histology_terms() -> Terms:
    terms = Terms()
    for name, block in load_lexicon("facts/histology.yml").items():
        terms.add_block(block, name)
    return terms


def histology(t: Text, language: str | None = None) -> str | None:
    hits = longest(_histology_terms().find(t, language))
    if not hits:
        return None
    return max(hits, key=lambda h: (h.end - h.start, -h.start)).value


@lru_cache(maxsize=1)
def _biomarker_rules() -> list[tuple[re.Pattern[str], list[str]]]:
    rules = []
    for rule in load_lexicon("facts/biomarkers.yml")["rules"]:
        out = rule["out"] if isinstance(rule["out"], list) else [rule["out"]]
        rules.append((re.compile(rule["re"]), [str(o) for o in out]))
    return rules


def marker_key(label: str) -> str:
    """'HER2-' and 'HER2+' contradict each other; so do 'MGMT methylated' and 'MGMT unmethylated'."""
    m = re.match(r"(EGFR|KRAS|NRAS|BRAF|PD-L1|Ki-67|IDH|MGMT|MSS|MSI-H|dMMR|pMMR|[A-Za-z0-9]+?)(?=[+\- ]|$)", label)
    key = m.group(1) if m else label
    return {"MSI-H": "MSI", "MSS": "MSI", "dMMR": "MMR", "pMMR": "MMR"}.get(key, key)


def biomarkers(t: Text) -> list[str]:
    found: list[tuple[int, int, str]] = []
    for rank, (pattern, outs) in enumerate(_biomarker_rules()):
        for m in pattern.finditer(t.low):
            for k, out in enumerate(outs):
                label = re.sub(r"\{(\d)\}", lambda g: (m.group(int(g.group(1))) or "").upper(), out)
                found.append((m.start(), rank * 10 + k, label.replace("PGR", "PR")))
    labels: dict[str, str] = {}
    for _, _, label in sorted(found):
        key, old = marker_key(label), labels.get(marker_key(label))
        if old and old != label and label.endswith(" mutation") and not old.endswith(" mutation"):
            continue  # "EGFR exon 19" says more than "EGFR mutation"
        labels[key] = label
    return list(dict.fromkeys(labels.values()))


def diagnosed_cues() -> Terms:
    """Words telling the cancer was found ("diagnosed", "teşhis", "диагноз"): they date it
    and mark a sentence about the patient's illness."""
    return cue_terms("facts/diagnosis.yml", "diagnosed_cues")


def diagnosed_year(t: Text, language: str | None = None) -> int | None:
    """The year nearest a diagnosis word, in its sentence."""
    for cue in diagnosed_cues().find(t, language):
        year = nearest_year(t, cue.start)
        if year is not None:
            return year
    return None
