"""The recall case's acts off the straight path, on the time-skipping server with PostgreSQL: a
plan returned for revision, a hazard reopened, a hazard's enterprise joining the case, and the
evidence files an elimination or a progress report cites."""

import dataclasses
import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from recall.auth.principal import Principal
from recall.cases.models import CaseEnterprise, Hazard
from recall.cases.service import case_view
from recall.common.models import Milestone
from recall.files.models import StoredFile
from recall.files.service import store_file
from tests.workflows.helpers import ENTERPRISES, idle, settled, skip_time
from tests.workflows.test_recall_case import milestones, refused, row, to_remediating
from workflows import shared as s
from workflows.recall_case import HAZARD_ENTERPRISE_JOINS
from workflows.recall_case import RecallCaseWorkflow as W

A = "regulator:test"
E = "enterprise:test"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def case_id_of(h) -> str:
    return h.id.removeprefix("recall-case-")


async def notes(db, case_id: str, kind: str) -> list[str]:
    async with db() as session:
        result = await session.execute(
            select(Milestone.note)
            .where(Milestone.subject_id == case_id, Milestone.kind == kind)
            .order_by(Milestone.seq)
        )
        return list(result.scalars())


async def hazard_row(db, hazard_id: str) -> Hazard:
    async with db() as session:
        return await session.get(Hazard, hazard_id)


def add(hazard_id: str, enterprise_id: str = ENTERPRISES[0]) -> s.AddHazard:
    return s.AddHazard(
        actor=A,
        hazard_id=hazard_id,
        enterprise_id=enterprise_id,
        category="ingestion",
        description="磁珠过小",
    )


def plan(units: int = 100, summary: str = "退款") -> s.SubmitPlan:
    return s.SubmitPlan(actor=E, units_affected=units, remedy="refund", summary=summary)


# --- a plan returned for revision ---------------------------------------------------------------


async def test_a_returned_plan_goes_back_to_the_enterprise_and_is_due_again(case_env) -> None:
    env, db = case_env["env"], case_env["db"]
    h = await case_env["open"]()
    case_id = case_id_of(h)
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_2"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="voluntary_recall"))
    await refused(
        h.execute_update(W.return_plan, s.ReturnPlan(actor=A, reason="x")),
        "no plan awaiting acceptance",
    )
    await skip_time(env, h, timedelta(days=10))  # the plan comes late, but in time
    await h.execute_update(W.submit_plan, plan())
    await refused(
        h.execute_update(W.return_plan, s.ReturnPlan(actor=A, reason=" \n")), "must not be blank"
    )
    await h.execute_update(W.return_plan, s.ReturnPlan(actor=A, reason="缺少批次和生产日期"))

    state = await h.query(W.snapshot)
    assert (state.stage, state.decision) == ("assessed", "voluntary_recall")
    returned_at = state.plan.returned_at
    assert returned_at is not None and state.plan.return_reason == "缺少批次和生产日期"
    assert state.plan.summary == "退款"  # kept for reference
    stored = await row(db, case_id)
    assert stored.stage == "assessed" and stored.plan["return_reason"] == "缺少批次和生产日期"
    assert await notes(db, case_id, "plan_returned") == ["缺少批次和生产日期"]
    await refused(h.execute_update(W.accept_plan, s.AcceptPlan(actor=A)), "accepting the plan")
    await refused(
        h.execute_update(W.return_plan, s.ReturnPlan(actor=A, reason="again")),
        "no plan awaiting acceptance",
    )

    # due again 10 working days from the return, not from the decision (17 days ago by then)
    await skip_time(env, h, timedelta(days=7))
    assert (await h.query(W.snapshot)).overdue_items == []
    await skip_time(env, h, timedelta(days=10))
    [notice] = await case_env["webhook"].wait_for(1)
    expected = s.Deadlines().working_days_after(returned_at, 10)
    assert notice["item"] == "plan" and datetime.fromisoformat(notice["due_at"]) == expected
    # the read model tells the timer's due date
    await settled(db, h)
    async with db() as session:
        view = await case_view(session, case_id)
    assert view["deadlines"] == [{"kind": "plan", "due_at": expected, "overdue": True}]

    # a new plan replaces the returned one
    await h.execute_update(W.submit_plan, plan(units=80, summary="更换外壳"))
    state = await h.query(W.snapshot)
    assert state.stage == "recall_planned" and state.overdue_items == []
    assert state.plan.returned_at is None and state.plan.units_affected == 80
    await h.execute_update(W.accept_plan, s.AcceptPlan(actor=A))
    assert (await row(db, case_id)).stage == "remediating"
    assert (await milestones(db, case_id))[3:] == [
        "plan_submitted",
        "plan_returned",
        "overdue",
        "plan_submitted",
        "plan_accepted",
    ]


