"""The read model's database goes away under load and comes back: while clients keep sending
commands (hazards on a case, comments on a standard) and while a standard's public comment period
ends (a timer, whose projection has to wait and retry), every answer is a 2xx, a 503 or a refusal,
never a 500; once the database is back, the read model converges to exactly what the workflows
committed (tests/api/truth.py), the standard at 40.60 with its `comments_closed` milestone.

The test runs a PostgreSQL cluster of its own (tests/api/cluster.py) serving the read model of an
app and a worker of its own task queue, on the session's Temporal dev server."""

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select
from temporalio.client import Client

from recall import migrate
from recall.common.models import Milestone
from recall.config import Settings
from recall.db import create_engine, create_sessionmaker
from recall.runtime import running_stack
from tests.api.cluster import running_cluster
from tests.api.eventually import eventually
from tests.api.helpers import ok
from tests.api.truth import (
    case_differences,
    remediating_case,
    settled,
    standard_differences,
    standard_in_public_comment,
)
from tests.conftest import make_token
from workflows.chain import programme_workflow_id, standard_workflow_id
from workflows.shared import case_workflow_id
from workflows.standard import StandardWorkflow

pytestmark = pytest.mark.slow

COMMENT_PERIOD_SECONDS = 6  # long enough to stop the database before it ends
CLIENTS = 3
WARM_ANSWERS = 10  # 2xx answers before the database goes, and again once it is back


class Load:
    """Clients sending commands one after another until stopped, counting the answers."""

    def __init__(self, api: httpx.AsyncClient, case_id: str, enterprise_id: str, sid: str):
        self.api, self.case_id, self.enterprise_id, self.sid = api, case_id, enterprise_id, sid
        self.counts: Counter = Counter()
        self.unexpected: list[str] = []
        self.stopping = asyncio.Event()
        self.answered = asyncio.Event()  # set at every answer, for waits on the counts
        self.sent = 0

    def command(self, n: int) -> tuple[str, dict]:
        if n % 2:
            body = {"author": f"企业{n}", "text": f"建议修改第{n}条", "clause": "5.3"}
            return f"/standards/{self.sid}/comments", body
        body = {
            "enterprise_id": self.enterprise_id,
            "category": "ingestion",
            "description": f"磁珠 {n}",
        }
        return f"/cases/{self.case_id}/hazards", body

    async def client(self, index: int) -> None:
        n = index
        while not self.stopping.is_set():
            path, body = self.command(n)
            # half of them with a key, the middleware's way through the database
            headers = {"Idempotency-Key": uuid.uuid4().hex} if n % 4 < 2 else {}
            self.sent += 1
            try:
                r = await self.api.post(path, json=body, headers=headers)
            except Exception as err:
                self.counts["exception"] += 1
                self.unexpected.append(f"POST {path}: {err!r}")
            else:
                if 200 <= r.status_code < 300:
                    self.counts["2xx"] += 1
                elif r.status_code == 503:
                    self.counts["503"] += 1
                    if "retry-after" not in r.headers:
                        self.unexpected.append(f"503 without Retry-After: {r.text}")
                else:
                    self.counts[r.status_code] += 1
                    if r.status_code >= 500:
                        self.unexpected.append(f"POST {path}: {r.status_code} {r.text}")
            self.answered.set()
            n += CLIENTS
            await asyncio.sleep(0)  # let the rest of the test run between answers

    async def until(self, condition: Callable[[], bool], timeout: float = 20) -> None:
        async with asyncio.timeout(timeout):
            while not condition():
                self.answered.clear()
                await self.answered.wait()


async def retried_projection(client: Client, workflow_id: str) -> bool:
    """Whether the workflow has an activity past its first attempt (its projection retrying)."""
    description = await client.get_workflow_handle(workflow_id).describe()
    return any(a.attempt >= 2 for a in description.raw_description.pending_activities)


