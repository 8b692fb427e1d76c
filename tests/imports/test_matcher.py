"""The compiled matcher the import uses agrees with independent oracles on the real captures."""

import re
import sys
import unicodedata

from recall.demo import INDUSTRIES
from recall.imports.keywords import (
    HAZARD_KEYWORDS,
    IndustryMatcher,
    hazard_category,
    hazard_category_normalized,
    is_cjk,
    normalize,
)

EXTRA = {
    "chargers": ["charger", "Charger ", "battery charger"],
    "toys": ["toy", "toys", "play"],  # overlapping keywords each count
    "food": ["listeria", "salmonella", "undeclared"],
    "empty": [],
}


def industries() -> dict[str, list[str]]:
    return {code: keywords for code, _, _, keywords in INDUSTRIES} | EXTRA


def oracle_scores(texts: list[str], keywords_by_code: dict[str, list[str]]) -> dict[str, int]:
    """Word-start regex hits (the texts are English), per distinct keyword and distinct text."""
    folded = {unicodedata.normalize("NFKC", t).casefold() for t in texts if t}
    folded = {re.sub(r"\s+", " ", t).strip() for t in folded}
    scores = {}
    for code, keywords in keywords_by_code.items():
        distinct = {re.sub(r"\s+", " ", k.casefold()).strip() for k in keywords} - {""}
        scores[code] = 0
        for keyword in distinct:
            if any(is_cjk(c) for c in keyword):
                scores[code] += sum(t.count(keyword) for t in folded)
            else:
                pattern = re.compile(r"(?<![^\W_])" + re.escape(keyword))
                scores[code] += sum(len(pattern.findall(t)) for t in folded)
    return scores


def record_texts(cpsc_records: list, openfda_records: list) -> list[list[str]]:
    cpsc = [
        [r["Title"], r["Description"], "\n".join(h["Name"] for h in r["Hazards"])]
        for r in cpsc_records
    ]
    openfda = [
        [r["product_description"], r["reason_for_recall"], r["reason_for_recall"]]
        for r in openfda_records
    ]
    return cpsc + openfda


def test_matcher_scores_as_the_oracle_on_the_real_texts(
    cpsc_records: list, openfda_records: list
) -> None:
    matcher = IndustryMatcher(industries())
    texts = record_texts(cpsc_records, openfda_records)
    assert not any(is_cjk(c) for t in texts for text in t for c in text)
    hit = 0
    for notice in texts:
        expected = oracle_scores(notice, industries())
        assert matcher.scores(notice) == expected, notice
        hit += any(expected.values())
    assert hit > 100  # the oracle is not trivially zero


def test_normalized_entry_points_agree_with_the_plain_ones(
    cpsc_records: list, openfda_records: list
) -> None:
    matcher = IndustryMatcher(industries())
    for notice in record_texts(cpsc_records, openfda_records):
        normalized = [normalize(t) for t in notice]
        assert matcher.choose_normalized(normalized) == matcher.choose(notice)
        assert hazard_category_normalized(normalized[-1]) == hazard_category(notice[-1])


def test_hazard_category_is_the_first_category_any_keyword_hits(cpsc_records: list) -> None:
    for record in cpsc_records:
        hazard = "\n".join(h["Name"] for h in record["Hazards"])
        text = re.sub(r"\s+", " ", hazard.casefold()).strip()
        expected = next(
            (
                category
                for category, keywords in HAZARD_KEYWORDS
                if any(
                    (re.search(r"(?<![^\W_])" + re.escape(k), text) if k.isascii() else k in text)
                    for k in keywords
                )
            ),
            None,
        )
        assert hazard_category(hazard) == expected, hazard


def test_normalize_takes_the_whitespace_the_regex_took() -> None:
    spaces = "".join(chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c)))
    assert spaces == "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    sample = f"{spaces}Magnet{spaces}  ball\u3000ＴＯＹ{spaces}x"
    old = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", sample).casefold()).strip()
    assert normalize(sample) == old == "magnet ball toy x"