# --- a hazard reopened --------------------------------------------------------------------------


async def test_a_reopened_hazard_is_open_again_and_a_verified_case_remediates_again(
    case_env,
) -> None:
    env, db = case_env["env"], case_env["db"]
    h = await case_env["open"](deadlines=s.Deadlines(progress_report_days=7))
    case_id = case_id_of(h)
    await to_remediating(h)
    await h.execute_update(W.add_hazard, add("hz_r"))
    await refused(
        h.execute_update(W.reopen_hazard, s.ReopenHazard(actor=A, hazard_id="hz_r", reason="x")),
        "hz_r is identified; only an eliminated hazard can be reopened",
    )
    await h.execute_update(
        W.eliminate_hazard, s.EliminateHazard(actor=E, hazard_id="hz_r", evidence="封闭外壳")
    )
    await h.execute_update(W.report_progress, s.ReportProgress(actor=E, units_corrected=100))
    await h.execute_update(
        W.reopen_hazard, s.ReopenHazard(actor=A, hazard_id="hz_r", reason="抽检仍有小磁珠")
    )
    hazard = (await h.query(W.snapshot)).hazards["hz_r"]
    assert (hazard.status, hazard.eliminated_at, hazard.times_reopened) == ("reopened", None, 1)
    stored = await hazard_row(db, "hz_r")
    assert (stored.status, stored.eliminated_at, stored.days_to_eliminate) == (
        "reopened",
        None,
        None,
    )
    assert stored.evidence == "封闭外壳"  # the last elimination's evidence, until the next
    assert await notes(db, case_id, "hazard_reopened") == ["hz_r: 抽检仍有小磁珠"]
    await refused(
        h.execute_update(W.verify, s.VerifyCase(actor=A, note="x")),
        "1 hazard not eliminated: hz_r",
    )
    await refused(
        h.execute_update(
            W.eliminate_hazard,
            s.EliminateHazard(
                actor=E, hazard_id="hz_r", evidence="x", eliminated_at=hazard.identified_at
            ),
        ),
        "before hazard hz_r was reopened",
    )
    await h.execute_update(
        W.eliminate_hazard, s.EliminateHazard(actor=E, hazard_id="hz_r", evidence="新模具")
    )
    await h.execute_update(W.verify, s.VerifyCase(actor=A, note="ok"))

    # a verified case goes back to remediating, its progress due from the reopening
    await skip_time(env, h, timedelta(days=3))
    await h.execute_update(
        W.reopen_hazard, s.ReopenHazard(actor=A, hazard_id="hz_r", reason="回访发现")
    )
    state = await h.query(W.snapshot)
    assert (state.stage, state.verified_at) == ("remediating", None)
    assert state.hazards["hz_r"].times_reopened == 2
    assert state.hazards["hz_r"].verified_at is None
    reopened_at = state.remediating_again_at
    assert reopened_at == state.hazards["hz_r"].reopened_at
    assert (await row(db, case_id)).stage == "remediating"
    assert (await hazard_row(db, "hz_r")).status == "reopened"
    assert (await notes(db, case_id, "hazard_reopened"))[-1] == (
        "hz_r: 回访发现 (verified -> remediating)"
    )
    # the last report was 3 days ago: without the reopening it would be due in 4 days
    await skip_time(env, h, timedelta(days=5))
    assert (await h.query(W.snapshot)).overdue_items == []
    await skip_time(env, h, timedelta(days=3))
    [notice] = await case_env["webhook"].wait_for(1)
    assert notice["item"] == "progress_report"
    assert datetime.fromisoformat(notice["due_at"]) == reopened_at + timedelta(days=7)
    await settled(db, h)
    async with db() as session:
        view = await case_view(session, case_id)
    assert view["deadlines"] == [
        {"kind": "progress_report", "due_at": reopened_at + timedelta(days=7), "overdue": True}
    ]

    await h.execute_update(
        W.eliminate_hazard, s.EliminateHazard(actor=E, hazard_id="hz_r", evidence="全部召回")
    )
    await h.execute_update(W.verify, s.VerifyCase(actor=A, note="复查通过"))
    await h.execute_update(W.close, s.CloseCase(actor=A, summary="done"))
    assert (await hazard_row(db, "hz_r")).status == "verified"


