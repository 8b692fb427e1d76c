"""Tests for the RAPEX risk matrix."""

import pytest

from recall.rules.risk import PROBABILITIES, RISK_LEVELS, risk_level

# Independent literal copy of Decision 2010/15/EU annex part III table 4.
TABLE = """
gt_1_2        high   serious serious serious
gt_1_10       medium serious serious serious
gt_1_100      medium serious serious serious
gt_1_1000     low    high    serious serious
gt_1_10000    low    medium  high    serious
gt_1_100000   low    low     medium  high
gt_1_1000000  low    low     low     medium
lt_1_1000000  low    low     low     low
"""

CELLS = [
    (severity, row.split()[0], level)
    for row in TABLE.strip().splitlines()
    for severity, level in enumerate(row.split()[1:], start=1)
]


def test_table_covers_all_cells() -> None:
    assert len(CELLS) == 32
    assert {p for _, p, _ in CELLS} == set(PROBABILITIES)
    assert {level for _, _, level in CELLS} <= set(RISK_LEVELS)


@pytest.mark.parametrize(("severity", "probability", "expected"), CELLS)
def test_risk_level_cell(severity: int, probability: str, expected: str) -> None:
    assert risk_level(severity, probability) == expected


@pytest.mark.parametrize("severity", [0, 5, -1, True, False, 2.0, "2", None])
def test_bad_severity(severity: object) -> None:
    with pytest.raises(ValueError, match=r"severity must be one of 1, 2, 3, 4; got") as exc:
        risk_level(severity, "gt_1_2")  # type: ignore[arg-type]
    assert repr(severity) in str(exc.value)


@pytest.mark.parametrize("probability", ["", "GT_1_2", "gt_1_3", "50%"])
def test_bad_probability(probability: str) -> None:
    with pytest.raises(ValueError, match="probability must be one of") as exc:
        risk_level(3, probability)
    message = str(exc.value)
    assert repr(probability) in message
    assert all(p in message for p in PROBABILITIES)
