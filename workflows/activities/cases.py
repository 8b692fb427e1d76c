"""Activities of the recall-case workflow: they write the read model."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from recall.cases import projection
from workflows.shared import CaseProjection, CaseState, case_workflow_id


class CaseActivities:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]):
        self.sessionmaker = sessionmaker

    @activity.defn(name="open_case")
    async def open_case(self, state: CaseState) -> str:
        async with self.sessionmaker() as session:
            return await projection.open_case(session, state, case_workflow_id(state.case_id))

    @activity.defn(name="project_case")
    async def project_case(self, p: CaseProjection) -> None:
        async with self.sessionmaker() as session:
            await projection.project_case(session, p)
