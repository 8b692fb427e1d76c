"""The industry chain's shared vocabulary: workflow ids, and how members report to programmes.

A programme learns what happens in its cases, associations, standards and cultivations from
those workflows, never by reading the database: the programme signals a member `report_to`
with its own workflow id, and the member signals `member_status` back at once and after every
change that matters. Members keep the programmes they report to in their state, so the link
survives continue-as-new."""

from dataclasses import dataclass, field
from datetime import datetime

from recall.rules import programme_rules
from workflows.shared import MilestoneEvent, case_workflow_id

# The chain's stages and the kinds of member, as the rules name them.
PROGRAMME_STAGES = programme_rules.STAGES
MEMBER_KINDS = programme_rules.MEMBER_KINDS

REPORT_TO_SIGNAL = "report_to"
MEMBER_STATUS_SIGNAL = "member_status"


def programme_workflow_id(programme_id: str) -> str:
    return f"programme-{programme_id}"


def association_workflow_id(association_id: str) -> str:
    return f"association-{association_id}"


def standard_workflow_id(standard_id: str) -> str:
    return f"standard-{standard_id}"


def cultivation_workflow_id(cultivation_id: str) -> str:
    return f"cultivation-{cultivation_id}"


def member_workflow_id(kind: str, member_id: str) -> str:
    return {
        "case": case_workflow_id,
        "association": association_workflow_id,
        "standard": standard_workflow_id,
        "cultivation": cultivation_workflow_id,
    }[kind](member_id)


@dataclass
class MemberStatus:
    """What a member tells its programme. `status` is the member's stage (an association's
    status, a standard's stage code, a cultivation's stage, a case's stage); cases also count
    their hazards."""

    kind: str
    member_id: str
    status: str
    hazards: int = 0
    open_hazards: int = 0


@dataclass
class ReportTo:
    programme_workflow_id: str


async def report_status(programme_workflow_ids: list[str], status: MemberStatus) -> None:
    """Tell every programme this member reports to (workflow code only). A programme that has
    ended cannot be told anything more, and needs nothing more."""
    from temporalio import workflow
    from temporalio.exceptions import FailureError

    for target in programme_workflow_ids:
        try:
            await workflow.get_external_workflow_handle(target).signal(MEMBER_STATUS_SIGNAL, status)
        except FailureError:
            workflow.logger.info("programme %s no longer takes signals", target)


@dataclass
class LinkMember:
    """Programme update: this case, association, standard or cultivation belongs to me now."""

    kind: str
    member_id: str
    actor: str


# --- the programme's own state --------------------------------------------------------------


@dataclass
class StageState:
    name: str
    status: str = "pending"  # pending | open | complete | waived
    opened_at: datetime | None = None
    completed_at: datetime | None = None
    waiver_reason: str | None = None


@dataclass
class ProgrammeState:
    programme_id: str
    title: str
    industry_code: str
    region_codes: list[str]
    created_by: str
    stages: list[StageState] = field(
        default_factory=lambda: [StageState(name) for name in PROGRAMME_STAGES]
    )
    # kind -> member id -> the member's last report
    members: dict[str, dict[str, MemberStatus]] = field(
        default_factory=lambda: {kind: {} for kind in MEMBER_KINDS}
    )
    waivers: dict[str, str] = field(default_factory=dict)  # stage -> reason, waived ahead too
    seq: int = 0
    started_at: datetime | None = None
    completed_at: datetime | None = None
    # Update ids the previous run applied last, carried over continue-as-new (workflows.journal).
    carried_update_ids: list[str] = field(default_factory=list)

    @property
    def stage(self) -> str:
        current = next((s for s in self.stages if s.status == "open"), None)
        if current:
            return current.name
        return "completed" if self.completed_at else self.stages[0].name


@dataclass
class ProgrammeInput:
    state: ProgrammeState
    # Tests set this to force continue-as-new early; None leaves it to the server's suggestion.
    continue_as_new_after_events: int | None = None


@dataclass
class StartProgramme:
    actor: str


@dataclass
class WaiveStage:
    actor: str
    stage: str
    reason: str


@dataclass
class ProgrammeProjection:
    state: ProgrammeState
    milestones: list[MilestoneEvent]
