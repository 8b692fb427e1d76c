"""Starting standards straight on a Temporal server (no HTTP), shared by workflow and replay
tests. A standard belongs to a programme, so its read model needs a programme row."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from recall.common.types import utcnow
from recall.programmes.models import Programme
from recall.standards.projection import project_standard
from tests.workflows.helpers import Api
from workflows.chain import programme_workflow_id, standard_workflow_id
from workflows.standard import StandardWorkflow
from workflows.standard_types import CreateStandard, StandardInput, StandardState

PROGRAMME_ID = "prg_magnets"
DRAFTERS = ("金华市磁力玩具行业协会", "金华磁业0")


async def seed_programme(
    sessionmaker: async_sessionmaker[AsyncSession], programme_id: str = PROGRAMME_ID
) -> str:
    """A programme row (seed_reference first: it needs the industry)."""
    async with sessionmaker() as session:
        if await session.get(Programme, programme_id) is None:
            session.add(
                Programme(
                    id=programme_id,
                    title="巴克球产业提升",
                    industry_code="magnetic-toys",
                    stage="standard_drafting",
                    stage_since=utcnow(),
                    region_codes=["330702"],
                    workflow_id=programme_workflow_id(programme_id),
                    created_by="regulator:test",
                )
            )
            await session.commit()
    return programme_id


async def start_standard(
    client: Client,
    task_queue: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    standard_id: str | None = None,
    kind: str = "group",
    continue_as_new_after_events: int | None = None,
    write: bool = True,
) -> Api:
    """Start a standard as the API does: the `create` command, its answer written to the read
    model unless `write=False`."""
    standard_id = standard_id or f"std_{uuid.uuid4().hex[:20]}"
    state = StandardState(
        standard_id=standard_id,
        programme_id=PROGRAMME_ID,
        title="磁力玩具 小尺寸强磁体安全要求",
        kind=kind,
        drafting_association_id=None,
        drafters=list(DRAFTERS),
        created_by="association:test",
    )
    handle = await client.start_workflow(
        StandardWorkflow.run,
        StandardInput(state=state, continue_as_new_after_events=continue_as_new_after_events),
        id=standard_workflow_id(standard_id),
        task_queue=task_queue,
    )
    api = Api(handle, sessionmaker, project_standard, write=write)
    await api.execute_update(StandardWorkflow.create, CreateStandard(actor="association:test"))
    return api
