"""Which of the supported languages a patient's message is written in.

DESIGN 6.5: detect the script first (Bengali, Gujarati, Tamil and Sinhala
are unambiguous), then decide within the script: Han by counting
simplified-only against traditional-only characters, Devanagari by Nepali
against Hindi marker words, Arabic script by Urdu-only letters and words,
Latin script with lingua plus marker words for the languages families type
in Latin letters (Hinglish, Taglish, Roman Urdu...). Short or ambiguous
messages ("yes", "ok", "3", an emoji) give None so that the caller keeps the
language it has, or asks. Scripts, tokens and normalising come from the
text engine (understanding/text/), shared with the other readers.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from dialogs.understanding.text import load_lexicon, normalize, token_script, tokens, visible_nfc
from dialogs.understanding.text import script as char_script

SUPPORTED = (
    "en", "ar", "bn", "hi", "ur", "zh-Hans", "zh-Hant", "tr", "fr", "ru",
    "sw", "tl", "ta", "si", "ne", "gu",
)

# detect_language() answers only at or above this confidence.
MIN_CONFIDENCE = 0.5

# Scripts that name exactly one supported language.
_UNAMBIGUOUS = {"bengali": "bn", "gujarati": "gu", "tamil": "ta", "sinhala": "si", "cyrillic": "ru"}


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------

def detect_language(text: str) -> str | None:
    """BCP 47 code of the message's language, or None when it cannot tell."""
    code, confidence = detect_language_scored(text)
    return code if code is not None and confidence >= MIN_CONFIDENCE else None


# For a message too short to place ("你好", "نعم", "हो"): the likeliest language
# of its script in the sender's country (None: anywhere else).
_REGION_HINTS = {
    "han": {"TW": "zh-Hant", "HK": "zh-Hant", "MO": "zh-Hant", None: "zh-Hans"},
    "arabic": {"PK": "ur", None: "ar"},
    "devanagari": {"NP": "ne", None: "hi"},
}


# Hindi and Urdu written in Latin letters share most words; the country tells them apart.
_ROMANISED_HINTS = {"PK": "ur", "IN": "hi"}


def detect_language_hinted(text: str, region: str | None, fallback: bool = True) -> str | None:
    """detect_language, helped by the sender's country (ISO 3166 region of the phone
    number): romanised Hindi/Urdu, and (with `fallback`) a non-Latin message too short to place."""
    code = detect_language(text)
    if code in ("hi", "ur") and region in _ROMANISED_HINTS and _mostly_latin(text):
        return _ROMANISED_HINTS[region]
    if code is not None or not text or not fallback:
        return code
    raw = visible_nfc(text)
    scripts = {token_script(tok) for tok in tokens(raw)} - {None, "latin"}
    if len(scripts) != 1:
        return None
    script = scripts.pop()
    if script in _UNAMBIGUOUS:
        return _UNAMBIGUOUS[script]
    hints = _REGION_HINTS.get(script)
    return hints.get(region, hints[None]) if hints else None


def _mostly_latin(text: str) -> bool:
    scripts = [token_script(tok) for tok in tokens(text)]
    letters = [sc for sc in scripts if sc is not None]
    return bool(letters) and letters.count("latin") > len(letters) / 2


def detect_language_scored(text: str) -> tuple[str | None, float]:
    """Best guess and a confidence in [0, 1], so the caller can ask when unsure.

    A guess below MIN_CONFIDENCE is still returned (e.g. Devanagari "हाँ" is
    most likely Hindi) for callers that want to offer it as a suggestion.
    """
    if not text or not text.strip():
        return None, 0.0
    raw = visible_nfc(text)
    toks = tokens(raw)
    weights: dict[str, float] = {}
    by_script: dict[str, list[str]] = {}
    for tok in toks:
        script = token_script(tok)
        if script is None:
            continue
        by_script.setdefault(script, []).append(tok)
        # A Chinese "word" is about two characters and is not space-separated.
        w = sum(1 for ch in tok if char_script(ch) == "han") / 2 if script == "han" else 1.0
        weights[script] = weights.get(script, 0.0) + max(w, 0.5)
    if not weights:
        return None, 0.0

    # Latin words count fully only when they are grammar (function words);
    # English nouns dropped into Tamil or Hindi are half a vote.
    latin_w = 0.0
    if "latin" in by_script:
        grammar = _latin_tables()["grammar"]
        latin_w = sum(1.0 if normalize(t) in grammar else 0.5 for t in by_script["latin"])
    others = {s: w for s, w in weights.items() if s != "latin"}
    if others:
        script = max(others, key=others.__getitem__)
        w = others[script]
        # English medical words inside another language's grammar belong to
        # that language: a third of the words in the other script is enough.
        if w >= 0.3 * (w + latin_w):
            return _by_script(script, by_script[script], raw)
    if latin_w:
        return _latin(by_script.get("latin", []), raw)
    return None, 0.0


