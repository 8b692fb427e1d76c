"""The read model's database goes away and comes back: reads and commands are answered 503 with
Retry-After in the contract's shape (never a 500), the audit trail's failed write stops nothing,
and once the database is back the same app answers again without a restart.

The test runs a PostgreSQL cluster of its own (initdb, pg_ctl) on a free port, so that it can
stop it without disturbing the suite's shared server."""

import asyncio
import contextlib
import glob
import logging
import os
import pwd
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from recall import migrate
from recall.config import Settings
from recall.db import create_engine, create_sessionmaker
from recall.main import create_app
from tests.conftest import free_port, make_token

pytestmark = pytest.mark.slow


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    initdb = found[-1] if found else shutil.which("initdb")
    if not initdb:
        message = "initdb and pg_ctl not found (install the PostgreSQL server binaries)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return Path(initdb).parent


def _version(path: str) -> float:
    try:
        return float(Path(path).parent.parent.name)
    except ValueError:
        return 0.0


class Cluster:
    """A throwaway PostgreSQL cluster; run as the postgres user when the tests run as root
    (initdb refuses root)."""

    def __init__(self, bin_dir: Path, root: Path, port: int) -> None:
        self.bin_dir, self.root, self.port = bin_dir, root, port
        self.data = root / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    async def _run(self, tool: str, *args: str) -> None:
        process = await asyncio.create_subprocess_exec(
            *self.as_user,
            str(self.bin_dir / tool),
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        assert process.returncode == 0, f"{tool} {' '.join(args)}:\n{output.decode()}"

    async def init(self) -> None:
        await self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N"
        )

    async def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=40"
        )
        await self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )

    async def stop(self, mode: str = "immediate") -> None:
        await self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    bin_dir = _pg_bin()
    root = Path(tempfile.mkdtemp(prefix="recall-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
    cluster = Cluster(bin_dir, root, free_port())
    await cluster.init()
    await cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(AssertionError):  # stopped already
            await cluster.stop("fast")
        shutil.rmtree(root, ignore_errors=True)


def _unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    assert int(r.headers["retry-after"]) > 0
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error", "detail", "field"}, body
    assert body["error"] == "database_unavailable" and body["field"] is None and body["detail"]


async def test_reads_and_commands_are_503_while_the_database_is_down(
    cluster: Cluster,
    dev_env,  # noqa: ANN001
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
