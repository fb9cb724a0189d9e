"""Where the patient lives: country (ISO 3166-1 alpha-2) and city from one message.

Country names in every supported language come from CLDR through Babel
(DESIGN 6.5); places.yml adds short forms ("UAE", "अमेरिका"), major cities
and regions named without their country. Of several places in a message the
one tied to where the patient lives wins ("we live in", "X में रहते हैं"); places
the writer writes from, where treatment happened or is wanted, and where the
family comes from are ignored (location_cues.yml).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from babel import Locale

from dialogs.understanding.text import Hit, Terms, Text, is_cjk, load_lexicon, normalize_key, script

# CLDR locales of the supported languages (Tagalog is "fil" in CLDR).
LOCALES = {"en": "en", "ar": "ar", "bn": "bn", "hi": "hi", "ur": "ur", "zh": "zh_Hans", "zh-Hant": "zh_Hant",
           "tr": "tr", "fr": "fr", "ru": "ru", "sw": "sw", "tl": "fil", "ta": "ta", "si": "si", "ne": "ne", "gu": "gu"}
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AQ", "BV", "HM", "CP", "DG", "IC", "EA", "TA", "UM"}
BEFORE_WINDOW = 60
AFTER_WINDOW = 30
GROUP_GAP = 32
# Postpositions of the SOV languages' romanised forms ("Sylhet e", "Multan mein", "Chitwan ma").
AFTER_LOCATIVE = re.compile(r"^\s*(?:mein|me|e|te|ma|maa|la|mai)\b")
LOCATIVE = re.compile(r"(?:\b(?:in|from|to|at|of|near|across|en|au|à|a|de|sa|nasa|taga|huko|kutoka)|\()\s*(?:the\s+)?$")

RESIDENCE, PLAIN = 2, 1
SHADDA = "\u0651"
# Among residence cues: the patient's own ("my mum lives in") before the
# family's ("we live in") before the writer's ("I live in").
ROLE_RANK = {"patient": 3, "residence": 2, "writer": 1, "plain": 0}


@dataclass(frozen=True)
class Place:
    kind: str  # country | city | region
    country: str
    city: str | None = None


@dataclass
class _Group:
    start: int
    end: int
    places: list[list[Place]] = field(default_factory=list)
    role: str = "plain"


def _entry(name: str) -> tuple[str, str]:
    """(lexicon entry, language tag) for a place name, by the script of its last letter:
    Russian names decline (stem and prefix), Arabic ones take proclitics (whole word),
    other non-Latin scripts take case endings (prefix)."""
    name = name.strip()
    letters = [c for c in name if c.isalpha()]
    mode = "latin" if not letters or is_cjk(letters[-1]) else script(letters[-1])
    if mode == "cyrillic":
        stem = name[:-1] if len(name) >= 6 and name[-1].lower() in "аяьйыоеи" else name
        return stem + ("*" if len(name) >= 5 else "$"), "ru"
    if mode == "arabic":
        return name + "$", "ar"
    if mode != "latin":
        return name + "*", "xx"
    return name, "en"


@lru_cache(maxsize=1)
def _lexicon() -> tuple[Terms, set[str]]:
    data = load_lexicon("facts/places.yml")
    terms = Terms()

    def add(name: str, value: Any) -> None:
        entry, lang = _entry(str(name))
        terms.add(entry, lang, value)
        bare = str(name).strip()
        if lang == "ar" and bare.startswith(("ال", "ٱل")) and len(bare) > 5:
            terms.add(bare[2:] + "$", lang, value)  # "إسكندرية" as well as "الإسكندرية"

    for locale in LOCALES.values():
        for code, name in Locale.parse(locale).territories.items():
            if len(code) != 2 or not code.isalpha() or code in NOT_COUNTRIES:
                continue
            for variant in _variants(name):
                for joined in _conjunctions(variant, locale):
                    add(joined, Place("country", code))
    for code, names in data["country_aliases"].items():
        for name in names:
            if str(name).startswith("="):
                terms.add(name, "en", Place("country", code))
            else:
                add(name, Place("country", code))
    for code, names in data["regions"].items():
        for name in names:
            add(name, Place("region", code))
    for code, cities in data["cities"].items():
        for names in cities:
            canonical = str(names[0])
            for name in names:
                add(name, Place("city", code, canonical))
    for lang, names in data["not_places"].items():
        for name in names:
            terms.add(name, lang, None)
    ambiguous = {normalize_key(n) for n in data["ambiguous_names"]}
    for name, code in _subdivisions(terms):
        terms.add(name, "en", Place("region", code))
        ambiguous.add(normalize_key(name))  # counted only as a place: capitalised, after "in"...
    return terms, ambiguous


# ISO 3166-2 subdivisions (pycountry) a family may name instead of a city: "Batangas",
# "Sylhet", "Punjab". Generic names ("Central", "Northern") are no place on their own.
SUBDIVISION_TYPES = {"Province", "State", "Region", "Division", "Governorate", "Emirate", "Prefecture", "District",
                     "Department", "County", "Administrative region", "Autonomous region", "Autonomous province"}
GENERIC = re.compile(r"^(?:central|north|south|east|west|northern|southern|eastern|western|capital|coast|upper|lower|"
                     r"middle|greater|north[- ]?(?:east|west)\w*|south[- ]?(?:east|west)\w*|islands?|city|lakes?|"
                     r"mountains?|river|valley|highlands?|interior|centre|center)$", re.IGNORECASE)


def _subdivisions(known: Terms) -> list[tuple[str, str]]:
    """Subdivision names not already known as a place (a city or country keeps its reading)."""
    import pycountry

    out = []
    for sub in pycountry.subdivisions:
        name = re.sub(r"\s*\[.*?\]|\s*\(.*?\)", "", sub.name).strip()
        if sub.type not in SUBDIVISION_TYPES or len(name) < 5 or GENERIC.match(name) or not name.isascii():
            continue
        if not name.replace(" ", "").replace("-", "").isalpha() or known.find(Text(name)):
            continue
        out.append((name, sub.country_code))
    return out


# "and" in country names of several words, as CLDR writes it and as people do
# ("Trinidad & Tobago" / "Trinidad and Tobago", "Antigua-et-Barbuda", "Bosna ve Hersek").
CONJUNCTIONS = {
    "en": ["&", "and"], "fr": ["et", "&", "and"], "tr": ["ve", "&", "and"], "ru": ["и", "&"], "sw": ["na", "&", "and"],
    "fil": ["at", "&", "and"], "ar": ["و", "&"], "hi": ["और", "एंड", "&", "and"], "bn": ["ও", "এবং", "&"],
    "ur": ["اور", "&"], "zh_Hans": ["和", "与", "及"], "zh_Hant": ["和", "與", "及"], "ta": ["மற்றும்", "&"],
    "si": ["සහ", "&"], "ne": ["र", "एण्ड", "एन्ड", "&"], "gu": ["અને", "એન્ડ", "&"],
}
_SAINT = re.compile(r"\b(?:St\.?|Saint)\s+")


def _conjunctions(name: str, locale: str) -> list[str]:
    """A country name with each way of writing its "and" (and "St." / "Saint")."""
    words = CONJUNCTIONS.get(locale, ["&", "and"])
    out = [name]
    if locale in ("zh_Hans", "zh_Hant"):
        for word in words:
            if word in name:
                out += [name.replace(word, other) for other in words if other != word]
    else:
        for word in words:
            pattern = re.compile(rf"(?:(?<=\s)|(?<=-)){re.escape(word)}(?=[\s-])")
            if pattern.search(name):
                out += [pattern.sub(other, name) for other in words if other != word]
        if locale == "ar":
            out += [re.sub(r"\s+و(?=\S)", " و ", v) for v in out]  # "أنتيغوا و بربودا"
    if _SAINT.search(name):
        out += [_SAINT.sub(lead + " ", v) for v in list(out) for lead in ("St.", "St", "Saint")]
    return list(dict.fromkeys(out))


def _variants(name: str) -> list[str]:
    """CLDR names with their parenthesised part dropped and kept ("Myanmar (Burma)")."""
    out = [name]
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", name)
    if m:
        out += [m.group(1), m.group(2)]
    if " - " in name:
        out.append(name.split(" - ")[0] + " " + name.split(" - ")[1])
    return [v for v in out if v.strip()]


@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[Terms, Terms]]:
    data = load_lexicon("facts/location_cues.yml")
    out = {}
    for role in ("patient", "residence", "writer", "exclude"):
        before, after = Terms(), Terms()
        before.add_block(data[role].get("before"), role)
        after.add_block(data[role].get("after"), role)
        out[role] = (before, after)
    return out


def _place_spans(t: Text) -> list[tuple[int, int, list[Place]]]:
    """Leftmost-longest place names, each with every reading of that span."""
    terms, ambiguous = _lexicon()
    by_span: dict[tuple[int, int], list[Place | None]] = {}
    for hit in terms.find(t):
        by_span.setdefault((hit.start, hit.end), []).append(hit.value)
    spans: list[tuple[int, int, list[Place]]] = []
    for (start, end), values in sorted(by_span.items(), key=lambda kv: (kv[0][0], -(kv[0][1] - kv[0][0]))):
        if spans and start < spans[-1][1]:
            continue
        if None in values:
            spans.append((start, end, []))  # a "not a place" wording hides what is inside it
            continue
        if t.low[start:end] in ambiguous and not _locative(t, start, end, spans):
            continue
        readings = [v for v in values if v is not None]
        if SHADDA in t.orig(start, end) and any(r.kind == "city" for r in readings):
            # Normalising drops the shadda that tells عمّان (Amman) from عُمان (Oman).
            readings = [r for r in readings if r.kind == "city"]
        spans.append((start, end, readings))
    return [s for s in spans if s[2]]


def _locative(t: Text, start: int, end: int, spans: list[tuple[int, int, list[Place]]]) -> bool:
    """An ambiguous name ("Chad", "Jordan", Tagalog "mali") counts when capitalised and
    after a locative word (before a postposition), or right after another place ("Amman, Jordan")."""
    if not t.cased[start].isupper():
        return False
    if spans and spans[-1][2] and start - spans[-1][1] <= 3:
        return True
    return bool(LOCATIVE.search(t.low[max(0, start - 12):start])) or bool(AFTER_LOCATIVE.match(t.low[end:end + 8]))


def _groups(t: Text, spans: list[tuple[int, int, list[Place]]], cue_hits: list[Hit]) -> list[_Group]:
    groups: list[_Group] = []
    for start, end, places in spans:
        if groups:
            last = groups[-1]
            gap = t.low[last.end:start]
            same = t.same_sentence(last.start, start) and len(gap) <= GROUP_GAP
            if same and not any(last.end <= c.start and c.end <= start for c in cue_hits):
                last.end = end
                last.places.append(places)
                continue
        groups.append(_Group(start, end, [places]))
    return groups


def _role(t: Text, group: _Group, cue_hits: list[tuple[str, str, Hit]]) -> tuple[str, int]:
    """The role of the nearest cue in the group's sentence, and its distance."""
    best: tuple[int, str] | None = None
    s_start = t.sentence(group.start)[0]
    s_end = t.sentence(max(group.end - 1, group.start))[1]
    for role, side, hit in cue_hits:
        if side == "before" and hit.end <= group.start and hit.start >= s_start and group.start - hit.end <= BEFORE_WINDOW:
            distance = group.start - hit.end
        elif side == "after" and hit.start >= group.end and hit.end <= s_end and hit.start - group.end <= AFTER_WINDOW:
            distance = hit.start - group.end
        else:
            continue
        if best is None or distance < best[0]:
            best = (distance, role)
    return (best[1], best[0]) if best else ("plain", BEFORE_WINDOW + 1)


