"""The public dashboard under a crowd: readers of its JSON and its page at a million hazards on
PostgreSQL, while a writer changes the read model every second.

    python bench/crowd.py [--database NAME | --cases 10000 --hazards 1000000 [--keep]]
                          [--api-processes 1 2] [--readers 50] [--seconds 10]
                          [--write-every 1.0] [--max-age 2] [--pg-url postgresql://...]

Fills a fresh recall_bench_<random> as bench/dashboard.py does (or reuses a kept one), then for
each --api-processes level starts that many `recall api` processes (recall.runtime.run_api, as
deployed: separate replicas, here on their own 127.0.0.1 ports, the readers spread over them as a
proxy would) and runs --readers keep-alive connections from a separate load-generator process,
each sending one request after another for --seconds: first GET /healthz (the floor), then a mix
of /api/v1/dashboard/summary, /api/v1/dashboard/hazards?group_by=month and /dashboard. Meanwhile
this process writes the read model directly (asyncpg, not through Temporal): every --write-every
seconds one transaction inserts an open hazard and eliminates another, so the hazard total grows
by one per write and every summary a reader gets says which writes it has seen. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from _database import bench_database
from _interrupt import run_until_signal

AIM_RPS, AIM_P99_MS = 500.0, 100.0
MIX = (
    "/api/v1/dashboard/summary",
    "/api/v1/dashboard/hazards?group_by=month",
    "/dashboard",
)
FLOOR = ("/healthz",)
SUMMARY = MIX[0]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
ROOT = Path(__file__).resolve().parent.parent


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(1, -(-len(ordered) * q // 100)) - 1]


# --- the load generator (its own process: it shares no GIL with the API) ---------------------


async def _reader(port: int, paths: Sequence[str], first: int, deadline: float, out: dict) -> None:
    """One keep-alive HTTP/1.1 connection sending the paths in turn until the deadline."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    requests = [f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() for p in paths]
    i = first
    try:
        while time.monotonic() < deadline:
            k = i % len(paths)
            i += 1
            started = time.perf_counter()
            writer.write(requests[k])
            head = await reader.readuntil(b"\r\n\r\n")
            headers = {}
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
            elapsed = (time.perf_counter() - started) * 1000
            out["latency"][paths[k]].append(elapsed)
            if head[9:12] != b"200":
                out["errors"] += 1
                continue
            if b"age" in headers:
                out["max_age_header"] = max(out["max_age_header"], int(headers[b"age"]))
            if paths[k] == SUMMARY:
                figures = json.loads(body)
                total = figures["hazards_eliminated"] + figures["hazards_open"]
                out["summaries"].append((time.time(), total, figures.get("as_of")))
    finally:
        writer.close()


async def generate(ports: list[int], paths: Sequence[str], readers: int, seconds: float) -> dict:
    out = {
        "latency": {p: [] for p in paths},
        "errors": 0,
        "max_age_header": 0,
        "summaries": [],
    }
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(_reader(ports[n % len(ports)], paths, n, deadline, out) for n in range(readers))
    )
    out["wall"] = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu"] = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    return out


def load_generator_main(argv: Sequence[str]) -> int:
    spec = json.loads(argv[0])
    with contextlib.suppress(ImportError):  # cheaper per request when it is there
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    out = asyncio.run(generate(spec["ports"], spec["paths"], spec["readers"], spec["seconds"]))
    json.dump(out, sys.stdout)
    return 0


async def run_load(ports: list[int], paths: Sequence[str], readers: int, seconds: float) -> dict:
    spec = json.dumps(
        {"ports": ports, "paths": list(paths), "readers": readers, "seconds": seconds}
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--load-generator", spec, stdout=subprocess.PIPE
    )
    try:
        stdout, _ = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    if process.returncode != 0:
        raise RuntimeError(f"the load generator exited with {process.returncode}")
    return json.loads(stdout)


# --- the API processes ------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Api:
    processes: list[subprocess.Popen] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.processes)

    def stop(self) -> None:
        for p in self.processes:
            if p.poll() is None:
                p.terminate()
        for p in self.processes:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _spawn(port: int, env: dict, log_path: Path, source: Path) -> subprocess.Popen:
    """`recall api` on 127.0.0.1:port (recall.runtime.run_api) from the checkout at source,
    its output to log_path."""
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "recall", "api", "--host", "127.0.0.1", "--port", str(port)],
            env={**env, "PYTHONPATH": str(source)},
            cwd=source,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


