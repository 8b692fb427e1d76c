"""The recall-case stage machine of DOMAIN.md as plain checks.

Each check takes the case state (see workflows.shared.CaseState) and the command, and raises
RuleViolation with a message for a person when the command is not allowed now. The workflow runs
them in its Update validators (a refused command never reaches history) and again in the handlers.
"""

from collections.abc import Iterable
from typing import Any

from recall.rules.limits import MAX_HAZARDS_PER_CASE
from recall.rules.refusal import RuleViolation
from recall.rules.risk import RISK_LEVELS, risk_level

STAGES = (
    "reported",
    "assessed",
    "closed_no_recall",
    "recall_planned",
    "remediating",
    "verified",
    "closed",
)
TERMINAL_STAGES = ("closed", "closed_no_recall")
DECISIONS = ("voluntary_recall", "ordered_recall", "no_recall")
RECALL_DECISIONS = ("voluntary_recall", "ordered_recall")
REMEDIES = ("repair", "replace", "refund", "destroy", "warning")
HAZARD_CATEGORIES = (
    "ingestion",
    "burn",
    "electric_shock",
    "entrapment",
    "choking",
    "chemical",
    "fire",
    "laceration",
    "fall",
    "strangulation",
    "suffocation",
    "injury",
    "other",
)
HAZARD_STATUSES = ("identified", "eliminated", "verified", "reopened")
OPEN_HAZARD_STATUSES = ("identified", "reopened")
ELIMINATED_HAZARD_STATUSES = ("eliminated", "verified")
# The kinds of deadline a case runs (DOMAIN.md "Deadlines are durable timers").
DEADLINE_KINDS = ("plan", "progress_report", "summary_report")
MAX_EVIDENCE_FILES = 10  # evidence files one elimination or progress report may cite


def _require_stage(state: Any, allowed: Iterable[str], act: str) -> None:
    allowed = tuple(allowed)
    if state.stage not in allowed:
        wanted = " or ".join(f"'{s}'" for s in allowed)
        raise RuleViolation(
            f"case {state.number} is in stage '{state.stage}'; {act} needs stage {wanted}"
        )


def check_assess(
    state: Any,
    severity: int | None = None,
    probability: str | None = None,
    level_override: str | None = None,
    override_reason: str | None = None,
) -> None:
    """The stage allows an assessment, and (when given) its fields make one."""
    _require_stage(state, ("reported", "assessed"), "a risk assessment")
    if state.decision is not None:
        raise RuleViolation(
            f"case {state.number} already has the decision '{state.decision}'; "
            "the assessment can no longer change"
        )
    if severity is None and probability is None:
        return
    try:
        risk_level(severity, probability)
    except ValueError as err:
        field = "severity" if "severity" in str(err) else "probability"
        raise RuleViolation(str(err), code="invalid_field", field=field) from None
    if level_override is not None:
        if level_override not in RISK_LEVELS:
            raise RuleViolation(
                f"level_override must be one of {', '.join(RISK_LEVELS)}",
                code="invalid_field",
                field="level_override",
            )
        if not (override_reason or "").strip():
            raise RuleViolation(
                "a level override needs a reason", code="invalid_field", field="override_reason"
            )


def check_decide(state: Any, decision: str) -> None:
    if decision not in DECISIONS:
        raise RuleViolation(
            f"unknown decision '{decision}'", code="invalid_field", field="decision"
        )
    _require_stage(state, ("assessed",), "a decision")
    if state.decision is not None:
        raise RuleViolation(f"case {state.number} already has the decision '{state.decision}'")


def check_submit_plan(state: Any) -> None:
    if state.stage == "assessed" and state.decision is None:
        raise RuleViolation(f"case {state.number} has no recall decision yet; decide before a plan")
    _require_stage(state, ("assessed", "recall_planned"), "a recall plan")


def check_accept_plan(state: Any) -> None:
    _require_stage(state, ("recall_planned",), "accepting the plan")


def _require_text(value: str | None, field: str, what: str) -> None:
    if value is not None and not value.strip():
        raise RuleViolation(f"{what} must not be blank", code="invalid_field", field=field)


def check_return_plan(state: Any, reason: str | None = None) -> None:
    """A submitted plan awaiting acceptance goes back to the enterprise (stage `assessed`, with
    its recall decision: the plan is due again). `reason` None: only whether the stage allows it."""
    if state.stage != "recall_planned" or state.plan is None:
        raise RuleViolation(
            f"case {state.number} has no plan awaiting acceptance (stage '{state.stage}'); "
            "only a submitted plan can be returned"
        )
    _require_text(reason, "reason", "the reason for returning the plan")


