from fastapi import APIRouter

from recall.cases import service
from recall.cases.access import CaseFor, EliminableHazard, VisibleCase
from recall.cases.schemas import (
    AssessmentIn,
    CaseCreate,
    CaseOut,
    CaseSummaryOut,
    ClosureIn,
    DecisionIn,
    EliminationIn,
    HazardIn,
    HazardOut,
    PlanAcceptanceIn,
    PlanIn,
    PlanReturnIn,
    ProgressIn,
    ReopeningIn,
    VerificationIn,
)
from recall.common.milestones import MilestoneOut
from recall.common.pagination import Cursor, Limit, Page
from recall.common.responses import refusals
from recall.common.text import Filter
from recall.deps import CommandDep, CurrentPrincipal, SessionDep

router = APIRouter(prefix="/cases", tags=["recall cases"])

REFUSALS = refusals(
    forbidden="the caller's role may not do this to this case",
    not_found="no such case, or not visible to the caller",
    conflict="the case's stage or rules forbid this command; detail says why",
)


@router.post("", status_code=201, response_model=CaseOut, responses=REFUSALS)
async def open_case(
    body: CaseCreate,
    cmd: CommandDep,
):
    """Open a recall case from one or more defect reports (stage `reported`)."""
    return await service.open_case(cmd, body)


