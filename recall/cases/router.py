from fastapi import APIRouter

from recall.cases import service
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
    MilestoneOut,
    PlanAcceptanceIn,
    PlanIn,
    ProgressIn,
    VerificationIn,
)
from recall.common.pagination import Cursor, Limit, Page
from recall.deps import CurrentPrincipal, EngineDep, IdsDep, SessionDep

router = APIRouter(prefix="/cases", tags=["recall cases"])

REFUSALS = {
    404: {"description": "no such case (or not visible to the caller)"},
    409: {"description": "the case's stage or rules forbid this command; detail says why"},
    422: {"description": "a field is invalid; `field` names it"},
    503: {"description": "the workflow engine did not take the command in time; retry"},
}


@router.post("", status_code=201, response_model=CaseOut, responses=REFUSALS)
async def open_case(
    body: CaseCreate,
    session: SessionDep,
    engine: EngineDep,
    principal: CurrentPrincipal,
    ids: IdsDep,
):
    return await service.open_case(
        session=session, engine=engine, principal=principal, ids=ids, data=body
    )


@router.get("", response_model=Page[CaseSummaryOut])
async def list_cases(
    session: SessionDep,
    stage: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    overdue: bool | None = None,
    q: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    items, next_cursor = await service.list_cases(
        session=session,
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
async def get_case(case_id: str, session: SessionDep):
    return await service.get_case(session=session, case_id=case_id)


@router.get("/{case_id}/milestones", response_model=Page[MilestoneOut], responses=REFUSALS)
async def case_milestones(case_id: str, session: SessionDep):
    case = await service.get_case(session=session, case_id=case_id)
    return Page(items=case["milestones"], next_cursor=None)


@router.post("/{case_id}/assessment", response_model=CaseOut, responses=REFUSALS)
async def assess(
    case_id: str,
    body: AssessmentIn,
    session: SessionDep,
    engine: EngineDep,
    principal: CurrentPrincipal,
    ids: IdsDep,
):
    return await service.assess(
        session=session, engine=engine, principal=principal, ids=ids, case_id=case_id, data=body
    )


@router.post("/{case_id}/decision", response_model=CaseOut, responses=REFUSALS)
async def decide(
    case_id: str,
    body: DecisionIn,
    session: SessionDep,
    engine: EngineDep,
    principal: CurrentPrincipal,
    ids: IdsDep,
):
    return await service.decide(
        session=session, engine=engine, principal=principal, ids=ids, case_id=case_id, data=body
    )


@router.post("/{case_id}/plan", response_model=CaseOut, responses=REFUSALS)
async def submit_plan(
    case_id: str,
    body: PlanIn,
    session: SessionDep,
    engine: EngineDep,
    principal: CurrentPrincipal,
    ids: IdsDep,
):
    return await service.submit_plan(
        session=session, engine=engine, principal=principal, ids=ids, case_id=case_id, data=body
    )


@router.post("/{case_id}/plan/acceptance", response_model=CaseOut, responses=REFUSALS)
async def accept_plan(
    case_id: str,
    session: SessionDep,
    engine: EngineDep,
    principal: CurrentPrincipal,
    ids: IdsDep,
    body: PlanAcceptanceIn | None = None,
):
    return await service.accept_plan(
        session=session,
        engine=engine,
        principal=principal,
        ids=ids,
        case_id=case_id,
        data=body or PlanAcceptanceIn(),
    )


@router.post("/{case_id}/hazards", status_code=201, response_model=HazardOut, responses=REFUSALS)
async def add_hazard(
    case_id: str,
    body: HazardIn,
    session: SessionDep,
    engine: EngineDep,
    principal: CurrentPrincipal,
    ids: IdsDep,
):
    return await service.add_hazard(
        session=session, engine=engine, principal=principal, ids=ids, case_id=case_id, data=body
    )


@router.post(
    "/{case_id}/hazards/{hazard_id}/elimination", response_model=HazardOut, responses=REFUSALS
)
async def eliminate_hazard(
    case_id: str,
    hazard_id: str,
    body: EliminationIn,
    session: SessionDep,
    engine: EngineDep,
    principal: CurrentPrincipal,
    ids: IdsDep,
):
    return await service.eliminate_hazard(
        session=session,
        engine=engine,
        principal=principal,
        ids=ids,
        case_id=case_id,
        hazard_id=hazard_id,
        data=body,
    )


@router.post("/{case_id}/progress-reports", response_model=CaseOut, responses=REFUSALS)
async def report_progress(
    case_id: str,
    body: ProgressIn,
    session: SessionDep,
    engine: EngineDep,
    principal: CurrentPrincipal,
    ids: IdsDep,
):
    return await service.report_progress(
        session=session, engine=engine, principal=principal, ids=ids, case_id=case_id, data=body
    )


@router.post("/{case_id}/verification", response_model=CaseOut, responses=REFUSALS)
async def verify(
    case_id: str,
    body: VerificationIn,
    session: SessionDep,
    engine: EngineDep,
    principal: CurrentPrincipal,
    ids: IdsDep,
):
    return await service.verify(
        session=session, engine=engine, principal=principal, ids=ids, case_id=case_id, data=body
    )


@router.post("/{case_id}/closure", response_model=CaseOut, responses=REFUSALS)
async def close(
    case_id: str,
    body: ClosureIn,
    session: SessionDep,
    engine: EngineDep,
    principal: CurrentPrincipal,
    ids: IdsDep,
):
    return await service.close(
        session=session, engine=engine, principal=principal, ids=ids, case_id=case_id, data=body
    )
