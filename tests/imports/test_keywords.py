"""Keyword matching and hazard categories: pure functions, no database."""

import re

import pytest

from recall.imports.keywords import (
    HAZARD_KEYWORDS,
    choose_industry,
    count_hits,
    hazard_category,
    industry_scores,
    is_cjk,
)

CATEGORIES = {
    "ingestion",
    "burn",
    "electric_shock",
    "entrapment",
    "choking",
    "chemical",
    "fire",
    "laceration",
    "fall",
    "strangulation",
    "suffocation",
    "injury",
}


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        ("Magnetic Stick Figure Sets", 1),
        ("contain loose magnets", 1),
        ("MAGNET", 1),
        ("magnet", 1),
        ("electromagnet", 0),
        ("an electromagnetic lock", 0),
        ("Magnet Ingestion; magnetic game pieces; magnets", 3),
        ("non-magnetic", 1),  # a hyphen is not a letter or digit
        ("(magnet)", 1),
        ("snake_magnet", 1),  # nor is an underscore
        ("2magnet", 0),  # a digit is
        ("émagnet", 0),  # so is an accented letter
        ("磁性magnet玩具", 1),  # a CJK character before it is a word boundary
        ("ＭＡＧＮＥＴ", 1),  # full-width letters fold to ASCII
        ("magne", 0),
        ("", 0),
    ],
)
def test_latin_keyword_matches_at_word_start(text: str, hits: int) -> None:
    assert count_hits(text, "magnet") == hits


def test_latin_keyword_folds_case_and_width_on_the_keyword_side_too() -> None:
    assert count_hits("Magnets", "MAGNET") == 1
    assert count_hits("Magnets", "ｍａｇｎｅｔ") == 1
    assert count_hits("Magnets", "  magnet  ") == 1


def test_keyword_with_digits() -> None:
    assert count_hits("3C certified, CCC 3C-2024", "3c") == 2
    assert count_hits("A3C", "3c") == 0


def test_phrase_keyword_spans_any_whitespace() -> None:
    assert count_hits("button  cell and Button\ncells", "button cell") == 2
    assert count_hits("buttoncell", "button cell") == 0


def test_hits_do_not_overlap_or_restart_inside_a_word() -> None:
    assert count_hits("aaaa aa", "aa") == 2
    assert count_hits("magnetmagnet", "magnet") == 1


@pytest.mark.parametrize(
    ("text", "keyword", "hits"),
    [
        ("磁性玩具", "磁", 1),
        ("强磁铁", "磁", 1),  # inside a word: Chinese has no spaces to stand on
        ("磁力片磁铁", "磁", 2),
        ("磁力片磁铁", "磁铁", 1),
        ("儿童玩具", "磁", 0),
        ("LED灯串", "led灯", 1),  # a mixed keyword with CJK matches as a plain substring
        ("XLED灯", "led灯", 1),
        ("マグネット", "マグネット", 1),
    ],
)
def test_cjk_keyword_matches_as_substring(text: str, keyword: str, hits: int) -> None:
    assert count_hits(text, keyword) == hits


def test_empty_keyword_matches_nothing() -> None:
    assert count_hits("anything", "") == 0
    assert count_hits("anything", "   ") == 0


def test_is_cjk() -> None:
    assert all(is_cjk(c) for c in "磁铁マグネット자석㐀𠀀")
    assert not any(is_cjk(c) for c in "aZ09é-_ ")


def test_latin_rule_agrees_with_a_regex_on_the_real_cpsc_texts(cpsc_records: list) -> None:
    """An independent oracle: a word-start lookbehind regex, on ASCII-ish English texts."""
    texts = [
        "\n".join([r["Title"], r["Description"], *(h["Name"] for h in r["Hazards"])])
        for r in cpsc_records
    ]
    for keyword in ["magnet", "toy", "batter", "charger", "lead", "fire", "bed rail", "in"]:
        pattern = re.compile(r"(?<![^\W_])" + re.escape(keyword), re.IGNORECASE)
        for text in texts:
            assert count_hits(text, keyword) == len(pattern.findall(text)), (keyword, text)


INDUSTRIES = {
    "magnetic-toys": ["magnet", "磁"],
    "batteries": ["battery", "button cell", "电池"],
    "chargers": ["charger"],
    "empty": [],
}


