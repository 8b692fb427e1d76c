"""The recall-case workflow on the time-skipping server, writing its read model to PostgreSQL."""

from datetime import timedelta, timezone

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from recall.cases.models import Case, Hazard
from recall.common.models import Milestone
from tests.workflows.helpers import (
    ENTERPRISES,
    continued_as_new,
    ended,
    idle,
    settled,
    skip_time,
)
from workflows import shared as s
from workflows.recall_case import RecallCaseWorkflow as W

A = "regulator:test"


async def refused(call, *fragments: str) -> None:
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await call
    message = info.value.cause.message
    for fragment in fragments:
        assert fragment in message, message


async def row(db, case_id: str) -> Case:
    async with db() as session:
        return await session.get(Case, case_id)


async def milestones(db, case_id: str) -> list[str]:
    async with db() as session:
        result = await session.execute(
            select(Milestone.kind).where(Milestone.subject_id == case_id).order_by(Milestone.seq)
        )
        return list(result.scalars())


async def to_remediating(h, *, target: float | None = None) -> None:
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_100"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="voluntary_recall"))
    await h.execute_update(
        W.submit_plan,
        s.SubmitPlan(
            actor=A,
            units_affected=1000,
            remedy="refund",
            summary="refund",
            correction_rate_target=target,
        ),
    )
    await h.execute_update(W.accept_plan, s.AcceptPlan(actor=A))


async def test_a_case_walks_every_stage_and_the_read_model_follows(case_env) -> None:
    db = case_env["db"]
    h = await case_env["open"]()
    case_id = h.id.removeprefix("recall-case-")
    opened = await row(db, case_id)
    assert opened.stage == "reported" and opened.number.startswith("RC-")

    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=2, probability="gt_1_1000"))
    assert (await row(db, case_id)).risk["level"] == "high"
    # assessment may be repeated until the decision; the latest counts, an override keeps its reason
    await h.execute_update(
        W.assess,
        s.AssessCase(
            actor=A,
            severity=1,
            probability="gt_1_2",
            level_override="serious",
            override_reason="children's product",
        ),
    )
    risk = (await row(db, case_id)).risk
    assert (risk["level"], risk["computed_level"], risk["overridden"]) == ("serious", "high", True)
    assert risk["override_reason"] == "children's product"

    await h.execute_update(
        W.add_hazard,
        s.AddHazard(
            actor=A,
            hazard_id="hz_1",
            enterprise_id=ENTERPRISES[0],
            category="ingestion",
            description="magnets swallowed",
        ),
    )
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="ordered_recall"))
    await h.execute_update(
        W.submit_plan,
        s.SubmitPlan(
            actor=A,
            units_affected=200,
            remedy="replace",
            summary="swap",
            correction_rate_target=0.5,
        ),
    )
    assert (await row(db, case_id)).stage == "recall_planned"
    await h.execute_update(W.accept_plan, s.AcceptPlan(actor=A, note="ok"))
    assert (await row(db, case_id)).stage == "remediating"
    await h.execute_update(
        W.eliminate_hazard,
        s.EliminateHazard(actor="enterprise:a", hazard_id="hz_1", evidence="sealed housing"),
    )
    await h.execute_update(
        W.report_progress, s.ReportProgress(actor="enterprise:a", units_corrected=150)
    )
    assert (await row(db, case_id)).correction_rate == pytest.approx(0.75)
    await h.execute_update(W.verify, s.VerifyCase(actor=A, note="checked on site"))
    await h.execute_update(W.close, s.CloseCase(actor=A, summary="all done"))

    final = await row(db, case_id)
    assert final.stage == "closed" and final.overdue is False
    async with db() as session:
        hazard = await session.get(Hazard, "hz_1")
    assert hazard.status == "verified" and hazard.evidence == "sealed housing"
    assert await milestones(db, case_id) == [
        "reported",
        "assessed",
        "assessed",
        "hazard_identified",
        "decided",
        "plan_submitted",
        "plan_accepted",
        "hazard_eliminated",
        "progress_reported",
        "verified",
        "closed",
    ]
    assert await ended(h) == "closed"


