"""Industry programmes: started from cases of one industry, advanced by their members."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.cases.access import scope_cases
from recall.cases.models import Case, Hazard
from recall.commands import CommandContext
from recall.common.milestones import milestones_of
from recall.common.pagination import keyset_page
from recall.common.rows import columns
from recall.errors import Conflict, Forbidden, InvalidField
from recall.programmes.access import scope_programmes
from recall.programmes.models import Programme
from recall.programmes.projection import project_programme
from recall.programmes.schemas import ProgrammeCreate, WaiverIn
from recall.reference.service import require_industry
from recall.rules.case_rules import OPEN_HAZARD_STATUSES
from workflows.chain import (
    MemberStatus,
    ProgrammeInput,
    ProgrammeState,
    StartProgramme,
    WaiveStage,
    programme_workflow_id,
)
from workflows.industry_programme import IndustryProgrammeWorkflow


async def programme_view(session: AsyncSession, programme_id: str) -> dict:
    programme = await session.get(Programme, programme_id, populate_existing=True)
    return {
        **columns(programme),
        "milestones": await milestones_of(session, "programme", programme_id),
    }


async def _case_statuses(session: AsyncSession, cases: list[Case]) -> dict[str, MemberStatus]:
    """Where each case stands now; running cases report changes themselves from here on."""
    ids = [c.id for c in cases]
    total = func.count(Hazard.id)
    open_ = func.count(Hazard.id).filter(Hazard.status.in_(OPEN_HAZARD_STATUSES))
    rows = await session.execute(
        select(Hazard.case_id, total, open_).where(Hazard.case_id.in_(ids)).group_by(Hazard.case_id)
    )
    counts = {case_id: (t, o) for case_id, t, o in rows}
    return {
        c.id: MemberStatus(
            kind="case",
            member_id=c.id,
            status=c.stage,
            hazards=counts.get(c.id, (0, 0))[0],
            open_hazards=counts.get(c.id, (0, 0))[1],
        )
        for c in cases
    }


async def create_programme(
    cmd: CommandContext,
    *,
    data: ProgrammeCreate,
) -> dict:
    session, principal, ids = cmd.session, cmd.principal, cmd.ids
    await require_industry(session, data.industry_code, "industry_code")
    case_ids = list(dict.fromkeys(data.case_ids))
    stmt = scope_cases(select(Case).where(Case.id.in_(case_ids)), principal)
    found = {c.id: c for c in (await session.execute(stmt)).scalars()}
    missing = [i for i in case_ids if i not in found]
    if missing:
        raise InvalidField(f"unknown case(s): {', '.join(missing)}", field="case_ids")
    programme_id = ids.new("prg")
    cases = [found[i] for i in case_ids]
    for case in cases:
        if case.industry_code != data.industry_code:
            raise InvalidField(
                f"case {case.number} is in industry {case.industry_code}, not {data.industry_code}",
                field="case_ids",
            )
        if case.programme_id and case.programme_id != programme_id:
            raise Conflict(
                f"case {case.number} is already in programme {case.programme_id}", field="case_ids"
            )
    regions = sorted({c.region_code for c in cases if c.region_code})
    if not permissions.may_run_programme(principal, regions):
        raise Forbidden(
            f"a {principal.role} may not start a programme over regions {', '.join(regions)}"
        )
    state = ProgrammeState(
        programme_id=programme_id,
        title=data.title,
        industry_code=data.industry_code,
        region_codes=regions,
        created_by=principal.actor,
    )
    state.members["case"] = await _case_statuses(session, cases)
    await cmd.start(
        IndustryProgrammeWorkflow.run,
        ProgrammeInput(state=state),
        workflow_id=programme_workflow_id(programme_id),
        update=IndustryProgrammeWorkflow.start,
        arg=StartProgramme(actor=principal.actor),
        key="start",
        project=project_programme,
    )
    return await programme_view(session, programme_id)


async def waive(
    cmd: CommandContext,
    *,
    programme: Programme,
    data: WaiverIn,
) -> dict:
    session, principal = cmd.session, cmd.principal
    programme_id = programme.id
    await cmd.send(
        programme_workflow_id(programme_id),
        IndustryProgrammeWorkflow.waive,
        WaiveStage(actor=principal.actor, stage=data.stage, reason=data.reason),
        key="waive",
        project=project_programme,
    )
    return await programme_view(session, programme_id)


async def list_programmes(
    *,
    session: AsyncSession,
    principal: Principal,
    industry: str | None,
    stage: str | None,
    limit: int,
    cursor: str | None,
):
    stmt = scope_programmes(select(Programme), principal, session.bind.dialect.name)
    if industry:
        stmt = stmt.where(Programme.industry_code == industry)
    if stage:
        stmt = stmt.where(Programme.stage == stage)
    return await keyset_page(
        session,
        stmt,
        [Programme.created_at, Programme.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
