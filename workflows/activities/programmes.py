"""Activities of the industry programme workflow: they write its read model."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from recall.programmes import projection
from workflows.chain import ProgrammeProjection


class ProgrammeActivities:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]):
        self.sessionmaker = sessionmaker

    @activity.defn(name="project_programme")
    async def project_programme(self, p: ProgrammeProjection) -> None:
        async with self.sessionmaker() as session:
            await projection.project_programme(session, p)