async def test_no_recall_closes_the_case(case_env) -> None:
    h = await case_env["open"]()
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=1, probability="lt_1_1000000"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="no_recall", reason="low risk"))
    assert await ended(h) == "closed_no_recall"
    with pytest.raises(RPCError):  # the process has ended; the API answers 409 from the read model
        await h.execute_update(W.assess, s.AssessCase(actor=A, severity=1, probability="gt_1_2"))


async def test_every_refusal_names_the_reason_and_stays_out_of_history(case_env) -> None:
    h = await case_env["open"]()
    await refused(
        h.execute_update(W.decide, s.DecideCase(actor=A, decision="voluntary_recall")),
        "is in stage 'reported'",
        "needs stage 'assessed'",
    )
    await refused(
        h.execute_update(
            W.submit_plan, s.SubmitPlan(actor=A, units_affected=1, remedy="refund", summary="x")
        ),
        "stage 'reported'",
    )
    await refused(h.execute_update(W.accept_plan, s.AcceptPlan(actor=A)), "accepting the plan")
    await refused(h.execute_update(W.verify, s.VerifyCase(actor=A, note="x")), "verification")
    await refused(h.execute_update(W.close, s.CloseCase(actor=A, summary="x")), "closure")
    await refused(
        h.execute_update(W.report_progress, s.ReportProgress(actor=A, units_corrected=1)),
        "progress report",
    )
    await refused(
        h.execute_update(
            W.eliminate_hazard, s.EliminateHazard(actor=A, hazard_id="hz_missing", evidence="x")
        ),
        "has no hazard hz_missing",
    )
    await refused(
        h.execute_update(W.assess, s.AssessCase(actor=A, severity=5, probability="gt_1_2")),
        "severity",
    )
    await refused(
        h.execute_update(
            W.assess,
            s.AssessCase(actor=A, severity=2, probability="gt_1_2", level_override="serious"),
        ),
        "needs a reason",
    )

    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=3, probability="gt_1_10"))
    await refused(
        h.execute_update(
            W.submit_plan, s.SubmitPlan(actor=A, units_affected=1, remedy="refund", summary="x")
        ),
        "no recall decision yet",
    )
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="voluntary_recall"))
    await refused(
        h.execute_update(W.decide, s.DecideCase(actor=A, decision="no_recall")),
        "already has the decision",
    )
    await refused(
        h.execute_update(W.assess, s.AssessCase(actor=A, severity=1, probability="gt_1_2")),
        "can no longer change",
    )
    await h.execute_update(
        W.submit_plan,
        s.SubmitPlan(
            actor=A, units_affected=100, remedy="repair", summary="fix", correction_rate_target=0.9
        ),
    )
    await h.execute_update(W.accept_plan, s.AcceptPlan(actor=A))
    for hazard_id in ("hz_a", "hz_b"):
        await h.execute_update(
            W.add_hazard,
            s.AddHazard(
                actor=A,
                hazard_id=hazard_id,
                enterprise_id=ENTERPRISES[1],
                category="ingestion",
                description="x",
            ),
        )
    await refused(
        h.execute_update(
            W.add_hazard,
            s.AddHazard(
                actor=A,
                hazard_id="hz_a",
                enterprise_id=ENTERPRISES[1],
                category="ingestion",
                description="x",
            ),
        ),
        "already recorded",
    )
    await refused(
        h.execute_update(W.verify, s.VerifyCase(actor=A, note="x")),
        "has 2 hazards not eliminated: hz_a, hz_b",
    )
    await h.execute_update(
        W.eliminate_hazard, s.EliminateHazard(actor=A, hazard_id="hz_a", evidence="e")
    )
    await refused(
        h.execute_update(
            W.eliminate_hazard, s.EliminateHazard(actor=A, hazard_id="hz_a", evidence="e")
        ),
        "already eliminated",
    )
    await refused(
        h.execute_update(W.verify, s.VerifyCase(actor=A, note="x")),
        "has 1 hazard not eliminated: hz_b",
    )
    await h.execute_update(
        W.eliminate_hazard, s.EliminateHazard(actor=A, hazard_id="hz_b", evidence="e")
    )
    await h.execute_update(W.report_progress, s.ReportProgress(actor=A, units_corrected=50))
    await refused(
        h.execute_update(W.report_progress, s.ReportProgress(actor=A, units_corrected=40)),
        "cumulative",
    )
    await refused(
        h.execute_update(W.report_progress, s.ReportProgress(actor=A, units_corrected=101)),
        "more than the 100 units affected",
    )
    await refused(
        h.execute_update(W.verify, s.VerifyCase(actor=A, note="x")),
        "correction rate of 50.0%",
        "target of 90.0%",
    )
    await h.execute_update(W.report_progress, s.ReportProgress(actor=A, units_corrected=95))
    await h.execute_update(W.verify, s.VerifyCase(actor=A, note="ok"))

    # A validator refuses before history: only the accepted updates were written.
    history = await h.fetch_history()
    accepted = [
        e
        for e in history.events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    ]
    assert len(accepted) == 12  # open + the 11 commands that succeeded


