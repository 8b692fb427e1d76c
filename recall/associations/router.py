from fastapi import APIRouter

from recall.associations import service
from recall.associations.access import ChangeableAssociation, VisibleAssociation
from recall.associations.schemas import (
    AssociationCreate,
    AssociationLinkIn,
    AssociationOut,
    AssociationSummaryOut,
    AssociationTransitionIn,
)
from recall.common.pagination import Cursor, Limit, Page
from recall.common.responses import refusals
from recall.common.text import Filter
from recall.deps import CommandDep, CurrentPrincipal, SessionDep
from recall.programmes.access import RunnableProgramme
from recall.programmes.schemas import ProgrammeOut

router = APIRouter(tags=["associations"])

REFUSALS = refusals(
    forbidden="the caller may not change this association (or run the programme)",
    not_found="no such association or programme, or not visible to the caller",
    conflict="stages are taken in order: a skipped or repeated step; detail says why",
)


@router.post("/associations", status_code=201, response_model=AssociationOut, responses=REFUSALS)
async def create_association(
    body: AssociationCreate,
    cmd: CommandDep,
):
    """Form an industry association (行业协会) of founding enterprises, `proposed`: admin
    or a regulator of a founder's region (else 403); may link it to a programme it runs."""
    return await service.create_association(cmd, data=body)


@router.get("/associations", response_model=Page[AssociationSummaryOut])
async def list_associations(
    session: SessionDep,
    _principal: CurrentPrincipal,
    programme_id: Filter = None,
    status: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    """Every industry association, by programme and status. Any signed-in caller."""
    items, next_cursor = await service.list_associations(
        session=session, programme_id=programme_id, status=status, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/associations/{association_id}", response_model=AssociationOut, responses=REFUSALS)
async def get_association(association: VisibleAssociation, session: SessionDep):
    """One association: founding members, status, registration, milestones. Any signed-in
    caller; unknown is 404."""
    return await service.association_view(session, association.id)


@router.post(
    "/associations/{association_id}/transitions",
    response_model=AssociationOut,
    responses=REFUSALS,
)
async def transition_association(
    body: AssociationTransitionIn,
    association: ChangeableAssociation,
    cmd: CommandDep,
):
    """Take the next step of an association (筹备, 章程通过, 登记成立 with a registration
    number): the association itself or its members' regulators. A skipped step is 409."""
    return await service.transition(
        cmd,
        association=association,
        data=body,
    )


@router.post(
    "/programmes/{programme_id}/associations", response_model=ProgrammeOut, responses=REFUSALS
)
async def link_association(
    body: AssociationLinkIn,
    programme: RunnableProgramme,
    cmd: CommandDep,
):
    """Link an existing association to a programme instead of forming one: a regulator of
    all the programme's regions (else 403). Returns the programme."""
    return await service.link_existing(
        cmd,
        programme=programme,
        association_id=body.association_id,
    )