def test_scores_sum_hits_over_keywords_and_texts() -> None:
    texts = ("Magnetic toy with a button cell", "磁力片 contains magnets", "battery")
    assert industry_scores(texts, INDUSTRIES) == {
        "magnetic-toys": 3,
        "batteries": 2,
        "chargers": 0,
        "empty": 0,
    }


def test_most_hits_wins() -> None:
    texts = ("Magnet Toy", "button cell battery and 电池", "")
    assert choose_industry(texts, INDUSTRIES) == "batteries"
    assert choose_industry(("磁力片", "magnets", "batteries"), INDUSTRIES) == "magnetic-toys"


def test_tie_goes_to_the_lowest_code() -> None:
    texts = ("Magnetic wireless charger",)
    assert industry_scores(texts, INDUSTRIES)["magnetic-toys"] == 1
    assert industry_scores(texts, INDUSTRIES)["chargers"] == 1
    assert choose_industry(texts, INDUSTRIES) == "chargers"
    assert choose_industry(texts, {"b": ["magnet"], "a": ["charger"]}) == "a"
    assert choose_industry(texts, {"b": ["charger"], "a": ["magnet"]}) == "a"


def test_no_hit_means_no_industry() -> None:
    assert choose_industry(("Crab cakes", "Listeria"), INDUSTRIES) is None
    assert choose_industry(("magnet",), {}) is None
    assert choose_industry((None, ""), INDUSTRIES) is None
    assert choose_industry(("magnet",), {"x": None}) is None


def test_the_same_text_in_two_fields_counts_once() -> None:
    # openFDA's reason_for_recall is both the description and the hazard text.
    reason = "charger may overheat"
    assert industry_scores(("Magnet set", reason, reason), INDUSTRIES)["chargers"] == 1
    assert choose_industry(("Magnet set", reason, reason), INDUSTRIES) == "chargers"


def test_repeated_keywords_in_one_industry_count_once() -> None:
    assert industry_scores(("magnet",), {"m": ["magnet", "Magnet", " MAGNET "]}) == {"m": 1}


def test_overlapping_keywords_each_count() -> None:
    assert industry_scores(("magnetic",), {"m": ["magnet", "magnetic"]}) == {"m": 2}


def test_hazard_map_uses_only_the_documented_categories() -> None:
    assert {category for category, _ in HAZARD_KEYWORDS} <= CATEGORIES
    assert HAZARD_KEYWORDS[-1][0] == "injury"  # the generic one comes last


@pytest.mark.parametrize(
    ("hazard", "category"),
    [
        ("The magnet ball toys ... loose high-powered magnets, posing an ingestio", "ingestion"),
        ("LED tumblers can break ... posing choking and ingestion hazards", "ingestion"),
        ("contain button cell or coin batteries", "ingestion"),
        ("lack a GFCI ... electrical shock and electrocution hazards", "electric_shock"),
        (
            "Young children can become entangled in the straps, posing a strangulation",
            "strangulation",
        ),
        ("crib bumpers can obstruct an infant's breathing, posing a suffocation", "suffocation"),
        ("users can become entrapped within the bed rail", "entrapment"),
        ("The zipper head can detach, posing a choking hazard to infants.", "choking"),
        ("contain levels of lead that exceed the federal lead content ban", "chemical"),
        ("contain a prohibited phthalate", "chemical"),
        ("The power banks can overheat and ignite, posing fire and burn hazards.", "fire"),
        ("The tea kettles' handle can detach, posing a risk of serious injury from burn", "burn"),
        ("The chainsaw's chain brake may not activate, posing a laceration hazard.", "laceration"),
        ("The recalled chairs' base can bend, posing a fall hazard.", "fall"),
        ("Weight plates can dislodge, posing a risk of serious injury", "injury"),
        ("产品可能导致儿童误食", "ingestion"),
        ("存在触电风险", "electric_shock"),
        ("The recalled kayak paddles can break during use.", None),
        ("Products may be contaminated with Listeria monocytogenes.", None),
        ("", None),
        (None, None),
    ],
)
def test_hazard_category(hazard: str | None, category: str | None) -> None:
    assert hazard_category(hazard) == category
