"""Outbound notifications (webhooks); retried by Temporal when the receiver fails."""

import httpx
from temporalio import activity

from workflows.shared import OverdueNotice


class NotifyActivities:
    def __init__(self, http: httpx.AsyncClient, webhook_url: str | None):
        self.http = http
        self.webhook_url = webhook_url

    @activity.defn(name="notify_overdue")
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
