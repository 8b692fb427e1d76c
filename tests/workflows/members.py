"""Starting associations and brand cultivations straight on a Temporal server (no HTTP), and a
test-only programme that records what its members report. Shared by the member workflow tests
and by record_histories."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from temporalio import workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from recall.associations.projection import project_association
    from recall.common.types import utcnow
    from recall.cultivations.projection import project_cultivation
    from recall.programmes.models import Programme
    from tests.workflows.helpers import ENTERPRISES, Api
    from workflows.association import AssociationWorkflow
    from workflows.brand_cultivation import BrandCultivationWorkflow
    from workflows.chain import (
        MEMBER_STATUS_SIGNAL,
        MemberStatus,
        association_workflow_id,
        cultivation_workflow_id,
        programme_workflow_id,
    )
    from workflows.member_types import AssociationState, CreateMember, CultivationState

A = "regulator:test"


@workflow.defn(name="ProgrammeRecorder")
class ProgrammeRecorder:
    """Stands in for an industry programme: keeps every member_status signal it receives."""

    def __init__(self) -> None:
        self.statuses: list[MemberStatus] = []

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.signal(name=MEMBER_STATUS_SIGNAL)
    def member_status(self, status: MemberStatus) -> None:
        self.statuses.append(status)

    @workflow.query
    def received(self) -> list[MemberStatus]:
        return self.statuses


@asynccontextmanager
async def recorder_worker(client: Client) -> AsyncIterator[str]:
    """A worker for recorders on a task queue of their own; yields the task queue."""
    task_queue = f"recorders-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=task_queue, workflows=[ProgrammeRecorder]):
        yield task_queue


async def start_recorder(client: Client, task_queue: str, programme_id: str) -> WorkflowHandle:
    return await client.start_workflow(
        ProgrammeRecorder.run, id=programme_workflow_id(programme_id), task_queue=task_queue
    )


async def reports(handle: WorkflowHandle, n: int, timeout: float = 10) -> list[tuple]:
    """The first (kind, member_id, status) reports once at least n have arrived."""
    async with asyncio.timeout(timeout):
        while True:
            got = await handle.query(ProgrammeRecorder.received)
            if len(got) >= n:
                return [(s.kind, s.member_id, s.status) for s in got]
            await asyncio.sleep(0.05)


async def seed_programme(sessionmaker: async_sessionmaker[AsyncSession], programme_id: str) -> None:
    """A programme row for the cultivations' foreign key (the programme workflow is not run)."""
    async with sessionmaker() as session:
        now = utcnow()
        session.add(
            Programme(
                id=programme_id,
                title="巴克球产业提升",
                industry_code="magnetic-toys",
                stage="brand_cultivation",
                stage_since=now,
                region_codes=["330702"],
                workflow_id=programme_workflow_id(programme_id),
                created_by=A,
            )
        )
        await session.commit()


async def start_association(
    client: Client,
    task_queue: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    association_id: str | None = None,
    **state_fields,
) -> Api:
    """Start an association as the API does: `create`, its answer written to the read model."""
    association_id = association_id or f"asn_{uuid.uuid4().hex[:20]}"
    state = AssociationState(
        association_id=association_id,
        name=state_fields.pop("name", "金华市磁力玩具行业协会"),
        founding_enterprise_ids=list(ENTERPRISES),
        region_codes=["330702"],
        created_by=A,
        **state_fields,
    )
    handle = await client.start_workflow(
        AssociationWorkflow.run,
        state,
        id=association_workflow_id(association_id),
        task_queue=task_queue,
    )
    api = Api(handle, sessionmaker, project_association)
    await api.execute_update(AssociationWorkflow.create, CreateMember(actor=A))
    return api


async def start_cultivation(
    client: Client,
    task_queue: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    programme_id: str,
    *,
    cultivation_id: str | None = None,
) -> Api:
    """Start a cultivation as the API does: `create`, its answer written to the read model."""
    cultivation_id = cultivation_id or f"bc_{uuid.uuid4().hex[:20]}"
    state = CultivationState(
        cultivation_id=cultivation_id,
        programme_id=programme_id,
        enterprise_id=ENTERPRISES[0],
        tier="培育",
        created_by=A,
    )
    handle = await client.start_workflow(
        BrandCultivationWorkflow.run,
        state,
        id=cultivation_workflow_id(cultivation_id),
        task_queue=task_queue,
    )
    api = Api(handle, sessionmaker, project_cultivation)
    await api.execute_update(BrandCultivationWorkflow.create, CreateMember(actor=A))
    return api
