"""The brand-cultivation workflow on the time-skipping server, writing its read model to
PostgreSQL and reporting to a test-only programme."""

import uuid

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from recall.common.models import Milestone
from recall.cultivations.models import BrandCultivation
from recall.gateway import refusal_to_error
from tests.conftest import running_worker
from tests.workflows.helpers import ENTERPRISES, ended, finish, seed_reference
from tests.workflows.members import (
    A,
    recorder_worker,
    reports,
    seed_programme,
    start_cultivation,
    start_recorder,
)
from workflows.brand_cultivation import BrandCultivationWorkflow as W
from workflows.chain import REPORT_TO_SIGNAL, ReportTo, programme_workflow_id
from workflows.member_types import StageTransition

PROGRAMME = "prg_magnets"
CERTIFICATE_NO = "CZJM-2026-0001"
STAGES = ("diagnosed", "improving", "certification_applied", "certified", "labelled")


@pytest.fixture
async def env(time_env, db):
    await seed_reference(db)
    await seed_programme(db, PROGRAMME)
    task_queue = f"wf-{uuid.uuid4().hex[:8]}"
    handles = []

    async def track(coro):
        handle = await coro
        handles.append(handle)
        return handle

    async with (
        running_worker(time_env.client, db, task_queue=task_queue, webhook_url=None),
        recorder_worker(time_env.client) as recorders,
    ):
        yield {
            "db": db,
            "start": lambda **kw: track(
                start_cultivation(time_env.client, task_queue, db, PROGRAMME, **kw)
            ),
            "recorder": lambda: track(start_recorder(time_env.client, recorders, PROGRAMME)),
        }
        for handle in handles:
            await finish(handle)


def step(to: str, **kwargs) -> StageTransition:
    return StageTransition(actor=A, to=to, **kwargs)


async def refused(call, status: int, field: str | None, *fragments: str) -> None:
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await call
    cause = info.value.cause
    error = refusal_to_error(info.value)  # what the API answers
    assert (error.status_code, error.field) == (status, field), cause.message
    for fragment in fragments:
        assert fragment in cause.message, cause.message


async def row(db, cultivation_id: str) -> BrandCultivation:
    async with db() as session:
        return await session.get(BrandCultivation, cultivation_id)


async def milestones(db, cultivation_id: str) -> list[tuple[str, str, str | None]]:
    async with db() as session:
        result = await session.execute(
            select(Milestone.kind, Milestone.actor, Milestone.note)
            .where(Milestone.subject_type == "cultivation", Milestone.subject_id == cultivation_id)
            .order_by(Milestone.seq)
        )
        return [tuple(r) for r in result]


async def test_a_cultivation_walks_to_labelled_and_ends(env) -> None:
    db = env["db"]
    h = await env["start"](cultivation_id="bc_walk")
    enrolled = await row(db, "bc_walk")
    assert (enrolled.stage, enrolled.programme_id, enrolled.enterprise_id, enrolled.tier) == (
        "enrolled",
        PROGRAMME,
        ENTERPRISES[0],
        "培育",
    )
    for to in STAGES:
        extra = {"certificate_no": CERTIFICATE_NO} if to == "certified" else {}
        await h.execute_update(W.transition, step(to, note=f"{to} ok", **extra))
        assert (await row(db, "bc_walk")).stage == to
    assert await ended(h) == "labelled"

    done = await row(db, "bc_walk")
    assert done.certificate_no == CERTIFICATE_NO and done.certified_at is not None
    kinds = await milestones(db, "bc_walk")
    assert [k for k, _, _ in kinds] == ["enrolled", *STAGES]
    assert {actor for _, actor, _ in kinds} == {A}
    assert "梯度培育库" in kinds[0][2] and PROGRAMME in kinds[0][2]
    assert kinds[4][2] == f"certificate no. {CERTIFICATE_NO}: certified ok"
    labelled = kinds[5][2]
    assert '"four 100%"' in labelled and "品字码" in labelled and labelled.endswith("labelled ok")
    with pytest.raises(RPCError):  # the process has ended; the API answers 409 from the read model
        await h.execute_update(W.transition, step("labelled"))


async def test_skipped_repeated_and_uncertified_steps_are_refused(env) -> None:
    h = await env["start"](cultivation_id="bc_refusals")
    await refused(
        h.execute_update(W.transition, step("improving")),
        409,
        None,
        "brand cultivation bc_refusals is in stage 'enrolled'",
        "the next stage is 'diagnosed', not 'improving'",
        "a skipped step",
    )
    await refused(
        h.execute_update(W.transition, step("certified", certificate_no=CERTIFICATE_NO)),
        409,
        None,
        "next stage is 'diagnosed'",
    )
    await refused(h.execute_update(W.transition, step("graduated")), 422, "to", "not a stage")
    await h.execute_update(W.transition, step("diagnosed"))
    await refused(h.execute_update(W.transition, step("diagnosed")), 409, None, "a repeated step")
    await h.execute_update(W.transition, step("improving"))
    await h.execute_update(W.transition, step("certification_applied"))
    await refused(
        h.execute_update(W.transition, step("labelled")),
        409,
        None,
        "the next stage is 'certified', not 'labelled'",
    )
    await refused(
        h.execute_update(W.transition, step("certified")),
        422,
        "certificate_no",
        "needs certificate_no to move to 'certified'",
    )
    await refused(
        h.execute_update(W.transition, step("certified", certificate_no=" ")),
        422,
        "certificate_no",
    )
    state = await h.query(W.snapshot)
    assert (state.stage, state.certificate_no) == ("certification_applied", None)
    history = await h.fetch_history()
    accepted = [
        e
        for e in history.events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    ]
    assert len(accepted) == 4  # create and the three steps taken


async def test_it_reports_every_stage_to_its_programme(env) -> None:
    db = env["db"]
    programme = await env["recorder"]()
    h = await env["start"](cultivation_id="bc_reports")
    await h.signal(REPORT_TO_SIGNAL, ReportTo(programme_workflow_id(PROGRAMME)))
    assert await reports(programme, 1) == [("cultivation", "bc_reports", "enrolled")]
    for to in STAGES:
        extra = {"certificate_no": CERTIFICATE_NO} if to == "certified" else {}
        await h.execute_update(W.transition, step(to, **extra))
    assert await ended(h) == "labelled"
    assert [r[2] for r in await reports(programme, 6)] == ["enrolled", *STAGES]
    assert ("linked", "system", f"reports to programme {PROGRAMME}") in await milestones(
        db, "bc_reports"
    )
