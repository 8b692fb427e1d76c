"""The industry programme's chain (DOMAIN.md) as plain checks: when a stage is complete, and
which waivers and links are allowed. Each stage opens when the one before is complete."""

from typing import Any

from recall.rules import standard_rules
from recall.rules.refusal import RuleViolation

STAGES = ("hazard_elimination", "association_formation", "standard_drafting", "brand_cultivation")
MEMBER_KINDS = ("case", "association", "standard", "cultivation")
CASE_DONE_STAGES = ("verified", "closed", "closed_no_recall")
PUBLISHED = standard_rules.PUBLISHED
CERTIFIED = ("certified", "labelled")


def case_hazards_eliminated(case: Any) -> bool:
    """Every hazard of the case eliminated; a case with none counts once it is verified."""
    if case.open_hazards:
        return False
    return case.hazards > 0 or case.status in CASE_DONE_STAGES


def stage_complete(stage: str, members: dict[str, dict[str, Any]]) -> bool:
    if stage == "hazard_elimination":
        cases = members.get("case", {}).values()
        return bool(cases) and all(case_hazards_eliminated(c) for c in cases)
    if stage == "association_formation":
        return any(a.status == "registered" for a in members.get("association", {}).values())
    if stage == "standard_drafting":
        return any(s.status == PUBLISHED for s in members.get("standard", {}).values())
    if stage == "brand_cultivation":
        return any(c.status in CERTIFIED for c in members.get("cultivation", {}).values())
    raise ValueError(f"unknown programme stage {stage}")


def check_waive(state: Any, stage: str, reason: str) -> None:
    if stage not in STAGES:
        raise RuleViolation(
            f"stage must be one of {', '.join(STAGES)}",
            code="invalid_field",
            field="stage",
        )
    if not reason.strip():
        raise RuleViolation("a waiver needs a reason", code="invalid_field", field="reason")
    current = next(s for s in state.stages if s.name == stage)
    if current.status in ("complete", "waived"):
        raise RuleViolation(
            f"stage {stage} of programme {state.programme_id} is already {current.status}"
        )
    if stage in state.waivers:
        raise RuleViolation(f"stage {stage} is already waived")


def check_link(kind: str) -> None:
    if kind not in MEMBER_KINDS:
        raise RuleViolation(
            f"kind must be one of {', '.join(MEMBER_KINDS)}",
            code="invalid_field",
            field="kind",
        )
