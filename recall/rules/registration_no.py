"""An association's registration number (登记证号) as a plain check.

A registered industry association is a social organisation (社会团体) registered by a civil
affairs department (民政): its number is its unified social credit code (GB 32100-2015), whose
first character is the registration management department (5: civil affairs) and second the
category under it (1: social organisation), then the six digits of the registering authority's
administrative division, the nine characters of the organisation code and the check character
(recall.rules.credit_code computes it).
"""

from recall.rules.credit_code import credit_code_error, normalise_credit_code
from recall.rules.refusal import RuleViolation

CIVIL_AFFAIRS = "5"  # 登记管理部门代码: 民政
SOCIAL_ORGANISATION = "1"  # 机构类别代码 under civil affairs: 社会团体
PREFIX = CIVIL_AFFAIRS + SOCIAL_ORGANISATION


def registration_no_error(value: str) -> str | None:
    """None for a well-formed number, else what is wrong with it, for a person."""
    code = normalise_credit_code(value)
    wrong = credit_code_error(code)
    if wrong is not None:
        return wrong
    if code[:2] != PREFIX:
        return (
            f"it starts with {code[:2]!r}; a social organisation registered by civil affairs "
            f"(民政, 社会团体) starts with {PREFIX!r}"
        )
    return None


def check_registration_no(label: str, value: str) -> str:
    """The number as it is kept (trimmed, upper case); RuleViolation naming registration_no
    when it is not a social organisation's unified social credit code."""
    wrong = registration_no_error(value)
    if wrong is not None:
        raise RuleViolation(
            f"{label} needs registration_no to be the unified social credit code of a social "
            f"organisation (社会团体, GB 32100-2015: 18 characters starting {PREFIX!r}, the last "
            f"a check character): {wrong}",
            code="invalid_field",
            field="registration_no",
        )
    return normalise_credit_code(value)