async def test_a_hazard_reopened_many_times_holds_no_more_state(case_env) -> None:
    h = await case_env["open"]()
    await h.execute_update(W.add_hazard, add("hz_m"))
    sizes = []
    for n in range(6):
        await h.execute_update(
            W.eliminate_hazard, s.EliminateHazard(actor=E, hazard_id="hz_m", evidence="e")
        )
        reason = f"第{n}次复查: " + "仍" * 900
        await h.execute_update(
            W.reopen_hazard, s.ReopenHazard(actor=A, hazard_id="hz_m", reason=reason)
        )
        hazard = (await h.query(W.snapshot)).hazards["hz_m"]
        text = json.dumps(dataclasses.asdict(hazard), default=str, ensure_ascii=False)
        assert "仍仍" not in text  # the reasons live in the milestones only
        sizes.append(len(text))
    assert hazard.times_reopened == 6
    assert max(sizes) - min(sizes) <= 8  # a count's digits and a time's fraction, no more


# --- a hazard's enterprise joins the case -------------------------------------------------------


async def test_a_hazards_enterprise_becomes_one_of_the_cases(case_env) -> None:
    db = case_env["db"]
    h = await case_env["open"](enterprise_ids=[])  # an overseas lead names no enterprise
    case_id = case_id_of(h)
    await h.execute_update(W.add_hazard, add("hz_1", ENTERPRISES[1]))
    await h.execute_update(W.add_hazard, add("hz_2", ENTERPRISES[1]))
    await h.execute_update(W.add_hazard, add("hz_3", ENTERPRISES[0]))
    assert (await h.query(W.snapshot)).enterprise_ids == [ENTERPRISES[1], ENTERPRISES[0]]
    assert (await row(db, case_id)).enterprise_ids == [ENTERPRISES[1], ENTERPRISES[0]]
    async with db() as session:
        parties = await session.execute(
            select(CaseEnterprise.enterprise_id).where(CaseEnterprise.case_id == case_id)
        )
        assert set(parties.scalars()) == set(ENTERPRISES)
    history = await h.fetch_history()
    markers = [
        payload.data
        for e in history.events
        if e.marker_recorded_event_attributes.marker_name == "core_patch"
        for p in e.marker_recorded_event_attributes.details.values()
        for payload in p.payloads
    ]
    assert any(HAZARD_ENTERPRISE_JOINS.encode() in data for data in markers)


# --- evidence files -----------------------------------------------------------------------------


async def _files(db, n: int) -> list[str]:
    uploader = Principal("test", role="enterprise", enterprise_id=ENTERPRISES[0])
    async with db() as session:
        return [
            (await store_file(session, name=f"检测报告{i}.png", data=PNG, principal=uploader)).id
            for i in range(n)
        ]


async def holder(db, file_id: str) -> str | None:
    async with db() as session:
        return (await session.get(StoredFile, file_id)).case_id


async def test_evidence_files_are_kept_and_the_case_holds_them(case_env) -> None:
    db = case_env["db"]
    photo, report, late = await _files(db, 3)
    h = await case_env["open"]()
    case_id = case_id_of(h)
    await to_remediating(h)
    await h.execute_update(W.add_hazard, add("hz_f"))
    too_many = [f"file_{i}" for i in range(11)]
    await refused(
        h.execute_update(
            W.eliminate_hazard,
            s.EliminateHazard(actor=E, hazard_id="hz_f", evidence="x", evidence_file_ids=too_many),
        ),
        "at most 10 evidence files",
    )
    assert await holder(db, photo) is None  # uploaded, not cited yet
    await h.execute_update(
        W.eliminate_hazard,
        s.EliminateHazard(actor=E, hazard_id="hz_f", evidence="密封", evidence_file_ids=[photo]),
    )
    assert (await h.query(W.snapshot)).hazards["hz_f"].evidence_file_ids == [photo]
    assert (await hazard_row(db, "hz_f")).evidence_file_ids == [photo]
    assert await holder(db, photo) == case_id

    await refused(
        h.execute_update(
            W.report_progress,
            s.ReportProgress(actor=E, units_corrected=10, evidence_file_ids=too_many),
        ),
        "at most 10 evidence files",
    )
    await h.execute_update(
        W.report_progress,
        s.ReportProgress(actor=E, units_corrected=10, note="首批", evidence_file_ids=[report]),
    )
    assert (await h.query(W.snapshot)).progress_evidence_file_ids == [report]
    assert await holder(db, report) == case_id
    [note] = await notes(db, case_id, "progress_reported")
    assert note == f"10 units corrected (1.0%): 首批 [evidence files: {report}]"
    async with db() as session:
        view = await case_view(session, case_id)
    assert [f.id for f in view["hazards"][0]["evidence_files"]] == [photo]
    assert view["hazards"][0]["evidence_files"][0].name == "检测报告0.png"
    assert {f.id for f in view["files"]} == {photo, report}
    assert await holder(db, late) is None


