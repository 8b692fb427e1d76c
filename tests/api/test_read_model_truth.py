"""The read model shows only what the workflows committed, whatever the mix of concurrent,
refused, aborted and timed-out commands: after the storm, every row equals the workflow's state
(its query), field by field, with exactly one milestone per committed event.

Each scenario prints its counts (commands, 2xx, 503, other refusals, differences)."""

import asyncio
import uuid
from collections import Counter

import httpx
import pytest
from sqlalchemy import select

from recall.cases.models import Case, Hazard
from recall.common.models import Milestone
from recall.standards.models import Standard, StandardComment
from tests.api.eventually import eventually
from tests.api.helpers import ok, seed
from workflows.chain import standard_workflow_id
from workflows.recall_case import RecallCaseWorkflow
from workflows.shared import case_workflow_id
from workflows.standard import StandardWorkflow

pytestmark = pytest.mark.slow


async def remediating_case(api: httpx.AsyncClient) -> tuple[str, str]:
    data = await seed(api)
    case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    cid = case["id"]
    await ok(api.post(f"/cases/{cid}/assessment", json={"severity": 4, "probability": "gt_1_100"}))
    await ok(api.post(f"/cases/{cid}/decision", json={"decision": "voluntary_recall"}))
    plan = {"units_affected": 1000, "remedy": "refund", "summary": "退款召回"}
    await ok(api.post(f"/cases/{cid}/plan", json=plan))
    await ok(api.post(f"/cases/{cid}/plan/acceptance", json={}))
    return cid, data["enterprises"][0]["id"]


async def storm(requests: list) -> Counter:  # noqa: ANN001
    """Send every request at once; count the answers by status."""
    answers = await asyncio.gather(*requests, return_exceptions=True)
    counts: Counter = Counter()
    for answer in answers:
        counts[answer.status_code if isinstance(answer, httpx.Response) else type(answer)] += 1
    return counts


async def milestone_seqs(db, subject_type: str, subject_id: str) -> list[int]:  # noqa: ANN001
    async with db() as session:
        result = await session.execute(
            select(Milestone.seq)
            .where(Milestone.subject_type == subject_type, Milestone.subject_id == subject_id)
            .order_by(Milestone.seq)
        )
        return list(result.scalars())


async def settled(differences) -> list[str]:  # noqa: ANN001
    """The differences once the workflow has written all it committed: its projection activity
    runs in its own time, and a command answered 503 may still land. Differences that last are
    real; the last ones read are returned."""
    try:
        return await eventually(differences, lambda found: not found, timeout=30)
    except AssertionError as still:
        return [str(still)]


async def stop(stack, workflow_id: str) -> None:  # noqa: ANN001
    """End the workflow, so that nothing of this test lands in the next test's tables."""
    await stack["client"].get_workflow_handle(workflow_id).terminate("test finished")


async def case_differences(stack, db, case_id: str) -> list[str]:  # noqa: ANN001
    """Every way the case's rows differ from its workflow's state now."""
    handle = stack["client"].get_workflow_handle(case_workflow_id(case_id))
    state = await handle.query(RecallCaseWorkflow.snapshot)
    differences = []
    async with db() as session:
        row = await session.get(Case, case_id, populate_existing=True)
        hazards = {
            h.id: h
            for h in (await session.execute(select(Hazard).where(Hazard.case_id == case_id)))
            .scalars()
            .all()
        }
    for name in ("stage", "number", "decision", "units_corrected"):
        if getattr(row, name) != getattr(state, name):
            differences.append(
                f"case {name}: row {getattr(row, name)!r}, workflow {getattr(state, name)!r}"
            )
    if row.version != state.seq:
        differences.append(f"case version {row.version}, workflow seq {state.seq}")
    if set(hazards) != set(state.hazards):
        extra, missing = set(hazards) - set(state.hazards), set(state.hazards) - set(hazards)
        differences.append(
            f"hazards only in the read model {sorted(extra)}, missing {sorted(missing)}"
        )
    for hid, h in state.hazards.items():
        r = hazards.get(hid)
        if r is None:
            continue
        for name in ("status", "description", "evidence", "enterprise_id", "category"):
            if getattr(r, name) != getattr(h, name):
                differences.append(
                    f"hazard {hid} {name}: {getattr(r, name)!r} != {getattr(h, name)!r}"
                )
    seqs = await milestone_seqs(db, "case", case_id)
    if seqs != list(range(1, state.seq + 1)):
        differences.append(f"milestones {seqs} for events 1..{state.seq}")
    return differences


