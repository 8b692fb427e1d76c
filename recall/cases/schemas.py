from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from recall.common.milestones import MilestoneOut
from recall.common.text import Category, Ids, Label, Name, Note, PastMoment, Text
from recall.rules.limits import MAX_UNITS

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
    defect_report_ids: Ids = Field(min_length=1)
    title: Label | None = None
    region_code: Name | None = Field(
        None, description="the case's region when its reports name none (overseas leads)"
    )


class AssessmentIn(BaseModel):
    severity: int = Field(ge=1, le=4)
    probability: Probability
    level_override: RiskLevel | None = None
    override_reason: Note | None = None


class DecisionIn(BaseModel):
    decision: Decision
    reason: Note | None = None


class PlanIn(BaseModel):
    units_affected: int = Field(ge=1, le=MAX_UNITS)
    remedy: Remedy
    summary: Text
    correction_rate_target: float | None = Field(
        None,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="a fraction: 0.9 means 90% of units corrected",
    )


class PlanAcceptanceIn(BaseModel):
    note: Note | None = None


class PlanReturnIn(BaseModel):
    reason: Text = Field(description="what the enterprise must change")


class HazardIn(BaseModel):
    enterprise_id: Name
    category: Category
    description: Text
    identified_at: PastMoment | None = Field(
        None, description="when it was found, if before it is recorded here; default now"
    )


class EliminationIn(BaseModel):
    evidence: Text
    evidence_refs: Ids = Field(default_factory=list, description="document references")
    eliminated_at: PastMoment | None = None


class ReopeningIn(BaseModel):
    reason: Text


class ProgressIn(BaseModel):
    units_corrected: int = Field(ge=0, le=MAX_UNITS, description="cumulative")
    note: Note | None = None


class VerificationIn(BaseModel):
    note: Text


class ClosureIn(BaseModel):
    summary: Text


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
