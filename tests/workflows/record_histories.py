"""Record workflow histories for the replay test:
`python -m tests.workflows.record_histories --out DIR [prefix ...]` (prefixes such as `standard`
record only those scenarios). It writes into DIR only, never over the committed histories unless
DIR is tests/workflows/histories.

Run it before changing a workflow, commit the files it writes, then make the change behind
workflow.patched(): the replay test proves that cases already running still replay.

The commands go as the API sends them (each answer written to the read model, cases given their
number) and wait for the workflow to be idle before a continue-as-new, a termination or a skip of
time, as the workflow tests do (see tests/workflows/helpers.py)."""

import argparse
import asyncio
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import httpx
from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from recall import migrate
from recall.auth.principal import Principal
from recall.db import create_engine, create_sessionmaker
from recall.files.service import store_file
from recall.worker import build_worker
from tests.workflows import members
from tests.workflows.helpers import (
    ENTERPRISES,
    ended,
    finish,
    idle,
    open_case,
    seed_reference,
    skip_time,
)
from tests.workflows.standard_helpers import seed_programme, start_standard
from workflows import shared as s
from workflows.association import AssociationWorkflow as AW
from workflows.brand_cultivation import BrandCultivationWorkflow as BW
from workflows.chain import (
    REPORT_TO_SIGNAL,
    LinkMember,
    MemberStatus,
    ProgrammeInput,
    ProgrammeState,
    ReportTo,
    StartProgramme,
    WaiveStage,
    programme_workflow_id,
)
from workflows.industry_programme import IndustryProgrammeWorkflow as PW
from workflows.member_types import StageTransition
from workflows.recall_case import RecallCaseWorkflow as W
from workflows.standard import StandardWorkflow as SW
from workflows.standard_types import (
    BallotStandard,
    CommentOnStandard,
    DisposeComment,
    TransitionStandard,
    Vote,
)

HISTORIES = Path(__file__).parent / "histories"
A = "regulator:record"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


async def full_case(env: WorkflowEnvironment, tq: str, db, out: Path) -> WorkflowHandle:
    h = await open_case(env.client, tq, db, case_id="case_full")
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
    await skip_time(env, h, timedelta(days=16))  # the plan is late: overdue
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
    await skip_time(env, h, timedelta(days=31))  # a progress report is late
    await h.execute_update(W.report_progress, s.ReportProgress(actor=A, units_corrected=80))
    await h.execute_update(W.verify, s.VerifyCase(actor=A, note="ok"))
    await h.execute_update(W.close, s.CloseCase(actor=A, summary="done"))
    await ended(h)
    return h


async def no_recall(env: WorkflowEnvironment, tq: str, db, out: Path) -> WorkflowHandle:
    h = await open_case(env.client, tq, db, case_id="case_no_recall")
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=1, probability="lt_1_1000000"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="no_recall"))
    await ended(h)
    return h


def _to(stage: str, days: int | None = None) -> TransitionStandard:
    return TransitionStandard(actor=A, to=stage, comment_period_days=days)


def _comment(comment_id: str) -> CommentOnStandard:
    return CommentOnStandard(actor=A, comment_id=comment_id, author="金华磁业", text="建议")


async def published(env: WorkflowEnvironment, tq: str, db, out: Path) -> WorkflowHandle:
    h = await start_standard(env.client, tq, db, standard_id="std_published")
    await h.signal(REPORT_TO_SIGNAL, ReportTo("programme-prg_gone"))  # a programme that ended
    for stage in ("10.99", "20.00", "40.20"):
        await h.execute_update(SW.transition, _to(stage))
    await h.execute_update(SW.comment, _comment("cmt_1"))
    await h.execute_update(SW.comment, _comment("cmt_2"))
    await skip_time(env, h, timedelta(days=31))  # the comment period closes by itself
    await h.execute_update(SW.dispose, DisposeComment(A, "cmt_1", "accepted"))
    await h.execute_update(SW.dispose, DisposeComment(A, "cmt_2", "rejected", "out of scope"))
    await h.execute_update(SW.transition, _to("50.20"))
    votes = [Vote("expert_a", "approve"), Vote("expert_b", "disapprove")]
    await h.execute_update(SW.ballot, BallotStandard(A, votes))
    votes += [Vote("expert_c", "approve"), Vote("expert_d", "approve")]
    await h.execute_update(SW.ballot, BallotStandard(A, votes))
    await h.execute_update(SW.transition, _to("50.60"))
    await h.execute_update(SW.transition, _to("60.60"))
    await ended(h)
    return h


