"""Request ids, access logs and Prometheus metrics for every HTTP request."""

import logging
import time
import uuid

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recall.observability import timing
from recall.observability.context import case_number_var, request_id_var

log = logging.getLogger("recall.http")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "recall_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "recall_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )


def _route_label(scope: Scope) -> str:
    """The route template (/api/v1/cases/{case_id}), never the raw path: labels stay few."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if template is None:
        return "unmatched"
    # Routes of included routers may carry their own path without the mount prefix.
    prefix = "/api/v1"
    if scope["path"].startswith(prefix + "/") and not template.startswith(prefix):
        template = prefix + template
    return template


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, server_timing: bool = False):
        self.app = app
        self.metrics = metrics
        self.server_timing = server_timing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:100] or uuid.uuid4().hex
        rid_token = request_id_var.set(request_id)
        case_token = case_number_var.set(None)
        status = 500
        started = time.perf_counter()
        timing_token = timing.begin() if self.server_timing else None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                added = [(b"x-request-id", request_id.encode())]
                spent = timing.header((time.perf_counter() - started) * 1000)
                if spent is not None:
                    added.append((b"server-timing", spent))
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route_path = _route_label(scope)
            self.metrics.requests.labels(scope["method"], route_path, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route_path).observe(elapsed)
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={"status": status, "ms": round(elapsed * 1000, 2)},
            )
            request_id_var.reset(rid_token)
            case_number_var.reset(case_token)
            if timing_token is not None:
                timing.end(timing_token)
