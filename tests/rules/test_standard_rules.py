"""The standard stage machine's pure rules: the 3/4 ballot rule and the stage order."""

from types import SimpleNamespace

import pytest

from recall.rules import standard_rules as rules
from recall.rules.standard_rules import RuleViolation


@pytest.mark.parametrize(
    ("votes", "passed"),
    [
        (["approve"] * 3 + ["disapprove"], True),  # exactly 3/4 of the votes cast
        (["approve"] * 2 + ["disapprove"] + ["abstain"] * 9, False),  # 2/3: abstentions ignored
        (["approve"] * 74 + ["disapprove"] * 26, False),  # 74% is below 3/4
        (["approve"] + ["abstain"] * 3, True),  # one vote cast, an approval
        (["abstain"] * 3, False),  # nothing cast, nothing passed
        (["disapprove"], False),
    ],
)
def test_a_ballot_passes_with_three_quarters_of_the_votes_cast(votes, passed) -> None:  # noqa: ANN001
    assert rules.tally(votes).passed is passed


def _state(stage: str, **kw) -> SimpleNamespace:  # noqa: ANN003
    base = dict(
        standard_id="std_1",
        stage_code=stage,
        comments={},
        ballot=None,
        drafters=[],
        comment_period_ends_at=None,
    )
    return SimpleNamespace(**{**base, **kw})


def test_stages_are_taken_in_order_and_withdrawal_from_any_open_stage() -> None:
    for current, following in zip(rules.ORDER, rules.ORDER[1:], strict=False):
        if following in (rules.COMMENTS_CLOSED, rules.APPROVED):
            continue  # by the timer; after a passed ballot
        rules.check_transition(_state(current), following, None)
        rules.check_transition(_state(current), rules.WITHDRAWN, None)
    with pytest.raises(RuleViolation, match="is already at 10.99"):
        rules.check_transition(_state("10.99"), "10.99", None)
    for terminal in rules.TERMINAL_STAGES:
        with pytest.raises(RuleViolation, match="nothing more can change"):
            rules.check_transition(_state(terminal), rules.WITHDRAWN, None)


def test_comment_period_days_is_checked_with_its_field() -> None:
    with pytest.raises(RuleViolation) as info:
        rules.check_transition(_state("20.00"), "40.20", -0.5)
    assert (info.value.status, info.value.field) == (422, "comment_period_days")
    rules.check_transition(_state("20.00"), "40.20", 0)
