"""The association workflow's activities: they write its read model from committed events."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from recall.associations import projection
from recall.common.activities import implements
from recall.common.projection import write_missing
from workflows import activities
from workflows.member_types import AssociationProjection


class AssociationActivities:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]):
        self.sessionmaker = sessionmaker

    @implements(activities.project_association)
    async def project_association(self, p: AssociationProjection) -> None:
        async with self.sessionmaker() as session:
            await projection.project_association(session, p)

    @implements(activities.project_association_events)
    async def project_association_events(self, batch: list[AssociationProjection]) -> None:
        if not batch:
            return
        async with self.sessionmaker() as session:
            subject = batch[0].state.association_id
            await write_missing(
                session, "association", subject, batch, projection.project_association
            )
