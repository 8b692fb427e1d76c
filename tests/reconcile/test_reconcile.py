"""`recall reconcile [--repair]` against PostgreSQL (and SQLite) and a Temporal dev server: a
true read model is reported true and left alone; rows deleted and corrupted, of every kind, are
each found, left alone without --repair, and rewritten from the workflows' state with it."""

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import WorkflowExecutionStatus

from recall import migrate
from recall.associations.models import Association
from recall.cases.models import Case, CaseEnterprise, Hazard
from recall.common.models import Milestone
from recall.cultivations.models import BrandCultivation
from recall.db import create_engine, create_sessionmaker
from recall.programmes.models import Programme, ProgrammeMember, ProgrammeRegion
from recall.reconcile.run import Summary, reconcile
from recall.standards.models import Standard, StandardComment
from tests.reconcile.world import Sessions, build, dump, own_stack, quiet
from tests.workflows.helpers import ENTERPRISES, idle, open_case, seed_reference
from workflows.brand_cultivation import BrandCultivationWorkflow
from workflows.chain import cultivation_workflow_id, programme_workflow_id
from workflows.industry_programme import IndustryProgrammeWorkflow
from workflows.recall_case import RecallCaseWorkflow
from workflows.shared import AddHazard, case_workflow_id

pytestmark = pytest.mark.slow


async def recall_reconcile(
    settings, dev_env, *args: str, task_queue: str | None = None
) -> subprocess.CompletedProcess:
    """The command as a user runs it, in a thread: the worker that answers its queries runs
    on this test's event loop."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECALL_", "TEMPORAL_"))}
    env |= {
        "RECALL_DATABASE_URL": settings.database_url,
        "RECALL_TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "RECALL_TEMPORAL__TASK_QUEUE": task_queue or settings.task_queue,
    }
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "recall", "reconcile", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def run(
    settings, dev_env, engine, *, repair: bool = False, progress_every: int = 100
) -> tuple[Summary, list[str]]:
    """The command's entry point: its summary and its lines of differences."""
    out, err = io.StringIO(), io.StringIO()
    summary = await reconcile(
        dev_env.client,
        engine,
        task_queue=settings.task_queue,
        repair=repair,
        out=out,
        err=err,
        progress_every=progress_every,
    )
    lines = out.getvalue().splitlines()
    assert lines[-1] == summary.line
    progress = [line for line in err.getvalue().splitlines() if line.endswith("so far")]
    assert len(progress) == summary.checked // progress_every, err.getvalue()
    return summary, lines[:-1]


async def test_a_true_read_model_is_reported_true_and_left_unchanged(
    dev_env, pg_url, engine, db: Sessions
) -> None:
    async with own_stack(dev_env, pg_url, db) as (settings, api):
        world = await build(api)
        await quiet(dev_env.client, world)
        closed = dev_env.client.get_workflow_handle(case_workflow_id(world["case"][2]))
        assert (await closed.describe()).status == WorkflowExecutionStatus.COMPLETED
        before = await dump(db)
        result = await recall_reconcile(settings, dev_env)
        assert (result.returncode, result.stdout) == (0, "checked 11, differing 0, repaired 0\n")
        assert "reconcile: cases done" in result.stderr, result.stderr
        assert await dump(db) == before
        repaired = await recall_reconcile(settings, dev_env, "--repair")
        assert (repaired.returncode, repaired.stdout) == (0, result.stdout)
        assert await dump(db) == before