async def withdrawn(env: WorkflowEnvironment, tq: str, db, out: Path) -> WorkflowHandle:
    h = await start_standard(env.client, tq, db, standard_id="std_withdrawn")
    for stage in ("10.99", "20.00"):
        await h.execute_update(SW.transition, _to(stage))
    await h.execute_update(SW.transition, _to("40.20", days=0))  # closes at once
    await h.execute_update(SW.transition, _to("95.99"))
    await ended(h)
    return h


async def continued(env: WorkflowEnvironment, tq: str, db, out: Path) -> WorkflowHandle:
    """Continue-as-new in the middle of a comment period: the first run's history."""
    h = await start_standard(
        env.client, tq, db, standard_id="std_continued", continue_as_new_after_events=30
    )
    for stage in ("10.99", "20.00", "40.20"):
        await h.execute_update(SW.transition, _to(stage, days=10 if stage == "40.20" else None))
    first_run = env.client.get_workflow_handle(h.id, run_id=h.result_run_id)
    for i in range(30):
        await idle(h)  # no Update races a continue-as-new
        if (await h.describe()).run_id != first_run.run_id:
            break
        await h.execute_update(SW.comment, _comment(f"cmt_{i}"))
    await finish(h)
    return first_run


async def _evidence(db, n: int) -> list[str]:
    """Files uploaded as an enterprise would, for acts to cite."""
    uploader = Principal("record", role="enterprise", enterprise_id=ENTERPRISES[0])
    async with db() as session:
        return [
            (await store_file(session, name=f"证明{i}.png", data=PNG, principal=uploader)).id
            for i in range(n)
        ]


async def returned_and_reopened(env: WorkflowEnvironment, tq: str, db, out: Path) -> WorkflowHandle:
    """A plan returned and due again (late: overdue), a hazard reopened while remediating and
    again once verified (the case remediates again), evidence files cited."""
    photo, report, again = await _evidence(db, 3)
    h = await open_case(env.client, tq, db, case_id="case_returned_reopened")
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=4, probability="gt_1_100"))
    await h.execute_update(W.add_hazard, _hazard("hz_back"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="voluntary_recall"))
    await h.execute_update(W.submit_plan, _plan("refund"))
    await h.execute_update(W.return_plan, s.ReturnPlan(actor=A, reason="缺少批次信息"))
    await skip_time(env, h, timedelta(days=16))  # the new plan is late: overdue
    await h.execute_update(W.submit_plan, _plan("replace"))
    await h.execute_update(W.accept_plan, s.AcceptPlan(actor=A))
    await h.execute_update(W.eliminate_hazard, _elimination("hz_back", [photo]))
    await h.execute_update(W.reopen_hazard, s.ReopenHazard(A, "hz_back", "抽检仍不合格"))
    await h.execute_update(W.eliminate_hazard, _elimination("hz_back", [again]))
    await h.execute_update(
        W.report_progress,
        s.ReportProgress(actor=A, units_corrected=100, evidence_file_ids=[report]),
    )
    await h.execute_update(W.verify, s.VerifyCase(actor=A, note="ok"))
    await skip_time(env, h, timedelta(days=3))
    await h.execute_update(W.reopen_hazard, s.ReopenHazard(A, "hz_back", "回访发现"))
    await skip_time(env, h, timedelta(days=31))  # progress due from the reopening: overdue
    await h.execute_update(W.eliminate_hazard, _elimination("hz_back", []))
    await h.execute_update(W.verify, s.VerifyCase(actor=A, note="复查通过"))
    await h.execute_update(W.close, s.CloseCase(actor=A, summary="done"))
    await ended(h)
    return h


