"""Health, readiness and metrics."""

import asyncio
from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from recall.deps import require

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


async def _database_ok(request: Request) -> bool:
    try:
        async with request.app.state.sessionmaker() as session:
            await asyncio.wait_for(session.execute(text("SELECT 1")), 3)
        return True
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False


async def _temporal_ok(request: Request) -> bool:
    try:
        client = request.app.state.temporal_client
        return await client.service_client.check_health(timeout=timedelta(seconds=3))
    except Exception:  # noqa: BLE001
        return False


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    database, temporal = await asyncio.gather(_database_ok(request), _temporal_ok(request))
    ready = database and temporal
    body = {
        "status": "ready" if ready else "not_ready",
        "database": "ok" if database else "unavailable",
        "temporal": "ok" if temporal else "unavailable",
    }
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", dependencies=[require(lambda p: p.is_admin, "metrics are for admins")])
async def metrics(request: Request) -> Response:
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
