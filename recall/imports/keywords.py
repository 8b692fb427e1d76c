"""Keyword matching a regulator can predict: which industry a notice belongs to, what its hazard is.

A keyword without CJK characters (Latin letters, digits, spaces, hyphens) matches where a word
starts: no letter or digit right before it, anything after it. So `magnet` finds "Magnetic",
"magnets" and "MAGNET" but not "electromagnet". A keyword with a CJK character matches anywhere,
since Chinese puts no spaces between words. A CJK character right before a Latin keyword counts as
a word boundary ("磁性magnet" matches `magnet`). Both sides are folded with NFKC and casefold, so
case and full-width forms ("ＭＡＧＮＥＴ") do not matter, and runs of whitespace count as one space.
"""

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
    # split() and strip() take the same whitespace as the regex \s: str.isspace().
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _continues_a_word(char: str) -> bool:
    return char.isalnum() and not is_cjk(char)


def _has_cjk(keyword: str) -> bool:
    return any(is_cjk(char) for char in keyword)


def _hits(text: str, keyword: str, cjk: bool | None = None) -> int:
    """Hits of a normalized keyword in a normalized text, counted without overlaps. `cjk` is
    whether the keyword holds a CJK character, when the caller knows it already."""
    if not keyword or keyword not in text:  # most keywords miss: one substring search in C
        return 0
    if cjk is None:
        cjk = _has_cjk(keyword)
    if cjk:
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


class IndustryMatcher:
    """The industries' keywords normalized once, to match many notices against them.

    The distinct texts are joined by a newline and searched once: normalizing turns every newline
    into a space, so no keyword holds one and no hit spans two texts, and the newline before a
    text counts as its start (a word boundary). The hits in the joined text are the sum of the
    hits in each text.
    """

    def __init__(self, industries: Mapping[str, Iterable[str] | None]):
        self._codes = list(industries)
        self._keywords = [
            (keyword, _has_cjk(keyword), code)
            for code, keywords in industries.items()
            for keyword in _distinct_keywords(keywords)
        ]

    def scores(self, texts: Iterable[str | None]) -> dict[str, int]:
        return self.scores_normalized([normalize(t) for t in texts if t])

    def scores_normalized(self, texts: Iterable[str]) -> dict[str, int]:
        """The scores of texts normalize() has already folded."""
        # The same text in two fields (openFDA's reason is both description and hazard) counts once.
        joined = "\n".join(t for t in dict.fromkeys(texts) if t)
        scores = dict.fromkeys(self._codes, 0)
        for keyword, cjk, code in self._keywords:
            if keyword in joined:  # most keywords miss: one substring search in C
                scores[code] += _hits(joined, keyword, cjk)
        return scores

    def choose(self, texts: Iterable[str | None]) -> str | None:
        """The industry with the most hits, the lowest code on a tie, None without any hit."""
        return self.choose_normalized([normalize(t) for t in texts if t])

    def choose_normalized(self, texts: Iterable[str]) -> str | None:
        scores = {code: hits for code, hits in self.scores_normalized(texts).items() if hits}
        if not scores:
            return None
        return min(scores, key=lambda code: (-scores[code], code))


def industry_scores(
    texts: Iterable[str | None], industries: Mapping[str, Iterable[str] | None]
) -> dict[str, int]:
    """Keyword hits per industry code, summed over its distinct keywords and the distinct texts."""
    return IndustryMatcher(industries).scores(texts)


def choose_industry(
    texts: Iterable[str | None], industries: Mapping[str, Iterable[str] | None]
) -> str | None:
    """The industry with the most keyword hits, the lowest code on a tie, None without any hit."""
    return IndustryMatcher(industries).choose(texts)


_HAZARDS = tuple(
    (category, tuple((k, _has_cjk(k)) for k in _distinct_keywords(keywords)))
    for category, keywords in HAZARD_KEYWORDS
)


def hazard_category(hazard_text: str | None) -> str | None:
    """The first category of HAZARD_KEYWORDS whose keywords match the hazard text, else None."""
    return hazard_category_normalized(normalize(hazard_text)) if hazard_text else None


def hazard_category_normalized(text: str) -> str | None:
    """hazard_category of a text normalize() has already folded."""
    for category, keywords in _HAZARDS:
        for keyword, cjk in keywords:
            if keyword in text and (cjk or _hits(text, keyword, cjk)):
                return category
    return None
