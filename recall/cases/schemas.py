from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from recall.common.milestones import MilestoneOut

Probability = Literal[
    "gt_1_2",
    "gt_1_10",
    "gt_1_100",
    "gt_1_1000",
    "gt_1_10000",
    "gt_1_100000",
    "gt_1_1000000",
    "lt_1_1000000",
]
RiskLevel = Literal["low", "medium", "high", "serious"]
Decision = Literal["voluntary_recall", "ordered_recall", "no_recall"]
Remedy = Literal["repair", "replace", "refund", "destroy", "warning"]


class CaseCreate(BaseModel):
    defect_report_ids: list[str] = Field(min_length=1)
    title: str | None = Field(None, max_length=500)
    region_code: str | None = Field(
        None, description="the case's region when its reports name none (overseas leads)"
    )


class AssessmentIn(BaseModel):
    severity: int = Field(ge=1, le=4)
    probability: Probability
    level_override: RiskLevel | None = None
    override_reason: str | None = None


class DecisionIn(BaseModel):
    decision: Decision
    reason: str | None = None


class PlanIn(BaseModel):
    units_affected: int = Field(ge=1)
    remedy: Remedy
    summary: str = Field(min_length=1)
    correction_rate_target: float | None = Field(
        None, gt=0, le=1, description="a fraction: 0.9 means 90% of units corrected"
    )


class PlanAcceptanceIn(BaseModel):
    note: str | None = None


class HazardIn(BaseModel):
    enterprise_id: str
    category: str
    description: str = Field(min_length=1)
    identified_at: AwareDatetime | None = Field(
        None, description="when it was found, if before it is recorded here; default now"
    )


class EliminationIn(BaseModel):
    evidence: str = Field(min_length=1)
    evidence_refs: list[str] = Field(default_factory=list, description="document references")
    eliminated_at: AwareDatetime | None = None


class ProgressIn(BaseModel):
    units_corrected: int = Field(ge=0, description="cumulative")
    note: str | None = None


class VerificationIn(BaseModel):
    note: str = Field(min_length=1)


class ClosureIn(BaseModel):
    summary: str = Field(min_length=1)


class RiskOut(BaseModel):
    severity: int
    probability: str
    level: str
    overridden: bool
    computed_level: str
    override_reason: str | None = None


class PlanOut(BaseModel):
    units_affected: int
    remedy: str
    summary: str
    correction_rate_target: float | None = None
    submitted_at: datetime | None = None
    accepted_at: datetime | None = None
    acceptance_note: str | None = None


class HazardOut(BaseModel):
    id: str
    case_id: str
    enterprise_id: str
    category: str
    description: str
    status: str
    identified_at: datetime
    eliminated_at: datetime | None = None
    verified_at: datetime | None = None
    evidence: str | None = None
    evidence_refs: list[str] = []


class CaseOut(BaseModel):
    id: str
    number: str
    title: str
    stage: str
    industry_code: str | None
    region_code: str | None
    enterprise_ids: list[str]
    defect_report_ids: list[str]
    risk: RiskOut | None
    decision: str | None
    decision_reason: str | None
    plan: PlanOut | None
    units_corrected: int | None
    correction_rate: float | None
    overdue: bool
    overdue_items: list[str]
    hazards: list[HazardOut]
    milestones: list[MilestoneOut]
    programme_id: str | None
    created_at: datetime
    updated_at: datetime


class CaseSummaryOut(BaseModel):
    """A case in a list: the case without its hazards and milestones."""

    id: str
    number: str
    title: str
    stage: str
    industry_code: str | None
    region_code: str | None
    enterprise_ids: list[str]
    risk: RiskOut | None
    decision: str | None
    correction_rate: float | None
    overdue: bool
    programme_id: str | None
    created_at: datetime
    updated_at: datetime
