"""The association workflow on the time-skipping server, writing its read model to PostgreSQL
and reporting to a test-only programme."""

import uuid

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError

from recall.associations import projection
from recall.associations.models import Association
from recall.common.models import Milestone
from recall.gateway import refusal_to_error
from tests.conftest import running_worker
from tests.workflows.helpers import finish, idle, seed_reference, settled
from tests.workflows.members import (
    A,
    recorder_worker,
    reports,
    start_association,
    start_recorder,
)
from workflows.association import AssociationWorkflow as W
from workflows.chain import REPORT_TO_SIGNAL, ReportTo, programme_workflow_id
from workflows.member_types import AssociationProjection, StageTransition
from workflows.shared import MilestoneEvent

REGISTRATION_NO = "51330700MJ0000001X"


@pytest.fixture
async def env(time_env, db):
    await seed_reference(db)
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
            "start": lambda **kw: track(start_association(time_env.client, task_queue, db, **kw)),
            "recorder": lambda pid: track(start_recorder(time_env.client, recorders, pid)),
        }
        # The time-skipping server stops skipping while any workflow has work no worker takes.
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


async def row(db, association_id: str) -> Association:
    async with db() as session:
        return await session.get(Association, association_id)


async def milestones(db, association_id: str) -> list[tuple[str, str, str | None]]:
    async with db() as session:
        result = await session.execute(
            select(Milestone.kind, Milestone.actor, Milestone.note)
            .where(Milestone.subject_type == "association", Milestone.subject_id == association_id)
            .order_by(Milestone.seq)
        )
        return [tuple(r) for r in result]


async def test_an_association_is_registered_and_keeps_running(env) -> None:
    db = env["db"]
    h = await env["start"](association_id="asn_walk")
    proposed = await row(db, "asn_walk")
    assert proposed.status == "proposed" and proposed.region_codes == ["330702"]
    assert proposed.workflow_id == "association-asn_walk" and proposed.programme_ids == []

    await h.execute_update(W.transition, step("preparing", note="筹备组成立"))
    assert (await row(db, "asn_walk")).status == "preparing"
    await h.execute_update(W.transition, step("charter_adopted", note="章程通过"))
    await h.execute_update(
        W.transition, step("registered", registration_no=f" {REGISTRATION_NO} ", note="登记成立")
    )
    registered = await row(db, "asn_walk")
    assert registered.status == "registered" and registered.registration_no == REGISTRATION_NO
    assert registered.registered_at is not None and registered.version == 4

    assert await milestones(db, "asn_walk") == [
        ("proposed", A, "金华市磁力玩具行业协会: 2 founding members"),
        ("preparing", A, "筹备组成立"),
        ("charter_adopted", A, "章程通过"),
        ("registered", A, f"registration no. {REGISTRATION_NO}: 登记成立"),
    ]
    # a registered association stays: more programmes may link it
    assert (await h.describe()).status == WorkflowExecutionStatus.RUNNING


async def test_skipped_repeated_and_incomplete_steps_are_refused(env) -> None:
    h = await env["start"](association_id="asn_refusals")
    await refused(
        h.execute_update(W.transition, step("charter_adopted")),
        409,
        None,
        "association asn_refusals is in stage 'proposed'",
        "the next stage is 'preparing', not 'charter_adopted'",
        "a skipped step",
    )
    await refused(
        h.execute_update(W.transition, step("registered", registration_no="x")),
        409,
        None,
        "next stage is 'preparing'",
    )
    await refused(h.execute_update(W.transition, step("disbanded")), 422, "to", "not a stage")
    await h.execute_update(W.transition, step("preparing"))
    await refused(
        h.execute_update(W.transition, step("preparing")),
        409,
        None,
        "is in stage 'preparing'; the next stage is 'charter_adopted'",
        "a repeated step",
    )
    await refused(h.execute_update(W.transition, step("proposed")), 409, None, "a step back")
    await h.execute_update(W.transition, step("charter_adopted"))
    await refused(
        h.execute_update(W.transition, step("registered")),
        422,
        "registration_no",
        "needs registration_no to move to 'registered'",
    )
    await refused(
        h.execute_update(W.transition, step("registered", registration_no="  ")),
        422,
        "registration_no",
    )
    await h.execute_update(W.transition, step("registered", registration_no=REGISTRATION_NO))
    await refused(
        h.execute_update(W.transition, step("registered", registration_no="again")),
        409,
        None,
        "is 'registered', the last stage",
    )
    assert (await h.query(W.snapshot)).stage == "registered"

    # A validator refuses before history: only create and the three steps were accepted.
    history = await h.fetch_history()
    accepted = [
        e
        for e in history.events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    ]
    assert len(accepted) == 4


