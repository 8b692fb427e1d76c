"""The industry programme workflow on the dev server: its chain, its refusals, and a
continue-as-new that loses nothing. It needs no skipped time, and its members' signals race its
continue-as-new, which a real server handles and the time-skipping one does not always."""

import uuid

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError

from recall.common.models import Milestone
from recall.programmes.models import Programme
from recall.programmes.projection import project_programme
from tests.api.eventually import eventually
from tests.conftest import running_worker
from tests.workflows.helpers import Api, continued_as_new, finish, seed_reference, settled
from workflows.chain import (
    MEMBER_STATUS_SIGNAL,
    LinkMember,
    MemberStatus,
    ProgrammeInput,
    ProgrammeState,
    StartProgramme,
    WaiveStage,
    programme_workflow_id,
)
from workflows.industry_programme import IndustryProgrammeWorkflow as P

A = "regulator:test"


@pytest.fixture
async def programme_env(dev_env, db):
    await seed_reference(db)
    task_queue = f"prg-{uuid.uuid4().hex[:8]}"
    handles = []

    async def start(cases: dict[str, tuple[int, int, str]], **input_kwargs):
        pid = f"prg_{uuid.uuid4().hex[:12]}"
        state = ProgrammeState(
            programme_id=pid,
            title="巴克球产业提升",
            industry_code="magnetic-toys",
            region_codes=["330702"],
            created_by=A,
        )
        state.members["case"] = {
            cid: MemberStatus("case", cid, stage, hazards=total, open_hazards=open_)
            for cid, (total, open_, stage) in cases.items()
        }
        handle = await dev_env.client.start_workflow(
            P.run,
            ProgrammeInput(state=state, **input_kwargs),
            id=programme_workflow_id(pid),
            task_queue=task_queue,
        )
        handle = Api(handle, db, project_programme)  # as the API drives it
        await handle.execute_update(P.start, StartProgramme(actor=A))
        handles.append(handle)
        return handle

    async with running_worker(dev_env.client, db, task_queue=task_queue, webhook_url=None):
        yield {"start": start, "db": db, "env": dev_env}
        for handle in handles:
            await finish(handle)


async def stage_of(handle) -> str:
    return (await handle.query(P.snapshot)).stage


async def settle(handle, expected: str) -> None:
    """Signals are taken in the workflow's own time; a query waits for none, so ask until."""
    await eventually(lambda: stage_of(handle), lambda stage: stage == expected)


async def report(handle, kind: str, member_id: str, status: str, **counts) -> None:
    await handle.signal(MEMBER_STATUS_SIGNAL, MemberStatus(kind, member_id, status, **counts))


async def test_the_chain_advances_as_members_report(programme_env) -> None:
    h = await programme_env["start"]({"case_a": (2, 2, "remediating")})
    assert await stage_of(h) == "hazard_elimination"
    await report(h, "case", "case_a", "remediating", hazards=2, open_hazards=1)
    await report(h, "association", "asn_x", "registered")  # not linked: ignored
    assert await stage_of(h) == "hazard_elimination"
    await report(h, "case", "case_a", "remediating", hazards=2, open_hazards=0)
    await settle(h, "association_formation")

    # a standard published before the association registers completes its stage at once after
    await h.execute_update(P.link_member, LinkMember("standard", "std_1", A))
    await h.execute_update(P.link_member, LinkMember("association", "asn_1", A))
    await report(h, "standard", "std_1", "60.60")
    await report(h, "association", "asn_1", "charter_adopted")
    assert await stage_of(h) == "association_formation"
    await report(h, "association", "asn_1", "registered")
    await settle(h, "brand_cultivation")
    await h.execute_update(P.link_member, LinkMember("cultivation", "bc_1", A))
    await report(h, "cultivation", "bc_1", "certified")
    await settle(h, "completed")

    state = await h.query(P.snapshot)
    assert [s.status for s in state.stages] == ["complete"] * 4
    await settled(programme_env["db"], h)  # signals moved it: the workflow writes that itself
    async with programme_env["db"]() as session:
        row = await session.get(Programme, state.programme_id)
        rows = (
            await session.execute(
                select(Milestone.kind, Milestone.stage, Milestone.note)
                .where(Milestone.subject_id == state.programme_id)
                .order_by(Milestone.seq)
            )
        ).all()
    kinds = [kind for kind, _, _ in rows]
    assert row.stage == "completed" and row.association_ids == ["asn_1"]
    assert kinds.count("stage_complete") == 4 and kinds[-1] == "completed"
    # each stage's milestone names the stage it is about
    completed = [(stage, note) for kind, stage, note in rows if kind == "stage_complete"]
    assert [stage for stage, _ in completed] == [note for _, note in completed]
    assert [stage for stage, _ in completed] == [s.name for s in state.stages]


async def test_a_case_without_hazards_counts_once_verified(programme_env) -> None:
    h = await programme_env["start"]({"case_a": (0, 0, "remediating")})
    assert await stage_of(h) == "hazard_elimination"
    await report(h, "case", "case_a", "verified")
    await settle(h, "association_formation")


async def test_refusals(programme_env) -> None:
    h = await programme_env["start"]({"case_a": (1, 0, "verified")})
    await settle(h, "association_formation")
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await h.execute_update(P.waive, WaiveStage(A, "hazard_elimination", "x"))
    assert "already complete" in info.value.cause.message
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await h.execute_update(P.waive, WaiveStage(A, "standard_drafting", "  "))
    assert "needs a reason" in info.value.cause.message
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await h.execute_update(P.link_member, LinkMember("sponsor", "x", A))
    assert "kind must be one of" in info.value.cause.message
    await h.execute_update(P.waive, WaiveStage(A, "standard_drafting", "沿用国标"))
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await h.execute_update(P.waive, WaiveStage(A, "standard_drafting", "again"))
    assert "already waived" in info.value.cause.message


async def test_continue_as_new_keeps_members_waivers_and_every_signal(programme_env) -> None:
    h = await programme_env["start"](
        {"case_a": (50, 50, "remediating")}, continue_as_new_after_events=40
    )
    first_run = (await h.describe()).run_id
    await h.execute_update(P.waive, WaiveStage(A, "brand_cultivation", "已获证"))
    await h.execute_update(P.link_member, LinkMember("association", "asn_1", A))
    for remaining in range(49, -1, -1):  # fifty signals across several runs
        await report(h, "case", "case_a", "remediating", hazards=50, open_hazards=remaining)
    await report(h, "association", "asn_1", "registered")
    await h.execute_update(P.link_member, LinkMember("standard", "std_1", A))
    await report(h, "standard", "std_1", "60.60")
    await settle(h, "completed")
    await continued_as_new(h, first_run)  # it did continue as new
    state = await h.query(P.snapshot)
    assert state.members["case"]["case_a"].open_hazards == 0
    assert state.waivers == {"brand_cultivation": "已获证"}
    assert [s.status for s in state.stages] == ["complete", "complete", "complete", "waived"]
