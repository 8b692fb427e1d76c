"""The recall-case stage machine (DOMAIN.md "Stage machines") as plain checks: every stage against
every command, then the conditions inside a stage. No Temporal, no database: the states are the
workflow's own dataclasses (workflows.shared)."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from recall.rules import RuleViolation
from recall.rules import case_rules as rules
from recall.rules.limits import MAX_HAZARDS_PER_CASE
from workflows.shared import CaseState, HazardState, Plan, Risk

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NUMBER = "RC-2026-000007"
RISK = Risk(severity=4, probability="gt_1_100", level="serious", computed_level="serious")


def hazard(hazard_id: str = "hz_1", status: str = "identified") -> HazardState:
    done = status in ("eliminated", "verified")
    return HazardState(
        id=hazard_id,
        enterprise_id="ent_a",
        category="ingestion",
        description="儿童误吞强磁珠",
        status=status,
        identified_at=T0,
        eliminated_at=T0 + timedelta(days=3) if done else None,
        verified_at=T0 + timedelta(days=9) if status == "verified" else None,
        evidence="改用大尺寸磁珠" if done else None,
    )


def plan(*, accepted: bool = False, units: int = 1000, target: float | None = None) -> Plan:
    return Plan(
        units_affected=units,
        remedy="refund",
        summary="停止销售，退货退款",
        correction_rate_target=target,
        submitted_at=T0 + timedelta(days=5),
        accepted_at=T0 + timedelta(days=6) if accepted else None,
    )


def case(
    stage: str = "reported",
    *,
    risk: Risk | None = None,
    decision: str | None = None,
    plan: Plan | None = None,
    units_corrected: int | None = None,
    hazards: tuple[HazardState, ...] = (),
) -> CaseState:
    return CaseState(
        case_id="case_1",
        title="巴克球",
        industry_code="magnetic-toys",
        region_code="330702",
        enterprise_ids=["ent_a"],
        defect_report_ids=["dr_1"],
        created_by="regulator:王监管",
        opened_at=T0,
        number=NUMBER,
        stage=stage,
        risk=risk,
        decision=decision,
        plan=plan,
        units_corrected=units_corrected,
        hazards={h.id: h for h in hazards},
    )


def refusal(check: Callable[..., None], *args: object) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        check(*args)
    return info.value


# --- every stage x every command --------------------------------------------------------------

# A case as it stands in each stage, each with one hazard hz_1 (open until it is eliminated).
SCENARIOS: dict[str, Callable[[], CaseState]] = {
    "reported": lambda: case("reported", hazards=(hazard(),)),
    "assessed": lambda: case("assessed", risk=RISK, hazards=(hazard(),)),
    "assessed+decided": lambda: case(
        "assessed", risk=RISK, decision="voluntary_recall", hazards=(hazard(),)
    ),
    "closed_no_recall": lambda: case(
        "closed_no_recall", risk=RISK, decision="no_recall", hazards=(hazard(),)
    ),
    "recall_planned": lambda: case(
        "recall_planned", risk=RISK, decision="ordered_recall", plan=plan(), hazards=(hazard(),)
    ),
    "remediating": lambda: case(
        "remediating",
        risk=RISK,
        decision="ordered_recall",
        plan=plan(accepted=True),
        units_corrected=100,
        hazards=(hazard(),),
    ),
    "remediating+done": lambda: case(
        "remediating",
        risk=RISK,
        decision="ordered_recall",
        plan=plan(accepted=True),
        units_corrected=100,
        hazards=(hazard(status="eliminated"),),
    ),
    "verified": lambda: case(
        "verified",
        risk=RISK,
        decision="ordered_recall",
        plan=plan(accepted=True),
        units_corrected=1000,
        hazards=(hazard(status="verified"),),
    ),
    "closed": lambda: case(
        "closed",
        risk=RISK,
        decision="ordered_recall",
        plan=plan(accepted=True),
        units_corrected=1000,
        hazards=(hazard(status="verified"),),
    ),
}

# Each command with input that is valid in itself, so only the case's state can refuse it.
COMMANDS: dict[str, Callable[[CaseState], None]] = {
    "assess": lambda s: rules.check_assess(s, 4, "gt_1_100"),
    "decide": lambda s: rules.check_decide(s, "voluntary_recall"),
    "submit_plan": rules.check_submit_plan,
    "accept_plan": rules.check_accept_plan,
    "add_hazard": lambda s: rules.check_add_hazard(s, "hz_new"),
    "eliminate": lambda s: rules.check_eliminate(s, "hz_1", T0 + timedelta(days=2)),
    "progress": lambda s: rules.check_progress(s, 500),
    "verify": rules.check_verify,
    "close": rules.check_close,
    "return_plan": lambda s: rules.check_return_plan(s, "缺少批次信息"),
    "reopen": lambda s: rules.check_reopen(s, "hz_1", "抽检仍不合格"),
}

OK = "ok"  # allowed
ST = "stage"  # refused for the stage: "case RC-… is in stage '<stage>'; <act> needs stage …"
DECIDED = "already has the decision"
UNDECIDED = "has no recall decision yet"
OVER = "nothing more can be recorded"  # a closed case takes no elimination
OPEN = "has 1 hazard not eliminated: hz_1"
GONE = "hz_1 is already eliminated"
CHECKED = "hz_1 is already verified"
NO_PLAN = "has no plan awaiting acceptance"
NOT_DONE = "hz_1 is identified; only an eliminated hazard can be reopened"
FINAL = "it cannot be reopened"  # a closed case is final

# Anything but OK is a 409-style refusal (code invalid_transition, no field) with that message.
# fmt: off
STAGE_MATRIX: dict[str, tuple[str, ...]] = {
    #                    assess   decide   submit     accept add_hz eliminate progress verify close
    "reported":         (OK,      ST,      ST,        ST,    OK,    OK,       ST,      ST,    ST),
    "assessed":         (OK,      OK,      UNDECIDED, ST,    OK,    OK,       ST,      ST,    ST),
    "assessed+decided": (DECIDED, DECIDED, OK,        ST,    OK,    OK,       ST,      ST,    ST),
    "closed_no_recall": (ST,      ST,      ST,        ST,    ST,    OVER,     ST,      ST,    ST),
    "recall_planned":   (ST,      ST,      OK,        OK,    OK,    OK,       ST,      ST,    ST),
    "remediating":      (ST,      ST,      ST,        ST,    OK,    OK,       OK,      OPEN,  ST),
    "remediating+done": (ST,      ST,      ST,        ST,    OK,    GONE,     OK,      OK,    ST),
    "verified":         (ST,      ST,      ST,        ST,    ST,    CHECKED,  ST,      ST,    OK),
    "closed":           (ST,      ST,      ST,        ST,    ST,    OVER,     ST,      ST,    ST),
}
# The two acts that go back: returning a plan, reopening a hazard.
BACK_MATRIX: dict[str, tuple[str, str]] = {
    #                    return_plan reopen
    "reported":         (NO_PLAN,     NOT_DONE),
    "assessed":         (NO_PLAN,     NOT_DONE),
    "assessed+decided": (NO_PLAN,     NOT_DONE),
    "closed_no_recall": (NO_PLAN,     FINAL),
    "recall_planned":   (OK,          NOT_DONE),
    "remediating":      (NO_PLAN,     NOT_DONE),
    "remediating+done": (NO_PLAN,     OK),
    "verified":         (NO_PLAN,     OK),
    "closed":           (NO_PLAN,     FINAL),
}
MATRIX = {scenario: STAGE_MATRIX[scenario] + BACK_MATRIX[scenario] for scenario in STAGE_MATRIX}
# fmt: on


def _cells() -> list:
    return [
        pytest.param(scenario, command, row[i], id=f"{scenario}-{command}")
        for scenario, row in MATRIX.items()
        for i, command in enumerate(COMMANDS)
    ]


def test_the_matrix_covers_every_stage_and_command() -> None:
    assert {SCENARIOS[name]().stage for name in MATRIX} == set(rules.STAGES)
    assert set(MATRIX) == set(SCENARIOS)
    assert all(len(row) == len(COMMANDS) for row in MATRIX.values())


@pytest.mark.parametrize(("scenario", "command", "expected"), _cells())
def test_what_each_stage_allows(scenario: str, command: str, expected: str) -> None:
    state = SCENARIOS[scenario]()
    if expected == OK:
        COMMANDS[command](state)
        return
    v = refusal(COMMANDS[command], state)
    assert (v.code, v.field) == ("invalid_transition", None)
    assert NUMBER in v.message or "hz_1" in v.message
    if expected == ST:
        assert f"case {NUMBER} is in stage '{state.stage}'" in v.message
    else:
        assert expected in v.message


# --- assessment -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "probability", "override", "reason", "field"),
    [
        (0, "gt_1_100", None, None, "severity"),
        (5, "gt_1_100", None, None, "severity"),
        (True, "gt_1_100", None, None, "severity"),  # a bool is not severity 1
        (4, "gt_1_3", None, None, "probability"),
        (4, None, None, None, "probability"),
        (4, "gt_1_100", "extreme", "too high", "level_override"),
        (4, "gt_1_100", "high", None, "override_reason"),
        (4, "gt_1_100", "high", "   ", "override_reason"),
    ],
)
def test_a_bad_assessment_names_its_field(severity, probability, override, reason, field) -> None:
    v = refusal(rules.check_assess, case("reported"), severity, probability, override, reason)
    assert (v.code, v.field) == ("invalid_field", field)


def test_an_override_with_its_reason_is_an_assessment() -> None:
    rules.check_assess(case("reported"), 1, "lt_1_1000000", "serious", "儿童用品，从严")


# --- decision ---------------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["voluntary_recall", "ordered_recall", "no_recall"])
def test_each_decision_of_domain_md_is_taken(decision: str) -> None:
    rules.check_decide(case("assessed", risk=RISK), decision)


def test_an_unknown_decision_names_the_field() -> None:
    v = refusal(rules.check_decide, case("assessed", risk=RISK), "recall_maybe")
    assert (v.code, v.field) == ("invalid_field", "decision")
    assert "recall_maybe" in v.message


# --- hazards ----------------------------------------------------------------------------------


def test_the_same_hazard_is_recorded_once() -> None:
    v = refusal(rules.check_add_hazard, case("remediating", hazards=(hazard(),)), "hz_1")
    assert (v.code, v.field) == ("conflict", None)
    assert "hz_1 is already recorded" in v.message


def test_an_unknown_hazard_is_not_found() -> None:
    v = refusal(rules.check_eliminate, case("remediating", hazards=(hazard(),)), "hz_9")
    assert (v.code, v.field) == ("not_found", None)
    assert f"case {NUMBER} has no hazard hz_9" in v.message


@pytest.mark.parametrize("status", ["identified", "reopened"])
def test_an_open_hazard_can_be_eliminated(status: str) -> None:
    rules.check_eliminate(case("remediating", hazards=(hazard(status=status),)), "hz_1")


def test_an_elimination_cannot_come_before_the_hazard_was_identified() -> None:
    state = case("remediating", hazards=(hazard(),))
    v = refusal(rules.check_eliminate, state, "hz_1", T0 - timedelta(seconds=1))
    assert (v.code, v.field) == ("invalid_field", "eliminated_at")
    rules.check_eliminate(state, "hz_1", T0)  # the same instant is fine


def test_open_hazards_are_the_identified_and_the_reopened() -> None:
    state = case(
        "remediating",
        hazards=(
            hazard("hz_1", "identified"),
            hazard("hz_2", "eliminated"),
            hazard("hz_3", "reopened"),
            hazard("hz_4", "verified"),
        ),
    )
    assert rules.open_hazards(state) == ["hz_1", "hz_3"]


def test_a_returned_plan_or_a_reopened_hazard_needs_a_reason() -> None:
    planned = SCENARIOS["recall_planned"]()
    v = refusal(rules.check_return_plan, planned, " \n ")
    assert (v.code, v.field) == ("invalid_field", "reason")
    rules.check_return_plan(planned)  # without a reason: only whether the stage allows it
    done = SCENARIOS["remediating+done"]()
    v = refusal(rules.check_reopen, done, "hz_1", "")
    assert (v.code, v.field) == ("invalid_field", "reason")
    v = refusal(rules.check_reopen, done, "hz_9", "x")
    assert (v.code, v.field) == ("not_found", None)


def test_a_reopened_hazard_is_eliminated_after_its_reopening() -> None:
    reopened = hazard(status="reopened")
    reopened.reopened_at = T0 + timedelta(days=20)
    state = case("remediating", hazards=(reopened,))
    v = refusal(rules.check_eliminate, state, "hz_1", T0 + timedelta(days=10))
    assert (v.code, v.field) == ("invalid_field", "eliminated_at")
    assert "before hazard hz_1 was reopened" in v.message
    rules.check_eliminate(state, "hz_1", T0 + timedelta(days=20))


@pytest.mark.parametrize(("count", "allowed"), [(0, True), (10, True), (11, False)])
def test_an_act_cites_at_most_ten_evidence_files(count: int, allowed: bool) -> None:
    ids = [f"file_{i}" for i in range(count)]
    if allowed:
        rules.check_evidence_files(ids)
    else:
        v = refusal(rules.check_evidence_files, ids)
        assert (v.code, v.field) == ("invalid_field", "evidence_file_ids")


# --- progress reports -------------------------------------------------------------------------


def _remediating(units_corrected: int | None, *, target: float | None = None) -> CaseState:
    return case(
        "remediating",
        decision="voluntary_recall",
        plan=plan(accepted=True, units=1000, target=target),
        units_corrected=units_corrected,
        hazards=(hazard(status="eliminated"),),
    )


@pytest.mark.parametrize(
    ("before", "now", "allowed"),
    [
        (None, 0, True),  # a first report may correct nothing yet
        (None, 1000, True),  # every unit affected
        (None, 1001, False),  # more than were affected
        (400, 400, True),  # cumulative: the same again is no new correction
        (400, 399, False),  # cumulative: it never goes down
    ],
)
def test_units_corrected_are_cumulative_and_bounded(before, now, allowed) -> None:
    state = _remediating(before)
    if allowed:
        rules.check_progress(state, now)
    else:
        v = refusal(rules.check_progress, state, now)
        assert (v.code, v.field) == ("invalid_field", "units_corrected")


# --- verification -----------------------------------------------------------------------------


def test_verification_names_every_hazard_not_eliminated() -> None:
    state = case(
        "remediating",
        plan=plan(accepted=True),
        hazards=(hazard("hz_1"), hazard("hz_2", "eliminated"), hazard("hz_3", "reopened")),
    )
    v = refusal(rules.check_verify, state)
    assert (v.code, v.field) == ("invalid_transition", None)
    assert f"case {NUMBER} has 2 hazards not eliminated: hz_1, hz_3" in v.message


@pytest.mark.parametrize(
    ("units_corrected", "target", "allowed"),
    [
        (None, None, True),  # no target: hazards alone decide
        (899, 0.9, False),
        (900, 0.9, True),  # the target reached exactly
        (None, 0.9, False),  # no progress report yet: a rate of 0
        (0, 0.0, True),
    ],
)
def test_verification_waits_for_the_correction_rate_target(
    units_corrected: int | None, target: float | None, allowed: bool
) -> None:
    state = _remediating(units_corrected, target=target)
    if allowed:
        rules.check_verify(state)
    else:
        v = refusal(rules.check_verify, state)
        assert (v.code, v.field) == ("invalid_transition", None)
        assert "below its target of 90.0%" in v.message


@pytest.mark.parametrize(
    ("corrected", "affected", "rate"),
    [(None, 1000, None), (5, 0, None), (5, None, None), (1, 3, 0.333333), (1000, 1000, 1.0)],
)
def test_correction_rate_is_corrected_over_affected(corrected, affected, rate) -> None:
    assert rules.correction_rate(corrected, affected) == rate


def test_a_case_holds_a_bounded_number_of_hazards() -> None:
    full = case(
        "remediating",
        hazards=tuple(hazard(f"hz_{i}") for i in range(MAX_HAZARDS_PER_CASE)),
    )
    v = refusal(rules.check_add_hazard, full, "hz_new")
    assert (v.code, v.field) == ("invalid_transition", None)
    assert "open another case" in v.message
    full.hazards.pop("hz_0")
    rules.check_add_hazard(full, "hz_new")
