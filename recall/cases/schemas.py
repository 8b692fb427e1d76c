from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from recall.common.milestones import MilestoneOut
from recall.common.text import (
    HazardCategory,
    Ids,
    Integer,
    Label,
    MaybeReal,
    Name,
    Note,
    PastMoment,
    Text,
)
from recall.rules.case_rules import DECISIONS, REMEDIES
from recall.rules.limits import MAX_UNITS
from recall.rules.risk import PROBABILITIES, RISK_LEVELS
from workflows.shared import HazardState, Plan, Risk

# The value sets are the rules' own tuples, declared once.
Probability = Literal[PROBABILITIES]
RiskLevel = Literal[RISK_LEVELS]
Decision = Literal[DECISIONS]
Remedy = Literal[REMEDIES]


class CaseCreate(BaseModel):
    defect_report_ids: Ids = Field(min_length=1)
    title: Label | None = None
    region_code: Name | None = Field(
        None, description="the case's region when its reports name none (overseas leads)"
    )


class AssessmentIn(BaseModel):
    severity: Integer = Field(ge=1, le=4)
    probability: Probability
    level_override: RiskLevel | None = None
    override_reason: Note | None = None


class DecisionIn(BaseModel):
    decision: Decision
    reason: Note | None = None


class PlanIn(BaseModel):
    units_affected: Integer = Field(ge=1, le=MAX_UNITS)
    remedy: Remedy
    summary: Text
    correction_rate_target: MaybeReal = Field(
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
    category: HazardCategory
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
    units_corrected: Integer = Field(ge=0, le=MAX_UNITS, description="cumulative")
    note: Note | None = None


class VerificationIn(BaseModel):
    note: Text


class ClosureIn(BaseModel):
    summary: Text


@dataclass
class HazardOut(HazardState):
    """A hazard as the API shows it: its state in the case workflow, and its case."""

    case_id: str = ""


class CaseOut(BaseModel):
    id: str
    number: str
    title: str
    stage: str
    industry_code: str | None
    region_code: str | None
    enterprise_ids: list[str]
    defect_report_ids: list[str]
    risk: Risk | None
    decision: str | None
    decision_reason: str | None
    plan: Plan | None
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
    risk: Risk | None
    decision: str | None
    correction_rate: float | None
    overdue: bool
    programme_id: str | None
    created_at: datetime
    updated_at: datetime
