"""Keyword matching a regulator can predict: which industry a notice belongs to, what its hazard is.

A keyword without CJK characters (Latin letters, digits, spaces, hyphens) matches where a word
starts: no letter or digit right before it, anything after it. So `magnet` finds "Magnetic",
"magnets" and "MAGNET" but not "electromagnet". A keyword with a CJK character matches anywhere,
since Chinese puts no spaces between words. A CJK character right before a Latin keyword counts as
a word boundary ("磁性magnet" matches `magnet`). Both sides are folded with NFKC and casefold, so
case and full-width forms ("ＭＡＧＮＥＴ") do not matter, and runs of whitespace count as one space.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping

_CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation (々, 〇)
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x3100, 0x31FF),  # bopomofo, hangul jamo, katakana extensions
    (0x3400, 0x4DBF),  # ideographs extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xAC00, 0xD7AF),  # hangul syllables
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x3134F),  # ideographs extensions B to G
)

_WHITESPACE = re.compile(r"\s+")

# First category with a hit wins, so the order runs from the specific mechanism to the generic
# "injury". Keywords follow the same matching rules as industry keywords (prefixes of words).
HAZARD_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "ingestion",
        ("ingest", "swallow", "button cell", "coin batter", "loose magnet", "high-powered magnet")
        + ("误食", "吞咽", "吞食"),
    ),
    (
        "electric_shock",
        ("electric shock", "electrical shock", "shock hazard", "electrocut", "energized")
        + ("ground-fault", "触电", "电击"),
    ),
    ("strangulation", ("strangl", "entangle", "drawstring", "勒颈", "缠绕")),
    ("suffocation", ("suffocat", "asphyxia", "breathing", "窒息")),
    ("entrapment", ("entrap", "卡住", "夹住")),
    ("choking", ("chok", "small part", "small ball", "airway", "哽噎", "噎")),
    (
        "chemical",
        ("chemical", "poison", "toxic", "phthalate", "lead content", "levels of lead")
        + ("hazardous substance", "child-resistant packaging", "化学", "中毒", "有毒"),
    ),
    ("fire", ("fire", "flammab", "ignite", "ignition", "explode", "explosion", "起火", "火灾")),
    ("burn", ("burn", "scald", "hot water", "overheat", "烫伤", "烧伤", "灼伤")),
    ("laceration", ("lacerat", "sharp", "割伤", "划伤")),
    ("fall", ("fall", "tip over", "tip-over", "collapse", "crash", "跌落", "摔倒", "倾倒")),
    ("injury", ("injur", "projectile", "受伤", "伤害")),
)


def is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def normalize(text: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _continues_a_word(char: str) -> bool:
    return char.isalnum() and not is_cjk(char)


def _hits(text: str, keyword: str) -> int:
    """Hits of a normalized keyword in a normalized text, counted without overlaps."""
    if not keyword:
        return 0
    if any(is_cjk(char) for char in keyword):
        return text.count(keyword)
    hits = 0
    start = text.find(keyword)
    while start != -1:
        if start == 0 or not _continues_a_word(text[start - 1]):
            hits += 1
            start = text.find(keyword, start + len(keyword))
        else:
            start = text.find(keyword, start + 1)
    return hits


def count_hits(text: str, keyword: str) -> int:
    """How often one keyword matches in a text, by the rules in the module docstring."""
    return _hits(normalize(text), normalize(keyword))


def _distinct_keywords(keywords: Iterable[str] | None) -> list[str]:
    normalized = (normalize(k) for k in keywords or () if isinstance(k, str))
    return [k for k in dict.fromkeys(normalized) if k]


def _distinct_texts(texts: Iterable[str | None]) -> list[str]:
    # The same text in two fields (openFDA's reason is both description and hazard) counts once.
    return [t for t in dict.fromkeys(normalize(t) for t in texts if t) if t]


def industry_scores(
    texts: Iterable[str | None], industries: Mapping[str, Iterable[str] | None]
) -> dict[str, int]:
    """Keyword hits per industry code, summed over its distinct keywords and the distinct texts."""
    normalized = _distinct_texts(texts)
    return {
        code: sum(_hits(text, k) for k in _distinct_keywords(keywords) for text in normalized)
        for code, keywords in industries.items()
    }


def choose_industry(
    texts: Iterable[str | None], industries: Mapping[str, Iterable[str] | None]
) -> str | None:
    """The industry with the most keyword hits, the lowest code on a tie, None without any hit."""
    scores = {code: hits for code, hits in industry_scores(texts, industries).items() if hits}
    if not scores:
        return None
    return min(scores, key=lambda code: (-scores[code], code))


def hazard_category(hazard_text: str | None) -> str | None:
    """The first category of HAZARD_KEYWORDS whose keywords match the hazard text, else None."""
    if not hazard_text:
        return None
    text = normalize(hazard_text)
    for category, keywords in HAZARD_KEYWORDS:
        if any(_hits(text, normalize(k)) for k in keywords):
            return category
    return None
