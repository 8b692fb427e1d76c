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
    """The subject's milestones, oldest first."""
    stmt = (
        select(Milestone)
        .where(Milestone.subject_type == subject_type, Milestone.subject_id == subject_id)
        .order_by(Milestone.seq)
    )
    return list((await session.execute(stmt)).scalars())
