"""Only what a workflow task committed reaches the read model, and all of it does: with no API
writing a single answer, the workflow's own projection activity (its outbox) brings the Case
row, its hazards and one milestone per event to the workflow's state, timers included; refused
commands and failed handlers leave no trace; concurrent commands and writes sent twice or out
of order change nothing the workflow did not commit."""

import asyncio
import uuid
from collections import Counter
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy import event as sqlalchemy_event
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import UpdateWorkflowExecutionLifecycleStage
from temporalio.api.update.v1 import UpdateRef, WaitPolicy
from temporalio.api.workflowservice.v1 import PollWorkflowExecutionUpdateRequest
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from recall.cases.activities import CaseActivities
from recall.cases.models import Case, Hazard
from recall.cases.projection import project_case
from recall.common.models import Milestone
from recall.common.projection import jsonable
from recall.gateway import WorkflowGateway
from tests.api.eventually import eventually
from tests.conftest import running_worker
from tests.workflows.helpers import (
    ENTERPRISES,
    finish,
    idle,
    open_case,
    seed_reference,
    settled,
    skip_time,
)
from workflows import shared as s
from workflows.recall_case import RecallCaseWorkflow as W
from workflows.shared import case_workflow_id

A = "regulator:test"


@asynccontextmanager
async def on(env, db):
    """A task queue on a Temporal server, a way to run a worker on it and to open cases."""
    await seed_reference(db)
    task_queue = f"committed-{uuid.uuid4().hex[:8]}"
    handles = []

    async def open_(**kwargs):
        handle = await open_case(env.client, task_queue, db, **kwargs)
        handles.append(handle)
        return handle

    def worker():
        return running_worker(env.client, db, task_queue=task_queue, webhook_url=None)

    yield {"env": env, "db": db, "open": open_, "worker": worker}
    async with worker():
        for handle in handles:
            await finish(handle)


@pytest.fixture
async def time_server(time_env, db):
    async with on(time_env, db) as server:
        yield server


@pytest.fixture
async def dev_server(dev_env, db):
    """The dev server, for what the time-skipping one does not do like a real server (Updates
    held while no worker polls, the limit of Updates in flight)."""
    async with on(dev_env, db) as server:
        yield server


def add(hazard_id: str, n: int = 0) -> s.AddHazard:
    return s.AddHazard(
        actor=A,
        hazard_id=hazard_id,
        enterprise_id=ENTERPRISES[n % 2],
        category="ingestion",
        description=f"磁珠 {hazard_id}",
    )


async def read_model(db, case_id: str) -> dict:
    """Every row the read model holds for the case, as plain values."""
    async with db() as session:
        case = await session.get(Case, case_id)
        hazards = (await session.execute(select(Hazard).where(Hazard.case_id == case_id))).scalars()
        milestones = await session.execute(
            select(Milestone.seq, Milestone.kind, Milestone.stage, Milestone.actor, Milestone.at)
            .where(Milestone.subject_type == "case", Milestone.subject_id == case_id)
            .order_by(Milestone.seq)
        )
        return {
            "case": {c.key: getattr(case, c.key) for c in Case.__table__.columns} if case else None,
            "hazards": {
                h.id: {c.key: getattr(h, c.key) for c in Hazard.__table__.columns} for h in hazards
            },
            "milestones": [tuple(m) for m in milestones],
        }


