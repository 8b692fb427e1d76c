from fastapi import APIRouter

from recall.common.pagination import Cursor, Limit, Page
from recall.common.responses import refusals
from recall.common.text import Filter
from recall.cultivations import service
from recall.cultivations.access import RunnableCultivation, VisibleCultivation
from recall.cultivations.schemas import (
    CultivationCreate,
    CultivationOut,
    CultivationSummaryOut,
    CultivationTransitionIn,
)
from recall.deps import CommandDep, CurrentPrincipal, SessionDep

router = APIRouter(prefix="/brand-cultivations", tags=["brand cultivations"])

REFUSALS = refusals(
    forbidden="the caller may not enrol or advance cultivations of this programme",
    not_found="no such brand cultivation, or not visible to the caller",
    conflict="a skipped or repeated stage, or a second live cultivation",
)


@router.post("", status_code=201, response_model=CultivationOut, responses=REFUSALS)
async def create_cultivation(
    body: CultivationCreate,
    cmd: CommandDep,
):
    """Enrol an enterprise of a programme in brand cultivation (品字标培育), `enrolled`: a
    regulator of the programme's regions (else 403); one live cultivation each (else 409)."""
    return await service.create_cultivation(cmd, data=body)


@router.get("", response_model=Page[CultivationSummaryOut])
async def list_cultivations(
    session: SessionDep,
    principal: CurrentPrincipal,
    programme_id: Filter = None,
    enterprise_id: Filter = None,
    stage: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    """The brand cultivations the caller may see (a regulator: its regions; associations:
    all; an enterprise: its own), by programme, enterprise or stage."""
    items, next_cursor = await service.list_cultivations(
        session=session,
        principal=principal,
        programme_id=programme_id,
        enterprise_id=enterprise_id,
        stage=stage,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{cultivation_id}", response_model=CultivationOut, responses=REFUSALS)
async def get_cultivation(cultivation: VisibleCultivation, session: SessionDep):
    """One brand cultivation with its stage and milestones. For those who may see it; else
    404."""
    return await service.cultivation_view(session, cultivation.id)


@router.post("/{cultivation_id}/transitions", response_model=CultivationOut, responses=REFUSALS)
async def transition_cultivation(
    body: CultivationTransitionIn,
    cultivation: RunnableCultivation,
    cmd: CommandDep,
):
    """Next step, by a regulator of the programme's regions: `diagnosed` (诊断), `improving`,
    `certification_applied`, `certified` (获证, with certificate no.), `labelled`. Skips: 409."""
    return await service.transition(
        cmd,
        cultivation=cultivation,
        data=body,
    )
