"""Builds the worker that runs every workflow and activity of the project."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from workflows.activities.associations import AssociationActivities
from workflows.activities.cases import CaseActivities
from workflows.activities.cultivations import CultivationActivities
from workflows.activities.notify import NotifyActivities
from workflows.activities.programmes import ProgrammeActivities
from workflows.activities.standards import StandardActivities
from workflows.association import AssociationWorkflow
from workflows.brand_cultivation import BrandCultivationWorkflow
from workflows.industry_programme import IndustryProgrammeWorkflow
from workflows.recall_case import RecallCaseWorkflow
from workflows.standard import StandardWorkflow

WORKFLOWS = [RecallCaseWorkflow, IndustryProgrammeWorkflow, StandardWorkflow]
WORKFLOWS += [AssociationWorkflow, BrandCultivationWorkflow]


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
    standards = StandardActivities(sessionmaker)
    associations = AssociationActivities(sessionmaker)
    cultivations = CultivationActivities(sessionmaker)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[
            cases.open_case,
            cases.project_case,
            notify.notify_overdue,
            programmes.project_programme,
            standards.project_standard,
            associations.project_association,
            cultivations.project_cultivation,
        ],
        max_concurrent_local_activities=50,
    )
