"""Activity of the brand-cultivation workflow: it writes the read model."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from recall.cultivations import projection
from workflows.member_types import CultivationProjection


class CultivationActivities:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]):
        self.sessionmaker = sessionmaker

    @activity.defn(name="project_cultivation")
    async def project_cultivation(self, p: CultivationProjection) -> None:
        async with self.sessionmaker() as session:
            await projection.project_cultivation(session, p)
