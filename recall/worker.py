"""Builds the worker that runs every workflow and activity of the project."""

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxRestrictions

from recall.associations.activities import AssociationActivities
from recall.cases.activities import CaseActivities, NotifyActivities
from recall.cultivations.activities import CultivationActivities
from recall.programmes.activities import ProgrammeActivities
from recall.sdk_fast_paths import CompiledSandboxRunner, skip_payload_walks
from recall.standards.activities import StandardActivities
from workflows.association import AssociationWorkflow
from workflows.brand_cultivation import BrandCultivationWorkflow
from workflows.industry_programme import IndustryProgrammeWorkflow
from workflows.recall_case import RecallCaseWorkflow
from workflows.standard import StandardWorkflow

WORKFLOWS = [RecallCaseWorkflow, IndustryProgrammeWorkflow, StandardWorkflow]
WORKFLOWS += [AssociationWorkflow, BrandCultivationWorkflow]
# The sandbox imports a workflow's module afresh for every run it starts. What those modules import
# from here holds definitions and pure functions only, no state: shared by every run, as the SDK
# shares pydantic and the standard library, instead of executed again for each new case.
SHARED_MODULES = (
    "recall.rules",
    "workflows.activities",
    "workflows.chain",
    "workflows.journal",
    "workflows.member_types",
    "workflows.shared",
    "workflows.staged_member",
    "workflows.standard_types",
)
RUNNER = CompiledSandboxRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(*SHARED_MODULES)
)


def build_worker(
    client: Client,
    *,
    task_queue: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    webhook_url: str | None,
    max_concurrent_workflow_tasks: int | None = None,
    max_concurrent_activities: int | None = None,
    graceful_shutdown: timedelta = timedelta(),
) -> Worker:
    """graceful_shutdown: how long activities running at shutdown may go on before they are
    cancelled; the worker polls for nothing new meanwhile. None slots: the SDK's defaults."""
    skip_payload_walks()
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
        workflow_runner=RUNNER,
        activities=[
            cases.open_case,
            cases.project_case,
            cases.project_case_events,
            notify.notify_overdue,
            programmes.project_programme,
            programmes.project_programme_events,
            standards.project_standard,
            standards.project_standard_events,
            associations.project_association,
            associations.project_association_events,
            cultivations.project_cultivation,
            cultivations.project_cultivation_events,
        ],
        max_concurrent_local_activities=50,
        max_concurrent_workflow_tasks=max_concurrent_workflow_tasks,
        max_concurrent_activities=max_concurrent_activities,
        graceful_shutdown_timeout=graceful_shutdown,
    )
