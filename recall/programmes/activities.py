"""The programme workflow's activities: they write its read model from committed events."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from recall.common.activities import implements
from recall.common.projection import write_missing
from recall.programmes import projection
from workflows import activities
from workflows.chain import ProgrammeProjection


class ProgrammeActivities:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]):
        self.sessionmaker = sessionmaker

    @implements(activities.project_programme)
    async def project_programme(self, p: ProgrammeProjection) -> None:
        async with self.sessionmaker() as session:
            await projection.project_programme(session, p)

    @implements(activities.project_programme_events)
    async def project_programme_events(self, batch: list[ProgrammeProjection]) -> None:
        if not batch:
            return
        async with self.sessionmaker() as session:
            subject = batch[0].state.programme_id
            await write_missing(session, "programme", subject, batch, projection.project_programme)
