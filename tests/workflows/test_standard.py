"""The standard workflow on the time-skipping server, writing its read model to PostgreSQL."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from temporalio import workflow
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.worker import Worker

from recall.common.models import Milestone
from recall.gateway import refusal_to_error
from recall.standards.models import Standard, StandardComment
from recall.standards.projection import project_standard
from tests.api.eventually import eventually
from tests.conftest import running_worker
from tests.workflows.helpers import Api, ended, finish, idle, seed_reference, settled, skip_time
from tests.workflows.standard_helpers import DRAFTERS, seed_programme, start_standard
from workflows.chain import MEMBER_STATUS_SIGNAL, REPORT_TO_SIGNAL, MemberStatus, ReportTo
from workflows.standard import StandardWorkflow as W
from workflows.standard_types import (
    BallotStandard,
    BallotTally,
    CommentOnStandard,
    DisposeComment,
    TransitionStandard,
    Vote,
)

A = "association:test"


@workflow.defn(sandboxed=False)
class ProgrammeRecorder:
    """Stands in for a programme: collects what its members report."""

    def __init__(self) -> None:
        self.statuses: list[str] = []

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.signal(name=MEMBER_STATUS_SIGNAL)
    def member_status(self, status: MemberStatus) -> None:
        assert status.kind == "standard"
        self.statuses.append(status.status)

    @workflow.query
    def received(self) -> list[str]:
        return self.statuses


@pytest.fixture
async def std_env(time_env, db):
    await seed_reference(db)
    await seed_programme(db)
    task_queue = f"std-{uuid.uuid4().hex[:8]}"
    handles = []

    async def start(**kwargs):
        handle = await start_standard(time_env.client, task_queue, db, **kwargs)
        handles.append(handle)
        return handle

    async def recorder():
        handle = await time_env.client.start_workflow(
            ProgrammeRecorder.run, id=f"programme-rec-{uuid.uuid4().hex[:8]}", task_queue=rec_tq
        )
        handles.append(handle)
        return handle

    rec_tq = f"{task_queue}-rec"
    async with (
        running_worker(time_env.client, db, task_queue=task_queue, webhook_url=None),
        Worker(time_env.client, task_queue=rec_tq, workflows=[ProgrammeRecorder]),
    ):
        yield {"env": time_env, "db": db, "start": start, "recorder": recorder}
        # The time-skipping server stops skipping while any workflow has work no worker takes.
        for handle in handles:
            await finish(handle)


def to(stage: str, **kwargs) -> TransitionStandard:
    return TransitionStandard(actor=A, to=stage, **kwargs)


def comment(comment_id: str, clause: str | None = "5.2") -> CommentOnStandard:
    return CommentOnStandard(
        actor="enterprise:x", comment_id=comment_id, author="金华磁业1", text="建议", clause=clause
    )


def dispose(comment_id: str, disposition: str = "accepted", reason: str | None = None):
    return DisposeComment(actor=A, comment_id=comment_id, disposition=disposition, reason=reason)


def ballot(*votes: tuple[str, str]) -> BallotStandard:
    return BallotStandard(actor=A, votes=[Vote(voter=v, vote=x) for v, x in votes])


async def refused(call, *fragments: str, status: int = 409, field: str | None = None) -> None:
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await call
    cause = info.value.cause
    for fragment in fragments:
        assert fragment in cause.message, cause.message
    error = refusal_to_error(info.value)  # what the API answers
    assert (error.status_code, error.field) == (status, field), cause.message


async def to_stage(h, *stages: str, days: int | None = None) -> None:
    for stage in stages:
        extra = {"comment_period_days": days} if stage == "40.20" else {}
        await h.execute_update(W.transition, to(stage, **extra))


async def to_review(h) -> None:
    await to_stage(h, "10.99", "20.00", "40.20", days=0)
    await h.execute_update(W.transition, to("50.20"))


async def row(db, standard_id: str) -> Standard:
    async with db() as session:
        return await session.get(Standard, standard_id)


async def milestones(db, standard_id: str) -> list[Milestone]:
    async with db() as session:
        result = await session.execute(
            select(Milestone)
            .where(Milestone.subject_type == "standard", Milestone.subject_id == standard_id)
            .order_by(Milestone.seq)
        )
        return list(result.scalars())


def at_the_end(at, ends) -> bool:
    """The timer fires at the end of the period (give or take the workflow task's start)."""
    return timedelta(0) <= at - ends < timedelta(seconds=5)


def sid(h) -> str:
    return h.id.removeprefix("standard-")


def tally(committed) -> BallotTally:
    """The ballot a `ballot` command recorded, from the projection it returns."""
    b = committed.state.ballot
    return BallotTally(
        approve=b.approve, disapprove=b.disapprove, abstain=b.abstain, passed=b.passed
    )


async def test_a_standard_walks_every_stage_and_the_read_model_follows(std_env) -> None:
    db, env = std_env["db"], std_env["env"]
    h = await std_env["start"]()
    assert (await row(db, sid(h))).stage_code == "00.00"
    for stage in ("10.99", "20.00"):
        committed = await h.execute_update(W.transition, to(stage, note=f"to {stage}"))
        assert committed.state.stage_code == stage
        assert (await row(db, sid(h))).stage_code == stage
    await h.execute_update(W.transition, to("40.20"))  # the default period: 30 days
    opened = await row(db, sid(h))
    assert opened.comment_period_days == 30
    assert opened.comment_period_ends_at - opened.updated_at == timedelta(days=30)
    await h.execute_update(W.comment, comment("cmt_1"))
    await h.execute_update(W.comment, comment("cmt_2", clause=None))

    await skip_time(env, h, timedelta(days=31))  # the period ends by itself
    await settled(db, h)  # a timer's event: the workflow writes it in its own time
    assert (await row(db, sid(h))).stage_code == "40.60"
    await h.execute_update(W.dispose, dispose("cmt_1", "rejected", "与GB 6675冲突"))
    await h.execute_update(W.dispose, dispose("cmt_2", "partially_accepted", "改写5.2"))
    await h.execute_update(W.transition, to("50.20"))
    result = await h.execute_update(
        W.ballot, ballot(("专家A", "approve"), ("专家B", "approve"), ("专家C", "approve"))
    )
    assert tally(result) == BallotTally(approve=3, disapprove=0, abstain=0, passed=True)
    await h.execute_update(W.transition, to("50.60"))
    await h.execute_update(W.transition, to("60.60", note="T/ZJMT 001-2026"))
    assert await ended(h) == "60.60"

    final = await row(db, sid(h))
    assert final.stage_code == "60.60" and final.published_at is not None
    assert final.ballot["passed"] is True and len(final.ballot["votes"]) == 3
    async with db() as session:
        comments = {
            c.id: c
            for c in (
                await session.execute(
                    select(StandardComment).where(StandardComment.standard_id == sid(h))
                )
            ).scalars()
        }
    assert comments["cmt_1"].disposition == "rejected" and comments["cmt_1"].reason
    assert comments["cmt_2"].clause is None and comments["cmt_2"].disposed_by == A
    events = await milestones(db, sid(h))
    assert [m.kind for m in events] == [
        "proposed",
        "project_approved",
        "drafting_started",
        "public_comment_opened",
        "comment_received",
        "comment_received",
        "comments_closed",
        "comment_disposed",
        "comment_disposed",
        "review_started",
        "ballot_recorded",
        "approved",
        "published",
    ]
    closed = events[6]
    assert (closed.actor, closed.stage) == ("system", "40.60")
    assert at_the_end(closed.at, opened.comment_period_ends_at)
    assert [m.stage for m in events if m.kind == "project_approved"] == ["10.99"]
    assert events[1].note == "to 10.99" and events[-1].actor == A


async def test_every_refusal_names_the_reason_and_stays_out_of_history(std_env) -> None:
    h = await std_env["start"]()
    await refused(
        h.execute_update(W.transition, to("20.00")),
        "is at 00.00 proposal (提案)",
        "the next stage is 10.99 approved project (立项), not 20.00 working draft",
    )
    await refused(h.execute_update(W.transition, to("00.00")), "is already at 00.00")
    await refused(
        h.execute_update(W.transition, to("99.99")), "not a stage code", status=422, field="to"
    )
    await refused(h.execute_update(W.comment, comment("cmt_early")), "comments are taken only")
    await refused(h.execute_update(W.ballot, ballot(("专家A", "approve"))), "held only in 50.20")
    await refused(
        h.execute_update(W.transition, to("10.99", comment_period_days=10)),
        "applies only to 40.20",
        status=422,
        field="comment_period_days",
    )
    await to_stage(h, "10.99")
    await refused(h.execute_update(W.transition, to("10.99")), "is already at 10.99")
    await to_stage(h, "20.00")
    await refused(
        h.execute_update(W.transition, to("40.20", comment_period_days=-1)),
        "must be from 0 to",
        status=422,
        field="comment_period_days",
    )
    await refused(h.execute_update(W.transition, to("40.60")), "next stage is 40.20")
    await to_stage(h, "40.20", days=10)
    await refused(
        h.execute_update(W.transition, to("40.60")),
        "comments close by themselves at",
        "closing early is refused",
    )
    await refused(h.execute_update(W.transition, to("50.20")), "comments close by themselves")
    for cid in ("cmt_a", "cmt_b", "cmt_c"):
        await h.execute_update(W.comment, comment(cid))
    await refused(h.execute_update(W.comment, comment("cmt_a")), "already recorded")
    await refused(h.execute_update(W.dispose, dispose("cmt_zz")), "no comment cmt_zz", status=404)
    await refused(
        h.execute_update(W.dispose, dispose("cmt_a", "rejected", "  ")),
        "needs a reason",
        status=422,
        field="reason",
    )
    await refused(
        h.execute_update(W.dispose, dispose("cmt_a", "ignored")), status=422, field="disposition"
    )
    await h.execute_update(W.dispose, dispose("cmt_b"))  # accepted: no reason needed
    await skip_time(std_env["env"], h, timedelta(days=11))
    await refused(h.execute_update(W.comment, comment("cmt_late")), "is at 40.60 comments closed")
    await refused(
        h.execute_update(W.transition, to("50.20")),
        "2 comments have no disposition: cmt_a, cmt_c",
    )
    await h.execute_update(W.dispose, dispose("cmt_a", "rejected", "超出范围"))
    await refused(
        h.execute_update(W.transition, to("50.20")), "1 comment has no disposition: cmt_c"
    )
    await h.execute_update(W.dispose, dispose("cmt_c", "accepted"))
    await to_stage(h, "50.20")
    await refused(h.execute_update(W.dispose, dispose("cmt_c")), "dispositions are recorded")
    await refused(h.execute_update(W.transition, to("50.60")), "has no review ballot yet")
    await refused(h.execute_update(W.transition, to("60.60")), "next stage is 50.60")

    # A validator refuses before history: only the accepted updates were written.
    history = await h.fetch_history()
    accepted = [
        e
        for e in history.events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    ]
    assert len(accepted) == 1 + 4 + 3 + 3  # create, transitions, comments, dispositions


async def test_the_comment_period_closes_by_itself_and_only_then(std_env) -> None:
    db, env = std_env["db"], std_env["env"]
    h = await std_env["start"]()
    await to_stage(h, "10.99", "20.00", "40.20", days=10)
    await skip_time(env, h, timedelta(days=9))
    assert (await h.query(W.snapshot)).stage_code == "40.20"
    await h.execute_update(W.comment, comment("cmt_day9"))  # a comment does not restart the period
    await skip_time(env, h, timedelta(days=2))
    state = await h.query(W.snapshot)
    assert state.stage_code == "40.60" and list(state.comments) == ["cmt_day9"]
    await settled(db, h)
    last = (await milestones(db, sid(h)))[-1]
    assert (last.kind, last.actor) == ("comments_closed", "system")
    assert at_the_end(last.at, state.comment_period_ends_at)
    assert "1 comment" in last.note


async def test_a_period_of_zero_days_closes_at_once(std_env) -> None:
    h = await std_env["start"]()
    await to_stage(h, "10.99", "20.00")
    committed = await h.execute_update(W.transition, to("40.20", comment_period_days=0))
    assert committed.state.stage_code == "40.60"
    standard = await row(std_env["db"], sid(h))
    assert standard.stage_code == "40.60" and standard.comment_period_days == 0
    kinds = [(m.kind, m.actor) for m in await milestones(std_env["db"], sid(h))][-2:]
    assert kinds == [("public_comment_opened", A), ("comments_closed", "system")]
    await refused(h.execute_update(W.comment, comment("cmt_1")), "comments are taken only")
    await h.execute_update(W.transition, to("50.20"))  # no comments: nothing to dispose


async def test_the_ballot_needs_three_quarters_of_the_votes_cast(std_env) -> None:
    h = await std_env["start"]()
    await to_review(h)
    await refused(
        h.execute_update(W.ballot, ballot()), "at least one vote", status=422, field="votes"
    )
    await refused(
        h.execute_update(W.ballot, ballot(("专家A", "approve"), (" 专家a ", "abstain"))),
        "more than once",
        status=422,
        field="votes",
    )
    await refused(
        h.execute_update(W.ballot, ballot(("专家A", "approve"), (DRAFTERS[0], "approve"))),
        "drafting members do not vote",
        status=422,
        field="votes",
    )
    await refused(h.execute_update(W.ballot, ballot(("专家A", "maybe"))), status=422, field="votes")
    # only abstentions: nothing cast, nothing passed
    result = await h.execute_update(W.ballot, ballot(("专家A", "abstain"), ("专家B", "abstain")))
    assert tally(result) == BallotTally(0, 0, 2, False)
    await refused(h.execute_update(W.transition, to("50.60")), "did not pass", "0 approve of 0")
    # 2 of 3 cast is below 3/4, however many abstain
    result = await h.execute_update(
        W.ballot,
        ballot(("A", "approve"), ("B", "approve"), ("C", "disapprove"), ("D", "abstain")),
    )
    assert tally(result) == BallotTally(2, 1, 1, False)
    await refused(h.execute_update(W.transition, to("50.60")), "2 approve of 3 cast")
    # exactly 3/4 of the votes cast passes; abstentions are not cast
    votes = [("A", "approve"), ("B", "approve"), ("C", "approve"), ("D", "disapprove")]
    votes += [(f"E{i}", "abstain") for i in range(5)]
    result = await h.execute_update(W.ballot, ballot(*votes))
    assert tally(result) == BallotTally(3, 1, 5, True)
    await h.execute_update(W.transition, to("50.60"))
    stored = (await row(std_env["db"], sid(h))).ballot
    assert (stored["approve"], stored["abstain"], stored["passed"]) == (3, 5, True)


async def test_withdrawal_from_a_middle_stage_ends_the_process(std_env) -> None:
    h = await std_env["start"]()
    await to_stage(h, "10.99", "20.00", "40.20", days=30)
    await h.execute_update(W.comment, comment("cmt_1"))
    await h.execute_update(W.transition, to("95.99", note="并入国家标准"))
    assert await ended(h) == "95.99"
    last = (await milestones(std_env["db"], sid(h)))[-1]
    assert (
        last.kind == "withdrawn"
        and last.note == "withdrawn at 40.20 public comment (征求意见): 并入国家标准"
    )
    assert (await row(std_env["db"], sid(h))).stage_code == "95.99"
    with pytest.raises(RPCError):  # the process has ended; the API answers 409 from the read model
        await h.execute_update(W.transition, to("95.99"))


async def test_it_reports_every_stage_change_to_its_programmes(std_env) -> None:
    h = await std_env["start"]()
    rec = await std_env["recorder"]()
    await h.signal(REPORT_TO_SIGNAL, ReportTo(programme_workflow_id=rec.id))
    await received(rec, ["00.00"])  # at once, where it stands
    await to_stage(h, "10.99", "20.00", "40.20", days=0)
    await h.execute_update(W.transition, to("95.99"))
    assert await ended(h) == "95.99"
    await received(rec, ["00.00", "10.99", "20.00", "40.20", "40.60", "95.99"])
    assert (await h.query(W.snapshot)).programme_workflow_ids == [rec.id]


async def received(rec, expected: list[str]) -> None:
    """Signals arrive in the recorder's own time: ask until it has them all."""
    got = await eventually(lambda: rec.query(ProgrammeRecorder.received), lambda r: r == expected)
    assert got == expected


async def test_continue_as_new_keeps_the_comment_period_and_loses_nothing(std_env) -> None:
    env, db = std_env["env"], std_env["db"]
    h = await std_env["start"](continue_as_new_after_events=30)
    # follows the chain of runs, as the API does
    latest = Api(env.client.get_workflow_handle(h.id), db, project_standard)
    rec = await std_env["recorder"]()
    await latest.signal(REPORT_TO_SIGNAL, ReportTo(programme_workflow_id=rec.id))
    await to_stage(latest, "10.99", "20.00", "40.20", days=10)
    # A run continues as new once every event of it is written. Each comment waits for the
    # workflow to be idle: an Update racing a continue-as-new wedges the time-skipping server.
    await idle(latest)
    ends = (await latest.query(W.snapshot)).comment_period_ends_at
    run_in_period = (await latest.describe()).run_id
    sent = []
    while (await latest.describe()).run_id == run_in_period:  # comments until it continues
        sent.append(f"cmt_{len(sent)}")
        await latest.execute_update(W.comment, comment(sent[-1]))
        await idle(latest)
        assert len(sent) < 30, "the workflow did not continue-as-new"
    sent.append("cmt_right_after")
    await latest.execute_update(W.comment, comment(sent[-1]))

    state = await latest.query(W.snapshot)
    assert state.stage_code == "40.20" and state.comment_period_ends_at == ends
    assert list(state.comments) == sent and state.programme_workflow_ids == [rec.id]
    async with db() as session:
        assert await session.get(StandardComment, "cmt_right_after") is not None
    await skip_time(env, latest, timedelta(days=5))
    assert (await latest.query(W.snapshot)).stage_code == "40.20"  # the period did not restart
    await skip_time(env, latest, timedelta(days=6))
    assert (await latest.query(W.snapshot)).stage_code == "40.60"
    await settled(db, latest)
    closed = [m for m in await milestones(db, sid(h)) if m.kind == "comments_closed"]
    assert len(closed) == 1 and at_the_end(closed[0].at, ends)
    await received(rec, ["00.00", "10.99", "20.00", "40.20", "40.60"])
    kinds = [m.kind for m in await milestones(db, sid(h))]
    assert kinds.count("comment_received") == len(sent) and kinds.count("proposed") == 1


async def test_projection_is_idempotent_when_an_activity_is_retried(std_env) -> None:
    from recall.standards import projection
    from workflows.shared import MilestoneEvent
    from workflows.standard_types import StandardProjection

    db = std_env["db"]
    h = await std_env["start"]()
    await to_stage(h, "10.99", "20.00", "40.20", days=10)
    await h.execute_update(W.comment, comment("cmt_1"))
    state = await h.query(W.snapshot)
    again = StandardProjection(
        state=state,
        comments=[state.comments["cmt_1"]],
        milestones=[
            MilestoneEvent(
                seq=state.seq, at=state.created_at, kind="comment_received", stage="40.20", actor=A
            )
        ],
    )
    async with db() as session:
        await projection.project_standard(session, again)
    assert [m.kind for m in await milestones(db, sid(h))].count("comment_received") == 1
    # an older event never overwrites a newer one
    await h.execute_update(W.dispose, dispose("cmt_1", "accepted"))
    async with db() as session:
        await projection.project_standard(session, again)
        stored = await session.get(StandardComment, "cmt_1")
    assert stored.disposition == "accepted"
