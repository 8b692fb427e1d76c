"""Milestones, the timeline of every case, programme, association, standard and cultivation:
how they are read and how they are shown."""

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.common.models import Milestone


class MilestoneOut(BaseModel):
    at: datetime
    kind: str
    stage: str | None
    actor: str
    note: str | None = None


async def milestones_of(session: AsyncSession, subject_type: str, subject_id: str) -> list:
    """The subject's milestones, oldest first: rows with MilestoneOut's fields as attributes."""
    m = Milestone.__table__.c
    stmt = (
        select(m.at, m.kind, m.stage, m.actor, m.note)
        .where(m.subject_type == subject_type, m.subject_id == subject_id)
        .order_by(m.seq)
    )
    return list(await session.execute(stmt))
