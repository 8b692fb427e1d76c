from datetime import datetime
from typing import Annotated, Literal

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
    bounded_text,
)
from recall.files.schemas import FileOut
from recall.rules.case_rules import DEADLINE_KINDS, DECISIONS, MAX_EVIDENCE_FILES, REMEDIES
from recall.rules.limits import MAX_UNITS
from recall.rules.risk import PROBABILITIES, RISK_LEVELS
from workflows.shared import Plan, Risk

# The value sets are the rules' own tuples, declared once.
Probability = Literal[PROBABILITIES]
RiskLevel = Literal[RISK_LEVELS]
Decision = Literal[DECISIONS]
Remedy = Literal[REMEDIES]
DeadlineKind = Literal[DEADLINE_KINDS]

# Files uploaded first (POST /api/v1/files), cited by id; the case holds them once the act is in.
FileId = bounded_text(40)  # the width of files.id
EvidenceFileIds = Annotated[
    list[FileId],
    Field(
        max_length=MAX_EVIDENCE_FILES,
        description=f"ids of uploaded files (POST /api/v1/files), at most {MAX_EVIDENCE_FILES}",
    ),
]


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
    evidence: Text = Field(description="what was done, in words (not blank)")
    evidence_refs: Ids = Field(default_factory=list, description="document references")
    evidence_file_ids: EvidenceFileIds = Field(default_factory=list)
    eliminated_at: PastMoment | None = None


class ReopeningIn(BaseModel):
    reason: Text = Field(description="what the check found")


class ProgressIn(BaseModel):
    units_corrected: Integer = Field(ge=0, le=MAX_UNITS, description="cumulative")
    note: Note | None = None
    evidence_file_ids: EvidenceFileIds = Field(default_factory=list)


class VerificationIn(BaseModel):
    note: Text


class ClosureIn(BaseModel):
    summary: Text


class HazardOut(BaseModel):
    """A hazard as the API shows it: its state in the case workflow, its case, and the evidence
    of its latest elimination (text, references and files)."""

    id: str
    case_id: str
    enterprise_id: str
    category: str
    description: str
    status: str = Field(description="identified, eliminated, verified or reopened")
    identified_at: datetime
    eliminated_at: datetime | None = None
    verified_at: datetime | None = None
    evidence: str | None = None
    evidence_refs: list[str] = []
    evidence_file_ids: list[str] = []
    evidence_files: list[FileOut] = Field(
        default=[], description="what each cited file is; GET /api/v1/files/{id} serves it"
    )


class DeadlineOut(BaseModel):
    kind: DeadlineKind
    due_at: datetime = Field(description="local midnight at the end of the last day")
    overdue: bool


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
    deadlines: list[DeadlineOut] = Field(
        default=[],
        description="the deadline the case waits on (the plan, a progress report, the summary "
        "report), as its workflow's timer has it: running, or missed (`overdue`) while its act "
        "is still to come; empty when nothing is due",
    )
    hazards: list[HazardOut]
    files: list[FileOut] = Field(
        default=[],
        description="every evidence file the case holds: its hazards' and its progress reports'",
    )
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
