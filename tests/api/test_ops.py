"""Health, readiness, metrics and structured logs (the OpenAPI document: tests/test_contract.py)."""

import json
import logging

import httpx

from recall.observability.logging import JsonFormatter


async def test_health_readiness_and_metrics(api: httpx.AsyncClient) -> None:
    root = str(api.base_url).removesuffix("/api/v1/").removesuffix("/api/v1")
    async with httpx.AsyncClient(
        transport=api._transport, base_url=root, headers=api.headers
    ) as plain:
        assert (await plain.get("/healthz")).json() == {"status": "ok"}
        ready = await plain.get("/readyz")
        assert ready.status_code == 200 and ready.json()["temporal"] == "ok"
        await api.get("/regions")
        metrics = (await plain.get("/metrics")).text
        assert (
            'recall_http_requests_total{method="GET",route="/api/v1/regions",status="200"}'
            in metrics
        )


async def test_readyz_is_503_when_temporal_does_not_answer(api, pg_url) -> None:
    from recall.config import Settings
    from recall.main import create_app

    settings = Settings(database_url=pg_url, temporal_address="127.0.0.1:1")
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        ready = await c.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {
            "status": "not_ready",
            "database": "ok",
            "temporal": "unavailable",
        }
        regions = await c.get("/api/v1/regions", headers=api.headers)
        assert regions.status_code == 200  # reads work while Temporal is away


def test_log_lines_are_json_with_request_id_and_case() -> None:
    from recall.observability.context import case_number_var, request_id_var

    request_id_var.set("req-1")
    case_number_var.set("RC-2026-000007")
    record = logging.makeLogRecord(
        {"msg": "POST %s", "args": ("/x",), "levelno": 20, "levelname": "INFO", "status": 200}
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-1" and line["case"] == "RC-2026-000007"
    assert line["msg"] == "POST /x" and line["status"] == 200
