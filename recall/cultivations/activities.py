"""The cultivation workflow's activities: they write its read model from committed events."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from recall.common.activities import implements
from recall.common.projection import write_missing
from recall.cultivations import projection
from workflows import activities
from workflows.member_types import CultivationProjection


class CultivationActivities:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]):
        self.sessionmaker = sessionmaker

    @implements(activities.project_cultivation)
    async def project_cultivation(self, p: CultivationProjection) -> None:
        async with self.sessionmaker() as session:
            await projection.project_cultivation(session, p)

    @implements(activities.project_cultivation_events)
    async def project_cultivation_events(self, batch: list[CultivationProjection]) -> None:
        if not batch:
            return
        async with self.sessionmaker() as session:
            subject = batch[0].state.cultivation_id
            await write_missing(
                session, "cultivation", subject, batch, projection.project_cultivation
            )
