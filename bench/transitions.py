"""Case transitions and case openings through the API against bare Temporal Updates on the
same server, same run.

    python bench/transitions.py [--cases N] [--concurrency C [C ...]]
                                [--layout inprocess|split] [--processes N]
                                [--database sqlite|postgres] [--pg-url URL] [--idempotency-keys]

Starts its own Temporal dev server (in a temporary folder, on free ports) and its own database;
the product's worker and API either in this process, the API under uvicorn on a free 127.0.0.1
port (inprocess), or as N `recall api` and N `recall worker` processes (split, see
bench/_processes.py); times every request with httpx; stops all of it at the end, also on an
error or Ctrl-C. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import copy
import itertools
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import httpx
    from _bare import BareWorkflow, LocalActivityWorkflow, noop
    from _database import bench_database
    from _interrupt import run_until_signal
    from _processes import Product, process_cpu, running_product
    from _transition_figures import (
        PRODUCT_PROCESSES,
        UPDATES_PER_SUBJECT,
        Level,
        Probe,
        Result,
        headline,
        report,
        server_timing,
    )
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool
    from temporalio.client import Client, WithStartWorkflowOperation, WorkflowHandle
    from temporalio.common import WorkflowIDConflictPolicy
    from temporalio.worker import Worker

    import recall
    import workflows
    from recall.config import Settings
    from recall.rules.credit_code import credit_code_check_char
    from recall.runtime import free_port, running_stack, start_dev_server, upgrade_database
    from recall.temporal import connect

BARE_TASK_QUEUE = "bench-bare"
API_PREFIX = "/api/v1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


# --- running the load -----------------------------------------------------------------------


def collecting(make: Callable[..., Awaitable], out: list, step: str) -> Callable:
    """A run_pool job that times make(subject) as one sample and keeps what it returns."""

    async def job(subject) -> list[tuple[str, float]]:
        started = time.perf_counter()
        out.append(await make(subject))
        return [(step, time.perf_counter() - started)]

    return job


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
    apis: list[httpx.AsyncClient]  # one per API process
    probe: Probe | None  # None in the split layout: it cannot see into other processes
    server_pid: int
    product: Product | None = None  # the split layout's processes
    enterprise_id: str = ""
    turns: itertools.count = field(default_factory=itertools.count)
    # The Server-Timing phases of each API transition while `timing` is on (measure_level).
    timing: bool = False
    phases: list[dict[str, float]] = field(default_factory=list)

    def api(self) -> httpx.AsyncClient:
        """The next API's client, round-robin."""
        return self.apis[next(self.turns) % len(self.apis)]

    async def phase(
        self, kind: str, subjects: Sequence, concurrency: int, job, *, product: bool = False
    ) -> Result:
        """Time job over subjects, with the CPU the Temporal server and the line's own
        processes spent meanwhile: this process (the bare worker, or the API and worker of the
        inprocess layout, with the load client), or with product=True in the split layout the
        product's processes (this process, the load client, then counted apart)."""
        split = product and self.product is not None
        cpu, server_cpu = time.process_time(), process_cpu(self.server_pid)
        roles = self.product.cpu_by_role() if split else {}
        samples, wall = await run_pool(subjects, concurrency, job)
        own = time.process_time() - cpu
        result = Result(
            kind, samples, wall, own, server_cpu=process_cpu(self.server_pid) - server_cpu
        )
        if split:
            used = {r: s - roles[r] for r, s in self.product.cpu_by_role().items()}
            result.cpu, result.cpu_scope = sum(used.values()), PRODUCT_PROCESSES
            result.client_cpu, result.cpu_by_role = own, used
            self.product.check_running()
        return result


