"""Brand cultivations (品字标培育): commands go to the cultivation workflow, reads come from the
read model. Routes hand in the row their permission guard already loaded."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.commands import CommandContext
from recall.common.milestones import milestones_of
from recall.common.pagination import keyset_page
from recall.common.rows import columns
from recall.cultivations.access import scope_cultivations
from recall.cultivations.models import BrandCultivation
from recall.cultivations.projection import project_cultivation
from recall.cultivations.schemas import CultivationCreate, CultivationTransitionIn
from recall.errors import Conflict, Forbidden, InvalidField, InvalidTransition, NotFound
from recall.programmes.access import visible_programme
from recall.programmes.links import link_member
from recall.reports.service import require_enterprises
from recall.rules import RuleViolation
from recall.rules.ordered_stages import CULTIVATION
from workflows.brand_cultivation import BrandCultivationWorkflow
from workflows.chain import cultivation_workflow_id
from workflows.member_types import CreateMember, CultivationState, StageTransition


async def cultivation_view(session: AsyncSession, cultivation_id: str) -> dict:
    cultivation = await session.get(BrandCultivation, cultivation_id, populate_existing=True)
    return {
        **columns(cultivation),
        "milestones": await milestones_of(session, "cultivation", cultivation_id),
    }


async def _live_cultivation(
    session: AsyncSession, programme_id: str, enterprise_id: str
) -> BrandCultivation | None:
    stmt = select(BrandCultivation).where(
        BrandCultivation.programme_id == programme_id,
        BrandCultivation.enterprise_id == enterprise_id,
        BrandCultivation.stage != CULTIVATION.last,
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def create_cultivation(
    cmd: CommandContext,
    *,
    data: CultivationCreate,
) -> dict:
    session, principal, ids = cmd.session, cmd.principal, cmd.ids
    try:
        programme = await visible_programme(session, principal, data.programme_id)
    except NotFound:
        raise InvalidField(
            f"unknown programme '{data.programme_id}'", field="programme_id"
        ) from None
    if not permissions.may_run_cultivation(principal, programme.region_codes):
        raise Forbidden(
            f"a {principal.role} may not enrol enterprises in programme {programme.id}: it "
            f"needs a regulator of {', '.join(programme.region_codes)}"
        )
    await require_enterprises(session, [data.enterprise_id], "enterprise_id")
    cultivation_id = ids.new("bc")
    live = await _live_cultivation(session, programme.id, data.enterprise_id)
    if live is not None and live.id != cultivation_id:  # the same id: a retry of this request
        raise Conflict(
            f"enterprise {data.enterprise_id} already has brand cultivation {live.id} "
            f"({live.stage}) in programme {programme.id}",
            field="enterprise_id",
        )
    state = CultivationState(
        cultivation_id=cultivation_id,
        programme_id=programme.id,
        enterprise_id=data.enterprise_id,
        tier=data.tier,
        created_by=principal.actor,
    )
    await cmd.start(
        BrandCultivationWorkflow.run,
        state,
        workflow_id=cultivation_workflow_id(cultivation_id),
        update=BrandCultivationWorkflow.create,
        arg=CreateMember(actor=principal.actor),
        key="create",
        project=project_cultivation,
    )
    await link_member(
        cmd,
        programme_id=state.programme_id,
        kind="cultivation",
        member_id=cultivation_id,
    )
    return await cultivation_view(session, cultivation_id)


async def transition(
    cmd: CommandContext,
    *,
    cultivation: BrandCultivation,
    data: CultivationTransitionIn,
) -> dict:
    session, principal = cmd.session, cmd.principal
    cultivation_id = cultivation.id
    if cultivation.stage == CULTIVATION.last:  # its process has ended: answer from the rule
        try:
            CULTIVATION.check(f"brand cultivation {cultivation_id}", cultivation.stage, data.to, {})
        except RuleViolation as violation:
            raise InvalidTransition(violation.message) from None
    await cmd.send(
        cultivation_workflow_id(cultivation_id),
        BrandCultivationWorkflow.transition,
        StageTransition(
            actor=principal.actor,
            to=data.to,
            note=data.note,
            certificate_no=data.certificate_no,
        ),
        key="transition",
        project=project_cultivation,
    )
    return await cultivation_view(session, cultivation_id)


async def list_cultivations(
    *,
    session: AsyncSession,
    principal: Principal,
    programme_id: str | None,
    enterprise_id: str | None,
    stage: str | None,
    limit: int,
    cursor: str | None,
):
    stmt = scope_cultivations(select(BrandCultivation), principal)
    if programme_id:
        stmt = stmt.where(BrandCultivation.programme_id == programme_id)
    if enterprise_id:
        stmt = stmt.where(BrandCultivation.enterprise_id == enterprise_id)
    if stage:
        stmt = stmt.where(BrandCultivation.stage == stage)
    return await keyset_page(
        session,
        stmt,
        [BrandCultivation.created_at, BrandCultivation.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