@router.get("", response_model=Page[CaseSummaryOut])
async def list_cases(
    session: SessionDep,
    principal: CurrentPrincipal,
    stage: Filter = None,
    industry: Filter = None,
    region: Filter = None,
    overdue: bool | None = None,
    q: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    """The recall cases the caller may see (admin: all; a regulator: its regions; an
    enterprise: its own), by stage, industry, region, overdue or text `q`."""
    items, next_cursor = await service.list_cases(
        session=session,
        principal=principal,
        stage=stage,
        industry=industry,
        region=region,
        overdue=overdue,
        q=q,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{case_id}", response_model=CaseOut, responses=REFUSALS)
async def get_case(case: VisibleCase, session: SessionDep):
    """One recall case (召回案件): stage, assessment, decision, plan, hazards with their
    evidence, correction rate, due dates. Admin, a regulator of its region or one of its
    enterprises; anyone else gets 404."""
    return await service.case_view(session, case.id)


@router.get("/{case_id}/milestones", response_model=Page[MilestoneOut], responses=REFUSALS)
async def case_milestones(case: VisibleCase, session: SessionDep):
    """The case's timeline: its milestones (里程碑) in order. For those who may see the
    case; else 404."""
    return Page(items=await service.milestones_of(session, "case", case.id), next_cursor=None)


def _fields(body) -> dict:
    return body.model_dump() if body is not None else {}


@router.post("/{case_id}/assessment", response_model=CaseOut, responses=REFUSALS)
async def assess(
    body: AssessmentIn,
    case: CaseFor("assess"),
    cmd: CommandDep,
):
    """Risk assessment: severity 1-4 and a probability band give the RAPEX level (or an override
    with a reason); `reported -> assessed`. A regulator of the case's region; 409 once decided."""
    return await service.act("assess", cmd, case, _fields(body))


@router.post("/{case_id}/decision", response_model=CaseOut, responses=REFUSALS)
async def decide(
    body: DecisionIn,
    case: CaseFor("decide"),
    cmd: CommandDep,
):
    """Decide `voluntary_recall` (主动召回), `ordered_recall` (责令召回) or `no_recall` (the
    case closes as `closed_no_recall`). A regulator of the case's region; `assessed` cases only."""
    return await service.act("decide", cmd, case, _fields(body))


@router.post("/{case_id}/plan", response_model=CaseOut, responses=REFUSALS)
async def submit_plan(
    body: PlanIn,
    case: CaseFor("submit_plan"),
    cmd: CommandDep,
):
    """The case's enterprise submits (or resubmits) the recall plan: units affected, remedy,
    summary; the case becomes `recall_planned`. Before a recall decision, 409."""
    return await service.act("submit_plan", cmd, case, _fields(body))


@router.post("/{case_id}/plan/acceptance", response_model=CaseOut, responses=REFUSALS)
async def accept_plan(
    case: CaseFor("accept_plan"),
    cmd: CommandDep,
    body: PlanAcceptanceIn | None = None,
):
    """A regulator of the case's region accepts the submitted plan: `recall_planned ->
    remediating`. 409 from any other stage."""
    return await service.act("accept_plan", cmd, case, _fields(body))


@router.post("/{case_id}/plan/return", response_model=CaseOut, responses=REFUSALS)
async def return_plan(
    body: PlanReturnIn,
    case: CaseFor("return_plan"),
    cmd: CommandDep,
):
    """A regulator of the case's region returns the submitted plan for revision, with a
    reason: `recall_planned -> assessed` (the recall decision stands; the plan is kept, marked
    returned, and a plan is due again counted from now). 409 when no plan awaits acceptance."""
    return await service.return_plan(cmd, case, body)


@router.post("/{case_id}/hazards", status_code=201, response_model=HazardOut, responses=REFUSALS)
async def add_hazard(
    body: HazardIn,
    case: CaseFor("add_hazard"),
    cmd: CommandDep,
):
    """A regulator of the case's region adds a hazard (安全隐患) of a registered enterprise,
    `identified`; that enterprise becomes one of the case's (it sees the case and eliminates
    its hazards). 409 once the case is verified or closed. Returns it (201)."""
    return await service.add_hazard(cmd, case, body)


@router.post(
    "/{case_id}/hazards/{hazard_id}/elimination", response_model=HazardOut, responses=REFUSALS
)
async def eliminate_hazard(
    body: EliminationIn,
    case: CaseFor("eliminate_hazard"),
    hazard: EliminableHazard,
    cmd: CommandDep,
):
    """The case's enterprise records eliminating its own hazard (消除安全隐患) with evidence
    (words, not blank; optionally files it uploaded) and a time: `-> eliminated`. Another
    enterprise's hazard is 403; one not open is 409."""
    return await service.eliminate_hazard(cmd, case, hazard, body)


@router.post(
    "/{case_id}/hazards/{hazard_id}/reopening", response_model=HazardOut, responses=REFUSALS
)
async def reopen_hazard(
    hazard_id: str,
    body: ReopeningIn,
    case: CaseFor("reopen_hazard"),
    cmd: CommandDep,
):
    """A regulator of the case's region reopens an eliminated or verified hazard, with a
    reason: `-> reopened` (open again, to be eliminated again); a verified case goes back to
    `remediating`. 409 for a hazard not eliminated or a closed case."""
    return await service.reopen_hazard(cmd, case, hazard_id, body)


@router.post("/{case_id}/progress-reports", response_model=CaseOut, responses=REFUSALS)
async def report_progress(
    body: ProgressIn,
    case: CaseFor("report_progress"),
    cmd: CommandDep,
):
    """The case's enterprise reports units corrected so far (cumulative) while
    `remediating`, with evidence files if any; the correction rate (corrected / affected)
    follows. Returns the case."""
    return await service.act("report_progress", cmd, case, _fields(body))


@router.post("/{case_id}/verification", response_model=CaseOut, responses=REFUSALS)
async def verify(
    body: VerificationIn,
    case: CaseFor("verify"),
    cmd: CommandDep,
):
    """A regulator of the case's region verifies the remediation, with a note: `remediating ->
    verified`. 409 while a hazard is open or the correction-rate target is not met."""
    return await service.act("verify", cmd, case, _fields(body))


@router.post("/{case_id}/closure", response_model=CaseOut, responses=REFUSALS)
async def close(
    body: ClosureIn,
    case: CaseFor("close"),
    cmd: CommandDep,
):
    """A regulator of the case's region closes a `verified` case with a summary (`closed`);
    409 from any other stage."""
    return await service.act("close", cmd, case, _fields(body))
