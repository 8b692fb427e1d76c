"""Tests for the GB 32100-2015 unified social credit code check."""

import string

import pytest

from recall.rules.credit_code import (
    credit_code_check_char,
    credit_code_error,
    normalise_credit_code,
)

# Independent reference: alphabet derived by exclusion, weights as 3^(i-1) mod 31.
_REF_CHARS = string.digits + "".join(c for c in string.ascii_uppercase if c not in "IOZSV")
_REF_VALUE = dict(zip(_REF_CHARS, range(31), strict=True))
_REF_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def reference_check_char(first17: str) -> str:
    return _REF_CHARS[
        -sum(_REF_VALUE[c] * w for c, w in zip(first17, _REF_WEIGHTS, strict=True)) % 31
    ]


BODIES = [
    "91330100MA27XL0E2",
    "91110000710931231",
    "12100000400000000",
    "5144030069000000Y",
    "Y1310115MA1K3ABCD",
    "A2440300000000000",
    "N1000000000000000",
]
VALID = [body + reference_check_char(body) for body in BODIES]
PUBLISHED_VALID = ["91350100M000100Y43"]


@pytest.mark.parametrize("body", BODIES)
def test_check_char_matches_reference(body: str) -> None:
    assert credit_code_check_char(body) == reference_check_char(body)


@pytest.mark.parametrize("code", VALID + PUBLISHED_VALID)
def test_valid_codes(code: str) -> None:
    assert credit_code_error(code) is None


@pytest.mark.parametrize("code", PUBLISHED_VALID + VALID[:2])
def test_lowercase_and_whitespace_accepted(code: str) -> None:
    assert credit_code_error(f"  {code.lower()}\t\n") is None
    assert normalise_credit_code(f" {code.lower()} ") == code


def test_published_code_with_wrong_check_char() -> None:
    # Often quoted, but its check character per GB 32100-2015 is 'X', not 'N'.
    assert credit_code_error("9111000071093123XN") == "check character should be 'X', got 'N'"


@pytest.mark.parametrize(("code", "length"), [("", 0), ("91350100M000100Y4", 17), ("9" * 19, 19)])
def test_wrong_length(code: str, length: int) -> None:
    assert credit_code_error(code) == f"must be 18 characters, got {length}"


@pytest.mark.parametrize("bad", ["I", "O", "Z", "S", "V", "-", " "])
def test_character_not_allowed(bad: str) -> None:
    code = "9135" + bad + "100M000100Y43"
    assert credit_code_error(code) == (
        f"character {bad!r} at position 5 is not allowed "
        "(GB 32100-2015 uses 0-9 and A-Z without I, O, Z, S, V)"
    )


def test_division_code_must_be_digits() -> None:
    body = "9135A100M000100Y4"
    code = body + reference_check_char(body)
    assert credit_code_error(code) == "positions 3-8 must be digits (administrative division code)"


def test_wrong_check_char() -> None:
    assert credit_code_error("91350100M000100Y44") == "check character should be '3', got '4'"


@pytest.mark.parametrize("first17", ["", "9135010", "91350100M000100Y4I", "91350100m000100Y4"])
def test_check_char_rejects_bad_input(first17: str) -> None:
    with pytest.raises(ValueError):
        credit_code_check_char(first17)
