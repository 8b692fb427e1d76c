"""The standard stage machine's pure rules (DOMAIN.md "Standard"): the stage order, the comment
period, a disposition for every comment before 50.20, and the 3/4 review ballot (abstentions not
cast, drafters not voting)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from recall.rules import RuleViolation
from recall.rules import standard_rules as rules
from recall.rules.limits import MAX_COMMENT_PERIOD_DAYS, MAX_COMMENTS_PER_STANDARD
from workflows.standard_types import BallotState, CommentState, StandardState, Vote


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
def test_a_ballot_passes_with_three_quarters_of_the_votes_cast(votes, passed) -> None:
    assert rules.tally(votes).passed is passed


def _state(stage: str, **kw) -> SimpleNamespace:
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
    with pytest.raises(RuleViolation, match="nothing more can change"):
        rules.check_transition(_state(rules.WITHDRAWN), rules.WITHDRAWN, None)
    # 60.60 -> 95.99: see test_what_each_stage_may_move_to (DOMAIN.md: withdrawn from any stage)


def test_comment_period_days_is_checked_with_its_field() -> None:
    with pytest.raises(RuleViolation) as info:
        rules.check_transition(_state("20.00"), "40.20", -0.5)
    assert (info.value.kind, info.value.field) == ("invalid_field", "comment_period_days")
    rules.check_transition(_state("20.00"), "40.20", 0)


# --- the whole stage machine, on the workflow's own state (workflows.standard_types) ----------

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
DRAFTER = "磁力玩具协会"


def comment(comment_id: str, disposition: str | None = None) -> CommentState:
    return CommentState(
        id=comment_id,
        author="某企业",
        text="建议提高磁通量指数的测试频次",
        received_at=T0,
        clause="5.3",
        disposition=disposition,
        reason=None if disposition in (None, "accepted") else "已有检测方法覆盖",
    )


def ballot(*votes: tuple[str, str]) -> BallotState:
    t = rules.tally(vote for _, vote in votes)
    return BallotState(
        t.approve, t.disapprove, t.abstain, t.passed, [Vote(*v) for v in votes], T0, "regulator:王"
    )


PASSED = ballot(("专家甲", "approve"), ("专家乙", "approve"), ("专家丙", "approve"))


def standard(
    stage: str,
    *,
    comments: tuple[CommentState, ...] = (),
    ballot: BallotState | None = None,
    ends: datetime | None = None,
) -> StandardState:
    return StandardState(
        standard_id="std_1",
        programme_id="prg_1",
        title="磁力玩具 安全技术要求",
        kind="industry",
        drafting_association_id="asn_1",
        created_by="association:磁力玩具协会",
        drafters=[DRAFTER, "金华磁业"],
        created_at=T0,
        stage_code=stage,
        comment_period_days=30 if ends else None,
        comment_period_ends_at=ends,
        comments={c.id: c for c in comments},
        ballot=ballot,
    )


def refusal(check, *args) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        check(*args)
    return info.value


def ready(stage: str) -> StandardState:
    """A standard at `stage` with whatever its next step needs: every comment disposed, a passed
    ballot in review, a comment period running in public comment."""
    return standard(
        stage,
        comments=(comment("c_1", "accepted"),) if stage >= "40.20" else (),
        ballot=PASSED if stage == "50.20" else None,
        ends=T0 + timedelta(days=30) if stage >= "40.20" else None,
    )


# current stage -> where a transition may take it; 40.20 moves on by its timer only
# fmt: off
MAY_MOVE_TO = {
    "00.00": ("10.99", "95.99"),
    "10.99": ("20.00", "95.99"),
    "20.00": ("40.20", "95.99"),
    "40.20": ("95.99",),
    "40.60": ("50.20", "95.99"),
    "50.20": ("50.60", "95.99"),
    "50.60": ("60.60", "95.99"),
    "60.60": ("95.99",),  # "95.99 withdrawn from any stage" (DOMAIN.md)
    "95.99": (),
}
# fmt: on
PUBLISHED_CANNOT_BE_WITHDRAWN = (
    "DOMAIN.md: 95.99 withdrawn from any stage; check_transition treats 60.60 as terminal and "
    "refuses to withdraw a published standard"
)


def _moves() -> list:
    cells = []
    for current, allowed in MAY_MOVE_TO.items():
        for to in rules.STAGES:
            marks = ()
            if (current, to) == ("60.60", "95.99"):
                marks = pytest.mark.xfail(strict=True, reason=PUBLISHED_CANNOT_BE_WITHDRAWN)
            expected = to in allowed
            cells.append(pytest.param(current, to, expected, id=f"{current}->{to}", marks=marks))
    return cells


def test_the_stages_are_the_ones_of_domain_md() -> None:
    assert set(MAY_MOVE_TO) == set(rules.STAGES)
    assert rules.ORDER == ("00.00", "10.99", "20.00", "40.20", "40.60", "50.20", "50.60", "60.60")
    assert rules.DEFAULT_COMMENT_PERIOD_DAYS == 30


@pytest.mark.parametrize(("current", "to", "allowed"), _moves())
def test_what_each_stage_may_move_to(current: str, to: str, allowed: bool) -> None:
    if allowed:
        rules.check_transition(ready(current), to, None)
        return
    v = refusal(rules.check_transition, ready(current), to, None)
    assert (v.code, v.field) == ("invalid_transition", None)
    if (current, to) == ("40.20", "40.60"):
        assert "closing early is refused" in v.message
    elif current in rules.TERMINAL_STAGES:
        assert f"standard std_1 is {current}" in v.message
        assert "nothing more can change" in v.message
    else:
        assert f"at {rules.stage_label(current)}; the next stage is" in v.message


@pytest.mark.parametrize("to", ["30.00", "40.99", "publish", ""])
def test_an_unknown_stage_code_is_a_bad_to(to: str) -> None:
    v = refusal(rules.check_transition, ready("00.00"), to, None)
    assert (v.code, v.field) == ("invalid_field", "to")


@pytest.mark.parametrize(
    ("to", "days", "allowed"),
    [
        ("40.20", None, True),  # the default period
        ("40.20", 0, True),
        ("40.20", 0.5, True),  # periods under a day
        ("40.20", MAX_COMMENT_PERIOD_DAYS, True),
        ("40.20", MAX_COMMENT_PERIOD_DAYS + 1, False),
        ("40.20", -1, False),
        ("10.99", 30, False),  # a period belongs to public comment only
        ("95.99", 30, False),
    ],
)
def test_the_comment_period_is_given_with_public_comment_only(to, days, allowed) -> None:
    state = ready("20.00") if to == "40.20" else ready("00.00")
    if allowed:
        rules.check_transition(state, to, days)
    else:
        v = refusal(rules.check_transition, state, to, days)
        assert (v.code, v.field) == ("invalid_field", "comment_period_days")


# --- comments and their dispositions (意见汇总处理表) --------------------------------------------


@pytest.mark.parametrize("stage", rules.STAGES)
def test_comments_are_taken_only_during_public_comment(stage: str) -> None:
    state = standard(stage, ends=T0 + timedelta(days=30))
    if stage == rules.PUBLIC_COMMENT:
        rules.check_comment(state, "c_9", T0 + timedelta(days=29))
        return
    v = refusal(rules.check_comment, state, "c_9", T0 + timedelta(days=1))
    assert (v.code, v.field) == ("invalid_transition", None)
    assert stage in v.message


def test_no_comment_once_the_period_has_ended() -> None:
    ends = T0 + timedelta(days=30)
    state = standard("40.20", ends=ends)
    rules.check_comment(state, "c_9", ends - timedelta(microseconds=1))
    v = refusal(rules.check_comment, state, "c_9", ends)  # the timer has not fired yet
    assert (v.code, v.field) == ("invalid_transition", None)
    assert "comment period of standard std_1 ended" in v.message


def test_a_comment_is_recorded_once_and_comments_are_bounded() -> None:
    ends = T0 + timedelta(days=30)
    once = standard("40.20", comments=(comment("c_1"),), ends=ends)
    v = refusal(rules.check_comment, once, "c_1", T0)
    assert (v.code, v.field) == ("conflict", None)
    full = tuple(comment(f"c_{i}") for i in range(MAX_COMMENTS_PER_STANDARD))
    v = refusal(rules.check_comment, standard("40.20", comments=full, ends=ends), "c_new", T0)
    assert (v.code, v.field) == ("invalid_transition", None)
    assert "the most one standard may hold" in v.message


@pytest.mark.parametrize(
    ("stage", "allowed"),
    [(s, s in ("40.20", "40.60")) for s in rules.STAGES],
)
def test_dispositions_are_recorded_while_comments_come_in_and_after(stage, allowed) -> None:
    state = standard(stage, comments=(comment("c_1"),))
    if allowed:
        rules.check_dispose(state, "c_1", "rejected", "与GB 6675.1重复")
    else:
        v = refusal(rules.check_dispose, state, "c_1", "rejected", "与GB 6675.1重复")
        assert (v.code, v.field) == ("invalid_transition", None)


@pytest.mark.parametrize(
    ("comment_id", "disposition", "reason", "code", "field"),
    [
        ("c_1", "accepted", None, None, None),  # an accepted comment needs no reason
        ("c_1", "partially_accepted", "部分采纳", None, None),
        ("c_1", "rejected", "不适用", None, None),
        ("c_1", "partially_accepted", None, "invalid_field", "reason"),
        ("c_1", "rejected", "  ", "invalid_field", "reason"),
        ("c_1", "ignored", "x", "invalid_field", "disposition"),
        ("c_9", "accepted", None, "not_found", None),
    ],
)
def test_a_disposition_is_one_of_three_with_a_reason_unless_accepted(
    comment_id: str, disposition: str, reason: str | None, code: str | None, field: str | None
) -> None:
    state = standard("40.60", comments=(comment("c_1"),))
    if code is None:
        rules.check_dispose(state, comment_id, disposition, reason)
    else:
        v = refusal(rules.check_dispose, state, comment_id, disposition, reason)
        assert (v.code, v.field) == (code, field)


@pytest.mark.parametrize(
    ("dispositions", "pending"),
    [
        ((), ""),  # no comment came in
        (("accepted", "rejected", "partially_accepted"), ""),
        (("accepted", None, "rejected"), "1 comment has no disposition: c_2"),
        ((None, "accepted", None), "2 comments have no disposition: c_1, c_3"),
    ],
)
def test_technical_review_waits_for_every_disposition(dispositions, pending) -> None:
    comments = tuple(comment(f"c_{i}", d) for i, d in enumerate(dispositions, start=1))
    state = standard("40.60", comments=comments)
    if not pending:
        rules.check_transition(state, "50.20", None)
        return
    v = refusal(rules.check_transition, state, "50.20", None)
    assert (v.code, v.field) == ("invalid_transition", None)
    assert pending in v.message


# --- the review ballot (审查): 3/4 of the votes cast, drafters do not vote ---------------------


@pytest.mark.parametrize(
    ("votes", "passed"),
    [
        (["approve"] * 6 + ["disapprove"] * 2, True),  # 6 of 8: exactly 3/4
        (["approve"] * 5 + ["disapprove"] * 2, False),  # 5 of 7: 71%
        (["approve"] * 3 + ["disapprove"] + ["abstain"] * 100, True),  # abstentions not cast
        ([], False),
    ],
)
def test_the_tally_counts_abstentions_apart(votes: list[str], passed: bool) -> None:
    t = rules.tally(votes)
    assert t.passed is passed
    assert (t.approve, t.disapprove, t.abstain) == (
        votes.count("approve"),
        votes.count("disapprove"),
        votes.count("abstain"),
    )


@pytest.mark.parametrize(
    ("result", "refused_with"),
    [
        (None, "has no review ballot yet"),
        (
            ballot(("甲", "approve"), ("乙", "approve"), ("丙", "disapprove"), ("丁", "abstain")),
            "the ballot did not pass (2 approve of 3 cast",
        ),
        (ballot(("甲", "approve"), ("乙", "approve"), ("丙", "approve"), ("丁", "disapprove")), ""),
    ],
)
def test_approval_needs_a_passed_ballot(result, refused_with: str) -> None:
    state = standard("50.20", ballot=result)
    if not refused_with:
        rules.check_transition(state, "50.60", None)
        return
    v = refusal(rules.check_transition, state, "50.60", None)
    assert (v.code, v.field) == ("invalid_transition", None)
    assert refused_with in v.message


@pytest.mark.parametrize(
    ("votes", "refused_with"),
    [
        ([("专家甲", "approve"), ("专家乙", "abstain")], None),
        ([(DRAFTER, "approve")], "drafting members do not vote"),
        ([(" 金华磁业 ", "approve")], "drafting members do not vote"),  # however it is spelt
        ([("Expert A", "approve"), ("expert a ", "disapprove")], "votes more than once"),
        ([("专家甲", "yes")], "a vote is one of approve, disapprove, abstain"),
        ([("  ", "approve")], "every vote names its voter"),
        ([], "at least one vote"),
    ],
)
def test_a_ballot_records_one_vote_per_voter_and_none_from_drafters(votes, refused_with) -> None:
    state = standard("50.20")
    if refused_with is None:
        rules.check_ballot(state, votes)
        return
    v = refusal(rules.check_ballot, state, votes)
    assert (v.code, v.field) == ("invalid_field", "votes")
    assert refused_with in v.message


@pytest.mark.parametrize("stage", [s for s in rules.STAGES if s != "50.20"])
def test_a_ballot_is_held_only_in_technical_review(stage: str) -> None:
    v = refusal(rules.check_ballot, standard(stage), [("专家甲", "approve")])
    assert (v.code, v.field) == ("invalid_transition", None)