def _resolve(group: _Group) -> tuple[str | None, str | None]:
    """Country and city of a group of adjacent place names ("Kumasi, Ghana").
    A name that is only a country beats one that may also be a city ("عمان"
    is Oman or Amman: "عمان، الأردن" is Amman, Jordan)."""
    pure = [p.country for readings in group.places if all(r.kind == "country" for r in readings) for p in readings[:1]]
    country = pure[0] if pure else None
    if country is None:
        first = group.places[0]
        named = [r for r in first if r.kind == "country"] or [r for r in first if r.kind == "city"] or first
        country = named[0].country
    for readings in group.places:
        if all(r.kind == "country" for r in readings) and pure:
            continue
        for reading in readings:
            if reading.kind == "city" and reading.country == country:
                return country, reading.city
    return country, None


@lru_cache(maxsize=1)
def _speaker() -> Terms:
    terms = Terms()
    terms.add_block(load_lexicon("facts/location_cues.yml")["speaker"], "writer")
    return terms


def _nearest_person(t: Text, group: _Group, people: list[tuple[int, int, str]]) -> tuple[str, int] | None:
    """Whose place a place is: the person named nearest before it in its sentence (the
    subject: "ma mère est à Dakar"), else the one right after it in its clause ("Dakar ma
    mère"), and how near."""
    sentence = t.sentence(group.start)
    clause = t.clause(group.start)
    before = [(group.start - end, role) for start, end, role in people
              if end <= group.start and t.sentence(start) == sentence and group.start - end <= BEFORE_WINDOW]
    after = [(start - group.end, role) for start, end, role in people
             if start >= group.end and t.clause(start) == clause and start - group.end <= AFTER_WINDOW]
    best = min(before or after, default=None)
    return (best[1], best[0]) if best else None


