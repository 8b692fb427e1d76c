"""EU RAPEX risk matrix (Decision 2010/15/EU, annex part III, table 4).

Combines injury severity (1..4) with the probability of damage over the
foreseeable lifetime of the product into a risk level.
"""

PROBABILITIES: tuple[str, ...] = (
    "gt_1_2",  # > 50 %
    "gt_1_10",  # > 1/10
    "gt_1_100",  # > 1/100
    "gt_1_1000",  # > 1/1,000
    "gt_1_10000",  # > 1/10,000
    "gt_1_100000",  # > 1/100,000
    "gt_1_1000000",  # > 1/1,000,000
    "lt_1_1000000",  # < 1/1,000,000
)

RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high", "serious")

SEVERITIES: tuple[int, ...] = (1, 2, 3, 4)

# Row per probability, columns are severity 1..4.
_MATRIX: dict[str, tuple[str, str, str, str]] = {
    "gt_1_2": ("high", "serious", "serious", "serious"),
    "gt_1_10": ("medium", "serious", "serious", "serious"),
    "gt_1_100": ("medium", "serious", "serious", "serious"),
    "gt_1_1000": ("low", "high", "serious", "serious"),
    "gt_1_10000": ("low", "medium", "high", "serious"),
    "gt_1_100000": ("low", "low", "medium", "high"),
    "gt_1_1000000": ("low", "low", "low", "medium"),
    "lt_1_1000000": ("low", "low", "low", "low"),
}


def risk_level(severity: int, probability: str) -> str:
    """Return the RAPEX risk level for a severity (1..4) and a probability key."""
    # bool is a subclass of int; True must not pass as severity 1.
    if isinstance(severity, bool) or not isinstance(severity, int) or severity not in SEVERITIES:
        raise ValueError(f"severity must be one of 1, 2, 3, 4; got {severity!r}")
    if probability not in _MATRIX:
        allowed = ", ".join(PROBABILITIES)
        raise ValueError(f"probability must be one of {allowed}; got {probability!r}")
    return _MATRIX[probability][severity - 1]
