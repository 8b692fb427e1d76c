"""Opening cases straight on a Temporal server (no HTTP), shared by workflow and replay tests."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowHandle

from recall.reference.models import Enterprise, Industry, Region
from workflows.recall_case import RecallCaseWorkflow
from workflows.shared import CaseInput, CaseState, Deadlines, OpenCase, case_workflow_id

ENTERPRISES = ("ent_magnet_a", "ent_magnet_b")


async def seed_reference(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        if await session.get(Region, "330702") is None:
            session.add(Region(code="330702", name="婺城区"))
            session.add(Industry(code="magnetic-toys", name="巴克球", keywords=["magnet"]))
            await session.flush()
            for i, ent_id in enumerate(ENTERPRISES):
                session.add(
                    Enterprise(
                        id=ent_id,
                        name=f"金华磁业{i}",
                        credit_code=f"91330702TEST0000{i}X",
                        region_code="330702",
                        industry_code="magnetic-toys",
                    )
                )
            await session.commit()


async def open_case(
    client: Client,
    task_queue: str,
    *,
    deadlines: Deadlines | None = None,
    case_id: str | None = None,
    continue_as_new_after_events: int | None = None,
) -> WorkflowHandle:
    case_id = case_id or f"case_{uuid.uuid4().hex[:20]}"
    state = CaseState(
        case_id=case_id,
        title="巴克球 magnet balls",
        industry_code="magnetic-toys",
        region_code="330702",
        enterprise_ids=list(ENTERPRISES),
        defect_report_ids=[],
        created_by="regulator:test",
    )
    handle = await client.start_workflow(
        RecallCaseWorkflow.run,
        CaseInput(
            state=state,
            deadlines=deadlines or Deadlines(),
            continue_as_new_after_events=continue_as_new_after_events,
        ),
        id=case_workflow_id(case_id),
        task_queue=task_queue,
    )
    await handle.execute_update(RecallCaseWorkflow.open, OpenCase(actor="regulator:test"))
    return handle
