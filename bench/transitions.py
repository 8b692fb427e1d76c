"""Case transitions through the API against bare Temporal Updates on the same server, same run.

    python bench/transitions.py [--cases N] [--concurrency C [C ...]]
                                [--database sqlite|postgres] [--pg-url URL] [--idempotency-keys]

Starts its own Temporal dev server (in a temporary folder, on free ports), its own database, the
worker in this process and the API under uvicorn on a free 127.0.0.1 port; times every request
with httpx; stops all of it at the end, also on an error or Ctrl-C. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    import asyncpg
    import httpx
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool
    from temporalio.client import Client, WithStartWorkflowOperation, WorkflowHandle
    from temporalio.common import WorkflowIDConflictPolicy
    from temporalio.worker import Worker

    from recall.config import Settings
    from recall.rules.credit_code import credit_code_check_char
    from recall.runtime import free_port, running_stack, start_dev_server, upgrade_database

BARE_TASK_QUEUE = "bench-bare"
API_PREFIX = "/api/v1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TRANSITIONS = (
    "assessment",
    "decision",
    "plan",
    "plan acceptance",
    "hazard add",
    "hazard elimination",
    "progress report",
    "verification",
    "closure",
)
UPDATES_PER_SUBJECT = len(TRANSITIONS)


# --- the bare workflows: the same server, worker process and data converter, no product code ----


@workflow.defn
class BareWorkflow:
    """One update that increments a counter and returns it: the floor of a Temporal Update."""

    def __init__(self) -> None:
        self.count = 0
        self.done = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done)
        return self.count

    @workflow.signal
    def finish(self) -> None:
        self.done = True

    @workflow.update
    async def bump(self) -> int:
        self.count += 1
        return self.count


@activity.defn(name="bench_noop")
async def noop() -> None:
    return None


@workflow.defn
class LocalActivityWorkflow:
    """The same update, with one local activity that does nothing (as each transition has one
    local activity that writes the read model)."""

    def __init__(self) -> None:
        self.count = 0
        self.done = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done)
        return self.count

    @workflow.signal
    def finish(self) -> None:
        self.done = True

    @workflow.update
    async def bump(self) -> int:
        await workflow.execute_local_activity(noop, start_to_close_timeout=timedelta(seconds=30))
        self.count += 1
        return self.count


# --- numbers ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of seconds, returned in milliseconds."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


@dataclass
class Result:
    kind: str
    samples: list[tuple[str, float]]  # (step, seconds)
    wall: float
    cpu: float = 0.0  # seconds of CPU used by this process (client, API, worker) meanwhile
    server_cpu: float = 0.0  # ... and by the Temporal dev server

    @property
    def cpu_per_op(self) -> float:
        return self.cpu / len(self.samples) * 1000

    @property
    def server_cpu_per_op(self) -> float:
        return self.server_cpu / len(self.samples) * 1000

    @property
    def seconds(self) -> list[float]:
        return [s for _, s in self.samples]

    @property
    def p50(self) -> float:
        return percentile(self.seconds, 50)

    @property
    def p99(self) -> float:
        return percentile(self.seconds, 99)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.seconds) * 1000

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.wall


@dataclass
class Probe:
    """Bench-side timers and counters around product code (wrapping, not changing it)."""

    active: bool = False
    command: list[float] = field(default_factory=list)  # execute_update, as the API sees it
    write: list[float] = field(default_factory=list)  # the read-model write in the activity
    statements: int = 0
    checkouts: int = 0

    def start(self) -> None:
        self.command.clear()
        self.write.clear()
        self.statements = self.checkouts = 0
        self.active = True


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of another process, from /proc; 0 where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_pool(
    subjects: Sequence, concurrency: int, job: Callable[..., Awaitable[list[tuple[str, float]]]]
) -> tuple[list[tuple[str, float]], float]:
    """Run job(subject) for every subject, `concurrency` at a time; samples and wall seconds."""
    queue: asyncio.Queue = asyncio.Queue()
    for subject in subjects:
        queue.put_nowait(subject)
    samples: list[tuple[str, float]] = []

    async def lane() -> None:
        while not queue.empty():
            samples.extend(await job(queue.get_nowait()))

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, len(subjects))):
            group.create_task(lane())
    return samples, time.perf_counter() - started


# --- the stack ------------------------------------------------------------------------------


@dataclass
class Stack:
    settings: Settings
    client: Client
    http: httpx.AsyncClient
    probe: Probe
    server_pid: int
    enterprise_id: str = ""

    async def phase(self, kind: str, subjects: Sequence, concurrency: int, job) -> Result:
        """Time job over subjects, with the CPU this process and the Temporal server spent."""
        cpu, server_cpu = time.process_time(), process_cpu(self.server_pid)
        samples, wall = await run_pool(subjects, concurrency, job)
        return Result(
            kind,
            samples,
            wall,
            time.process_time() - cpu,
            process_cpu(self.server_pid) - server_cpu,
        )


async def _pg_admin(pg_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(f"{pg_url.rstrip('/')}/postgres")


@contextlib.asynccontextmanager
async def database(kind: str, pg_url: str, data_dir: Path) -> AsyncIterator[str]:
    """A fresh, migrated read-model database; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{(data_dir / 'recall.db').resolve()}"
        return
    name = f"recall_bench_{uuid.uuid4().hex[:10]}"
    admin = await _pg_admin(pg_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"{pg_url.rstrip('/').replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    finally:
        admin = await _pg_admin(pg_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def install_probe(probe: Probe) -> Callable[[], None]:
    """Time every WorkflowHandle.execute_update while probe.active (only the API phase runs
    then) and the read-model write (recall.cases.projection.project_case, where it exists);
    count SQL statements and pool checkouts. Returns the function that takes it all off."""
    undo: list[Callable[[], None]] = []
    execute_update = WorkflowHandle.execute_update

    async def timed_update(*args, **kwargs):
        started = time.perf_counter()
        try:
            return await execute_update(*args, **kwargs)
        finally:
            if probe.active:
                probe.command.append(time.perf_counter() - started)

    WorkflowHandle.execute_update = timed_update
    undo.append(lambda: setattr(WorkflowHandle, "execute_update", execute_update))

    projection = sys.modules.get("recall.cases.projection")
    project_case = getattr(projection, "project_case", None)
    if project_case is not None:

        async def timed_project_case(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await project_case(*args, **kwargs)
            finally:
                if probe.active:
                    probe.write.append(time.perf_counter() - started)

        # The activity looks the function up on the module at each call.
        projection.project_case = timed_project_case
        undo.append(lambda: setattr(projection, "project_case", project_case))

    def count_statement(*_args) -> None:
        probe.statements += probe.active

    def count_checkout(*_args) -> None:
        probe.checkouts += probe.active

    event.listen(Engine, "before_cursor_execute", count_statement)
    event.listen(Pool, "checkout", count_checkout)
    undo.append(lambda: event.remove(Engine, "before_cursor_execute", count_statement))
    undo.append(lambda: event.remove(Pool, "checkout", count_checkout))
    return lambda: [step() for step in reversed(undo)]


@contextlib.asynccontextmanager
async def bench_stack(args: argparse.Namespace) -> AsyncIterator[Stack]:
    data_dir = Path(tempfile.mkdtemp(prefix="recall-bench-"))
    try:
        async with contextlib.AsyncExitStack() as stack:
            dev = await start_dev_server(data_dir, port=free_port(), ui_port=free_port())
            stack.callback(dev.stop)
            db_url = await stack.enter_async_context(database(args.database, args.pg_url, data_dir))
            settings = Settings(
                data_dir=data_dir,
                database_url=db_url,
                temporal_address=dev.address,
                temporal_namespace="default",
                webhook_url=None,
            )
            await upgrade_database(settings)
            # The product's worker, and the API under uvicorn on a free port, as `recall up` has
            # them. Ctrl-C and SIGTERM stop the whole bench (see _main), not just the API.
            product = await stack.enter_async_context(
                running_stack(settings, port=free_port(), signals=False)
            )
            client = product.client
            bare_worker = Worker(
                client,
                task_queue=BARE_TASK_QUEUE,
                workflows=[BareWorkflow, LocalActivityWorkflow],
                activities=[noop],
                max_concurrent_local_activities=50,  # as the product's worker
            )
            await stack.enter_async_context(bare_worker)
            probe = Probe()
            stack.callback(install_probe(probe))
            http = await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=f"{product.base_url}{API_PREFIX}",
                    timeout=30,
                    trust_env=False,
                    limits=httpx.Limits(max_connections=200, max_keepalive_connections=200),
                )
            )
            yield Stack(
                settings=settings, client=client, http=http, probe=probe, server_pid=dev.process.pid
            )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


# --- the API side -------------------------------------------------------------------------


async def post(
    http: httpx.AsyncClient, path: str, body: dict, expect: int, *, key: bool = False
) -> dict:
    headers = {"Idempotency-Key": uuid.uuid4().hex} if key else None
    response = await http.post(path, json=body, headers=headers)
    if response.status_code != expect:
        raise RuntimeError(f"POST {path} answered {response.status_code}: {response.text[:300]}")
    return response.json()


async def authorise(stack: Stack) -> None:
    """Once the API asks for a token (API.md), make an admin one the documented way."""
    if (await stack.http.get("/regions")).status_code != 401:
        return
    env = {
        **os.environ,
        "RECALL_DATABASE_URL": stack.settings.sqlalchemy_url,
        "RECALL_DATA_DIR": str(stack.settings.data_dir),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "recall",
        "token",
        "create",
        "--role",
        "admin",
        "--name",
        "bench",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0 or not out.strip():
        raise RuntimeError(f"recall token create failed: {err.decode()[-500:]}")
    token = out.decode().strip().splitlines()[-1].strip()
    stack.http.headers["Authorization"] = f"Bearer {token}"


async def reference_data(stack: Stack) -> None:
    await authorise(stack)
    http = stack.http
    await post(http, "/regions", {"code": "BENCH", "name": "Bench region"}, 201)
    await post(http, "/industries", {"code": "bench-toys", "name": "Bench toys"}, 201)
    first17 = "91330100MA2B3C4D5"
    enterprise = await post(
        http,
        "/enterprises",
        {
            "name": "Bench Toys Co.",
            "credit_code": first17 + credit_code_check_char(first17),
            "region_code": "BENCH",
            "industry_code": "bench-toys",
        },
        201,
    )
    stack.enterprise_id = enterprise["id"]


async def open_case(stack: Stack, _: int = 0) -> str:
    report = await post(
        stack.http,
        "/defect-reports",
        {
            "source": "sampling_inspection",
            "product": "Bench kettle",
            "description": "the lid opens while boiling",
            "industry_code": "bench-toys",
            "region_code": "BENCH",
            "enterprise_ids": [stack.enterprise_id],
        },
        201,
    )
    case = await post(stack.http, "/cases", {"defect_report_ids": [report["id"]]}, 201)
    return case["id"]


async def case_transitions(stack: Stack, case_id: str, *, keys: bool) -> list[tuple[str, float]]:
    """The nine transitions of one case, in order; each request timed on its own."""
    http, samples = stack.http, []
    c = f"/cases/{case_id}"

    async def timed(step: str, path: str, body: dict, expect: int = 200) -> dict:
        started = time.perf_counter()
        out = await post(http, path, body, expect, key=keys)
        samples.append((step, time.perf_counter() - started))
        return out

    await timed("assessment", f"{c}/assessment", {"severity": 3, "probability": "gt_1_100"})
    await timed("decision", f"{c}/decision", {"decision": "voluntary_recall", "reason": "bench"})
    await timed(
        "plan",
        f"{c}/plan",
        {"units_affected": 1000, "remedy": "repair", "summary": "replace the lid"},
    )
    await timed("plan acceptance", f"{c}/plan/acceptance", {"note": "accepted"})
    hazard = await timed(
        "hazard add",
        f"{c}/hazards",
        {
            "enterprise_id": stack.enterprise_id,
            "category": "burn",
            "description": "hot water",
        },
        201,
    )
    await timed(
        "hazard elimination",
        f"{c}/hazards/{hazard['id']}/elimination",
        {"evidence": "new latch fitted"},
    )
    await timed("progress report", f"{c}/progress-reports", {"units_corrected": 1000})
    await timed("verification", f"{c}/verification", {"note": "all units checked"})
    closed = await timed("closure", f"{c}/closure", {"summary": "done"})
    if closed["stage"] != "closed":
        raise RuntimeError(f"case {case_id} ended in stage {closed['stage']}")
    return samples


async def healthz(stack: Stack, _: int) -> list[tuple[str, float]]:
    """The HTTP floor: the same client, server and middleware, no database, no Temporal."""
    samples = []
    for _ in range(UPDATES_PER_SUBJECT):
        started = time.perf_counter()
        response = await stack.http.get("/healthz")
        samples.append(("healthz", time.perf_counter() - started))
        response.raise_for_status()
    return samples


# --- the bare side ------------------------------------------------------------------------


async def start_bare(stack: Stack, workflow_cls: type, _: int = 0) -> WorkflowHandle:
    """Start a bare workflow with its first update, untimed, as a case opens (update-with-start
    of `open`), so the timed updates find it running and cached on the worker."""
    start = WithStartWorkflowOperation(
        workflow_cls.run,
        id=f"bench-{workflow_cls.__name__}-{uuid.uuid4()}",
        task_queue=BARE_TASK_QUEUE,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
    )
    await stack.client.execute_update_with_start_workflow(
        workflow_cls.bump, start_workflow_operation=start, id=f"bump-{uuid.uuid4()}"
    )
    return await start.workflow_handle()


async def bare_updates(handle: WorkflowHandle, workflow_cls: type) -> list[tuple[str, float]]:
    samples = []
    for i in range(UPDATES_PER_SUBJECT):
        started = time.perf_counter()
        count = await handle.execute_update(workflow_cls.bump, id=f"bump-{uuid.uuid4()}")
        samples.append(("bump", time.perf_counter() - started))
        if count != i + 2:
            raise RuntimeError(f"{handle.id}: update {i + 2} returned {count}")
    return samples


async def finish(handles: Sequence[WorkflowHandle], workflow_cls: type) -> None:
    await asyncio.gather(*(h.signal(workflow_cls.finish) for h in handles))


# --- one concurrency level ------------------------------------------------------------------


async def prepare(n: int, concurrency: int, make: Callable[[int], Awaitable]) -> list:
    out: list = []

    async def one(i: int) -> list[tuple[str, float]]:
        out.append(await make(i))
        return []

    await run_pool(range(n), concurrency, one)
    return out


@dataclass
class Level:
    concurrency: int
    results: dict[str, Result]
    by_step: dict[str, list[float]]
    command: list[float]
    write: list[float]
    statements: int
    checkouts: int


async def measure_level(stack: Stack, n: int, concurrency: int, keys: bool) -> Level:
    results: dict[str, Result] = {}
    for kind, cls in (("bare", BareWorkflow), ("local", LocalActivityWorkflow)):
        handles = await prepare(n, concurrency, lambda _i, c=cls: start_bare(stack, c))
        results[kind] = await stack.phase(
            kind, handles, concurrency, lambda h, c=cls: bare_updates(h, c)
        )
        await finish(handles, cls)

    results["healthz"] = await stack.phase(
        "healthz", range(n), concurrency, lambda i: healthz(stack, i)
    )

    case_ids = await prepare(n, concurrency, lambda i: open_case(stack, i))
    stack.probe.start()
    try:
        results["api"] = await stack.phase(
            "api", case_ids, concurrency, lambda c: case_transitions(stack, c, keys=keys)
        )
    finally:
        stack.probe.active = False
    by_step: dict[str, list[float]] = defaultdict(list)
    for step, seconds in results["api"].samples:
        by_step[step].append(seconds)
    probe = stack.probe
    return Level(
        concurrency,
        results,
        by_step,
        list(probe.command),
        list(probe.write),
        probe.statements,
        probe.checkouts,
    )


async def warm_up(stack: Stack) -> None:
    """One untimed run of every path: imports, connection pools, sticky queues, sandbox."""
    case_id = await open_case(stack)
    await case_transitions(stack, case_id, keys=False)
    for cls in (BareWorkflow, LocalActivityWorkflow):
        handle = await start_bare(stack, cls)
        await bare_updates(handle, cls)
        await finish([handle], cls)
    await healthz(stack, 0)


# --- report -------------------------------------------------------------------------------


LABELS = {
    "bare": "bare update",
    "local": "bare update + local activity",
    "api": "API transition",
    "healthz": "HTTP floor (GET /healthz)",
}


AIM = 1.3  # the aim: an API transition within 1.3x of a bare Update


def _ms(values: list[float], q: float | None = None) -> float:
    if not values:
        return float("nan")
    return percentile(values, q) if q is not None else statistics.fmean(values) * 1000


def report(levels: list[Level], args: argparse.Namespace) -> str:
    keys = ", with an Idempotency-Key on each" if args.idempotency_keys else ""
    lines = [
        f"read model: {args.database}; Temporal: dev server (SQLite WAL); "
        f"{args.cases} cases x {UPDATES_PER_SUBJECT} transitions per level{keys}",
        "p50 x = p50 / bare update p50; ops/s x = bare update ops/s / ops/s (1.00: as fast)",
        "cpu ms/op: CPU time per operation of this process (load client, API and worker share "
        "it) and of the Temporal dev server",
    ]
    header = (
        f"{'kind':<30}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}{'ops/s':>9}"
        f"{'p50 x':>8}{'ops/s x':>9}{'cpu ms/op':>11}{'server':>8}"
    )
    for level in levels:
        results = level.results
        bare, local, api = results["bare"], results["local"], results["api"]
        lines += ["", f"concurrency {level.concurrency}", header, "-" * len(header)]
        for kind in ("bare", "local", "api", "healthz"):
            r = results[kind]
            p50_x, ops_x = r.p50 / bare.p50, bare.throughput / r.throughput
            lines.append(
                f"{LABELS[kind]:<30}{len(r.samples):>7}{r.p50:>9.2f}{r.p99:>9.2f}"
                f"{r.throughput:>9.1f}{p50_x:>8.2f}{ops_x:>9.2f}"
                f"{r.cpu_per_op:>11.2f}{r.server_cpu_per_op:>8.2f}"
            )
        p50_x, ops_x = api.p50 / bare.p50, bare.throughput / api.throughput
        met = "met" if max(p50_x, ops_x) <= AIM else "not met"
        lines.append(
            f"  aim (API within {AIM}x of the bare update): {met}: p50 {p50_x:.2f}x, "
            f"throughput {ops_x:.2f}x"
        )
        lines.append(
            "  API p50 by transition (ms): "
            + ", ".join(f"{s} {_ms(level.by_step[s], 50):.1f}" for s in TRANSITIONS)
        )
        command = _ms(level.command)
        lines.append(
            f"  API mean {api.mean:.2f} ms = {command:.2f} in the Temporal update as the API "
            f"sees it + {api.mean - command:.2f} for HTTP, FastAPI, the token check and the "
            f"reads before and after (GET /healthz alone: {results['healthz'].mean:.2f})"
        )
        lines.append(
            f"  means for comparison: bare update {bare.mean:.2f}, + local activity "
            f"{local.mean:.2f}; the read-model write inside the activity {_ms(level.write):.2f} "
            f"(p50 {_ms(level.write, 50):.2f}, p99 {_ms(level.write, 99):.2f})"
        )
        n = len(api.samples)
        lines.append(
            f"  per transition: {level.statements / n:.1f} SQL statements, "
            f"{level.checkouts / n:.1f} connection checkouts (API and worker together)"
        )
    return "\n".join(lines)


# --- main -----------------------------------------------------------------------------------


async def bench(args: argparse.Namespace) -> str:
    started = time.perf_counter()
    print(f"starting the stack ({args.database}) ...", file=sys.stderr, flush=True)
    async with bench_stack(args) as stack:
        await reference_data(stack)
        await warm_up(stack)
        levels = []
        for concurrency in args.concurrency:
            print(f"concurrency {concurrency} ...", file=sys.stderr, flush=True)
            levels.append(
                await measure_level(stack, args.cases, concurrency, args.idempotency_keys)
            )
        text = report(levels, args)
    print(f"stopped; {time.perf_counter() - started:.0f} s in all", file=sys.stderr, flush=True)
    return text


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--cases",
        type=int,
        default=50,
        help="cases (and bare workflows) per concurrency level; default 50",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[1, 8],
        help="concurrency levels, run in turn; default 1 8",
    )
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="the read model: an SQLite file in the temp folder (default) or a "
        "fresh PostgreSQL database, dropped afterwards",
    )
    parser.add_argument(
        "--pg-url",
        default="postgresql://postgres@127.0.0.1:5432",
        help="the PostgreSQL server for --database postgres (loopback only)",
    )
    parser.add_argument(
        "--idempotency-keys",
        action="store_true",
        help="send an Idempotency-Key with every transition",
    )
    args = parser.parse_args(argv)
    if args.cases < 1 or any(c < 1 for c in args.concurrency):
        parser.error("--cases and --concurrency must be at least 1")
    host = urlsplit(args.pg_url).hostname
    if args.database == "postgres" and host not in LOOPBACK:
        parser.error(f"--pg-url must point at this machine (127.0.0.1), not {host}")
    return args


async def _main(args: argparse.Namespace, interrupted: list[int]) -> str:
    task = asyncio.current_task()

    def stop(signum: int) -> None:
        interrupted.append(signum)
        task.cancel()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop, signum)
    return await bench(args)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    interrupted: list[int] = []
    try:
        print(asyncio.run(_main(args, interrupted)))
    except BaseException as err:
        # A cancelled request may surface as its client's own error; the signal is what counts.
        if not interrupted and not isinstance(err, KeyboardInterrupt | asyncio.CancelledError):
            raise
        print("interrupted; everything stopped", file=sys.stderr)
        return 128 + (interrupted[0] if interrupted else signal.SIGINT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