def differences(model: dict, state: s.CaseState) -> list[str]:
    """Every way the read model differs from the workflow's state, field by field."""
    found = []
    row = model["case"]
    if row is None:
        return [f"no case row for {state.case_id}"]
    expected = {
        "number": state.number,
        "title": state.title,
        "stage": state.stage,
        "industry_code": state.industry_code,
        "region_code": state.region_code,
        "enterprise_ids": state.enterprise_ids,
        "defect_report_ids": state.defect_report_ids,
        "risk": jsonable(state.risk),
        "decision": state.decision,
        "decision_reason": state.decision_reason,
        "plan": jsonable(state.plan),
        "units_corrected": state.units_corrected,
        "overdue": bool(state.overdue_items),
        "overdue_items": state.overdue_items,
        "workflow_id": case_workflow_id(state.case_id),
        "created_by": state.created_by,
        "created_at": state.opened_at,
        "version": state.seq,
    }
    found += [
        f"case {k}: read model {row[k]!r}, workflow {v!r}"
        for k, v in expected.items()
        if row[k] != v
    ]
    hazards = model["hazards"]
    if set(hazards) != set(state.hazards):
        found.append(f"hazards: read model {sorted(hazards)}, workflow {sorted(state.hazards)}")
    for hazard_id, h in state.hazards.items():
        stored = hazards.get(hazard_id)
        if stored is None:
            continue
        for name in (
            "enterprise_id",
            "category",
            "description",
            "status",
            "evidence",
            "evidence_refs",
            "identified_at",
            "eliminated_at",
            "verified_at",
        ):
            if stored[name] != getattr(h, name):
                found.append(f"hazard {hazard_id} {name}: {stored[name]!r} != {getattr(h, name)!r}")
    seqs = [m[0] for m in model["milestones"]]
    if seqs != list(range(1, state.seq + 1)):
        found.append(f"milestones {seqs} for events 1..{state.seq}")
    return found


async def converged(db, handle) -> tuple[s.CaseState, dict]:
    """The workflow's state and the read model once the workflow has written all it committed."""
    await idle(handle)
    await settled(db, handle)
    state = await handle.query(W.snapshot)
    return state, await read_model(db, state.case_id)


def kinds(model: dict) -> list[str]:
    return [m[1] for m in model["milestones"]]


async def test_the_workflow_alone_writes_every_event_timers_included(time_server) -> None:
    """No API write at all (write=False): the outbox brings the read model to the workflow's
    state, the overdue timer's event with the rest."""
    db, env = time_server["db"], time_server["env"]
    async with time_server["worker"]():
        h = await time_server["open"](write=False)
        await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_2"))
        await h.execute_update(W.add_hazard, add("hz_1"))
        await h.execute_update(W.add_hazard, add("hz_2", 1))
        await h.execute_update(W.decide, s.DecideCase(actor=A, decision="ordered_recall"))
        await skip_time(env, h, timedelta(days=17))  # the plan is late
        await eventually(lambda: h.query(W.snapshot), lambda st: st.overdue_items == ["plan"])

        state, model = await converged(db, h)
        assert differences(model, state) == []
        assert model["case"]["overdue"] is True
        assert kinds(model)[-1] == "overdue" and model["milestones"][-1][3] == "system"

        plan = s.SubmitPlan(
            actor="enterprise:a", units_affected=100, remedy="refund", summary="退款"
        )
        await h.execute_update(W.submit_plan, plan)
        await h.execute_update(W.accept_plan, s.AcceptPlan(actor=A))
        await h.execute_update(W.eliminate_hazard, s.EliminateHazard("enterprise:a", "hz_1", "e"))
        await h.execute_update(W.report_progress, s.ReportProgress(actor=A, units_corrected=60))
        state, model = await converged(db, h)
    assert differences(model, state) == []
    assert kinds(model) == [
        "reported",
        "assessed",
        "hazard_identified",
        "hazard_identified",
        "decided",
        "overdue",
        "plan_submitted",
        "plan_accepted",
        "hazard_eliminated",
        "progress_reported",
    ]
    assert model["case"]["overdue"] is False and model["case"]["correction_rate"] == 0.6
    assert model["hazards"]["hz_1"]["status"] == "eliminated"
    assert model["hazards"]["hz_2"]["status"] == "identified"


