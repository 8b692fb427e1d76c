"""Stages taken in order: the next one only, with the field it needs."""

import pytest

from recall.rules import RuleViolation
from recall.rules.ordered_stages import ASSOCIATION, CULTIVATION


def refusal(machine, current: str, to: str, **fields) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        machine.check("association asn_1", current, to, fields)
    return info.value


@pytest.mark.parametrize("machine", [ASSOCIATION, CULTIVATION], ids=lambda m: m.noun)
def test_each_next_stage_is_allowed(machine) -> None:
    fields = {"registration_no": "R-1", "certificate_no": "C-1"}
    for current, to in zip(machine.stages, machine.stages[1:], strict=False):
        machine.check("x", current, to, fields)
    assert machine.next_after(machine.last) is None


@pytest.mark.parametrize(
    ("current", "to", "how"),
    [
        ("proposed", "charter_adopted", "a skipped step"),
        ("proposed", "registered", "a skipped step"),
        ("preparing", "preparing", "a repeated step"),
        ("charter_adopted", "proposed", "a step back"),
    ],
)
def test_anything_but_the_next_stage_is_a_409_naming_both(current, to, how) -> None:
    v = refusal(ASSOCIATION, current, to, registration_no="R-1")
    wanted = ASSOCIATION.next_after(current)
    assert (v.kind, v.code, v.field) == ("conflict", "invalid_transition", None)
    assert f"is in stage '{current}'; the next stage is '{wanted}', not '{to}'" in v.message
    assert how in v.message


def test_nothing_follows_the_last_stage() -> None:
    v = refusal(CULTIVATION, "labelled", "labelled")
    assert v.kind == "conflict" and "'labelled', the last stage" in v.message


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_a_stage_that_needs_a_number_names_the_field(blank) -> None:
    v = refusal(ASSOCIATION, "charter_adopted", "registered", registration_no=blank)
    assert (v.kind, v.code, v.field) == ("invalid_field", "invalid_field", "registration_no")
    v = refusal(CULTIVATION, "certification_applied", "certified", certificate_no=blank)
    assert (v.kind, v.field) == ("invalid_field", "certificate_no")


def test_an_unknown_stage_is_a_422_on_to() -> None:
    v = refusal(ASSOCIATION, "proposed", "dissolved")
    assert (v.kind, v.field) == ("invalid_field", "to")
    assert "proposed -> preparing -> charter_adopted -> registered" in v.message
