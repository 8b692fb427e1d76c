"""Writes the brand-cultivation read model from workflow events, keyed by the event sequence."""

from sqlalchemy.ext.asyncio import AsyncSession

from recall.common.projection import insert_milestones, upsert_versioned
from recall.cultivations.models import BrandCultivation
from workflows.chain import cultivation_workflow_id
from workflows.member_types import CultivationProjection


async def project_cultivation(session: AsyncSession, p: CultivationProjection) -> None:
    s = p.state
    updated_at = p.milestones[-1].at if p.milestones else s.created_at
    values = {
        "id": s.cultivation_id,
        "programme_id": s.programme_id,
        "enterprise_id": s.enterprise_id,
        "tier": s.tier,
        "stage": s.stage,
        "certificate_no": s.certificate_no,
        "certified_at": s.certified_at,
        "workflow_id": cultivation_workflow_id(s.cultivation_id),
        "created_by": s.created_by,
        "created_at": s.created_at,
        "updated_at": updated_at,
    }
    await upsert_versioned(session, BrandCultivation, values, s.seq)
    await insert_milestones(session, "cultivation", s.cultivation_id, p.milestones)
    await session.commit()
