"""A PostgreSQL cluster of a test's own (initdb, pg_ctl) on a free port, so that the test can
stop it without disturbing the suite's shared server."""

import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import free_port


def pg_bin() -> Path:
    """Where initdb and pg_ctl are; skips without them, and fails when CI is set."""
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


@contextlib.asynccontextmanager
async def running_cluster() -> AsyncIterator[Cluster]:
    """A new cluster, started; stopped and removed at the end."""
    bin_dir = pg_bin()
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
