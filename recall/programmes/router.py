from fastapi import APIRouter

from recall.common.milestones import MilestoneOut
from recall.common.pagination import Cursor, Limit, Page
from recall.common.responses import refusals
from recall.common.text import Filter
from recall.deps import CommandDep, CurrentPrincipal, SessionDep
from recall.programmes import service
from recall.programmes.access import RunnableProgramme, VisibleProgramme
from recall.programmes.schemas import (
    ProgrammeCreate,
    ProgrammeOut,
    ProgrammeSummaryOut,
    WaiverIn,
)

router = APIRouter(prefix="/programmes", tags=["industry programmes"])

REFUSALS = refusals(
    forbidden="the caller may not run this programme",
    not_found="no such programme, or not visible to the caller",
    conflict="the programme's stages forbid this; detail says why",
)


@router.post("", status_code=201, response_model=ProgrammeOut, responses=REFUSALS)
async def create_programme(
    body: ProgrammeCreate,
    cmd: CommandDep,
):
    """Start an industry programme (产业提升项目) from cases of one industry: a regulator
    whose regions cover all theirs (else 403); a case already in a programme is 409."""
    return await service.create_programme(cmd, data=body)


@router.get("", response_model=Page[ProgrammeSummaryOut])
async def list_programmes(
    session: SessionDep,
    principal: CurrentPrincipal,
    industry: Filter = None,
    stage: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    """The industry programmes the caller may see (a regulator: its regions; an
    association or a cultivated enterprise: its own), by industry and stage."""
    items, next_cursor = await service.list_programmes(
        session=session,
        principal=principal,
        industry=industry,
        stage=stage,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{programme_id}", response_model=ProgrammeOut, responses=REFUSALS)
async def get_programme(programme: VisibleProgramme, session: SessionDep):
    """One industry programme: where it stands in the chain and since when, and its cases,
    associations, standards and cultivations. For those who may see it; else 404."""
    return await service.programme_view(session, programme.id)


@router.get("/{programme_id}/milestones", response_model=Page[MilestoneOut], responses=REFUSALS)
async def programme_milestones(programme: VisibleProgramme, session: SessionDep):
    """The programme's timeline: its milestones (里程碑) in order. For those who may
    see it; else 404."""
    view = await service.programme_view(session, programme.id)
    return Page(items=view["milestones"], next_cursor=None)


@router.post("/{programme_id}/waivers", response_model=ProgrammeOut, responses=REFUSALS)
async def waive(
    body: WaiverIn,
    programme: RunnableProgramme,
    cmd: CommandDep,
):
    """Waive a programme stage with a reason, kept as a milestone: a regulator of all its
    regions (else 403). A stage already complete or waived is 409."""
    return await service.waive(cmd, programme=programme, data=body)
