"""The split layout of bench/transitions.py: the product's API and worker in processes of their
own (`recall api`, `recall worker`), configured by RECALL_* variables as in production.

Each process logs (INFO, JSON lines, as in production) to <data dir>/<role>-<n>.log. They run in
a session of their own, so a Ctrl-C in the terminal reaches the bench alone, which stops them:
SIGTERM, then SIGKILL after a timeout. Should the bench itself be killed, they get SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

import recall
from recall.config import Settings
from recall.runtime import _dies_with_parent, free_port

READY_SECONDS = 60.0
STOP_SECONDS = 10.0
HEALTHZ = "/api/v1/healthz"
# `python -m recall` puts its working directory first on the path: run it where the `recall` this
# process imported lives, or a before run (PYTHONPATH=<git archive of an older commit>) started
# from this checkout would measure this checkout's API and worker.
RECALL_ROOT = Path(recall.__file__).resolve().parents[1]


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) of a process, from /proc; 0 where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def product_environment(settings: Settings) -> dict[str, str]:
    """This environment with the RECALL_* variables that point the product at the bench's
    servers, as a deployment sets them."""
    env = dict(os.environ)
    env.pop("RECALL_WEBHOOK_URL", None)  # no webhooks, as in the in-process layout
    env.update(
        RECALL_DATA_DIR=str(settings.data_dir),
        RECALL_DATABASE_URL=settings.sqlalchemy_url,
        RECALL_TEMPORAL_ADDRESS=settings.temporal_target or "",
        RECALL_TEMPORAL_NAMESPACE=settings.namespace or "default",
        RECALL_SHUTDOWN_GRACE_SECONDS="5",
        RECALL_SERVER_TIMING="true" if getattr(settings, "server_timing", False) else "false",
    )
    return env


@dataclass
class ProductProcess:
    role: str  # "api" or "worker"
    process: subprocess.Popen
    log: Path
    base_url: str | None = None  # an API's http://127.0.0.1:port

    @property
    def cpu(self) -> float:
        return process_cpu(self.process.pid)

    def failure(self) -> str:
        tail = self.log.read_text(errors="replace")[-1500:] if self.log.exists() else ""
        return f"`recall {self.role}` (pid {self.process.pid}) exited; the end of its log:\n{tail}"


@dataclass
class Product:
    """The product's processes: N APIs and N workers."""

    processes: list[ProductProcess] = field(default_factory=list)

    @property
    def base_urls(self) -> list[str]:
        return [p.base_url for p in self.processes if p.base_url]

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds each role's processes have used so far, summed."""
        out: dict[str, float] = {}
        for p in self.processes:
            out[p.role] = out.get(p.role, 0.0) + p.cpu
        return out

    def check_running(self) -> None:
        for p in self.processes:
            if p.process.poll() is not None:
                raise RuntimeError(p.failure())


def _spawn(role: str, args: Sequence[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "recall", role, *args],
            cwd=RECALL_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_dies_with_parent(),
        )


async def _wait_for_api(process: ProductProcess, deadline: float) -> None:
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=process.base_url, trust_env=False, timeout=2) as http:
        while loop.time() < deadline:
            if process.process.poll() is not None:
                raise RuntimeError(process.failure())
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(HEALTHZ)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"`recall api` on {process.base_url} did not answer {HEALTHZ} in time")


async def _wait_for_workers(
    product: Product, client: Client, task_queue: str, deadline: float
) -> None:
    """Until every worker process polls the product's workflow task queue (its identity is
    the SDK's default, pid@host)."""
    loop = asyncio.get_running_loop()
    workers = [p for p in product.processes if p.role == "worker"]
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    while loop.time() < deadline:
        product.check_running()
        answer = await client.workflow_service.describe_task_queue(request)
        polling = {poller.identity.split("@", 1)[0] for poller in answer.pollers}
        if all(str(p.process.pid) in polling for p in workers):
            return
        await asyncio.sleep(0.2)
    raise RuntimeError("the `recall worker` processes did not poll their task queue in time")


async def _stop(processes: Sequence[ProductProcess], timeout: float = STOP_SECONDS) -> None:
    """SIGTERM to all, SIGKILL to those still running after timeout (and if this is cut short)."""
    running = [p.process for p in processes if p.process.poll() is None]
    try:
        for process in running:
            process.send_signal(signal.SIGTERM)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline and any(p.poll() is None for p in running):
            await asyncio.sleep(0.1)
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
                process.wait()


@contextlib.asynccontextmanager
async def running_product(settings: Settings, client: Client, count: int) -> AsyncIterator[Product]:
    """`count` API processes on free 127.0.0.1 ports and `count` worker processes, once every
    API answers /healthz and every worker polls; stopped at the end, also on an error."""
    env = product_environment(settings)
    product = Product()
    try:
        for n in range(1, count + 1):
            port = free_port()
            log = settings.data_dir / f"api-{n}.log"
            api = _spawn("api", ["--host", "127.0.0.1", "--port", str(port)], env, log)
            product.processes.append(ProductProcess("api", api, log, f"http://127.0.0.1:{port}"))
            log = settings.data_dir / f"worker-{n}.log"
            product.processes.append(ProductProcess("worker", _spawn("worker", [], env, log), log))
        deadline = asyncio.get_running_loop().time() + READY_SECONDS
        for process in product.processes:
            if process.role == "api":
                await _wait_for_api(process, deadline)
        await _wait_for_workers(product, client, settings.task_queue, deadline)
        yield product
    finally:
        await _stop(product.processes)