async def test_a_missed_plan_deadline_flags_the_case_and_notifies(case_env) -> None:
    h = await case_env["open"]()
    case_id = h.id.removeprefix("recall-case-")
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_2"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="ordered_recall"))
    await skip_time(case_env["env"], h, timedelta(days=5))
    assert (await h.query(W.snapshot)).overdue_items == []  # 10 working days not yet gone

    await skip_time(case_env["env"], h, timedelta(days=12))
    [notice] = await case_env["webhook"].wait_for(1)
    assert notice["event"] == "case.overdue" and notice["item"] == "plan"
    assert notice["case_id"] == case_id and notice["number"].startswith("RC-")
    await settled(case_env["db"], h)  # the timer's event has no API caller: the workflow writes it
    flagged = await row(case_env["db"], case_id)
    assert flagged.overdue is True and flagged.overdue_items == ["plan"]
    assert "overdue" in await milestones(case_env["db"], case_id)

    await h.execute_update(
        W.submit_plan,
        s.SubmitPlan(actor="enterprise:a", units_affected=10, remedy="refund", summary="late plan"),
    )
    assert (await row(case_env["db"], case_id)).overdue is False


async def test_progress_reports_are_due_periodically(case_env) -> None:
    h = await case_env["open"](deadlines=s.Deadlines(progress_report_days=7))
    await to_remediating(h)
    await skip_time(case_env["env"], h, timedelta(days=5))
    await h.execute_update(W.report_progress, s.ReportProgress(actor=A, units_corrected=10))
    await skip_time(case_env["env"], h, timedelta(days=5))  # 5 days after the report: not due yet
    assert (await h.query(W.snapshot)).overdue_items == []
    await skip_time(case_env["env"], h, timedelta(days=3))
    [notice] = await case_env["webhook"].wait_for(1)
    assert notice["item"] == "progress_report"
    await h.execute_update(W.report_progress, s.ReportProgress(actor=A, units_corrected=20))
    assert (await h.query(W.snapshot)).overdue_items == []


async def test_summary_report_is_due_after_verification(case_env) -> None:
    h = await case_env["open"]()
    case_id = h.id.removeprefix("recall-case-")
    await to_remediating(h)
    await h.execute_update(W.verify, s.VerifyCase(actor=A, note="ok"))
    await skip_time(case_env["env"], h, timedelta(days=23))
    [notice] = await case_env["webhook"].wait_for(1)
    assert notice["item"] == "summary_report"
    await settled(case_env["db"], h)
    assert (await row(case_env["db"], case_id)).overdue is True
    await h.execute_update(W.close, s.CloseCase(actor=A, summary="late summary"))
    closed = await row(case_env["db"], case_id)
    assert closed.stage == "closed" and closed.overdue is False


async def test_a_failing_webhook_is_retried_until_it_answers(case_env) -> None:
    case_env["webhook"].fail_next = 2
    h = await case_env["open"]()
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_2"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="voluntary_recall"))
    await skip_time(case_env["env"], h, timedelta(days=20))
    [notice] = await case_env["webhook"].wait_for(1, timeout=60)
    assert notice["item"] == "plan"


