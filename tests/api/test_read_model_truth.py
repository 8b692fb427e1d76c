"""The read model shows only what the workflows committed, whatever the mix of concurrent,
refused, aborted and timed-out commands: after the storm, every row equals the workflow's state
(its query), field by field, with exactly one milestone per committed event.

Each scenario prints its counts (commands, 2xx, 503, other refusals, differences)."""

import asyncio
import uuid
from collections import Counter

import httpx
import pytest

from tests.api.helpers import ok
from tests.api.truth import (
    case_differences,
    remediating_case,
    settled,
    standard_differences,
    standard_in_public_comment,
)
from workflows.chain import standard_workflow_id
from workflows.shared import case_workflow_id
from workflows.standard import StandardWorkflow

pytestmark = pytest.mark.slow


async def storm(requests: list) -> Counter:
    """Send every request at once; count the answers by status."""
    answers = await asyncio.gather(*requests, return_exceptions=True)
    counts: Counter = Counter()
    for answer in answers:
        counts[answer.status_code if isinstance(answer, httpx.Response) else type(answer)] += 1
    return counts


async def stop(stack, workflow_id: str) -> None:
    """End the workflow, so that nothing of this test lands in the next test's tables."""
    await stack["client"].get_workflow_handle(workflow_id).terminate("test finished")


@pytest.mark.parametrize("n", [12, 20, 40, 60])
async def test_concurrent_commands_on_one_case(api, stack, db, n: int) -> None:
    cid, enterprise_id = await remediating_case(api)

    def add(i: int):
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
    differences = await settled(lambda: case_differences(stack["client"], db, cid))
    await stop(stack, case_workflow_id(cid))
    print(
        f"case, n={n}: hazards {dict(first)}; mixed {dict(second)}; differences {len(differences)}"
    )
    assert not differences, differences
    assert not {k for k in first | second if k not in (200, 201, 409, 503)}, (first, second)


async def test_a_retry_after_503_acts_once(api, stack, db) -> None:
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
    assert not await settled(lambda: case_differences(stack["client"], db, cid))


async def test_a_refused_command_leaves_nothing(api, stack, db) -> None:
    cid, enterprise_id = await remediating_case(api)
    before = await ok(api.get(f"/cases/{cid}"))
    refusals = await storm(
        [api.post(f"/cases/{cid}/decision", json={"decision": "no_recall"}) for _ in range(5)]
        + [api.post(f"/cases/{cid}/plan/acceptance", json={}) for _ in range(5)]
    )
    assert refusals == Counter({409: 10}), refusals
    after = await ok(api.get(f"/cases/{cid}"))
    assert after == before
    assert not await settled(lambda: case_differences(stack["client"], db, cid))


@pytest.mark.parametrize("n", [12, 20, 40, 60])
async def test_concurrent_comments_on_one_standard(api, stack, db, n: int) -> None:
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
    differences = await settled(lambda: standard_differences(stack["client"], db, sid))
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
