"""The read model's database goes away and comes back: reads and commands are answered 503 with
Retry-After in the contract's shape (never a 500), the audit trail's failed write stops nothing,
and once the database is back the same app answers again without a restart.

The test runs a PostgreSQL cluster of its own (tests/api/cluster.py), so that it can stop it
without disturbing the suite's shared server."""

import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from recall import migrate
from recall.config import Settings
from recall.db import create_engine, create_sessionmaker
from recall.main import create_app
from tests.api.cluster import Cluster, running_cluster
from tests.conftest import make_token

pytestmark = pytest.mark.slow


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    async with running_cluster() as started:
        yield started


def _unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    assert int(r.headers["retry-after"]) > 0
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error", "detail", "field"}, body
    assert body["error"] == "database_unavailable" and body["field"] is None and body["detail"]


async def test_reads_and_commands_are_503_while_the_database_is_down(
    cluster: Cluster,
    dev_env,
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = create_engine(cluster.url)
    await migrate.upgrade(engine)
    token = await make_token(create_sessionmaker(engine), role="admin", name="outage-admin")
    await engine.dispose()

    app = create_app(Settings(database_url=cluster.url), temporal_client=dev_env.client)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://test/api/v1",
            headers={"Authorization": f"Bearer {token}"},
        ) as api,
    ):
        r = await api.post("/regions", json={"code": "330702", "name": "婺城区"})
        assert r.status_code == 201, r.text
        assert (await api.get("/regions")).json()["items"][0]["code"] == "330702"

        await cluster.stop()
        with caplog.at_level(logging.WARNING):
            for read in ("/regions", "/cases", "/cases/case_1", "/dashboard/summary", "/audit"):
                _unavailable(await api.get(read))
            _unavailable(await api.post("/regions", json={"code": "330703", "name": "金东区"}))
            _unavailable(
                await api.post(
                    "/cases/case_1/assessment", json={"severity": 2, "probability": "gt_1_2"}
                )
            )
            # with an Idempotency-Key the database is met before the route, in a middleware
            _unavailable(
                await api.post(
                    "/regions",
                    json={"code": "330703", "name": "金东区"},
                    headers={"Idempotency-Key": "outage-1"},
                )
            )
            # the public dashboard, without a token
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://test"
            ) as public:
                _unavailable(await public.get("/api/v1/dashboard/hazards"))
                assert (await public.get("/readyz")).status_code == 503
        assert any(
            record.name == "recall.audit" and "audit entry" in record.getMessage()
            for record in caplog.records
        ), "the audit middleware should log the entry it could not write"

        await cluster.start()
        r = await api.get("/regions")  # pool_pre_ping replaces the dead connections
        assert r.status_code == 200 and [i["code"] for i in r.json()["items"]] == ["330702"]
        r = await api.post(
            "/regions",
            json={"code": "330703", "name": "金东区"},
            headers={"Idempotency-Key": "outage-1"},
        )
        assert r.status_code == 201, r.text  # the key refused during the outage is free
        assert len((await api.get("/regions")).json()["items"]) == 2
