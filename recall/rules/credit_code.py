"""Unified social credit code (统一社会信用代码) check, GB 32100-2015.

Only the length, the alphabet, the administrative division digits (positions
3-8) and the check character are validated. Positions 1-2 (registration
authority and organisation type) are deliberately not checked so that real
codes from less common authorities are never rejected.
"""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# W_i = 3^(i-1) mod 31 for positions 1..17.
WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18

_VALUES = {char: value for value, char in enumerate(ALPHABET)}


def normalise_credit_code(code: str) -> str:
    """Strip surrounding whitespace and upper-case."""
    return code.strip().upper()


def credit_code_check_char(first17: str) -> str:
    """Return the check character for the first 17 (normalised) characters."""
    if len(first17) != LENGTH - 1 or any(c not in _VALUES for c in first17):
        raise ValueError(f"expected 17 characters from {ALPHABET}, got {first17!r}")
    total = sum(_VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """Return None if the code is valid, else a short reason for a person."""
    code = normalise_credit_code(code)
    if len(code) != LENGTH:
        return f"must be {LENGTH} characters, got {len(code)}"
    for position, char in enumerate(code, start=1):
        if char not in _VALUES:
            return (
                f"character {char!r} at position {position} is not allowed "
                "(GB 32100-2015 uses 0-9 and A-Z without I, O, Z, S, V)"
            )
    if not code[2:8].isdigit():
        return "positions 3-8 must be digits (administrative division code)"
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return f"check character should be {expected!r}, got {code[17]!r}"
    return None