async def _damage(db: Sessions, w: dict) -> None:
    """Delete a row of each kind and corrupt another, as a restored older backup or a hand in
    the database would."""
    a, b, c = w["case"]
    p1, p2 = w["programme"]
    async with db() as session:
        # deleted: case B (its enterprise link first), hazard H1, case A's second milestone,
        # programme P2 (its regions and members first), association S2, standard T2, comment
        # C1, cultivation K2
        await session.execute(delete(CaseEnterprise).where(CaseEnterprise.case_id == b))
        await session.execute(delete(Case).where(Case.id == b))
        await session.execute(delete(Hazard).where(Hazard.id == w["hazard"][0]))
        await session.execute(
            delete(Milestone).where(
                Milestone.subject_type == "case", Milestone.subject_id == a, Milestone.seq == 2
            )
        )
        await session.execute(delete(ProgrammeRegion).where(ProgrammeRegion.programme_id == p2))
        await session.execute(delete(ProgrammeMember).where(ProgrammeMember.programme_id == p2))
        await session.execute(delete(Programme).where(Programme.id == p2))
        await session.execute(delete(Association).where(Association.id == w["association"][1]))
        await session.execute(delete(Standard).where(Standard.id == w["standard"][1]))
        await session.execute(delete(StandardComment).where(StandardComment.id == w["comment"][0]))
        await session.execute(
            delete(BrandCultivation).where(BrandCultivation.id == w["cultivation"][1])
        )
        # corrupted, at the same version unless said: case A's stage, closed case C's title,
        # hazard H2's description, association S1's first milestone renumbered, programme P1's
        # title at an older version, association S1's name, standard T1's title, comment C2's
        # text, cultivation K1's stage at a version beyond the workflow's
        await session.execute(update(Case).where(Case.id == a).values(stage="closed"))
        await session.execute(update(Case).where(Case.id == c).values(title="x"))
        await session.execute(
            update(Hazard).where(Hazard.id == w["hazard"][1]).values(description="无")
        )
        await session.execute(
            update(Milestone)
            .where(
                Milestone.subject_type == "association",
                Milestone.subject_id == w["association"][0],
                Milestone.seq == 1,
            )
            .values(seq=99)
        )
        await session.execute(
            update(Programme).where(Programme.id == p1).values(title="旧标题", version=1)
        )
        await session.execute(
            update(Association).where(Association.id == w["association"][0]).values(name="x")
        )
        await session.execute(
            update(Standard).where(Standard.id == w["standard"][0]).values(title="x")
        )
        await session.execute(
            update(StandardComment).where(StandardComment.id == w["comment"][1]).values(text="x")
        )
        await session.execute(
            update(BrandCultivation)
            .where(BrandCultivation.id == w["cultivation"][0])
            .values(stage="labelled", version=999)
        )
        await session.commit()


def _found(w: dict, seqs: dict[str, int]) -> list[str]:
    """What reconcile says of `_damage`: one line for each row deleted or corrupted."""
    (a, b, c), (h1, h2), (p1, p2) = w["case"], w["hazard"], w["programme"]
    (s1, s2), (t1, t2), (c1, c2), (k1, k2) = (
        w[kind] for kind in ("association", "standard", "comment", "cultivation")
    )
    return [
        f"case {b}: cases row missing",
        f"case {b}: case_enterprises {w['enterprise'][1]} missing",
        f"case {a}: cases row: stage 'closed' (workflow: 'assessed')",
        f"case {c}: cases row: title 'x' (workflow: '已结案')",
        f"case {a}: hazards {h1} missing",
        f"case {a}: hazards {h2}: description '无' (workflow: '包装无警示')",
        f"case {a}: milestone seq 2 missing",
        f"programme {p2}: programmes row missing",
        f"programme {p2}: programme_regions 330702 missing",
        f"programme {p2}: programme_members case/{b} missing",
        f"programme {p1}: programmes row: title '旧标题' (workflow: '巴克球'), "
        f"version 1 (workflow: {seqs['programme']})",
        f"association {s2}: associations row missing",
        f"association {s1}: associations row: name 'x' (workflow: '磁力玩具协会')",
        f"association {s1}: milestone seq 1 missing",
        f"association {s1}: milestone seq 99 is not in the workflow",
        f"standard {t2}: standards row missing",
        f"standard {t1}: standards row: title 'x' (workflow: '强磁体')",
        f"standard {t1}: standard_comments {c1} missing",
        f"standard {t1}: standard_comments {c2}: text 'x' (workflow: '建议')",
        f"cultivation {k2}: brand_cultivations row missing",
        f"cultivation {k1}: brand_cultivations row: stage 'labelled' (workflow: 'enrolled'), "
        f"version 999 (workflow: {seqs['cultivation']})",
    ]


async def _seqs(client, w: dict) -> dict[str, int]:
    """The seq of programme P1 and of cultivation K1, as their workflows have it."""
    programme = client.get_workflow_handle(programme_workflow_id(w["programme"][0]))
    cultivation = client.get_workflow_handle(cultivation_workflow_id(w["cultivation"][0]))
    return {
        "programme": (await programme.query(IndustryProgrammeWorkflow.snapshot)).seq,
        "cultivation": (await cultivation.query(BrandCultivationWorkflow.snapshot)).seq,
    }


@pytest.fixture(params=["postgresql", "sqlite"])
async def database(
    request, tmp_path, pg_url, engine, db
) -> AsyncIterator[tuple[str, AsyncEngine, Sessions]]:
    """The read model: the suite's PostgreSQL database (emptied), or a SQLite file."""
    if request.param == "postgresql":
        yield pg_url, engine, db
        return
    url = f"sqlite+aiosqlite:///{tmp_path / 'recall.db'}"
    sqlite = create_engine(url)
    await migrate.upgrade(sqlite)
    yield url, sqlite, create_sessionmaker(sqlite)
    await sqlite.dispose()


