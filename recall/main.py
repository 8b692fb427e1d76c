"""The HTTP application: create_app() wires settings, database and Temporal at startup."""

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from temporalio.client import Client

from recall import ops
from recall.accounts.pages import router as account_pages
from recall.api_docs import install_api_docs
from recall.associations.router import router as associations_router
from recall.auth.audit import AuditMiddleware
from recall.auth.router import router as audit_router
from recall.cases.router import router as cases_router
from recall.common.edge import (
    BodyLimitMiddleware,
    DatabaseOutageMiddleware,
    document_printable_parameters,
    printable_parameters,
)
from recall.common.idempotency import IdempotencyMiddleware
from recall.common.responses import common_errors
from recall.config import Settings, get_settings
from recall.cultivations.router import router as cultivations_router
from recall.dashboard.pages import router as dashboard_pages
from recall.dashboard.router import router as dashboard_router
from recall.db import create_engine, create_sessionmaker
from recall.desk.router import router as desk_router
from recall.errors import install_error_handlers
from recall.files.router import pages as files_pages
from recall.files.router import router as files_router
from recall.gateway import WorkflowGateway
from recall.imports.router import router as imports_router
from recall.notices.pages import router as notice_pages
from recall.notices.router import router as notices_router
from recall.observability.middleware import Metrics, RequestContextMiddleware
from recall.programmes.router import router as programmes_router
from recall.reference.router import router as reference_router
from recall.reports.router import router as reports_router
from recall.standards.router import router as standards_router
from recall.temporal import connect
from workflows.journal import BACKSTOP_MEMO
from workflows.shared import Deadlines

API_PREFIX = "/api/v1"
ROUTERS = (
    reference_router,
    reports_router,
    imports_router,
    files_router,
    cases_router,
    programmes_router,
    standards_router,
    associations_router,
    cultivations_router,
    dashboard_router,
    notices_router,
    audit_router,
)


def create_app(
    settings: Settings | None = None, *, temporal_client: Client | None = None
) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        engine = create_engine(settings.sqlalchemy_url)
        # Lazy: the API starts and serves reads even while Temporal is away.
        client = temporal_client or await connect(settings, lazy=True)
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.temporal_client = client
        app.state.workflows = WorkflowGateway(
            client,
            task_queue=settings.task_queue,
            timeout=settings.command_timeout_seconds,
            case_deadlines=Deadlines(**settings.deadlines.model_dump()),
            sessionmaker=app.state.sessionmaker,
            memo={BACKSTOP_MEMO: settings.backstop_delay_seconds},
        )
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="Recall and industry-uplift tracker",
        version="1",
        description="实施一个召回 提升一个产业: defect report -> hazard elimination -> "
        "association -> standard -> brand cultivation.",
        lifespan=lifespan,
        docs_url=None,  # served offline by install_api_docs
        redoc_url=None,
        dependencies=[Depends(printable_parameters)],  # before any route reads a parameter
    )
    install_api_docs(app)
    app.state.metrics = Metrics()
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX, responses=common_errors())
    app.include_router(ops.router)
    app.include_router(ops.router, prefix=API_PREFIX, include_in_schema=False)
    app.include_router(dashboard_pages)  # HTML at /dashboard; / redirects there
    app.include_router(account_pages)  # /login, /logout, /desk/admin/accounts
    app.include_router(desk_router)  # the workbench: /desk, /desk/reports, /desk/cases/{id}
    app.include_router(files_pages)  # /desk/files/{id}: downloads for a person signed in
    app.include_router(notice_pages, include_in_schema=False)  # /recalls, /recalls.atom
    app.add_middleware(
        AuditMiddleware
    )  # inside idempotency: a replayed answer acts (and logs) once
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(DatabaseOutageMiddleware)  # an idempotency key met a database away: 503
    app.add_middleware(
        BodyLimitMiddleware,
        max_body=settings.max_body_kb * 1024,
        max_upload=settings.max_upload_mb * 1024 * 1024,
    )
    app.add_middleware(
        RequestContextMiddleware, metrics=app.state.metrics, server_timing=settings.server_timing
    )
    default_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            document_printable_parameters(default_openapi())
        return app.openapi_schema

    app.openapi = openapi
    return app