async def start_api(
    n: int, database_url: str, max_age: float, logs: Path, source: Path = ROOT
) -> Api:
    """n `recall api` processes, each on a free port, as a deployment runs its replicas."""
    api = Api()
    env = {
        **os.environ,
        "RECALL_DATABASE_URL": database_url,
        # Reads need no Temporal: the API connects lazily, and nothing here sends a command.
        "RECALL_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "RECALL_DASHBOARD__MAX_AGE_SECONDS": str(max_age),
    }
    try:
        for i in range(n):
            port = free_port()
            api.processes.append(_spawn(port, env, logs / f"api-{i}.log", source))
            api.ports.append(port)
        for process, port in zip(api.processes, api.ports, strict=True):
            await _until_healthy(process, port, logs)
    except BaseException:
        api.stop()
        raise
    return api


async def _until_healthy(process: subprocess.Popen, port: int, logs: Path) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"recall api exited with {process.returncode}; see {logs}")
        with contextlib.suppress(OSError):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = await reader.read()
            writer.close()
            if answer.startswith(b"HTTP/1.1 200"):
                return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"recall api on port {port} did not answer /healthz; see {logs}")


# --- the writer -------------------------------------------------------------------------------


@dataclass
class Writes:
    base_total: int
    done: list[tuple[float, int]] = field(default_factory=list)  # (committed, total after)
    inserted: list[str] = field(default_factory=list)
    eliminated: list[tuple[str, str]] = field(default_factory=list)  # (id, status before)