async def enterprise_joins(env: WorkflowEnvironment, tq: str, db, out: Path) -> WorkflowHandle:
    """A case whose reports name no enterprise: each hazard's enterprise joins it (patched)."""
    h = await open_case(env.client, tq, db, case_id="case_joined", enterprise_ids=[])
    await h.execute_update(W.add_hazard, _hazard("hz_join_a", ENTERPRISES[1]))
    await h.execute_update(W.add_hazard, _hazard("hz_join_b", ENTERPRISES[0]))
    await h.execute_update(W.assess, s.AssessCase(actor=A, severity=1, probability="lt_1_1000000"))
    await h.execute_update(W.decide, s.DecideCase(actor=A, decision="no_recall"))
    await ended(h)
    return h


def _hazard(hazard_id: str, enterprise_id: str = ENTERPRISES[0]) -> s.AddHazard:
    return s.AddHazard(
        actor=A,
        hazard_id=hazard_id,
        enterprise_id=enterprise_id,
        category="ingestion",
        description="magnets",
    )


def _plan(remedy: str) -> s.SubmitPlan:
    return s.SubmitPlan(actor=A, units_affected=100, remedy=remedy, summary=remedy)


def _elimination(hazard_id: str, file_ids: list[str]) -> s.EliminateHazard:
    return s.EliminateHazard(
        actor=A, hazard_id=hazard_id, evidence="sealed", evidence_file_ids=file_ids
    )


# The histories recorded before a change stay beside those recorded after it: record into
# another folder and copy only the new files, never over the old ones.
SCENARIOS = {
    "recall_case": (full_case, no_recall, returned_and_reopened, enterprise_joins),
    "standard": (published, withdrawn, continued),
}


async def registered_then_linked(
    env: WorkflowEnvironment, tq: str, db, out: Path
) -> WorkflowHandle:
    """An association reports each step, and once registered is linked to a second programme."""
    async with members.recorder_worker(env.client) as rq:
        first = await members.start_recorder(env.client, rq, "prg_rec_first")
        h = await members.start_association(env.client, tq, db, association_id="asn_record")
        await h.signal(REPORT_TO_SIGNAL, ReportTo("programme-prg_rec_first"))
        await h.signal(REPORT_TO_SIGNAL, ReportTo("programme-prg_rec_gone"))  # never existed
        for to, number in (("preparing", None), ("charter_adopted", None), ("registered", "R1")):
            await h.execute_update(AW.transition, StageTransition(A, to, registration_no=number))
        second = await members.start_recorder(env.client, rq, "prg_rec_second")
        await h.signal(REPORT_TO_SIGNAL, ReportTo("programme-prg_rec_second"))
        await members.reports(first, 4)
        await members.reports(second, 1)
        await finish(first)
        await finish(second)
    return h  # still running, as a registered association does


async def labelled(env: WorkflowEnvironment, tq: str, db, out: Path) -> WorkflowHandle:
    async with members.recorder_worker(env.client) as rq:
        programme = await members.start_recorder(env.client, rq, "prg_rec_brand")
        h = await members.start_cultivation(
            env.client, tq, db, "prg_rec_brand", cultivation_id="bc_record"
        )
        await h.signal(REPORT_TO_SIGNAL, ReportTo("programme-prg_rec_brand"))
        for to in ("diagnosed", "improving", "certification_applied", "certified", "labelled"):
            number = "CZJM-1" if to == "certified" else None
            await h.execute_update(BW.transition, StageTransition(A, to, certificate_no=number))
        await ended(h)
        await members.reports(programme, 6)
        await finish(programme)
    return h