@contextlib.asynccontextmanager
async def database(kind: str, pg_url: str, data_dir: Path) -> AsyncIterator[str]:
    """A fresh, migrated read-model database; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{(data_dir / 'recall.db').resolve()}"
        return
    async with bench_database(pg_url, log=lambda _line: None) as pg:
        yield pg.url


def _time_calls(probe: Probe, module: str, name: str, times: list[float]) -> Callable[[], None]:
    """Replace the coroutine function module.name with one that appends its seconds to times
    while probe.active; returns the undo (nothing to undo where there is no such function)."""
    owner = sys.modules.get(module)
    original = getattr(owner, name, None)
    if original is None:
        return lambda: None

    async def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            if probe.active:
                times.append(time.perf_counter() - started)

    setattr(owner, name, timed)
    return lambda: setattr(owner, name, original)


def install_probe(probe: Probe) -> Callable[[], None]:
    """Time every WorkflowHandle.execute_update while probe.active (only the API phase runs
    then) and the read-model writes of project_case: the API's (recall.cases.service imports
    it by name) and the workflow's, in its activity (which looks it up on
    recall.cases.projection at each call); count SQL statements and pool checkouts. Returns the
    function that takes it all off."""
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

    undo.append(_time_calls(probe, "recall.cases.service", "project_case", probe.api_write))
    undo.append(_time_calls(probe, "recall.cases.projection", "project_case", probe.worker_write))

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
                # each answer says where its time went; older code (a before run) has no such
                **({"server_timing": True} if "server_timing" in Settings.model_fields else {}),
            )
            await upgrade_database(settings)
            product, probe = None, None
            if args.layout == "inprocess":
                # The product's worker, and the API under uvicorn on a free port, as `recall up`
                # has them. Ctrl-C and SIGTERM stop the whole bench (see _main), not the API.
                here = await stack.enter_async_context(
                    running_stack(settings, port=free_port(), signals=False)
                )
                client, base_urls = here.client, [here.base_url]
                probe = Probe()
                stack.callback(install_probe(probe))
            else:
                client = await connect(settings)
                product = await stack.enter_async_context(
                    running_product(settings, client, args.processes)
                )
                base_urls = product.base_urls
            bare_worker = Worker(
                client,
                task_queue=BARE_TASK_QUEUE,
                workflows=[BareWorkflow, LocalActivityWorkflow],
                activities=[noop],
                max_concurrent_local_activities=50,  # as the product's worker
            )
            await stack.enter_async_context(bare_worker)
            apis = [
                await stack.enter_async_context(
                    httpx.AsyncClient(
                        base_url=f"{base_url}{API_PREFIX}",
                        timeout=30,
                        trust_env=False,
                        limits=httpx.Limits(max_connections=200, max_keepalive_connections=200),
                    )
                )
                for base_url in base_urls
            ]
            yield Stack(settings, client, apis, probe, dev.process.pid, product)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


# --- the API side -------------------------------------------------------------------------


async def post(
    http: httpx.AsyncClient,
    path: str,
    body: dict,
    expect: int,
    *,
    key: bool = False,
    phases: list[dict[str, float]] | None = None,
) -> dict:
    """POST and check the status; the answer's Server-Timing phases go to `phases`, if given."""
    headers = {"Idempotency-Key": uuid.uuid4().hex} if key else None
    response = await http.post(path, json=body, headers=headers)
    if response.status_code != expect:
        raise RuntimeError(f"POST {path} answered {response.status_code}: {response.text[:300]}")
    if phases is not None:
        phases.append(server_timing(response.headers.get("server-timing", "")))
    return response.json()


async def authorise(stack: Stack) -> None:
    """Once the API asks for a token (API.md), make an admin one the documented way."""
    if (await stack.api().get("/regions")).status_code != 401:
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
    for http in stack.apis:
        http.headers["Authorization"] = f"Bearer {token}"


async def reference_data(stack: Stack) -> None:
    await authorise(stack)
    http = stack.api()
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


