"""Racing `POST /cases` for the same defect report, through HTTP on the real stack: whatever the
keys, one request opens the case and every other is a 409 naming `defect_report_ids`; the report
is in that case and one case workflow ran. A request that loses the race holds on to nothing: a
report it named alongside the contested one is free for the next case (recall/cases/claims.py)."""

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
from temporalio.client import Client

from tests.api.eventually import eventually
from tests.api.helpers import ok, seed
from workflows.shared import case_workflow_id

OPEN_CASE_WORKFLOW = "RecallCaseWorkflow"


async def started_case_workflows(client: Client, task_queue: str, since: datetime) -> list[str]:
    """The ids of the case workflows started on this task queue since `since` (visibility)."""
    query = (
        f"WorkflowType = '{OPEN_CASE_WORKFLOW}' AND TaskQueue = '{task_queue}' "
        f"AND StartTime >= '{since.isoformat()}'"
    )
    return [w.id async for w in client.list_workflows(query)]


async def report(api: httpx.AsyncClient, report_id: str) -> dict:
    reports = (await ok(api.get("/defect-reports", params={"limit": 200})))["items"]
    return next(r for r in reports if r["id"] == report_id)


def one_opened(responses: list[httpx.Response], report_id: str) -> dict:
    """One 201, every other answer a 409 that names the report and the field; returns the case."""
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (len(responses) - 1), [
        f"{r.status_code} {r.text}" for r in responses
    ]
    case = next(r.json() for r in responses if r.status_code == 201)
    for r in responses:
        if r.status_code == 409:
            body = r.json()
            assert body["field"] == "defect_report_ids", body
            assert report_id in body["detail"] and "already in case" in body["detail"], body
            assert case["number"] in body["detail"] or case["id"] in body["detail"], body
    return case


async def test_one_report_many_requests_one_case(api: httpx.AsyncClient, stack) -> None:
    since = datetime.now(UTC)
    report_id = (await seed(api))["report"]["id"]
    body = {"defect_report_ids": [report_id]}
    keyed = [
        api.post("/cases", json=body, headers={"Idempotency-Key": f"open-{uuid.uuid4().hex}"})
        for _ in range(10)
    ]
    unkeyed = [api.post("/cases", json=body) for _ in range(5)]
    responses = list(await asyncio.gather(*keyed, *unkeyed))
    case = one_opened(responses, report_id)
    print(
        f"racing open: {len(responses)} requests, "
        f"{sum(r.status_code == 201 for r in responses)} x 201, "
        f"{sum(r.status_code == 409 for r in responses)} x 409"
    )

    assert case["defect_report_ids"] == [report_id]
    assert (await report(api, report_id))["case_id"] == case["id"]
    cases = (await ok(api.get("/cases")))["items"]
    assert [c["id"] for c in cases] == [case["id"]], cases
    # and on the engine: one case workflow, that case's (visibility lags a little)
    task_queue = stack["settings"].task_queue
    started = await eventually(
        lambda: started_case_workflows(stack["client"], task_queue, since), lambda ids: ids
    )
    assert started == [case_workflow_id(case["id"])], started


async def test_a_lost_race_leaves_the_other_report_free(api: httpx.AsyncClient) -> None:
    data = await seed(api)
    a = data["report"]["id"]
    b = (
        await ok(
            api.post(
                "/defect-reports",
                json={
                    "source": "consumer_complaint",
                    "product": "巴克球 magnet balls",
                    "description": "包装无警示语",
                    "industry_code": "magnetic-toys",
                    "region_code": "330702",
                },
            ),
            201,
        )
    )["id"]
    only_a = {"defect_report_ids": [a]}
    a_and_b = {"defect_report_ids": [a, b]}
    responses = list(
        await asyncio.gather(
            *(api.post("/cases", json=only_a) for _ in range(5)),
            *(api.post("/cases", json=a_and_b) for _ in range(5)),
        )
    )
    case = one_opened(responses, a)
    won_with_b = b in case["defect_report_ids"]
    print(f"racing [A] against [A, B]: {'[A, B]' if won_with_b else '[A]'} won")
    assert (await report(api, a))["case_id"] == case["id"]
    if won_with_b:
        assert (await report(api, b))["case_id"] == case["id"]
        r = await api.post("/cases", json={"defect_report_ids": [b]})
        assert r.status_code == 409 and b in r.json()["detail"], r.text
    else:
        assert (await report(api, b))["case_id"] is None
        second = await ok(api.post("/cases", json={"defect_report_ids": [b]}), 201)
        assert second["defect_report_ids"] == [b]
        assert (await report(api, b))["case_id"] == second["id"]
    cases = (await ok(api.get("/cases")))["items"]
    assert len(cases) == 1 + (not won_with_b), cases