async def test_the_workflows_own_write_attaches_the_files(case_env) -> None:
    """Without the API's write of the answer, the projection activity attaches them."""
    db = case_env["db"]
    [photo] = await _files(db, 1)
    h = await case_env["open"](write=False)
    await h.execute_update(W.add_hazard, add("hz_w"))
    await h.execute_update(
        W.eliminate_hazard,
        s.EliminateHazard(actor=E, hazard_id="hz_w", evidence="e", evidence_file_ids=[photo]),
    )
    await settled(db, h)
    await idle(h)
    assert await holder(db, photo) == case_id_of(h)
    assert (await hazard_row(db, "hz_w")).evidence_file_ids == [photo]


# --- the calendar in the workflow ---------------------------------------------------------------


async def test_make_up_workdays_bring_a_plan_due_date_forward(case_env) -> None:
    env = case_env["env"]
    now = await env.get_current_time()
    local = now.astimezone(timezone(timedelta(hours=8))).date()
    weekends = [local + timedelta(days=n) for n in range(1, 15)]
    weekends = [d for d in weekends if d.weekday() >= 5][:2]  # two weekend days, now 调休
    deadlines = s.Deadlines(extra_workdays=weekends)
    h = await case_env["open"](deadlines=deadlines)
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_2"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="voluntary_recall"))
    decided_at = (await h.query(W.snapshot)).decided_at
    due = deadlines.working_days_after(decided_at, 10)
    assert due < s.Deadlines().working_days_after(decided_at, 10)
    await skip_time(env, h, due - decided_at - timedelta(hours=1))
    assert (await h.query(W.snapshot)).overdue_items == []
    await skip_time(env, h, timedelta(hours=2))
    [notice] = await case_env["webhook"].wait_for(1)
    assert notice["item"] == "plan" and datetime.fromisoformat(notice["due_at"]) == due


# --- the deadline the read model shows ----------------------------------------------------------


async def due(db, case_id: str) -> tuple[str | None, datetime | None]:
    stored = await row(db, case_id)
    return stored.due_kind, stored.due_at


async def test_the_read_model_keeps_the_deadline_the_case_waits_on(case_env) -> None:
    db = case_env["db"]
    d = s.Deadlines()
    h = await case_env["open"]()
    case_id = case_id_of(h)
    assert await due(db, case_id) == (None, None)
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_2"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="ordered_recall"))
    state = await h.query(W.snapshot)
    plan_due = d.working_days_after(state.decided_at, 10)
    assert await due(db, case_id) == ("plan", plan_due)
    await h.execute_update(W.submit_plan, plan())
    assert await due(db, case_id) == (None, None)  # the regulator's turn: nothing is due
    await h.execute_update(W.accept_plan, s.AcceptPlan(actor=A))
    accepted_at = (await h.query(W.snapshot)).plan.accepted_at
    assert await due(db, case_id) == ("progress_report", accepted_at + timedelta(days=30))
    await h.execute_update(W.report_progress, s.ReportProgress(actor=E, units_corrected=5))
    reported_at = (await h.query(W.snapshot)).last_progress_at
    assert await due(db, case_id) == ("progress_report", reported_at + timedelta(days=30))
    await h.execute_update(W.verify, s.VerifyCase(actor=A, note="ok"))
    verified_at = (await h.query(W.snapshot)).verified_at
    summary_due = d.working_days_after(verified_at, 15)
    assert await due(db, case_id) == ("summary_report", summary_due)
    async with db() as session:
        view = await case_view(session, case_id)
    assert view["deadlines"] == [
        {"kind": "summary_report", "due_at": summary_due, "overdue": False}
    ]
    await h.execute_update(W.close, s.CloseCase(actor=A, summary="done"))
    assert await due(db, case_id) == (None, None)