async def test_the_read_model_converges_after_an_outage_under_load(dev_env) -> None:
    started_at = time.monotonic()
    async with running_cluster() as cluster:
        engine = create_engine(cluster.url)
        await migrate.upgrade(engine)
        token = await make_token(create_sessionmaker(engine), role="admin", name="outage-admin")
        await engine.dispose()

        settings = Settings(
            database_url=cluster.url, temporal={"task_queue": f"outage-{uuid.uuid4().hex[:6]}"}
        )
        client = dev_env.client
        async with (
            running_stack(settings, temporal_client=client) as stack,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=stack.app, raise_app_exceptions=False),
                base_url="http://test/api/v1",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            ) as api,
        ):
            db = stack.sessionmaker
            cid, enterprise_id = await remediating_case(api)
            sid = await standard_in_public_comment(
                api, case_id=cid, comment_period_days=COMMENT_PERIOD_SECONDS / 86400
            )
            standard = await ok(api.get(f"/standards/{sid}"))
            ends_at = standard["comment_period_ends_at"]
            workflow_ids = [
                case_workflow_id(cid),
                standard_workflow_id(sid),
                programme_workflow_id(standard["programme_id"]),
            ]
            standard_handle = client.get_workflow_handle(standard_workflow_id(sid))

            async def standard_stage() -> str:
                return (await standard_handle.query(StandardWorkflow.snapshot)).stage_code

            load = Load(api, cid, enterprise_id, sid)
            clients = [asyncio.create_task(load.client(i)) for i in range(CLIENTS)]
            try:
                await load.until(lambda: load.counts["2xx"] >= WARM_ANSWERS)
                await cluster.stop()  # pg_ctl stop -m immediate, under load
                down_at = time.monotonic()
                assert await standard_stage() == "40.20", (
                    f"the comment period (until {ends_at}) ended before the database went; "
                    "make COMMENT_PERIOD_SECONDS longer"
                )
                # The period ends while the database is away: the workflow moves to 40.60, and
                # its projection of that event fails and waits to be tried again.
                await eventually(standard_stage, lambda stage: stage == "40.60", timeout=30)
                await eventually(
                    lambda: retried_projection(client, standard_workflow_id(sid)),
                    lambda retrying: retrying,
                    timeout=20,
                )
                await load.until(lambda: load.counts["503"] > 0)
                await cluster.start()
                outage = time.monotonic() - down_at
                back = load.counts["2xx"]
                await load.until(lambda: load.counts["2xx"] >= back + WARM_ANSWERS, timeout=30)
            finally:
                load.stopping.set()
                await asyncio.gather(*clients, return_exceptions=True)

            try:
                differences = await settled(lambda: case_differences(client, db, cid), 45)
                differences += await settled(lambda: standard_differences(client, db, sid), 45)
                async with db() as session:
                    closed = await session.scalars(
                        select(Milestone.seq).where(
                            Milestone.subject_type == "standard",
                            Milestone.subject_id == sid,
                            Milestone.kind == "comments_closed",
                        )
                    )
                    closed = list(closed)
                row = await ok(api.get(f"/standards/{sid}"))
            finally:
                for workflow_id in workflow_ids:
                    with contextlib.suppress(Exception):
                        await client.get_workflow_handle(workflow_id).terminate("test finished")

    counts = dict(load.counts)
    other = {k: v for k, v in counts.items() if k not in ("2xx", "503")}
    print(
        f"outage under load: {load.sent} commands, {counts.get('2xx', 0)} x 2xx, "
        f"{counts.get('503', 0)} x 503, other {other}; database away {outage:.1f} s; "
        f"differences {len(differences)}; {time.monotonic() - started_at:.1f} s in all"
    )
    assert not load.unexpected, load.unexpected[:10]
    assert not differences, differences
    assert row["stage_code"] == "40.60", row
    assert len(closed) == 1, closed
    assert any(m["kind"] == "comments_closed" for m in row["milestones"]), row["milestones"]