@pytest.mark.parametrize("n", [12, 20, 40, 60])
async def test_concurrent_commands_on_one_case(api, stack, db, n: int) -> None:  # noqa: ANN001
    cid, enterprise_id = await remediating_case(api)

    def add(i: int):  # noqa: ANN202
        body = {"enterprise_id": enterprise_id, "category": "ingestion", "description": f"磁珠 {i}"}
        return api.post(
            f"/cases/{cid}/hazards", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
        )

    # Hazards, then a mix: eliminations of the ones that landed, refused verifications (409)
    # and more hazards, all at once.
    first = await storm([add(i) for i in range(n)])
    case = await ok(api.get(f"/cases/{cid}"))
    mixed = [
        api.post(
            f"/cases/{cid}/hazards/{h['id']}/elimination", json={"evidence": "整改完成 检测报告"}
        )
        for h in case["hazards"]
    ]
    mixed += [api.post(f"/cases/{cid}/verification", json={"note": "核查"}) for _ in range(3)]
    mixed += [add(n + i) for i in range(n // 4)]
    second = await storm(mixed)
    differences = await settled(lambda: case_differences(stack, db, cid))
    await stop(stack, case_workflow_id(cid))
    print(
        f"case, n={n}: hazards {dict(first)}; mixed {dict(second)}; differences {len(differences)}"
    )
    assert not differences, differences
    assert not {k for k in first | second if k not in (200, 201, 409, 503)}, (first, second)


async def test_a_retry_after_503_acts_once(api, stack, db) -> None:  # noqa: ANN001
    cid, enterprise_id = await remediating_case(api)
    body = {"enterprise_id": enterprise_id, "category": "burn", "description": "过热"}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    answers = await storm(
        [api.post(f"/cases/{cid}/hazards", json=body, headers=key) for _ in range(8)]
    )
    for _ in range(5):  # a client sends 503s again, as the contract says it may
        again = await api.post(f"/cases/{cid}/hazards", json=body, headers=key)
        if again.status_code != 503:
            break
    assert again.status_code == 201, again.text
    case = await ok(api.get(f"/cases/{cid}"))
    assert len(case["hazards"]) == 1, (answers, case["hazards"])
    assert not await settled(lambda: case_differences(stack, db, cid))


async def test_a_refused_command_leaves_nothing(api, stack, db) -> None:  # noqa: ANN001
    cid, enterprise_id = await remediating_case(api)
    before = await ok(api.get(f"/cases/{cid}"))
    refusals = await storm(
        [api.post(f"/cases/{cid}/decision", json={"decision": "no_recall"}) for _ in range(5)]
        + [api.post(f"/cases/{cid}/plan/acceptance", json={}) for _ in range(5)]
    )
    assert refusals == Counter({409: 10}), refusals
    after = await ok(api.get(f"/cases/{cid}"))
    assert after == before
    assert not await settled(lambda: case_differences(stack, db, cid))


async def standard_in_public_comment(api: httpx.AsyncClient) -> str:
    data = await seed(api)
    case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    programme = await ok(
        api.post(
            "/programmes",
            json={
                "industry_code": "magnetic-toys",
                "case_ids": [case["id"]],
                "title": "巴克球产业提升",
            },
        ),
        201,
    )
    standard = await ok(
        api.post(
            "/standards",
            json={
                "programme_id": programme["id"],
                "title": "磁力玩具 安全技术要求",
                "kind": "group",
            },
        ),
        201,
    )
    sid = standard["id"]
    for to in ("10.99", "20.00"):
        await ok(api.post(f"/standards/{sid}/transitions", json={"to": to}))
    await ok(
        api.post(f"/standards/{sid}/transitions", json={"to": "40.20", "comment_period_days": 30})
    )
    return sid


@pytest.mark.parametrize("n", [12, 20, 40, 60])
async def test_concurrent_comments_on_one_standard(api, stack, db, n: int) -> None:  # noqa: ANN001
    sid = await standard_in_public_comment(api)
    comments = [
        api.post(
            f"/standards/{sid}/comments",
            json={"author": f"企业{i}", "text": f"建议修改第{i}条", "clause": "5.3"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        for i in range(n)
    ]
    comments += [api.post(f"/standards/{sid}/transitions", json={"to": "50.20"}) for _ in range(3)]
    counts = await storm(comments)
    differences = await settled(lambda: standard_differences(stack, db, sid))
    state = (
        await stack["client"]
        .get_workflow_handle(standard_workflow_id(sid))
        .query(StandardWorkflow.snapshot)
    )
    await stop(stack, standard_workflow_id(sid))
    print(f"standard, n={n}: {dict(counts)}; differences {len(differences)}")
    assert not differences, differences
    # A 503 is "applied once or not at all": some of them may have been applied.
    assert counts[201] <= len(state.comments) <= counts[201] + counts[503], counts


async def standard_differences(stack, db, sid: str) -> list[str]:  # noqa: ANN001
    """Every way the standard's rows differ from its workflow's state now."""
    handle = stack["client"].get_workflow_handle(standard_workflow_id(sid))
    state = await handle.query(StandardWorkflow.snapshot)
    async with db() as session:
        row = await session.get(Standard, sid, populate_existing=True)
        found = select(StandardComment).where(StandardComment.standard_id == sid)
        rows = {c.id: c for c in (await session.execute(found)).scalars()}
    differences = []
    if set(rows) != set(state.comments):
        differences.append(f"comments {sorted(set(rows) ^ set(state.comments))} differ")
    differences += [
        f"comment {cid} text"
        for cid, c in state.comments.items()
        if cid in rows and rows[cid].text != c.text
    ]
    if (row.stage_code, row.version) != (state.stage_code, state.seq):
        differences.append(
            f"standard row {row.stage_code}@{row.version}, workflow {state.stage_code}@{state.seq}"
        )
    seqs = await milestone_seqs(db, "standard", sid)
    if seqs != list(range(1, state.seq + 1)):
        differences.append(f"milestones {seqs} for events 1..{state.seq}")
    return differences
