"""Industry associations: commands go to the association workflow, reads come from the read
model. Routes hand in the row their permission guard already loaded (recall.associations.access)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations.models import Association
from recall.associations.projection import project_association
from recall.associations.schemas import AssociationCreate, AssociationTransitionIn
from recall.auth import permissions
from recall.auth.principal import Principal
from recall.commands import CommandContext
from recall.common.milestones import milestones_of
from recall.common.pagination import keyset_page
from recall.common.rows import columns
from recall.common.sql import json_array_contains
from recall.errors import Forbidden, InvalidField, NotFound
from recall.programmes.access import visible_programme
from recall.programmes.links import link_member
from recall.programmes.models import Programme
from recall.programmes.service import programme_view
from recall.reference.models import Enterprise
from recall.rules import RuleViolation
from recall.rules.ordered_stages import ASSOCIATION
from recall.rules.registration_no import check_registration_no
from workflows.association import AssociationWorkflow
from workflows.chain import association_workflow_id
from workflows.member_types import AssociationState, CreateMember, StageTransition


async def association_view(session: AsyncSession, association_id: str) -> dict:
    association = await session.get(Association, association_id, populate_existing=True)
    return {
        **columns(association),
        "milestones": await milestones_of(session, "association", association_id),
    }


async def runnable_programme(
    session: AsyncSession, principal: Principal, programme_id: str, field: str
) -> Programme:
    """A programme named in a body: unknown (or not visible) is 422, not allowed to run is 403."""
    try:
        programme = await visible_programme(session, principal, programme_id)
    except NotFound:
        raise InvalidField(f"unknown programme '{programme_id}'", field=field) from None
    if not permissions.may_run_programme(principal, programme.region_codes):
        raise Forbidden(
            f"a {principal.role} may not link to programme {programme_id}: it needs a regulator "
            f"of {', '.join(programme.region_codes)}"
        )
    return programme


async def _founders(session: AsyncSession, enterprise_ids: list[str]) -> list[Enterprise]:
    rows = await session.execute(select(Enterprise).where(Enterprise.id.in_(enterprise_ids)))
    found = {e.id: e for e in rows.scalars()}
    missing = [i for i in enterprise_ids if i not in found]
    if missing:
        raise InvalidField(
            f"unknown enterprise(s): {', '.join(missing)}", field="founding_enterprise_ids"
        )
    return [found[i] for i in enterprise_ids]


async def create_association(
    cmd: CommandContext,
    *,
    data: AssociationCreate,
) -> dict:
    session, principal, ids = cmd.session, cmd.principal, cmd.ids
    founders = await _founders(session, list(dict.fromkeys(data.founding_enterprise_ids)))
    regions = sorted({e.region_code for e in founders})
    if not permissions.may_create_association(principal, regions):
        raise Forbidden(
            f"a {principal.role} may not form an association of enterprises in {', '.join(regions)}"
        )
    if data.programme_id is not None:
        await runnable_programme(session, principal, data.programme_id, "programme_id")
    association_id = ids.new("asn")
    state = AssociationState(
        association_id=association_id,
        name=data.name,
        founding_enterprise_ids=[e.id for e in founders],
        region_codes=regions,
        created_by=principal.actor,
        programme_ids=[data.programme_id] if data.programme_id else [],
    )
    await cmd.start(
        AssociationWorkflow.run,
        state,
        workflow_id=association_workflow_id(association_id),
        update=AssociationWorkflow.create,
        arg=CreateMember(actor=principal.actor),
        key="create",
        project=project_association,
    )
    if data.programme_id is not None:
        await link_member(
            cmd,
            programme_id=data.programme_id,
            kind="association",
            member_id=association_id,
        )
    return await association_view(session, association_id)


def _registration_checked(
    association: Association, data: AssociationTransitionIn
) -> AssociationTransitionIn:
    """The registration number's form, checked here (the workflow checks that it is there):
    only for the step to `registered` that the association's stage allows, so a skipped or
    repeated step stays the workflow's 409."""
    number = data.registration_no
    if data.to != "registered" or not (number or "").strip():
        return data
    if ASSOCIATION.next_after(association.status) != "registered":
        return data
    try:
        kept = check_registration_no(f"association {association.id}", number)
    except RuleViolation as violation:
        raise InvalidField(violation.message, field=violation.field) from None
    return data.model_copy(update={"registration_no": kept})


async def transition(
    cmd: CommandContext,
    *,
    association: Association,
    data: AssociationTransitionIn,
) -> dict:
    session, principal = cmd.session, cmd.principal
    association_id = association.id
    data = _registration_checked(association, data)
    await cmd.send(
        association_workflow_id(association_id),
        AssociationWorkflow.transition,
        StageTransition(
            actor=principal.actor,
            to=data.to,
            note=data.note,
            registration_no=data.registration_no,
        ),
        key="transition",
        project=project_association,
    )
    return await association_view(session, association_id)


async def link_existing(
    cmd: CommandContext,
    *,
    programme: Programme,
    association_id: str,
) -> dict:
    """Link an association that already exists to a programme instead of forming a new one."""
    session = cmd.session
    programme_id = programme.id
    if await session.get(Association, association_id) is None:
        raise InvalidField(f"unknown association '{association_id}'", field="association_id")
    await link_member(
        cmd,
        programme_id=programme_id,
        kind="association",
        member_id=association_id,
    )
    return await programme_view(session, programme_id)


async def list_associations(
    *,
    session: AsyncSession,
    programme_id: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
):
    """Every signed-in principal reads every association."""
    stmt = select(Association)
    if programme_id:
        dialect = session.bind.dialect.name
        stmt = stmt.where(json_array_contains(dialect, Association.programme_ids, programme_id))
    if status:
        stmt = stmt.where(Association.status == status)
    return await keyset_page(
        session,
        stmt,
        [Association.created_at, Association.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
