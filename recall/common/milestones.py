"""Milestones, the timeline of every case, programme, association, standard and cultivation:
how they are read and how they are shown."""

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.common.models import Milestone


class MilestoneOut(BaseModel):
    at: datetime
    kind: str
    stage: str | None
    actor: str
    note: str | None = None


_M = Milestone.__table__.c
_OF_SUBJECT = (
    select(_M.at, _M.kind, _M.stage, _M.actor, _M.note)
    .where(_M.subject_type == bindparam("subject_type"), _M.subject_id == bindparam("subject_id"))
    .order_by(_M.seq)
)


async def milestones_of(session: AsyncSession, subject_type: str, subject_id: str) -> list:
    """The subject's milestones, oldest first: rows with MilestoneOut's fields as attributes."""
    params = {"subject_type": subject_type, "subject_id": subject_id}
    return list(await session.execute(_OF_SUBJECT, params))