SCENARIOS["association"] = (registered_then_linked,)
SCENARIOS["brand_cultivation"] = (labelled,)


async def chain(env: WorkflowEnvironment, tq: str, db, out: Path) -> WorkflowHandle:
    """A programme whose case reports its hazards (the patched path of the case workflow), an
    association that registers, a waiver ahead and a waiver of the open stage."""
    case = await open_case(env.client, tq, db, case_id="case_in_programme")
    await case.execute_update(
        W.add_hazard,
        s.AddHazard(
            actor=A,
            hazard_id="hz_chain",
            enterprise_id=ENTERPRISES[0],
            category="ingestion",
            description="magnets",
        ),
    )
    state = ProgrammeState(
        programme_id="prg_chain",
        title="巴克球产业提升",
        industry_code="magnetic-toys",
        region_codes=["330702"],
        created_by=A,
    )
    state.members["case"]["case_in_programme"] = MemberStatus(
        "case", "case_in_programme", "reported", hazards=1, open_hazards=1
    )
    programme = await env.client.start_workflow(
        PW.run, ProgrammeInput(state=state), id=programme_workflow_id("prg_chain"), task_queue=tq
    )
    await programme.execute_update(PW.start, StartProgramme(actor=A))
    await programme.execute_update(PW.waive, WaiveStage(A, "brand_cultivation", "已获证"))
    await case.execute_update(
        W.eliminate_hazard, s.EliminateHazard(actor=A, hazard_id="hz_chain", evidence="sealed")
    )
    association = await members.start_association(env.client, tq, db, association_id="asn_chain")
    await programme.execute_update(PW.link_member, LinkMember("association", "asn_chain", A))
    for to, number in (("preparing", None), ("charter_adopted", None), ("registered", "R9")):
        await association.execute_update(
            AW.transition, StageTransition(A, to, registration_no=number)
        )
    await programme.execute_update(PW.waive, WaiveStage(A, "standard_drafting", "沿用国标"))
    for _ in range(200):
        if (await programme.query(PW.snapshot)).completed_at is not None:
            break
        await asyncio.sleep(0.05)
    assert (await programme.query(PW.snapshot)).completed_at is not None
    await idle(case)
    (out / "recall_case_linked_to_programme.json").write_text(
        (await case.fetch_history()).to_json()
    )
    await finish(association)
    return programme


SCENARIOS["programme"] = (chain,)


async def main(out: Path, only: set[str]) -> None:
    tmp = Path(tempfile.mkdtemp())
    engine = create_engine(f"sqlite+aiosqlite:///{tmp / 'record.db'}")
    await migrate.upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    await seed_reference(sessionmaker)
    await seed_programme(sessionmaker)
    await members.seed_programme(sessionmaker, "prg_rec_brand")
    bin_dir = Path(sys.executable).parent
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(bin_dir / "temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
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
            for prefix, scenarios in SCENARIOS.items():
                if only and prefix not in only:
                    continue
                for scenario in scenarios:
                    handle = await scenario(env, "record", sessionmaker, out)
                    await idle(handle)
                    history = await handle.fetch_history()
                    path = out / f"{prefix}_{scenario.__name__}.json"
                    path.write_text(history.to_json())
                    print(f"wrote {path} ({len(history.events)} events)")
    finally:
        await env.shutdown()
        await engine.dispose()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.workflows.record_histories",
        description="Record workflow histories for the replay test (tests/workflows/histories).",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help=f"directory to write the histories into (the replay test reads {HISTORIES})",
    )
    parser.add_argument(
        "prefixes", nargs="*", metavar="prefix", help=f"record only these: {', '.join(SCENARIOS)}"
    )
    args = parser.parse_args(argv)
    unknown = set(args.prefixes) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown prefix {', '.join(sorted(unknown))}")
    return args


if __name__ == "__main__":
    args = parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(args.out, set(args.prefixes)))