async def test_projection_is_idempotent_when_an_activity_is_retried(case_env) -> None:
    """Writing the same event twice (a retried activity) changes nothing twice."""
    from recall.cases import projection

    h = await case_env["open"]()
    case_id = h.id.removeprefix("recall-case-")
    await h.execute_update(
        W.add_hazard,
        s.AddHazard(
            actor=A,
            hazard_id="hz_r",
            enterprise_id=ENTERPRISES[0],
            category="fire",
            description="x",
        ),
    )
    state = await h.query(W.snapshot)
    replay = s.CaseProjection(
        state=state,
        hazards=[state.hazards["hz_r"]],
        milestones=[
            s.MilestoneEvent(
                seq=state.seq,
                at=state.opened_at,
                kind="hazard_identified",
                stage=state.stage,
                actor=A,
            )
        ],
    )
    async with case_env["db"]() as session:
        await projection.project_case(session, replay)
        assert (
            await projection.open_case(session, state, h.id)
            == (await row(case_env["db"], case_id)).number
        )
    assert await milestones(case_env["db"], case_id) == ["reported", "hazard_identified"]
    # an older event never overwrites a newer one
    older = s.CaseProjection(
        state=s.CaseState(**{**state.__dict__, "stage": "reported", "seq": 1}),
        hazards=[],
        milestones=[],
    )
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=1, probability="gt_1_2"))
    async with case_env["db"]() as session:
        await projection.project_case(session, older)
    assert (await row(case_env["db"], case_id)).stage == "assessed"


async def test_continue_as_new_keeps_hazards_and_a_pending_deadline(case_env) -> None:
    h = await case_env["open"](continue_as_new_after_events=40)
    first_run = (await h.describe()).run_id
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_2"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="voluntary_recall"))
    for n in range(15):  # enough Updates to pass the limit more than once
        # A run continues as new once every event of it is written; an Update racing that
        # wedges the time-skipping server, so each one waits for the workflow to be idle.
        await idle(h)
        await h.execute_update(
            W.add_hazard,
            s.AddHazard(
                actor=A,
                hazard_id=f"hz_{n}",
                enterprise_id=ENTERPRISES[n % 2],
                category="fire",
                description=f"h{n}",
            ),
        )
    await continued_as_new(h, first_run)
    state = await h.query(W.snapshot)
    assert len(state.hazards) == 15 and state.decision == "voluntary_recall"
    # the plan deadline, started before continue-as-new, still fires
    await skip_time(case_env["env"], h, timedelta(days=17))
    [notice] = await case_env["webhook"].wait_for(1)
    assert notice["item"] == "plan"
    await settled(case_env["db"], h)
    assert await milestones(case_env["db"], h.id.removeprefix("recall-case-")) == [
        "reported",
        "assessed",
        "decided",
        *["hazard_identified"] * 15,
        "overdue",
    ]


async def test_public_holidays_push_the_plan_deadline(case_env) -> None:
    env = case_env["env"]
    today = (await env.get_current_time()).astimezone(timezone(timedelta(hours=8))).date()
    national_days = [today + timedelta(days=n) for n in range(1, 11)]  # ten days off
    h = await case_env["open"](deadlines=s.Deadlines(holidays=national_days))
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_2"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="voluntary_recall"))
    await skip_time(env, h, timedelta(days=17))  # past 10 working days without the holidays
    assert (await h.query(W.snapshot)).overdue_items == []
    await skip_time(env, h, timedelta(days=10))
    [notice] = await case_env["webhook"].wait_for(1)
    assert notice["item"] == "plan"


async def test_a_long_run_continues_as_new_before_the_servers_update_limit(
    case_env, monkeypatch
) -> None:
    from workflows import journal

    monkeypatch.setattr(journal, "MAX_EVENTS_PER_RUN", 40)  # instead of 4,000
    h = await case_env["open"]()
    first_run = (await h.describe()).run_id
    for n in range(15):
        await idle(h)  # as above: no Update races a continue-as-new
        await h.execute_update(
            W.add_hazard,
            s.AddHazard(
                actor=A,
                hazard_id=f"hz_{n}",
                enterprise_id=ENTERPRISES[0],
                category="fire",
                description=f"h{n}",
            ),
        )
    await continued_as_new(h, first_run)
    assert len((await h.query(W.snapshot)).hazards) == 15
    first = await case_env["client"].get_workflow_handle(h.id, run_id=first_run).fetch_history()
    patches = [
        payload.data
        for e in first.events
        if e.marker_recorded_event_attributes.marker_name == "core_patch"
        for p in e.marker_recorded_event_attributes.details.values()
        for payload in p.payloads
    ]
    assert any(b"continue-as-new-by-length" in data for data in patches)