def _by_script(script: str, toks: list[str], raw: str) -> tuple[str | None, float]:
    if script in _UNAMBIGUOUS:
        if script == "bengali" and re.search("[ৰৱ]", raw):
            return None, 0.3  # Assamese letters: Bengali script, unsupported language
        return _UNAMBIGUOUS[script], 0.95
    if script == "han":
        if re.search("[\u3040-\u30ff]", raw):
            return None, 0.2  # kana: Japanese
        return _han(raw)
    if script == "devanagari":
        return _devanagari(toks)
    if script == "arabic":
        return _arabic(toks, raw)
    return None, 0.1  # a script of no supported language (Thai, Hangul, ...)


@functools.cache
def _han_sets() -> tuple[frozenset[str], frozenset[str]]:
    """Simplified-only and traditional-only characters (CC-CEDICT, via hanzidentifier)."""
    try:
        from hanzidentifier import helpers
    except ImportError:  # degrade to "Chinese, script unknown": the caller asks
        return frozenset(), frozenset()
    shared = helpers.SHARED_CHARACTERS
    return (frozenset(helpers.SIMPLIFIED_CHARACTERS - shared),
            frozenset(helpers.TRADITIONAL_CHARACTERS - shared))


def _han(raw: str) -> tuple[str | None, float]:
    simp_only, trad_only = _han_sets()
    if not simp_only:
        return "zh-Hans", 0.4  # no character data: Chinese, script unknown, ask
    han = [ch for ch in raw if char_script(ch) == "han"]
    s = sum(1 for ch in han if ch in simp_only)
    t = sum(1 for ch in han if ch in trad_only)
    if s == t == 0:
        # Only characters common to both systems ("你好", "是的"): Chinese,
        # but which script is unknown; most writers use simplified.
        return "zh-Hans", 0.5 if len(han) >= 6 else 0.3
    code = "zh-Hans" if s > t else "zh-Hant" if t > s else None
    if code is None:
        return "zh-Hans", 0.4
    return code, 0.6 + 0.4 * abs(s - t) / (s + t)


def _devanagari(toks: list[str]) -> tuple[str | None, float]:
    markers = load_lexicon("language.yml")["devanagari_markers"]
    scores = {lang: 0.0 for lang in markers}
    for tok in toks:
        for lang, table in markers.items():
            if tok in table.get(2, ()):
                scores[lang] += 2
            elif tok in table.get(1, ()):
                scores[lang] += 1
            elif any(tok.endswith(sfx) and len(tok) > len(sfx) for sfx in table.get("suffix", ())):
                scores[lang] += 0.5
    ne, hi, mr = scores.get("ne", 0.0), scores.get("hi", 0.0), scores.get("mr", 0.0)
    if mr > max(ne, hi):
        return None, 0.3  # Marathi: Devanagari, unsupported language
    if ne == hi == 0:
        return "hi", 0.4 if len(toks) <= 2 else 0.55
    if ne >= hi:
        # Ties go to Nepali: Hindi prose is full of है/में/के and rarely ties.
        if ne == hi and ne < 2:
            return "ne", 0.4
        return "ne", min(1.0, 0.6 + 0.4 * (ne - hi) / (ne + hi) + (0.1 if ne >= 3 else 0))
    return "hi", min(1.0, 0.6 + 0.4 * (hi - ne) / (ne + hi) + (0.1 if hi >= 3 else 0))


def _arabic(toks: list[str], raw: str) -> tuple[str | None, float]:
    lex = load_lexicon("language.yml")["arabic_script"]
    strong = sum(raw.count(ch) for ch in lex["urdu_letters_strong"])
    weak = sum(raw.count(ch) for ch in lex["urdu_letters_weak"])
    arabic_letters = sum(raw.count(ch) for ch in lex["arabic_letters"])
    # Word lists are matched with the keyboard variants folded both ways.
    to_ar = str.maketrans({"ی": "ي", "ک": "ك"})
    to_ur = str.maketrans({"ي": "ی", "ك": "ک"})
    ur_words = set(lex["urdu_words"])
    ar_words = {w.translate(to_ar) for w in lex["arabic_words"]}
    fa_words = set(lex["persian_words"])
    uw = sum(1 for t in toks if t.translate(to_ur) in ur_words)
    aw = sum(1 for t in toks if t.translate(to_ar) in ar_words)
    fw = sum(1 for t in toks if t in fa_words)
    ur = 3 * strong + 0.5 * weak + 2 * uw
    ar = 1.0 * arabic_letters + 2 * aw
    if strong == 0 and fw >= 2 and fw > aw:
        return None, 0.3  # Persian
    if ur == ar == 0:
        return "ar", 0.45
    if ur > ar:
        return "ur", min(1.0, 0.6 + 0.4 * (ur - ar) / (ur + ar))
    if ar > ur:
        return "ar", min(1.0, 0.6 + 0.4 * (ar - ur) / (ur + ar))
    return "ar", 0.45


# --------------------------------------------------------------------------
# Latin script
# --------------------------------------------------------------------------