async def admitted(client: Client, workflow_id: str, update_id: str) -> bool:
    """Whether the server holds the Update (admitted, not yet handed to a worker)."""
    stage = UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED
    request = PollWorkflowExecutionUpdateRequest(
        namespace=client.namespace,
        update_ref=UpdateRef(
            workflow_execution=WorkflowExecution(workflow_id=workflow_id), update_id=update_id
        ),
        identity="test",
        wait_policy=WaitPolicy(lifecycle_stage=stage),
    )
    try:
        await client.workflow_service.poll_workflow_execution_update(request)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def test_refused_and_failed_commands_leave_nothing(dev_server) -> None:
    server = dev_server
    db, client = server["db"], server["env"].client
    async with server["worker"]():
        h = await server["open"](write=False)
        await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_2"))
        before, _ = await converged(db, h)
        # refused by the validator: never in history
        with pytest.raises(WorkflowUpdateFailedError):
            await h.execute_update(W.verify, s.VerifyCase(actor=A, note="too early"))
        with pytest.raises(WorkflowUpdateFailedError):
            await h.execute_update(W.eliminate_hazard, s.EliminateHazard(A, "hz_none", "x"))

    # Five Updates adding the same hazard reach the workflow in one task: every validator
    # passes, then the handlers run one after another and all but the first fail.
    ids = [f"dup-{i}" for i in range(5)]
    sent = [asyncio.create_task(h.execute_update(W.add_hazard, add("hz_dup"), id=i)) for i in ids]

    async def all_admitted() -> bool:
        return all([await admitted(client, h.id, i) for i in ids])

    await eventually(all_admitted, bool)
    async with server["worker"]():
        answers = await asyncio.gather(*sent, return_exceptions=True)
        failed = [a for a in answers if isinstance(a, WorkflowUpdateFailedError)]
        assert len(failed) == 4 and all("already recorded" in f.cause.message for f in failed)
        history = await h.fetch_history()
        outcomes = Counter(
            e.workflow_execution_update_completed_event_attributes.outcome.WhichOneof("value")
            for e in history.events
            if e.HasField("workflow_execution_update_completed_event_attributes")
        )
        # open, assess, hz_dup and four failed handlers; the two refusals never reached history
        assert outcomes == {"success": 3, "failure": 4}

        await h.execute_update(W.add_hazard, add("hz_after"))  # the outbox writes in order
        state, model = await converged(db, h)
    assert differences(model, state) == []
    assert state.seq == before.seq + 2  # the two hazards; nothing for the refusals or failures
    assert kinds(model).count("hazard_identified") == 2
    assert sorted(model["hazards"]) == ["hz_after", "hz_dup"]


@pytest.mark.parametrize("continue_as_new_after_events", [None, 60])
async def test_concurrent_commands_land_exactly_once(
    dev_server,
    continue_as_new_after_events: int | None,
) -> None:
    """Thirty Updates at once, each written by its API call and by the workflow: afterwards the
    read model is the workflow's state, whatever was refused, timed out or continued as new."""
    server = dev_server
    db = server["db"]
    async with server["worker"]():
        h = await server["open"](continue_as_new_after_events=continue_as_new_after_events)

        async def command(n: int):
            # as the gateway does: its own update id, a deadline
            return await asyncio.wait_for(
                h.execute_update(W.add_hazard, add(f"hz_{n}", n), id=uuid.uuid4().hex), 10
            )

        answers = await asyncio.gather(*(command(n) for n in range(30)), return_exceptions=True)
        outcome: Counter = Counter()
        for answer in answers:
            if isinstance(answer, s.CaseProjection):
                outcome["ok"] += 1
            elif answer is None:  # sent again after a continue-as-new: found applied before
                outcome["applied before"] += 1
            elif isinstance(answer, RPCError) and answer.status == RPCStatusCode.RESOURCE_EXHAUSTED:
                outcome["busy"] += 1
            elif isinstance(answer, TimeoutError | WorkflowUpdateRPCTimeoutOrCancelledError):
                outcome["timed out"] += 1
            elif isinstance(answer, WorkflowUpdateFailedError) and refusal_kind(answer) == (
                "unavailable"
            ):  # refused while the run continues as new: the API's 503, "send it again"
                outcome["continuing"] += 1
            else:
                raise answer
        print(f"30 concurrent add_hazard: {dict(outcome)}")
        assert outcome["ok"] >= 1

        state, model = await converged(db, h)
    assert differences(model, state) == []
    assert (
        outcome["ok"] + outcome["applied before"] <= len(state.hazards) <= 30
    )  # a timed-out command may still have landed
    assert kinds(model) == ["reported"] + ["hazard_identified"] * len(state.hazards)


