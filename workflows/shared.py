"""What crosses the workflow boundary: task queue names, inputs, state and projections.

Plain dataclasses only (serialised by the pydantic data converter), so workflow code imports
nothing from the web or database layers.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from recall.rules.working_days import add_working_days

TASK_QUEUE = "recall"


def case_workflow_id(case_id: str) -> str:
    return f"recall-case-{case_id}"


@dataclass
class Deadlines:
    plan_working_days: int = 10
    progress_report_days: int = 30
    summary_working_days: int = 15
    utc_offset_hours: int = 8
    holidays: list[date] = field(default_factory=list)  # public holidays (法定节假日)
    extra_workdays: list[date] = field(default_factory=list)  # make-up workdays (调休)

    def working_days_after(self, start: datetime, days: int) -> datetime:
        return add_working_days(
            start,
            days,
            holidays=frozenset(self.holidays),
            extra_workdays=frozenset(self.extra_workdays),
            utc_offset_hours=self.utc_offset_hours,
        )


@dataclass
class Risk:
    severity: int
    probability: str
    level: str
    computed_level: str
    overridden: bool = False
    override_reason: str | None = None


@dataclass
class Plan:
    units_affected: int
    remedy: str
    summary: str
    correction_rate_target: float | None = None
    submitted_at: datetime | None = None
    accepted_at: datetime | None = None
    acceptance_note: str | None = None
    # A plan returned for revision stays for reference until the next one replaces it.
    returned_at: datetime | None = None
    return_reason: str | None = None


@dataclass
class HazardState:
    id: str
    enterprise_id: str
    category: str
    description: str
    status: str
    identified_at: datetime
    eliminated_at: datetime | None = None
    verified_at: datetime | None = None
    evidence: str | None = None
    evidence_refs: list[str] = field(default_factory=list)
    evidence_file_ids: list[str] = field(default_factory=list)
    # Reopened: how often and when last; each reason is in its milestone only, so a hazard
    # reopened many times holds no more than one reopened once.
    times_reopened: int = 0
    reopened_at: datetime | None = None


@dataclass
class MilestoneEvent:
    seq: int
    at: datetime
    kind: str
    stage: str
    actor: str
    note: str | None = None


@dataclass
class CaseState:
    case_id: str
    title: str
    industry_code: str | None
    region_code: str | None
    enterprise_ids: list[str]
    defect_report_ids: list[str]
    created_by: str
    opened_at: datetime | None = None
    number: str | None = None
    stage: str = "reported"
    seq: int = 0
    risk: Risk | None = None
    decision: str | None = None
    decision_reason: str | None = None
    decided_at: datetime | None = None
    plan: Plan | None = None
    units_corrected: int | None = None
    last_progress_at: datetime | None = None
    # The files of the latest progress report (each report's are in its milestone's note).
    progress_evidence_file_ids: list[str] = field(default_factory=list)
    # A verified case back in remediating (a hazard reopened): progress is due from then.
    remediating_again_at: datetime | None = None
    verified_at: datetime | None = None
    closed_at: datetime | None = None
    summary: str | None = None
    hazards: dict[str, HazardState] = field(default_factory=dict)
    overdue_items: list[str] = field(default_factory=list)
    # The deadline the case waits on (running, or missed while its act is still to come).
    due_kind: str | None = None
    due_at: datetime | None = None
    programme_workflow_ids: list[str] = field(default_factory=list)
    # Update ids the previous run applied last, carried over continue-as-new (workflows.journal).
    carried_update_ids: list[str] = field(default_factory=list)


@dataclass
class CaseInput:
    state: CaseState
    deadlines: Deadlines = field(default_factory=Deadlines)
    # Tests set it to force continue-as-new early (see workflows.journal).
    continue_as_new_after_events: int | None = None


# --- Update inputs: every command names its actor -----------------------------------------


@dataclass
class OpenCase:
    actor: str


@dataclass
class AssessCase:
    actor: str
    severity: int
    probability: str
    level_override: str | None = None
    override_reason: str | None = None


@dataclass
class DecideCase:
    actor: str
    decision: str
    reason: str | None = None


@dataclass
class SubmitPlan:
    actor: str
    units_affected: int
    remedy: str
    summary: str
    correction_rate_target: float | None = None


@dataclass
class AcceptPlan:
    actor: str
    note: str | None = None


@dataclass
class ReturnPlan:
    actor: str
    reason: str


@dataclass
class AddHazard:
    actor: str
    hazard_id: str
    enterprise_id: str
    category: str
    description: str
    identified_at: datetime | None = None  # when found, if before it was recorded here


@dataclass
class EliminateHazard:
    actor: str
    hazard_id: str
    evidence: str
    evidence_refs: list[str] = field(default_factory=list)
    eliminated_at: datetime | None = None
    evidence_file_ids: list[str] = field(default_factory=list)


@dataclass
class ReopenHazard:
    actor: str
    hazard_id: str
    reason: str


@dataclass
class ReportProgress:
    actor: str
    units_corrected: int
    note: str | None = None
    evidence_file_ids: list[str] = field(default_factory=list)


@dataclass
class VerifyCase:
    actor: str
    note: str


@dataclass
class CloseCase:
    actor: str
    summary: str


# --- Activity inputs -----------------------------------------------------------------------


@dataclass
class CaseProjection:
    """What the read model needs after an event: the case row, changed hazards, new milestones.
    `state` comes without its hazards, so an event costs the same however many a case has."""

    state: CaseState
    hazards: list[HazardState]
    milestones: list[MilestoneEvent]


@dataclass
class OverdueNotice:
    case_id: str
    number: str
    item: str
    due_at: datetime
    detected_at: datetime
