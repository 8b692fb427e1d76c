"""Health, readiness and metrics."""

import asyncio
from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import text

from recall.common.responses import AWAY, CONTROL_IN_QUERY, TOO_LARGE, errors
from recall.deps import require

router = APIRouter(tags=["operations"])
_JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    database: Literal["ok", "unavailable"]
    temporal: Literal["ok", "unavailable"]


@router.get("/healthz", responses=errors({413: TOO_LARGE, 422: CONTROL_IN_QUERY}))
async def healthz() -> dict:
    """Liveness: `{"status": "ok"}` while the process answers. Public, no token."""
    return {"status": "ok"}


async def _database_ok(request: Request) -> bool:
    try:
        async with request.app.state.sessionmaker() as session:
            await asyncio.wait_for(session.execute(text("SELECT 1")), 3)
        return True
    except Exception:
        return False


async def _temporal_ok(request: Request) -> bool:
    try:
        client = request.app.state.temporal_client
        return await client.service_client.check_health(timeout=timedelta(seconds=3))
    except Exception:
        return False


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={
        **errors({413: TOO_LARGE, 422: CONTROL_IN_QUERY}),
        503: {"model": Readiness, "description": "the database or Temporal does not answer"},
    },
)
async def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 when the database and Temporal both answer, else 503 naming the one
    unavailable. Public, no token."""
    database, temporal = await asyncio.gather(_database_ok(request), _temporal_ok(request))
    ready = database and temporal
    body = {
        "status": "ready" if ready else "not_ready",
        "database": "ok" if database else "unavailable",
        "temporal": "ok" if temporal else "unavailable",
    }
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get(
    "/metrics",
    dependencies=[require(lambda p: p.is_admin, "metrics are for admins")],
    response_class=PlainTextResponse,
    responses={
        200: {
            "description": "the Prometheus text exposition format (text/plain), not JSON",
            "content": {
                "text/plain": {
                    "schema": {"type": "string"},
                    "example": "# TYPE recall_http_requests_total counter\n",
                }
            },
        },
        401: {"description": "no or bad token", "content": _JSON_ERROR},
        403: {"description": "the token is not an admin's", "content": _JSON_ERROR},
        **errors({413: TOO_LARGE, 422: CONTROL_IN_QUERY, 503: AWAY}),
    },
)
async def metrics(request: Request) -> Response:
    """Prometheus metrics in the text exposition format. Admin only (else 403)."""
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