async def write_every(conn, every: float, writes: Writes, stop: asyncio.Event) -> None:
    """Each turn, one transaction: insert an open hazard into a case, eliminate an open one."""
    cases = await conn.fetch(
        "SELECT c.id, c.industry_code, c.region_code, e.enterprise_id FROM cases c "
        "JOIN case_enterprises e ON e.case_id = c.id LIMIT 200"
    )
    rng = random.Random(11)
    while not stop.is_set():
        case = rng.choice(cases)
        now = datetime.now(UTC)
        hazard_id = f"hz_crowd_{uuid.uuid4().hex[:20]}"
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO hazards (id, case_id, enterprise_id, category, description, status,"
                " evidence_refs, identified_at, version, industry_code, region_code)"
                " VALUES ($1, $2, $3, 'fire', 'bench/crowd.py', 'identified', '[]', $4, 1, $5, $6)",
                hazard_id, case["id"], case["enterprise_id"], now, case["industry_code"],
                case["region_code"],
            )  # fmt: skip
            row = await conn.fetchrow(
                "UPDATE hazards SET status = 'eliminated', eliminated_at = $1,"
                " days_to_eliminate = round((extract(epoch FROM $1 - identified_at) / 86400)"
                "::numeric, 4) WHERE id = (SELECT id FROM hazards WHERE status = 'identified'"
                " AND id NOT LIKE 'hz_crowd_%' LIMIT 1) RETURNING id",
                now,
            )
        writes.inserted.append(hazard_id)
        if row is not None:
            writes.eliminated.append((row["id"], "identified"))
        writes.done.append((time.time(), writes.base_total + len(writes.inserted)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def undo_writes(conn, writes: Writes) -> None:
    """Leave a reused database as it was found."""
    async with conn.transaction():
        await conn.execute("DELETE FROM hazards WHERE id = ANY($1::text[])", writes.inserted)
        await conn.execute(
            "UPDATE hazards SET status = 'identified', eliminated_at = NULL,"
            " days_to_eliminate = NULL WHERE id = ANY($1::text[])",
            [hazard_id for hazard_id, _ in writes.eliminated],
        )


def staleness(summaries: list, writes: Writes) -> tuple[float | None, float]:
    """(largest figure age, largest lag behind a committed write) over the summaries seen, in
    seconds: the age from as_of (None if the API does not say it); the lag from the first write
    a summary had not yet counted."""
    done = sorted(writes.done)
    ages, lag = [], 0.0
    for received, total, as_of in summaries:
        if as_of is not None:
            ages.append(received - datetime.fromisoformat(as_of).timestamp())
        missed = next((at for at, after in done if after > total), None)
        if missed is not None and missed < received:
            lag = max(lag, received - missed)
    return max(ages, default=None), lag


# --- one level ---------------------------------------------------------------------------------


@dataclass
class Phase:
    paths: tuple[str, ...]
    requests: int
    rps: float
    latency: dict[str, list[float]]
    errors: int
    api_cpu_ms: float  # per request, all API processes
    load_cpu_ms: float  # per request, the load generator
    max_age_header: int
    summaries: list

    def all(self) -> list[float]:
        return [x for values in self.latency.values() for x in values]


async def phase(api: Api, paths: tuple[str, ...], readers: int, seconds: float) -> Phase:
    cpu = api.cpu()
    out = await run_load(api.ports, paths, readers, seconds)
    n = sum(len(v) for v in out["latency"].values())
    return Phase(
        paths,
        n,
        n / out["wall"],
        out["latency"],
        out["errors"],
        (api.cpu() - cpu) * 1000 / max(n, 1),
        out["cpu"] * 1000 / max(n, 1),
        out["max_age_header"],
        out["summaries"],
    )


@dataclass
class Level:
    processes: int
    floor: Phase
    crowd: Phase
    max_age: float | None  # seconds, the largest as_of age a reader got
    lag: float  # seconds, the largest lag behind a committed write


async def level(args, n: int, database_url: str, logs: Path, conn, writes: Writes) -> Level:
    print(f"{n} API process(es): starting ...", file=sys.stderr, flush=True)
    api = await start_api(n, database_url, args.max_age, logs, args.source)
    try:
        stop = asyncio.Event()
        writer = asyncio.create_task(write_every(conn, args.write_every, writes, stop))
        try:
            # Untimed: imports, connection pools, and the figures counted for the first time
            # (a first reader waits for that count; afterwards they are counted in the
            # background).
            print("  warming up for 2 s ...", file=sys.stderr, flush=True)
            await run_load(api.ports, (*MIX, *FLOOR), args.readers, 2.0)
            print(f"  dashboard mix for {args.seconds:g} s ...", file=sys.stderr, flush=True)
            crowd = await phase(api, MIX, args.readers, args.seconds)
            print(f"  floor: /healthz for {args.seconds:g} s ...", file=sys.stderr, flush=True)
            floor = await phase(api, FLOOR, args.readers, args.seconds)
        finally:
            stop.set()
            await writer
    finally:
        api.stop()
    oldest, lag = staleness(crowd.summaries, writes)
    return Level(n, floor, crowd, oldest, lag)


# --- report ------------------------------------------------------------------------------------


def report(levels: list[Level], args, rows: int) -> tuple[str, dict]:
    lines = [
        f"{args.readers} readers, {args.seconds:g} s per phase, a write every "
        f"{args.write_every:g} s, RECALL_DASHBOARD__MAX_AGE_SECONDS={args.max_age:g}, "
        f"{rows:,} hazards",
        "",
        f"{'API processes':>13}  {'path':<42}{'requests':>9}{'req/s':>9}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'max ms':>9}{'errors':>7}{'API cpu ms/req':>15}{'load cpu ms/req':>16}",
    ]
    headline = []
    for lv in levels:
        for ph in (lv.floor, lv.crowd):
            rows_of = [(p, ph.latency[p]) for p in ph.paths]
            if len(rows_of) > 1:
                rows_of.append(("all of the mix", ph.all()))
            for path, values in rows_of:
                share = len(values) / max(ph.requests, 1)
                lines.append(
                    f"{lv.processes:>13}  {path:<42}{len(values):>9}{ph.rps * share:>9.0f}"
                    f"{percentile(values, 50):>9.1f}{percentile(values, 99):>9.1f}"
                    f"{max(values, default=float('nan')):>9.1f}{ph.errors:>7}"
                    f"{ph.api_cpu_ms:>15.2f}{ph.load_cpu_ms:>16.2f}"
                )
        crowd, floor = lv.crowd, lv.floor
        p99, floor_p99 = percentile(crowd.all(), 99), percentile(floor.all(), 99)
        met = crowd.rps >= AIM_RPS and p99 < AIM_P99_MS and crowd.errors == 0
        lines.append(
            f"  {lv.processes} process(es): {crowd.rps:.0f} req/s ({crowd.rps / floor.rps:.2f}x "
            f"the /healthz floor of {floor.rps:.0f}), p99 {p99:.1f} ms ({p99 / floor_p99:.2f}x "
            f"the floor's {floor_p99:.1f}); aim {AIM_RPS:.0f} req/s with p99 under "
            f"{AIM_P99_MS:.0f} ms: {'met' if met else 'not met'}"
        )
        said = "not said" if lv.max_age is None else f"{lv.max_age:.2f} s"
        lines.append(
            f"  oldest figures a reader got: {said} (Age header up to "
            f"{crowd.max_age_header} s); the largest lag behind a committed write: {lv.lag:.2f} s"
        )
        headline.append(
            {
                "api_processes": lv.processes,
                "rps": round(crowd.rps, 1),
                "p50_ms": round(percentile(crowd.all(), 50), 2),
                "p99_ms": round(p99, 2),
                "errors": crowd.errors,
                "floor_rps": round(floor.rps, 1),
                "floor_p50_ms": round(percentile(floor.all(), 50), 2),
                "floor_p99_ms": round(floor_p99, 2),
                "rps_ratio": round(crowd.rps / floor.rps, 3),
                "p99_ratio": round(p99 / floor_p99, 3),
                "api_cpu_ms_per_request": round(crowd.api_cpu_ms, 3),
                "floor_api_cpu_ms_per_request": round(floor.api_cpu_ms, 3),
                "max_figure_age_s": None if lv.max_age is None else round(lv.max_age, 3),
                "max_lag_behind_write_s": round(lv.lag, 3),
                "aim_met": met,
            }
        )
    line = {
        "bench": "crowd",
        "readers": args.readers,
        "seconds": args.seconds,
        "hazards": rows,
        "max_age_setting_s": args.max_age,
        "aim": {"rps": AIM_RPS, "p99_ms": AIM_P99_MS},
        "levels": headline,
    }
    return "\n".join(lines), line


# --- main --------------------------------------------------------------------------------------


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


async def bench(args: argparse.Namespace) -> tuple[str, dict]:
    import asyncpg

    from recall import migrate
    from recall.db import create_engine

    async with bench_database(args.pg_url, args.database, args.keep, _stderr) as db:
        server, name, url, created = db.server, db.name, db.url, db.created
        print(f"database {name} on {server}", file=sys.stderr, flush=True)
        engine = create_engine(url)
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()
        conn = await asyncpg.connect(f"{server}/{name}")
        writes = None
        try:
            if created:
                from dashboard import fill  # bench/dashboard.py, beside this file

                print(f"filling {args.hazards:,} hazards ...", file=sys.stderr, flush=True)
                filled = await fill(conn, args.cases, args.hazards, args.seed, datetime.now(UTC))
                print(f"filled in {filled.seconds:.0f} s", file=sys.stderr, flush=True)
            else:
                await conn.execute("VACUUM (ANALYZE) hazards")
            rows = await conn.fetchval(
                "SELECT count(*) FROM hazards WHERE status IN "
                "('identified', 'reopened', 'eliminated', 'verified')"
            )
            writes = Writes(rows)
            with tempfile.TemporaryDirectory(prefix="recall-crowd-") as logs:
                levels = [
                    await level(args, n, url, Path(logs), conn, writes) for n in args.api_processes
                ]
        finally:
            if writes is not None and not created:
                await undo_writes(conn, writes)
            await conn.close()
        return report(levels, args, rows)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="reuse this filled database (left as it was found)")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep a new database at the end")
    parser.add_argument("--api-processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase")
    parser.add_argument("--write-every", type=float, default=1.0, help="seconds between writes")
    parser.add_argument(
        "--max-age", type=float, default=2.0, help="RECALL_DASHBOARD__MAX_AGE_SECONDS of the API"
    )
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--source",
        type=Path,
        default=ROOT,
        help="run `recall api` from this checkout (e.g. an older commit, for before figures)",
    )
    args = parser.parse_args(argv)
    if min(args.api_processes) < 1 or args.readers < 1 or args.seconds <= 0:
        parser.error("--api-processes, --readers and --seconds must be positive")
    if urlsplit(args.pg_url).hostname not in LOOPBACK:
        parser.error("--pg-url must point at this machine (127.0.0.1)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--load-generator":
        return load_generator_main(argv[1:])
    args = parse_args(argv)
    code, report = run_until_signal(lambda: bench(args))
    if report is not None:
        text, line = report
        print(text)
        print(json.dumps(line))
    return code


if __name__ == "__main__":
    sys.exit(main())