async def test_it_reports_to_every_programme_even_when_linked_after_registration(env) -> None:
    db = env["db"]
    first = await env["recorder"]("prg_first")
    h = await env["start"](association_id="asn_reports")
    await h.signal(REPORT_TO_SIGNAL, ReportTo(programme_workflow_id("prg_first")))
    assert await reports(first, 1) == [("association", "asn_reports", "proposed")]

    await h.execute_update(W.transition, step("preparing"))
    await h.execute_update(W.transition, step("charter_adopted"))
    await h.execute_update(W.transition, step("registered", registration_no=REGISTRATION_NO))
    assert [r[2] for r in await reports(first, 4)] == [
        "proposed",
        "preparing",
        "charter_adopted",
        "registered",
    ]
    assert (await row(db, "asn_reports")).programme_ids == ["prg_first"]

    # linked later, to a second programme: it reports where it stands at once
    second = await env["recorder"]("prg_second")
    await h.signal(REPORT_TO_SIGNAL, ReportTo(programme_workflow_id("prg_second")))
    assert await reports(second, 1) == [("association", "asn_reports", "registered")]
    # linked again by the first: no second link, but a fresh report
    await h.signal(REPORT_TO_SIGNAL, ReportTo(programme_workflow_id("prg_first")))
    assert len(await reports(first, 5)) == 5

    state = await h.query(W.snapshot)
    assert state.programme_workflow_ids == ["programme-prg_first", "programme-prg_second"]
    await settled(db, h)  # a link comes by signal: the workflow writes it in its own time
    assert (await row(db, "asn_reports")).programme_ids == ["prg_first", "prg_second"]
    linked = [m for m in await milestones(db, "asn_reports") if m[0] == "linked"]
    assert linked == [
        ("linked", "system", "reports to programme prg_first"),
        ("linked", "system", "reports to programme prg_second"),
    ]


async def test_a_programme_that_has_ended_does_not_stop_the_association(env) -> None:
    gone = await env["recorder"]("prg_gone")
    h = await env["start"](association_id="asn_gone")
    await h.signal(REPORT_TO_SIGNAL, ReportTo(programme_workflow_id("prg_gone")))
    await reports(gone, 1)
    await idle(gone)
    await gone.terminate("programme over")
    await h.execute_update(W.transition, step("preparing"))
    assert (await row(env["db"], "asn_gone")).status == "preparing"


async def test_a_continued_association_keeps_its_state_and_programmes(env) -> None:
    """What continue-as-new hands over: the run starts from the carried state."""
    db = env["db"]
    recorder = await env["recorder"]("prg_carried")
    h = await env["start"](association_id="asn_carried")
    carried = await h.query(W.snapshot)
    await idle(h)  # as finish() does: nothing of it in flight when it is cut off
    await h.terminate("replaced by its continuation")

    carried.stage, carried.programme_workflow_ids = "preparing", ["programme-prg_carried"]
    carried.programme_ids = ["prg_carried"]
    h2 = await env["start"](
        association_id="asn_carried_2",
        **{
            k: getattr(carried, k)
            for k in ("stage", "seq", "created_at", "programme_ids", "programme_workflow_ids")
        },
    )
    await h2.execute_update(W.transition, step("charter_adopted"))
    assert await reports(recorder, 1) == [("association", "asn_carried_2", "charter_adopted")]
    kinds = [m[0] for m in await milestones(db, "asn_carried_2")]
    assert kinds == ["charter_adopted"]  # no second "proposed": it was created before
    assert (await h2.query(W.snapshot)).seq == carried.seq + 1


async def test_projection_is_idempotent_and_never_goes_back(env) -> None:
    db = env["db"]
    h = await env["start"](association_id="asn_idem")
    await h.execute_update(W.transition, step("preparing"))
    state = await h.query(W.snapshot)
    async with db() as session:
        events = await _events(session, "asn_idem")
        await projection.project_association(
            session, AssociationProjection(state=state, milestones=events)
        )
    assert [m[0] for m in await milestones(db, "asn_idem")] == ["proposed", "preparing"]
    older = AssociationProjection(
        state=type(state)(**{**state.__dict__, "stage": "proposed", "seq": 1}), milestones=[]
    )
    async with db() as session:
        await projection.project_association(session, older)
    assert (await row(db, "asn_idem")).status == "preparing"


async def _events(session, association_id: str) -> list[MilestoneEvent]:
    result = await session.execute(
        select(Milestone).where(Milestone.subject_id == association_id).order_by(Milestone.seq)
    )
    return [
        MilestoneEvent(seq=m.seq, at=m.at, kind=m.kind, stage=m.stage, actor=m.actor, note=m.note)
        for m in result.scalars()
    ]
