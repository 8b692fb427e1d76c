"""The recall-case workflow's activities: the read model from committed events, and the
webhook that tells of a missed deadline (retried by Temporal while the receiver fails)."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from recall.cases import projection
from recall.common.activities import implements
from recall.common.projection import write_missing
from workflows import activities
from workflows.shared import CaseProjection, CaseState, OverdueNotice, case_workflow_id


class CaseActivities:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]):
        self.sessionmaker = sessionmaker

    @implements(activities.open_case)
    async def open_case(self, state: CaseState) -> str:
        async with self.sessionmaker() as session:
            return await projection.open_case(session, state, case_workflow_id(state.case_id))

    @implements(activities.project_case)
    async def project_case(self, p: CaseProjection) -> None:
        async with self.sessionmaker() as session:
            await projection.project_case(session, p)

    @implements(activities.project_case_events)
    async def project_case_events(self, batch: list[CaseProjection]) -> None:
        if not batch:
            return
        async with self.sessionmaker() as session:
            subject = batch[0].state.case_id
            await write_missing(session, "case", subject, batch, projection.project_case)


class NotifyActivities:
    def __init__(self, http: httpx.AsyncClient, webhook_url: str | None):
        self.http = http
        self.webhook_url = webhook_url

    @implements(activities.notify_overdue)
    async def notify_overdue(self, notice: OverdueNotice) -> bool:
        if not self.webhook_url:
            return False
        payload = {
            "event": "case.overdue",
            "case_id": notice.case_id,
            "number": notice.number,
            "item": notice.item,
            "due_at": notice.due_at.isoformat(),
            "detected_at": notice.detected_at.isoformat(),
        }
        response = await self.http.post(self.webhook_url, json=payload, timeout=10)
        response.raise_for_status()
        return True