async def defect_report(stack: Stack) -> str:
    report = await post(
        stack.api(),
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
    return report["id"]


async def open_case(stack: Stack, report_id: str) -> str:
    case = await post(stack.api(), "/cases", {"defect_report_ids": [report_id]}, 201)
    return case["id"]


async def case_transitions(stack: Stack, case_id: str, *, keys: bool) -> list[tuple[str, float]]:
    """The nine transitions of one case, in order; each request timed on its own (and sent to
    the next API, round-robin)."""
    samples = []
    c = f"/cases/{case_id}"

    async def timed(step: str, path: str, body: dict, expect: int = 200) -> dict:
        started = time.perf_counter()
        phases = stack.phases if stack.timing else None
        out = await post(stack.api(), path, body, expect, key=keys, phases=phases)
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
        response = await stack.api().get("/healthz")
        samples.append(("healthz", time.perf_counter() - started))
        response.raise_for_status()
    return samples


# --- the bare side ------------------------------------------------------------------------


async def start_bare(stack: Stack, workflow_cls: type, _: int = 0) -> WorkflowHandle:
    """Start a bare workflow with its first update, as a case opens (update-with-start of
    `open`): the floor of opening a case, and the later updates find it running and cached on
    the worker."""
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
    """make(i) for i in range(n), untimed, `concurrency` at a time; what they returned."""
    out: list = []
    await run_pool(range(n), concurrency, collecting(make, out, "prepare"))
    return out


async def measure_level(stack: Stack, n: int, concurrency: int, keys: bool) -> Level:
    """One level, phase after phase: bare openings and updates, the same with a local
    activity, the HTTP floor, then API openings (their reports made beforehand) and the
    transitions of the cases they opened."""
    results: dict[str, Result] = {}
    handles: list[WorkflowHandle] = []
    opening = collecting(lambda _i: start_bare(stack, BareWorkflow), handles, "open")
    results["bare open"] = await stack.phase("bare open", range(n), concurrency, opening)
    results["bare"] = await stack.phase(
        "bare", handles, concurrency, lambda h: bare_updates(h, BareWorkflow)
    )
    await finish(handles, BareWorkflow)

    cls = LocalActivityWorkflow
    handles = await prepare(n, concurrency, lambda _i: start_bare(stack, cls))
    results["local"] = await stack.phase(
        "local", handles, concurrency, lambda h: bare_updates(h, cls)
    )
    await finish(handles, cls)

    results["healthz"] = await stack.phase(
        "healthz", range(n), concurrency, lambda i: healthz(stack, i), product=True
    )

    report_ids = await prepare(n, concurrency, lambda _i: defect_report(stack))
    case_ids: list[str] = []
    opening = collecting(lambda r: open_case(stack, r), case_ids, "open")
    results["api open"] = await stack.phase(
        "api open", report_ids, concurrency, opening, product=True
    )
    probe = stack.probe or Probe()  # split layout: nothing records into this one
    probe.start()
    stack.phases, stack.timing = [], True
    try:
        results["api"] = await stack.phase(
            "api",
            case_ids,
            concurrency,
            lambda c: case_transitions(stack, c, keys=keys),
            product=True,
        )
    finally:
        probe.active = stack.timing = False
    by_step: dict[str, list[float]] = defaultdict(list)
    for step, seconds in results["api"].samples:
        by_step[step].append(seconds)
    return Level(concurrency, results, by_step, copy.deepcopy(stack.probe), stack.phases)


async def warm_up(stack: Stack, lanes: int) -> None:
    """Untimed runs of every path: imports, connection pools, sticky queues, sandbox; `lanes`
    cases at once, so that each API process gets some (and, very likely, each worker)."""

    async def one_case(_: int) -> list[tuple[str, float]]:
        case_id = await open_case(stack, await defect_report(stack))
        await case_transitions(stack, case_id, keys=False)
        return []

    await run_pool(range(lanes), lanes, one_case)
    for cls in (BareWorkflow, LocalActivityWorkflow):
        handle = await start_bare(stack, cls)
        await bare_updates(handle, cls)
        await finish([handle], cls)
    await healthz(stack, 0)


# --- main -----------------------------------------------------------------------------------


def bytecode_as_installed() -> None:
    """Byte-code as a normal install has it, here and in the processes the bench starts.

    With PYTHONDONTWRITEBYTECODE=1 (this machine sets it) and no up-to-date .pyc, Temporal's
    workflow sandbox, which imports the workflow modules afresh for every new workflow run,
    would compile them from source each time."""
    sys.dont_write_bytecode = False
    os.environ["PYTHONDONTWRITEBYTECODE"] = ""  # empty is off; every subprocess inherits it
    for package in (recall, workflows):
        if not compileall.compile_dir(Path(package.__file__).parent, quiet=1):
            print(f"warning: some of {package.__name__} did not compile", file=sys.stderr)


async def bench(args: argparse.Namespace) -> str:
    started = time.perf_counter()
    layout = f"{args.layout}, {args.processes} of each" if args.layout == "split" else args.layout
    print(f"starting the stack ({args.database}, {layout}) ...", file=sys.stderr, flush=True)
    async with bench_stack(args) as stack:
        await reference_data(stack)
        await warm_up(stack, lanes=2 * args.processes)
        levels = []
        for concurrency in args.concurrency:
            print(f"concurrency {concurrency} ...", file=sys.stderr, flush=True)
            levels.append(
                await measure_level(stack, args.cases, concurrency, args.idempotency_keys)
            )
    print(f"stopped; {time.perf_counter() - started:.0f} s in all", file=sys.stderr, flush=True)
    return f"{report(levels, args)}\n{json.dumps(headline(levels, args))}"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
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
        "--layout",
        choices=("inprocess", "split"),
        default="inprocess",
        help="inprocess (default): the product's API and worker in this process; split: "
        "`recall api` and `recall worker` processes, their CPU measured apart",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="split layout: how many API processes and how many worker processes; default 1",
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
    if args.cases < 1 or args.processes < 1 or any(c < 1 for c in args.concurrency):
        parser.error("--cases, --concurrency and --processes must be at least 1")
    if args.layout == "inprocess" and args.processes != 1:
        parser.error("--processes goes with --layout split")
    host = urlsplit(args.pg_url).hostname
    if args.database == "postgres" and host not in LOOPBACK:
        parser.error(f"--pg-url must point at this machine (127.0.0.1), not {host}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    bytecode_as_installed()
    code, report = run_until_signal(lambda: bench(args))
    if report is not None:
        print(report)
    return code


if __name__ == "__main__":
    sys.exit(main())