def find_location(text: str, relations: list[tuple[int, int]] | None = None,
                  language: str | None = None) -> tuple[str | None, str | None, int, bool]:
    """(country, city, strength, said_by_writer_about_self); `relations`: where the
    message names the patient by a relation word ("my father"), to tell the patient's
    place from the writer's in a diaspora message; `language`: the message's, whose
    first-person words count ("ana" is "I" in Arabizi, "has" in Swahili)."""
    if not text:
        return None, None, 0, False
    t = Text(text)
    spans = _place_spans(t)
    if not spans:
        return None, None, 0, False
    cue_hits: list[tuple[str, str, Hit]] = []
    for role, (before, after) in _cues().items():
        cue_hits += [(role, "before", h) for h in before.find(t)]
        cue_hits += [(role, "after", h) for h in after.find(t)]
    cue_hits = _longest_cues(cue_hits)
    people = [(s, e, "patient") for s, e in relations or []]
    if people:
        people += [(h.start, h.end, "writer") for h in _speaker().find(t, language)]
    # A person named between two places separates them: "Riyadh ako, si tatay nasa Cebu".
    groups = _groups(t, spans, [h for _, _, h in cue_hits] + [Hit(s, e, None) for s, e, _ in people])
    cued = [_role(t, group, cue_hits) for group in groups]
    persons = [_nearest_person(t, group, people) if people and role != "exclude" else None
               for group, (role, _) in zip(groups, cued)]
    # The person named nearest a place decides whose it is only where the message places
    # the patient somewhere ("I'm in Riyadh, my father is in Batangas"); "Ako po si
    # Mariel, taga Davao" places the family, as the cues read it.
    diaspora = any(p and p[0] == "patient" for p in persons)
    ranked = []
    for group, (role, cue_distance), person in zip(groups, cued, persons):
        group.role = role
        if diaspora and person and (role in ("plain", "residence") or person[1] < cue_distance):
            # "أنا في الرياض وأبوي في القاهرة": the father named after "I am in" owns Cairo.
            group.role = person[0]
        if group.role == "exclude":
            continue
        country, city = _resolve(group)
        if country is None:
            continue
        strength = PLAIN if group.role == "plain" else RESIDENCE
        ranked.append(((strength, ROLE_RANK[group.role], -group.start), country, city, group.role == "writer"))
    if not ranked:
        return None, None, 0, False
    key, country, city, writer = max(ranked, key=lambda r: r[0])
    return country, city, key[0], writer


def _longest_cues(hits: list[tuple[str, str, Hit]]) -> list[tuple[str, str, Hit]]:
    """Drop a cue lying inside a longer one ("lives" inside "lives with us in")."""
    return [(role, side, h) for role, side, h in hits if not any(o.covers(h) for _, _, o in hits)]
