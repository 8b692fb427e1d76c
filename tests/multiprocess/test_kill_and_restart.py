"""Two `recall api` and two `recall worker` processes, started as a user starts them, on one
Temporal dev server and PostgreSQL. A client spreads a few hundred commands over both APIs at once;
meanwhile one API and one worker are killed with SIGKILL and started again. Afterwards every
command answered 2xx is in the workflows and in the read model, every command sent again with its
Idempotency-Key acted once, and `recall reconcile` finds nothing to repair."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from recall.runtime import free_port
from tests.api.helpers import ok, seed
from tests.conftest import make_token
from tests.workflows.helpers import idle
from workflows.recall_case import RecallCaseWorkflow
from workflows.shared import case_workflow_id

pytestmark = pytest.mark.slow

CASES, PER_CASE, IN_FLIGHT = 8, 25, 12
RECALL = [sys.executable, "-m", "recall"]


class Processes:
    """The product's processes, each started as `recall api` / `recall worker` with RECALL_*."""

    def __init__(self, env: dict, logs: Path):
        self.env, self.logs, self.running = env, logs, {}

    def start(self, name: str, *args: str) -> None:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (kept open while it runs)
        self.running[name] = subprocess.Popen(
            [*RECALL, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def kill(self, name: str) -> None:
        self.running[name].send_signal(signal.SIGKILL)
        self.running[name].wait(10)

    def stop_all(self) -> list[int]:
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        return [p.wait(30) for p in self.running.values()]


async def ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"{base}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{base} did not become ready")


async def test_commands_survive_killed_workers_and_apis(
    dev_env, pg_url, db, tmp_path: Path
) -> None:
    queue = f"multi-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECALL_")}
    env |= {
        "RECALL_DATABASE_URL": pg_url,
        "RECALL_TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "RECALL_TEMPORAL__TASK_QUEUE": queue,
        "RECALL_COMMAND_TIMEOUT_SECONDS": "5",
        "RECALL_DATA_DIR": str(tmp_path),
    }
    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    procs = Processes(env, tmp_path)
    token = await make_token(db, role="admin", name="multi-process")
    headers = {"Authorization": f"Bearer {token}"}
    counts: Counter = Counter()
    answered: dict[str, str] = {}  # idempotency key -> hazard id
    try:
        for n in (0, 1):
            procs.start(f"worker{n}", "worker")
            procs.start(f"api{n}", "api", "--host", "127.0.0.1", "--port", str(ports[n]))
        await asyncio.gather(*(ready(b) for b in bases))
        async with httpx.AsyncClient(
            base_url=f"{bases[0]}/api/v1", headers=headers, timeout=30
        ) as api:
            seeded = await seed(api)
            ents = [e["id"] for e in seeded["enterprises"]]
            cases = []
            for n in range(CASES):
                report = await ok(
                    api.post(
                        "/defect-reports",
                        json={"source": "media", "product": f"磁力珠 {n}",
                              "description": "儿童误吞", "industry_code": "magnetic-toys",
                              "region_code": "330702", "enterprise_ids": ents},
                    ),
                    201,
                )  # fmt: skip
                case = await ok(api.post("/cases", json={"defect_report_ids": [report["id"]]}), 201)
                cases.append(case["id"])

        clients = [
            httpx.AsyncClient(base_url=f"{b}/api/v1", headers=headers, timeout=30) for b in bases
        ]
        gate = asyncio.Semaphore(IN_FLIGHT)
        half_done = asyncio.Event()

        async def command(case_id: str, n: int, turn: int) -> None:
            key = f"{case_id}-{n}"
            body = {
                "enterprise_id": ents[n % 2],
                "category": "ingestion",
                "description": f"磁珠 {n}",
            }
            async with gate:
                for attempt in range(200):
                    client = clients[(turn + attempt) % 2]
                    counts["sent"] += 1
                    try:
                        r = await client.post(
                            f"/cases/{case_id}/hazards",
                            json=body,
                            headers={"Idempotency-Key": key},
                        )
                    except httpx.TransportError:
                        counts["lost to a dead connection"] += 1
                        await asyncio.sleep(0.05)
                        continue
                    if r.status_code == 201:
                        answered[key] = r.json()["id"]
                        counts["answered 2xx"] += 1
                        if len(answered) >= CASES * PER_CASE // 3:
                            half_done.set()
                        return
                    # 503, or 409 `in_progress`: the same key is being answered elsewhere
                    in_progress = r.status_code == 409 and r.json()["error"] == "in_progress"
                    assert r.status_code == 503 or in_progress, r.text
                    counts[f"answered {r.status_code}"] += 1
                    await asyncio.sleep(0.05)
                raise AssertionError(f"command {key} never answered")

        async def chaos() -> None:
            await half_done.wait()
            procs.kill("worker0")
            procs.kill("api0")
            counts["killed"] += 2
            await asyncio.sleep(1)  # an outage of a second, as a crash and a restart make it
            procs.start("worker0", "worker")
            procs.start("api0", "api", "--host", "127.0.0.1", "--port", str(ports[0]))
            await ready(bases[0])
            counts["restarted"] += 2

        load = [command(c, n, i + n) for i, c in enumerate(cases) for n in range(PER_CASE)]
        await asyncio.gather(chaos(), *load)
        for client in clients:
            await client.aclose()

        # every command answered, and each once: in the read model and in the workflows
        assert len(answered) == CASES * PER_CASE
        async with httpx.AsyncClient(
            base_url=f"{bases[1]}/api/v1", headers=headers, timeout=30
        ) as api:
            for case_id in cases:
                handle = dev_env.client.get_workflow_handle(case_workflow_id(case_id))
                await idle(handle, timeout=60)
                state = await handle.query(RecallCaseWorkflow.snapshot)
                wanted = {answered[f"{case_id}-{n}"] for n in range(PER_CASE)}
                assert set(state.hazards) == wanted, case_id
                read = await ok(api.get(f"/cases/{case_id}"))
                assert {h["id"] for h in read["hazards"]} == wanted, case_id
                kinds = [m["kind"] for m in read["milestones"]]
                assert kinds.count("hazard_identified") == PER_CASE, case_id
        reconcile = await asyncio.create_subprocess_exec(
            *RECALL, "reconcile", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        out = (await asyncio.wait_for(reconcile.communicate(), 120))[0].decode()
        assert reconcile.returncode == 0 and "differing 0" in out, out
        counts["applied"] = len(answered)
    finally:
        codes = procs.stop_all()
        print(f"multi-process: {dict(counts)}; exit codes {codes}")
    assert all(code == 0 for code in codes), codes
