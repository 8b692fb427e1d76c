"""Builds the worker that runs every workflow and activity of the project."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from workflows.activities.cases import CaseActivities
from workflows.activities.notify import NotifyActivities
from workflows.activities.programmes import ProgrammeActivities
from workflows.industry_programme import IndustryProgrammeWorkflow
from workflows.recall_case import RecallCaseWorkflow

WORKFLOWS = [RecallCaseWorkflow, IndustryProgrammeWorkflow]


def build_worker(
    client: Client,
    *,
    task_queue: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    webhook_url: str | None,
) -> Worker:
    cases = CaseActivities(sessionmaker)
    notify = NotifyActivities(http, webhook_url)
    programmes = ProgrammeActivities(sessionmaker)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[
            cases.open_case,
            cases.project_case,
            notify.notify_overdue,
            programmes.project_programme,
        ],
        max_concurrent_local_activities=50,
    )
