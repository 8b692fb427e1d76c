"""The standard workflow's activities: they write its read model from committed events."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from recall.common.activities import implements
from recall.common.projection import write_missing
from recall.standards import projection
from workflows import activities
from workflows.standard_types import StandardProjection


class StandardActivities:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]):
        self.sessionmaker = sessionmaker

    @implements(activities.project_standard)
    async def project_standard(self, p: StandardProjection) -> None:
        async with self.sessionmaker() as session:
            await projection.project_standard(session, p)

    @implements(activities.project_standard_events)
    async def project_standard_events(self, batch: list[StandardProjection]) -> None:
        if not batch:
            return
        async with self.sessionmaker() as session:
            subject = batch[0].state.standard_id
            await write_missing(session, "standard", subject, batch, projection.project_standard)