@functools.cache
def _lingua() -> tuple[Any, dict[str, str], tuple[str, ...]]:
    """lingua restricted to our Latin-script languages plus a few distractors."""
    from lingua import Language, LanguageDetectorBuilder

    conf = load_lexicon("language.yml")["lingua"]
    targets: dict[str, str] = dict(conf["targets"])
    distractors = tuple(conf["distractors"])
    langs = [getattr(Language, n) for n in (*targets, *distractors)]
    return LanguageDetectorBuilder.from_languages(*langs).build(), targets, distractors


@functools.cache
def _latin_tables() -> dict[str, Any]:
    lex = load_lexicon("language.yml")
    fold = lambda words: {normalize(str(w)) for w in words}  # noqa: E731
    markers = {lang: fold(ws) for lang, ws in lex["latin_markers"].items()}
    roman = {lang: (fold(t["strong"]), fold(t.get("weak", ()))) for lang, t in lex["romanized"].items()}
    return {
        "short": {lang: fold(ws) for lang, ws in lex["short_words"].items()},
        "neutral": fold(lex["neutral_words"]),
        "markers": markers,
        "roman": roman,
        "grammar": frozenset().union(*markers.values(), *(strong for strong, _ in roman.values())),
        "hindi_distinct": fold(lex["hindi_distinct"]),
    }


def _latin(toks: list[str], raw: str) -> tuple[str | None, float]:
    """Latin script: romanised South Asian languages and Taglish by marker
    words, then lingua backed by function words for en/fr/tr/sw/tl."""
    tab = _latin_tables()
    words = [normalize(t) for t in toks]
    words = [w for w in words if not w.isdigit()]
    content = [w for w in words if w not in tab["neutral"]]
    if not content:
        return None, 0.1
    if len(words) <= 2:
        hits = {lang for w in content for lang, ws in tab["short"].items() if w in ws}
        if len(hits) == 1:
            return hits.pop(), 0.7
        if not hits and re.search("[ığİ]", raw):
            return "tr", 0.6  # dotless i and soft g are Turkish letters
        return None, 0.2

    # Languages written in Latin letters that lingua does not know, and
    # Taglish, which lingua often calls English.
    roman: dict[str, tuple[float, int]] = {}
    for lang, (strong, weak) in tab["roman"].items():
        s_hits = [w for w in words if w in strong]
        w_hits = sum(1 for w in words if w in weak)
        roman[lang] = (len(s_hits) + 0.5 * w_hits, len(set(s_hits)))
    # Hindi and Urdu in Latin letters are one spoken language: pool them.
    hu = roman["hi"][0] + roman["ur"][0], roman["hi"][1] + roman["ur"][1]
    pooled = {k: v for k, v in roman.items() if k not in ("hi", "ur")}
    pooled["hi"] = hu
    en_markers = sum(1 for w in words if w in tab["markers"]["en"])
    best = max(pooled, key=lambda k: pooled[k][0])
    score, distinct = pooled[best]
    runner_up = max((v[0] for k, v in pooled.items() if k != best), default=0.0)
    if score >= 2 and distinct >= 1 and score > 0.8 * en_markers and score > 1.5 * runner_up:
        confidence = min(0.95, 0.55 + 0.4 * score / max(len(words), 1) + 0.05 * distinct)
        if best == "hi":
            ur_strong = roman["ur"][1]
            hindi_dist = sum(1 for w in words if w in tab["hindi_distinct"])
            if ur_strong >= 1 and ur_strong > hindi_dist:
                return "ur", min(confidence, 0.6)
        return best, confidence

    # lingua for English, French, Turkish, Swahili, Tagalog; marker words
    # back it up on short messages full of names and medical terms.
    detector, targets, distractors = _lingua()
    values = {cv.language.name: cv.value for cv in detector.compute_language_confidence_values(" ".join(toks))}
    target = {code: values.get(name, 0.0) for name, code in targets.items()}
    distractor = max((values.get(n, 0.0) for n in distractors), default=0.0)
    total_t = sum(target.values()) or 1.0
    markers = {code: sum(1 for w in words if w in tab["markers"].get(code, ())) for code in target}
    total_m = sum(markers.values())
    # The more marker words, the more they are trusted over lingua, whose
    # confidence is spread thin by names, numbers and medical terms.
    mw = min(0.6, 0.15 * total_m)
    combined = {
        code: (1 - mw) * target[code] / total_t + mw * (markers[code] / total_m if total_m else 0.0)
        for code in target
    }
    best = max(combined, key=combined.__getitem__)
    if best == "en" and roman["tl"][1] >= 1 and roman["tl"][0] >= 0.25 * en_markers:
        # English words with Tagalog particles ("58 years old po"): keep the
        # conversation's language rather than switch a Filipino family to English.
        return None, 0.4
    if distractor > 2 * target[best] and markers[best] < 2:
        return None, 0.2  # most likely a language we do not support
    confidence = combined[best]
    if markers[best] == 0 and target[best] < 0.5:
        confidence = min(confidence, 0.45)
    return best, round(confidence, 3)
