"""The industry programme's chain (DOMAIN.md "Industry programme"): when each stage is complete,
so the next one opens, and which waivers are taken. The members are the statuses they report
(workflows.chain.MemberStatus), the programme its own state (workflows.chain.ProgrammeState)."""

import pytest

from recall.rules import RuleViolation
from recall.rules import programme_rules as rules
from workflows.chain import MemberStatus, ProgrammeState, StageState


def case(status: str, hazards: int, open_hazards: int, n: int = 1) -> MemberStatus:
    return MemberStatus("case", f"case_{n}", status, hazards=hazards, open_hazards=open_hazards)


def association(status: str, n: int = 1) -> MemberStatus:
    return MemberStatus("association", f"asn_{n}", status)


def standard(stage_code: str, n: int = 1) -> MemberStatus:
    return MemberStatus("standard", f"std_{n}", stage_code)


def cultivation(status: str, n: int = 1) -> MemberStatus:
    return MemberStatus("cultivation", f"bc_{n}", status)


def members(*statuses: MemberStatus) -> dict[str, dict[str, MemberStatus]]:
    by_kind: dict[str, dict[str, MemberStatus]] = {kind: {} for kind in rules.MEMBER_KINDS}
    for s in statuses:
        by_kind[s.kind][s.member_id] = s
    return by_kind


def test_the_chain_is_the_one_of_domain_md() -> None:
    assert rules.STAGES == (
        "hazard_elimination",
        "association_formation",
        "standard_drafting",
        "brand_cultivation",
    )


@pytest.mark.parametrize(
    ("stage", "linked", "complete"),
    [
        # every hazard of the linked cases eliminated
        ("hazard_elimination", [], False),  # no case linked: nothing to eliminate yet
        ("hazard_elimination", [case("remediating", 3, 1)], False),
        ("hazard_elimination", [case("remediating", 3, 0)], True),
        ("hazard_elimination", [case("reported", 0, 0)], False),  # none recorded yet
        ("hazard_elimination", [case("verified", 0, 0)], True),  # verified with none
        ("hazard_elimination", [case("closed", 0, 0)], True),
        ("hazard_elimination", [case("closed_no_recall", 0, 0)], True),
        ("hazard_elimination", [case("closed", 2, 0), case("remediating", 2, 1, n=2)], False),
        ("hazard_elimination", [case("closed", 2, 0), case("remediating", 2, 0, n=2)], True),
        # at least one association registered (an existing one linked reports its own status)
        ("association_formation", [], False),
        ("association_formation", [association("proposed")], False),
        ("association_formation", [association("preparing")], False),
        ("association_formation", [association("charter_adopted")], False),
        ("association_formation", [association("registered")], True),
        ("association_formation", [association("preparing"), association("registered", 2)], True),
        # at least one standard published (60.60)
        ("standard_drafting", [], False),
        ("standard_drafting", [standard("40.20")], False),
        ("standard_drafting", [standard("50.60")], False),  # approved is not published
        ("standard_drafting", [standard("95.99")], False),
        ("standard_drafting", [standard("95.99"), standard("60.60", 2)], True),
        # at least one enterprise certified
        ("brand_cultivation", [], False),
        ("brand_cultivation", [cultivation("enrolled")], False),
        ("brand_cultivation", [cultivation("certification_applied")], False),
        ("brand_cultivation", [cultivation("certified")], True),
        ("brand_cultivation", [cultivation("labelled")], True),  # certified, then labelled
    ],
)
def test_when_a_stage_is_complete(stage: str, linked: list[MemberStatus], complete: bool) -> None:
    assert rules.stage_complete(stage, members(*linked)) is complete


EVERYTHING_DONE = [
    case("closed", 2, 0),
    association("registered"),
    standard("60.60"),
    cultivation("certified"),
]


@pytest.mark.parametrize(
    ("stage", "kind"),
    [
        ("hazard_elimination", "case"),
        ("association_formation", "association"),
        ("standard_drafting", "standard"),
        ("brand_cultivation", "cultivation"),
    ],
)
def test_a_stage_looks_only_at_its_own_members(stage: str, kind: str) -> None:
    assert rules.stage_complete(stage, members(*EVERYTHING_DONE)) is True
    others = [m for m in EVERYTHING_DONE if m.kind != kind]
    assert rules.stage_complete(stage, members(*others)) is False


def test_completed_is_not_a_stage_to_complete() -> None:
    with pytest.raises(ValueError, match="unknown programme stage"):
        rules.stage_complete("completed", members(*EVERYTHING_DONE))


# --- waivers ----------------------------------------------------------------------------------


def programme(
    statuses: dict[str, str] | None = None, waivers: dict[str, str] | None = None
) -> ProgrammeState:
    """Stage statuses by name (pending unless given), and waivers taken ahead of time."""
    statuses = statuses or {}
    return ProgrammeState(
        programme_id="prg_1",
        title="巴克球产业提升",
        industry_code="magnetic-toys",
        region_codes=["330702"],
        created_by="regulator:王监管",
        stages=[StageState(name, statuses.get(name, "pending")) for name in rules.STAGES],
        waivers=dict(waivers or {}),
    )


def refusal(state: ProgrammeState, stage: str, reason: str) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        rules.check_waive(state, stage, reason)
    return info.value


@pytest.mark.parametrize("stage", rules.STAGES)
@pytest.mark.parametrize(
    ("status", "refused_with"),
    [
        ("open", None),
        ("pending", None),  # ahead of time
        ("complete", "is already complete"),
        ("waived", "is already waived"),
    ],
)
def test_a_stage_is_waived_while_it_is_not_done(
    stage: str, status: str, refused_with: str | None
) -> None:
    state = programme({stage: status})
    if refused_with is None:
        rules.check_waive(state, stage, "已有行业协会承担此项工作")
        return
    v = refusal(state, stage, "已有行业协会承担此项工作")
    assert (v.code, v.field) == ("invalid_transition", None)
    assert f"stage {stage} of programme prg_1 {refused_with}" in v.message


def test_a_stage_waived_ahead_of_time_is_not_waived_twice() -> None:
    state = programme({"hazard_elimination": "open"}, {"standard_drafting": "沿用现行国家标准"})
    v = refusal(state, "standard_drafting", "again")
    assert (v.code, v.field) == ("invalid_transition", None)
    assert "already waived" in v.message


@pytest.mark.parametrize(
    ("stage", "reason", "field"),
    [
        ("completed", "done", "stage"),  # the end of the chain is no stage to waive
        ("brand", "done", "stage"),
        ("hazard_elimination", "", "reason"),
        ("hazard_elimination", "  \n", "reason"),
    ],
)
def test_a_waiver_names_a_stage_and_keeps_a_reason(stage: str, reason: str, field: str) -> None:
    v = refusal(programme({"hazard_elimination": "open"}), stage, reason)
    assert (v.code, v.field) == ("invalid_field", field)


@pytest.mark.parametrize("kind", ["case", "association", "standard", "cultivation"])
def test_each_member_kind_can_be_linked(kind: str) -> None:
    rules.check_link(kind)


def test_an_enterprise_is_not_a_member_kind() -> None:
    with pytest.raises(RuleViolation) as info:
        rules.check_link("enterprise")
    assert (info.value.code, info.value.field) == ("invalid_field", "kind")