async def test_rows_deleted_and_corrupted_are_found_then_repaired(dev_env, database) -> None:
    url, engine, db = database
    async with own_stack(dev_env, url, db) as (settings, api):
        w = await build(api)
        await quiet(dev_env.client, w)
        # what a repair may change: a case's hazards and a standard's comments carry the
        # state's seq once written again, and milestones written again have new ids
        moved = frozenset({"hazards.version", "standard_comments.version", "milestones.id"})
        true = await dump(db, leave_out=moved)
        await _damage(db, w)
        damaged = await dump(db)
        found = _found(w, await _seqs(dev_env.client, w))

        summary, lines = await run(settings, dev_env, engine)
        assert sorted(lines) == sorted(found)
        assert (summary.checked, summary.differing, summary.repaired) == (11, 11, 0)
        assert summary.exit_code == 1
        assert await dump(db) == damaged

        summary, lines = await run(settings, dev_env, engine, repair=True)
        # case B written again has no programme yet: programme P2's write gives it one
        p2, b = w["programme"][1], w["case"][1]
        late = f"programme {p2}: cases {b}: programme_id None (workflow: '{p2}')"
        assert sorted(lines) == sorted([*found, late])
        assert (summary.checked, summary.differing, summary.repaired) == (11, 11, 11)
        assert summary.exit_code == 0
        assert await dump(db, leave_out=moved) == true

        summary, lines = await run(settings, dev_env, engine, progress_every=4)
        assert (lines, summary.line, summary.exit_code) == (
            [],
            "checked 11, differing 0, repaired 0",
            0,
        )


async def test_the_command_exits_1_while_differences_remain(dev_env, pg_url, db: Sessions) -> None:
    async with own_stack(dev_env, pg_url, db) as (settings, api):
        w = await build(api)
        await quiet(dev_env.client, w)
        await _damage(db, w)
        result = await recall_reconcile(settings, dev_env)
        assert result.returncode == 1, result.stderr
        assert result.stdout.splitlines()[-1] == "checked 11, differing 11, repaired 0"
        assert sorted(result.stdout.splitlines()[:-1]) == sorted(
            _found(w, await _seqs(dev_env.client, w))
        )
        repaired = await recall_reconcile(settings, dev_env, "--repair")
        assert repaired.returncode == 0, repaired.stderr
        assert repaired.stdout.splitlines()[-1] == "checked 11, differing 11, repaired 11"
        again = await recall_reconcile(settings, dev_env)
        assert (again.returncode, again.stdout) == (0, "checked 11, differing 0, repaired 0\n")
        # no worker on the queue: said at once, not after a query's timeout per workflow
        alone = await recall_reconcile(settings, dev_env, task_queue="nobody-polls-this")
        assert alone.returncode == 1 and alone.stdout == "", alone.stdout
        assert alone.stderr.startswith("error: no worker polls the task queue 'nobody-polls-this'")


async def test_a_workflow_continued_as_new_is_one_and_its_first_run_restores_milestones(
    dev_env, pg_url, db: Sessions, engine
) -> None:
    """Its runs are listed once each but checked as one workflow; a milestone of its first run
    is found in that run's history."""
    async with own_stack(dev_env, pg_url, db) as (settings, _):
        await seed_reference(db)
        case = await open_case(
            dev_env.client, settings.task_queue, db, continue_as_new_after_events=20
        )
        first_run, n = (await case.describe()).run_id, 0
        while (await case.describe()).run_id == first_run:
            n += 1
            assert n < 40, "the workflow did not continue as new"
            hazard = AddHazard("regulator:test", f"hz_{n}", ENTERPRISES[0], "ingestion", "磁体")
            await case.execute_update(RecallCaseWorkflow.add_hazard, hazard)
        await idle(case.handle)
        moved = frozenset({"milestones.id", "hazards.version"})  # the repair writes them again
        true = await dump(db, leave_out=moved)
        async with db() as session:
            await session.execute(delete(Milestone).where(Milestone.seq.in_([1, 2])))
            await session.commit()

        summary, lines = await run(settings, dev_env, engine, repair=True)
        case_id = case.id.removeprefix("recall-case-")
        assert lines == [f"case {case_id}: milestone seq {n} missing" for n in (1, 2)]
        assert (summary.checked, summary.differing, summary.repaired) == (1, 1, 1)
        assert await dump(db, leave_out=moved) == true