async def test_a_projection_written_twice_or_late_changes_nothing(time_server) -> None:
    db = time_server["db"]
    async with time_server["worker"]():
        h = await time_server["open"](write=False)
        assessed = await h.execute_update(W.assess, s.AssessCase(A, 1, "gt_1_2"))
        added = await h.execute_update(W.add_hazard, add("hz_1"))
        reassessed = await h.execute_update(W.assess, s.AssessCase(A, 4, "gt_1_2"))
        decided = await h.execute_update(W.decide, s.DecideCase(A, "voluntary_recall"))
        state, model = await converged(db, h)
    assert differences(model, state) == []
    assert model["case"]["risk"]["severity"] == 4

    # the same events again (a retried activity, or the API and the outbox both writing), then
    # older events after newer ones (an API write that lost the race)
    for projection in (decided, reassessed, added, assessed, added, assessed):
        async with db() as session:
            await project_case(session, projection)
    assert await read_model(db, state.case_id) == model


async def test_the_backstop_writes_only_the_events_the_read_model_lacks(time_server) -> None:
    """The outbox's batch activity skips the events the API wrote from their answers (their
    first milestone is stored) and writes the rest whole."""
    db = time_server["db"]
    async with time_server["worker"]():
        h = await time_server["open"](write=False)
        assessed = await h.execute_update(W.assess, s.AssessCase(A, 4, "gt_1_2"))
        added = await h.execute_update(W.add_hazard, add("hz_1"))
        state, model = await converged(db, h)
    # the API's write of `added` is lost: its hazard and its milestone are not in the read model
    async with db() as session:
        await session.execute(delete(Hazard).where(Hazard.id == "hz_1"))
        await session.execute(
            delete(Milestone).where(
                Milestone.subject_id == state.case_id, Milestone.seq == added.milestones[0].seq
            )
        )
        await session.commit()

    written: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        if not statement.lstrip().upper().startswith("SELECT"):
            written.append(statement)

    engine = db.kw["bind"].sync_engine
    sqlalchemy_event.listen(engine, "before_cursor_execute", note)
    try:
        await CaseActivities(db).project_case_events([assessed, added])
    finally:
        sqlalchemy_event.remove(engine, "before_cursor_execute", note)
    assert await read_model(db, state.case_id) == model
    milestone_writes = [w for w in written if "INSERT INTO milestones" in w]
    assert len(milestone_writes) == 1  # `added`'s; `assessed` was found written and skipped
    assert sum("INSERT INTO hazards" in w for w in written) == 1


async def test_a_steady_stream_of_commands_still_continues_as_new(dev_server) -> None:
    """One client sending commands through the API's gateway one after another, as fast as
    they are answered: each run stays near its limit of history events (40 here), however long
    the stream, and no command is refused for it (the gateway sends it again while the run
    continues as new)."""
    limit, longest = 40, 0
    db = dev_server["db"]
    async with dev_server["worker"]():
        h = await dev_server["open"](continue_as_new_after_events=limit)
        gateway = WorkflowGateway(
            dev_server["env"].client,
            task_queue="unused",
            timeout=10,
            case_deadlines=s.Deadlines(),
            sessionmaker=db,
        )
        for n in range(80):
            await gateway.command(
                h.id, W.add_hazard, add(f"hz_{n}", n), update_id=f"u{n}", project=project_case
            )
            info = (await h.describe()).raw_description.workflow_execution_info
            longest = max(longest, info.history_length)
        state, model = await converged(db, h)
    assert differences(model, state) == []
    assert len(state.hazards) == 80
    assert longest < 5 * limit, f"a run grew to {longest} events (limit {limit})"


