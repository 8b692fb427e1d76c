"""Activity of the association workflow: it writes the read model."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from recall.associations import projection
from workflows.member_types import AssociationProjection


class AssociationActivities:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]):
        self.sessionmaker = sessionmaker

    @activity.defn(name="project_association")
    async def project_association(self, p: AssociationProjection) -> None:
        async with self.sessionmaker() as session:
            await projection.project_association(session, p)
