"""When no worker takes a command in time the API answers 503 with Retry-After, reads keep
working, and the same request sent again with its Idempotency-Key acts exactly once."""

import uuid

import httpx

from recall.config import Settings
from recall.main import create_app
from tests.api.helpers import ok, seed
from tests.conftest import running_worker


async def test_503_then_a_safe_retry(dev_env, pg_url, db, api) -> None:
    data = await seed(api)
    task_queue = f"no-worker-{uuid.uuid4().hex[:6]}"
    settings = Settings(
        database_url=pg_url, command_timeout_seconds=1.5, temporal={"task_queue": task_queue}
    )
    app = create_app(settings, temporal_client=dev_env.client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t/api/v1", headers=api.headers
        ) as client:
            key = {"Idempotency-Key": "open-while-down"}
            body = {"defect_report_ids": [data["report"]["id"]]}
            down = await client.post("/cases", json=body, headers=key)
            assert down.status_code == 503, down.text
            assert down.headers["retry-after"] and down.json()["error"] == "engine_unavailable"
            # reads keep working from the database
            assert (await client.get("/regions")).status_code == 200

            async with running_worker(dev_env.client, db, task_queue=task_queue, webhook_url=None):
                again = await client.post("/cases", json=body, headers=key)
                assert again.status_code == 201, again.text
                case = again.json()
                await ok(
                    await client.post(
                        f"/cases/{case['id']}/assessment",
                        json={"severity": 3, "probability": "gt_1_10"},
                    )
                )
            cases = (await ok(await client.get("/cases")))["items"]
            assert [c["id"] for c in cases] == [case["id"]]
            handle = dev_env.client.get_workflow_handle(f"recall-case-{case['id']}")
            history = await handle.fetch_history()
            started = [
                e
                for e in history.events
                if e.HasField("workflow_execution_started_event_attributes")
            ]
            assert len(started) == 1
            await handle.terminate("test finished")
