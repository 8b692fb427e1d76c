"""Record case histories for the replay test: `python -m tests.workflows.record_histories`.

Run it before changing a workflow, commit the files it writes, then make the change behind
workflow.patched(): the replay test proves that cases already running still replay."""

import asyncio
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import httpx
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from recall import migrate
from recall.db import create_engine, create_sessionmaker
from tests.workflows.helpers import ENTERPRISES, open_case, seed_reference
from workflows import shared as s
from workflows.recall_case import RecallCaseWorkflow as W
from workflows.worker import build_worker

OUT = Path(__file__).parent / "histories"
A = "regulator:record"


async def full_case(env: WorkflowEnvironment, tq: str):  # noqa: ANN201
    h = await open_case(env.client, tq, case_id="case_full")
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_100"))
    await h.execute_update(
        W.add_hazard,
        s.AddHazard(
            actor=A,
            hazard_id="hz_1",
            enterprise_id=ENTERPRISES[0],
            category="ingestion",
            description="magnets",
        ),
    )
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="voluntary_recall"))
    await env.sleep(timedelta(days=16))  # the plan is late: overdue
    await h.execute_update(
        W.submit_plan,
        s.SubmitPlan(
            actor=A,
            units_affected=100,
            remedy="refund",
            summary="refund",
            correction_rate_target=0.5,
        ),
    )
    await h.execute_update(W.accept_plan, s.AcceptPlan(actor=A))
    await h.execute_update(
        W.eliminate_hazard, s.EliminateHazard(actor=A, hazard_id="hz_1", evidence="sealed")
    )
    await env.sleep(timedelta(days=31))  # a progress report is late
    await h.execute_update(W.report_progress, s.ReportProgress(actor=A, units_corrected=80))
    await h.execute_update(W.verify, s.VerifyCase(actor=A, note="ok"))
    await h.execute_update(W.close, s.CloseCase(actor=A, summary="done"))
    await h.result()
    return h


async def no_recall(env: WorkflowEnvironment, tq: str):  # noqa: ANN201
    h = await open_case(env.client, tq, case_id="case_no_recall")
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=1, probability="lt_1_1000000"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="no_recall"))
    await h.result()
    return h


async def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    engine = create_engine(f"sqlite+aiosqlite:///{tmp / 'record.db'}")
    await migrate.upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    await seed_reference(sessionmaker)
    bin_dir = Path(sys.executable).parent
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(bin_dir / "temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    OUT.mkdir(exist_ok=True)
    try:
        async with (
            httpx.AsyncClient() as http,
            build_worker(
                env.client,
                task_queue="record",
                sessionmaker=sessionmaker,
                http=http,
                webhook_url=None,
            ),
        ):
            for scenario in (full_case, no_recall):
                handle = await scenario(env, "record")
                history = await handle.fetch_history()
                path = OUT / f"recall_case_{scenario.__name__}.json"
                path.write_text(history.to_json())
                print(f"wrote {path} ({len(history.events)} events)")
    finally:
        await env.shutdown()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