def check_evidence_files(file_ids: list[str]) -> None:
    if len(file_ids) > MAX_EVIDENCE_FILES:
        raise RuleViolation(
            f"at most {MAX_EVIDENCE_FILES} evidence files per act",
            code="invalid_field",
            field="evidence_file_ids",
        )


def check_add_hazard(state: Any, hazard_id: str) -> None:
    if hazard_id in state.hazards:
        raise RuleViolation(f"hazard {hazard_id} is already recorded", code="conflict")
    if len(state.hazards) >= MAX_HAZARDS_PER_CASE:
        raise RuleViolation(
            f"case {state.number} has {len(state.hazards)} hazards, the most one case may hold; "
            "open another case for the rest"
        )
    _require_stage(
        state, ("reported", "assessed", "recall_planned", "remediating"), "adding a hazard"
    )


def check_eliminate(state: Any, hazard_id: str, eliminated_at: Any = None) -> None:
    hazard = state.hazards.get(hazard_id)
    if hazard is None:
        raise RuleViolation(f"case {state.number} has no hazard {hazard_id}", code="not_found")
    if state.stage in TERMINAL_STAGES:
        raise RuleViolation(f"case {state.number} is {state.stage}; nothing more can be recorded")
    if hazard.status not in OPEN_HAZARD_STATUSES:
        raise RuleViolation(f"hazard {hazard_id} is already {hazard.status}")
    if eliminated_at is not None and eliminated_at < _open_since(hazard):
        raise RuleViolation(
            f"eliminated_at {eliminated_at.isoformat()} is before hazard {hazard_id} was "
            f"{'reopened' if getattr(hazard, 'reopened_at', None) else 'identified'} "
            f"({_open_since(hazard).isoformat()})",
            code="invalid_field",
            field="eliminated_at",
        )


def _open_since(hazard: Any) -> Any:
    """When the hazard became open: identified, or reopened since."""
    return getattr(hazard, "reopened_at", None) or hazard.identified_at


def check_reopen(state: Any, hazard_id: str, reason: str | None = None) -> None:
    """A regulator reopens an eliminated (or verified) hazard while the case is not closed."""
    hazard = state.hazards.get(hazard_id)
    if hazard is None:
        raise RuleViolation(f"case {state.number} has no hazard {hazard_id}", code="not_found")
    if state.stage in TERMINAL_STAGES:
        raise RuleViolation(f"case {state.number} is {state.stage}; it cannot be reopened")
    if hazard.status not in ELIMINATED_HAZARD_STATUSES:
        raise RuleViolation(
            f"hazard {hazard_id} is {hazard.status}; only an eliminated hazard can be reopened"
        )
    _require_text(reason, "reason", "the reason for reopening the hazard")


def check_progress(state: Any, units_corrected: int) -> None:
    _require_stage(state, ("remediating",), "a progress report")
    affected = state.plan.units_affected
    if units_corrected > affected:
        raise RuleViolation(
            f"units_corrected {units_corrected} is more than the {affected} units affected",
            code="invalid_field",
            field="units_corrected",
        )
    previous = state.units_corrected or 0
    if units_corrected < previous:
        raise RuleViolation(
            f"units_corrected is cumulative: {units_corrected} is less than the "
            f"{previous} already reported",
            code="invalid_field",
            field="units_corrected",
        )


def open_hazards(state: Any) -> list[str]:
    return [h.id for h in state.hazards.values() if h.status in OPEN_HAZARD_STATUSES]


def check_verify(state: Any) -> None:
    _require_stage(state, ("remediating",), "verification")
    still_open = open_hazards(state)
    if still_open:
        n = len(still_open)
        noun = "hazard" if n == 1 else "hazards"
        raise RuleViolation(
            f"case {state.number} has {n} {noun} not eliminated: {', '.join(still_open)}"
        )
    target = state.plan.correction_rate_target if state.plan else None
    if target is not None:
        rate = correction_rate(state.units_corrected, state.plan.units_affected) or 0.0
        if rate < target:
            raise RuleViolation(
                f"case {state.number} has a correction rate of {rate:.1%}, "
                f"below its target of {target:.1%}"
            )


def check_close(state: Any) -> None:
    _require_stage(state, ("verified",), "closure")


def correction_rate(units_corrected: int | None, units_affected: int | None) -> float | None:
    """Units corrected / units affected, as in the CPSC monthly progress report."""
    if units_corrected is None or not units_affected:
        return None
    return round(units_corrected / units_affected, 6)
