"""Writes the association read model from workflow events, keyed by the event sequence."""

from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations.models import Association
from recall.common.projection import insert_milestones, upsert_versioned
from workflows.chain import association_workflow_id
from workflows.member_types import AssociationProjection


async def project_association(session: AsyncSession, p: AssociationProjection) -> None:
    s = p.state
    updated_at = p.milestones[-1].at if p.milestones else s.created_at
    values = {
        "id": s.association_id,
        "name": s.name,
        "status": s.stage,
        "founding_enterprise_ids": list(s.founding_enterprise_ids),
        "programme_ids": list(s.programme_ids),
        "region_codes": list(s.region_codes),
        "registration_no": s.registration_no,
        "registered_at": s.registered_at,
        "workflow_id": association_workflow_id(s.association_id),
        "created_by": s.created_by,
        "created_at": s.created_at,
        "updated_at": updated_at,
    }
    await upsert_versioned(session, Association, values, s.seq)
    await insert_milestones(session, "association", s.association_id, p.milestones)
    await session.commit()