def refusal_kind(err: WorkflowUpdateFailedError) -> str | None:
    details = getattr(err.cause, "details", None) or [{}]
    return details[0].get("kind") if isinstance(details[0], dict) else None


async def test_a_command_sent_again_after_continue_as_new_acts_once(dev_server) -> None:
    """Temporal knows an Update's id within one run only: the same command sent again once the
    run has continued as new is found applied (the ids go over with the state), never applied
    twice; through the gateway it is simply done."""
    db = dev_server["db"]
    async with dev_server["worker"]():
        h = await dev_server["open"](continue_as_new_after_events=20)
        first_run = (await h.describe()).run_id
        await h.handle.execute_update(W.add_hazard, add("hz_once"), id="upd-once")
        n = 0
        while (await h.describe()).run_id == first_run:  # more commands, until it continues
            n += 1
            assert n < 40, "the workflow did not continue as new"
            await h.execute_update(W.add_hazard, add(f"hz_{n}", n))
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await h.handle.execute_update(W.add_hazard, add("hz_once"), id="upd-once")
        assert refused.value.cause.type == "already_applied"
        gateway = WorkflowGateway(
            dev_server["env"].client,
            task_queue="unused",
            timeout=10,
            case_deadlines=s.Deadlines(),
            sessionmaker=db,
        )
        again = await gateway.command(
            h.id, W.add_hazard, add("hz_once"), update_id="upd-once", project=project_case
        )
        assert again is None  # done before: nothing more to write
        state, model = await converged(db, h)
    assert differences(model, state) == []
    assert list(state.hazards).count("hz_once") == 1 and len(state.hazards) == n + 1


def projection_activities(history) -> int:
    return sum(
        1
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
        and e.activity_task_scheduled_event_attributes.activity_type.name == "project_case_events"
    )


async def test_a_burst_of_commands_is_backed_up_by_one_write(dev_server) -> None:
    """The API writes each command's answer itself; the outbox, its backstop, waits a moment
    (BACKSTOP_DELAY) and writes the burst in one activity. An answer no API wrote (write=False
    here: the API died before its write) still reaches the read model, by that activity."""
    db = dev_server["db"]
    async with dev_server["worker"]():
        h = await dev_server["open"](write=False)
        await idle(h)
        before = projection_activities(await h.fetch_history())
        await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_2"))
        for n in range(4):
            await h.execute_update(W.add_hazard, add(f"hz_{n}", n))
        await h.execute_update(W.decide, s.DecideCase(actor=A, decision="ordered_recall"))
        state, model = await converged(db, h)
        assert differences(model, state) == []
        assert projection_activities(await h.fetch_history()) - before == 1


async def test_commands_that_leave_the_deadline_keep_its_timer(dev_server) -> None:
    """The plan's deadline stands while hazards are added: one timer for it, not one per
    command (patch keep-deadline-timer)."""
    async with dev_server["worker"]():
        h = await dev_server["open"]()
        await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_2"))
        await h.execute_update(W.decide, s.DecideCase(actor=A, decision="ordered_recall"))
        for n in range(3):
            await h.execute_update(W.add_hazard, add(f"hz_{n}", n))
        state = await h.query(W.snapshot)
        assert state.due_kind == "plan"
        await idle(h)
        history = await h.fetch_history()
    deadline_timers = [
        e
        for e in history.events
        if e.HasField("timer_started_event_attributes")
        and e.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
        > timedelta(minutes=1)
    ]
    assert len(deadline_timers) == 1
