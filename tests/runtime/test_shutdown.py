"""`recall worker` and `recall api` on SIGTERM: what is in flight finishes within
RECALL_SHUTDOWN_GRACE_SECONDS, nothing new is taken, exit code 0."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from recall.runtime import running_worker
from tests.conftest import free_port, make_token

pytestmark = pytest.mark.slow

RECALL = [sys.executable, "-m", "recall"]
GRACE = 2.0


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECALL_", "TEMPORAL_"))}
    env["TEMPORAL_CONFIG_FILE"] = str(tmp_path / "no-such-temporal.toml")
    env["RECALL_DATA_DIR"] = str(tmp_path)
    env["RECALL_SHUTDOWN_GRACE_SECONDS"] = str(GRACE)
    env["RECALL_LOG_JSON"] = "false"
    return env | {f"RECALL_{k.upper()}": v for k, v in settings.items()}


async def test_worker_slots_and_grace_reach_the_temporal_worker(dev_env, sessionmaker) -> None:
    from recall.config import WorkerSettings

    async with running_worker(
        dev_env.client,
        sessionmaker,
        task_queue=f"tuning-{uuid.uuid4().hex[:6]}",
        webhook_url=None,
        tuning=WorkerSettings(max_concurrent_workflow_tasks=7, max_concurrent_activities=9),
        graceful_shutdown=timedelta(seconds=4),
    ) as worker:
        config = worker.config()
    assert config["max_concurrent_workflow_tasks"] == 7
    assert config["max_concurrent_activities"] == 9
    assert config["graceful_shutdown_timeout"] == timedelta(seconds=4)


async def _pollers(client, task_queue: str) -> set[str]:
    described = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace="default",
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return {poller.identity for poller in described.pollers}


async def test_the_worker_stops_on_sigterm_with_exit_code_0(dev_env, tmp_path: Path) -> None:
    task_queue = f"sigterm-{uuid.uuid4().hex[:6]}"
    env = _env(
        tmp_path,
        temporal__address=dev_env.client.service_client.config.target_host,
        temporal__task_queue=task_queue,
    )
    proc = subprocess.Popen(  # noqa: ASYNC220 - started once, as a person would
        [*RECALL, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while not any(
            p.startswith(f"{proc.pid}@") for p in await _pollers(dev_env.client, task_queue)
        ):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the worker never polled"
            await asyncio.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        out, err = await asyncio.to_thread(proc.communicate, timeout=GRACE + 15)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err[-2000:]
    assert "Traceback" not in err
    assert took < GRACE + 5, took


def _send_head(port: int, path: str, token: str, body: bytes) -> socket.socket:
    """A request whose body is not all sent yet: it is in flight until the rest comes."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: recall\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    conn.sendall(head.encode() + body[:5])
    return conn


async def test_the_api_answers_what_is_in_flight_then_exits_0(db, pg_url, tmp_path: Path) -> None:
    token = await make_token(db, role="admin", name="shutdown-test")
    port = free_port()
    env = _env(tmp_path, database_url=pg_url, temporal__address="127.0.0.1:1")
    proc = subprocess.Popen(  # noqa: ASYNC220 - started once, as a person would
        [*RECALL, "api", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the API never answered"
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        region = b'{"code":"330702","name":"\xe5\xa9\xba\xe5\x9f\x8e\xe5\x8c\xba"}'
        answered = _send_head(port, "/api/v1/regions", token, region)
        stuck = _send_head(port, "/api/v1/regions", token, b'{"code":"330703","name":"x"}')
        await asyncio.sleep(0.3)  # both are read as far as they go
        proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        await asyncio.sleep(0.5)
        assert proc.poll() is None, "it stopped with requests in flight"
        with pytest.raises(ConnectionRefusedError):  # nothing new is taken
            socket.create_connection(("127.0.0.1", port), timeout=2)
        answered.sendall(region[5:])
        reply = await asyncio.to_thread(answered.recv, 65536)
        assert reply.startswith(b"HTTP/1.1 201 "), reply
        # the one that never sends the rest of its body is cut off after the grace
        out, err = await asyncio.to_thread(proc.communicate, timeout=GRACE + 15)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    answered.close(), stuck.close()
    assert proc.returncode == 0, err[-2000:]
    assert GRACE - 0.5 < took < GRACE + 5, took
    assert "timeout graceful shutdown exceeded" in err
    async with db() as session:
        codes = (await session.execute(text("SELECT code FROM regions"))).scalars().all()
    assert codes == ["330702"]
