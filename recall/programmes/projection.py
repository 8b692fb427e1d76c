"""Writes the programme read model from its workflow's events."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from recall.cases.models import Case
from recall.common.projection import insert_milestones, jsonable, upsert_versioned
from recall.common.sql import insert_ignore
from recall.programmes.models import Programme, ProgrammeMember, ProgrammeRegion
from workflows.chain import ProgrammeProjection


def _stage_since(state) -> object:
    current = next((s for s in state.stages if s.status == "open"), None)
    if current is not None:
        return current.opened_at
    return state.completed_at or state.started_at


async def project_programme(session: AsyncSession, p: ProgrammeProjection) -> None:
    s = p.state
    members = s.members
    now = p.milestones[-1].at if p.milestones else s.started_at
    values = {
        "id": s.programme_id,
        "title": s.title,
        "industry_code": s.industry_code,
        "stage": s.stage,
        "stage_since": _stage_since(s),
        "stages": [jsonable(stage) for stage in s.stages],
        "case_ids": list(members.get("case", {})),
        "association_ids": list(members.get("association", {})),
        "standard_ids": list(members.get("standard", {})),
        "cultivation_ids": list(members.get("cultivation", {})),
        "region_codes": list(s.region_codes),
        "workflow_id": f"programme-{s.programme_id}",
        "created_by": s.created_by,
        "created_at": s.started_at,
        "updated_at": now,
    }
    await upsert_versioned(session, Programme, values, s.seq)
    if s.region_codes:
        rows = [{"programme_id": s.programme_id, "region_code": r} for r in s.region_codes]
        await session.execute(
            insert_ignore(session, ProgrammeRegion, ["programme_id", "region_code"])(rows)
        )
    member_rows = [
        {"programme_id": s.programme_id, "kind": kind, "member_id": member_id}
        for kind, by_id in members.items()
        for member_id in by_id
    ]
    if member_rows:
        await session.execute(
            insert_ignore(session, ProgrammeMember, ["programme_id", "kind", "member_id"])(
                member_rows
            )
        )
    case_ids = list(members.get("case", {}))
    if case_ids:
        await session.execute(
            update(Case)
            .where(Case.id.in_(case_ids), Case.programme_id.is_(None))
            .values(programme_id=s.programme_id)
        )
    await insert_milestones(session, "programme", s.programme_id, p.milestones)
    await session.commit()
