"""Activities of the standard workflow: they write the read model."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from recall.standards import projection
from workflows.standard_types import StandardProjection


class StandardActivities:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]):
        self.sessionmaker = sessionmaker

    @activity.defn(name="project_standard")
    async def project_standard(self, p: StandardProjection) -> None:
        async with self.sessionmaker() as session:
            await projection.project_standard(session, p)
