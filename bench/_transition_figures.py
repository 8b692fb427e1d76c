"""The figures of bench/transitions.py: the results of its phases, its report and the JSON line
of its headline figures, with the goals of issue 14 ("Performance against the floor")."""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

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

# The goals of issue 14, each against its floor measured in the same run.
P50_GOAL = 2.0  # an API transition's p50 at most 2x a bare Update's, at concurrency 1
CPU_GOAL_MS = 8.0  # CPU per transition in the API and worker processes
OLD_OPS = (45.0, 50.0)  # API transitions/s at concurrency 8 before issue 14
OPS_GOAL = 2.0  # ... at least twice that
OPEN_GOAL = 0.5  # opening a case: at least half the throughput of a bare update-with-start


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of seconds, returned in milliseconds."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


BENCH_PROCESS = "bench process"
PRODUCT_PROCESSES = "api+worker processes"


@dataclass
class Result:
    kind: str
    samples: list[tuple[str, float]]  # (step, seconds)
    wall: float
    cpu: float = 0.0  # seconds of CPU used meanwhile by the processes that serve the line ...
    cpu_scope: str = BENCH_PROCESS  # ... which are these
    server_cpu: float = 0.0  # ... and by the Temporal dev server
    client_cpu: float | None = None  # by this process, the load client, when not in cpu (split)
    cpu_by_role: dict[str, float] = field(default_factory=dict)  # split: "api", "worker"

    def per_op(self, seconds: float) -> float:
        """Milliseconds per operation."""
        return seconds / len(self.samples) * 1000

    @property
    def cpu_per_op(self) -> float:
        return self.per_op(self.cpu)

    @property
    def server_cpu_per_op(self) -> float:
        return self.per_op(self.server_cpu)

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
    api_write: list[float] = field(default_factory=list)  # the API's write of what it committed
    worker_write: list[float] = field(default_factory=list)  # the workflow's, in its activity
    statements: int = 0
    checkouts: int = 0

    def start(self) -> None:
        self.command.clear()
        self.api_write.clear()
        self.worker_write.clear()
        self.statements = self.checkouts = 0
        self.active = True


@dataclass
class Level:
    concurrency: int
    results: dict[str, Result]
    by_step: dict[str, list[float]]
    probe: Probe | None  # a copy of the probe's figures for the API transitions
    phases: list[dict[str, float]] = field(default_factory=list)  # Server-Timing, per transition


LABELS = {
    "bare": "bare update",
    "local": "bare update + local activity",
    "api": "API transition",
    "healthz": "HTTP floor (GET /healthz)",
    "bare open": "bare start + update",
    "api open": "API open case",
}


def _ms(values: list[float], q: float | None = None) -> float:
    if not values:
        return float("nan")
    return percentile(values, q) if q is not None else statistics.fmean(values) * 1000


def _verdict(met: bool) -> str:
    return "met" if met else "not met"


def _table(title: str, kinds: Sequence[str], results: dict[str, Result], floor: Result) -> list:
    header = (
        f"{title:<30}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}{'ops/s':>9}"
        f"{'p50 x':>8}{'ops/s x':>9}{'cpu ms/op':>11}{'server':>8}"
    )
    lines = [header, "-" * len(header)]
    for kind in kinds:
        r = results[kind]
        lines.append(
            f"{LABELS[kind]:<30}{len(r.samples):>7}{r.p50:>9.2f}{r.p99:>9.2f}"
            f"{r.throughput:>9.1f}{r.p50 / floor.p50:>8.2f}{floor.throughput / r.throughput:>9.2f}"
            f"{r.cpu_per_op:>11.2f}{r.server_cpu_per_op:>8.2f}"
        )
    return lines


def _goals(level: Level) -> list[str]:
    bare, api = level.results["bare"], level.results["api"]
    lines = []
    if level.concurrency == 1:
        p50_x = api.p50 / bare.p50
        lines.append(
            f"  goal: p50 at most {P50_GOAL:g}x a bare update's: {_verdict(p50_x <= P50_GOAL)} "
            f"({p50_x:.2f}x)"
        )
    cpu = api.cpu_per_op
    if api.cpu_scope == PRODUCT_PROCESSES:
        state = f"{_verdict(cpu <= CPU_GOAL_MS)} ({cpu:.2f} ms)"
    else:
        state = "met" if cpu <= CPU_GOAL_MS else "not known in this layout"
        state += (
            f": the bench process, load client included, spent {cpu:.2f} ms "
            "(--layout split measures the API and worker processes alone)"
        )
    lines.append(
        f"  goal: CPU per transition at most {CPU_GOAL_MS:g} ms in the API and worker processes: "
        f"{state}"
    )
    if level.concurrency == 8:
        low, high = (OPS_GOAL * ops for ops in OLD_OPS)
        ops = api.throughput
        state = _verdict(ops >= high)
        if low <= ops < high:
            state = f"met against {OLD_OPS[0]:g}/s, not against {OLD_OPS[1]:g}/s"
        lines.append(
            f"  goal: at least {OPS_GOAL:g}x the {OLD_OPS[0]:g}-{OLD_OPS[1]:g} transitions/s of "
            f"before ({low:g}-{high:g}/s): {state} ({ops:.1f}/s; the bare update "
            f"{bare.throughput:.1f}/s)"
        )
    return lines


# The phases the API's Server-Timing header names (recall.observability.timing), but `app`.
PHASES = (("auth", "token check"), ("command", "Temporal command"), ("write", "read-model write"))


def server_timing(header: str) -> dict[str, float]:
    """`auth;dur=1.20, app;dur=3.40` -> {"auth": 1.2, "app": 3.4} (ms)."""
    phases = {}
    for part in filter(None, (p.strip() for p in header.split(","))):
        name, _, duration = part.partition(";dur=")
        phases[name] = float(duration or 0)
    return phases


def phase_means(phases: list[dict[str, float]]) -> dict[str, float]:
    """Each phase's mean over the transitions (a phase a transition did not meet counts 0)."""
    names = dict.fromkeys(name for p in phases for name in p)
    return {name: statistics.fmean(p.get(name, 0.0) for p in phases) for name in names}


def _server_timing(level: Level) -> list[str]:
    """Where a transition's time went by the API's own clock, from its Server-Timing headers."""
    means = phase_means(level.phases)
    if not means:  # no Server-Timing (the code before it sends none)
        return []
    told = " + ".join(f"{label} {means.get(name, 0.0):.2f}" for name, label in PHASES)
    rest = means.get("app", 0.0) - sum(means.get(name, 0.0) for name, _ in PHASES)
    return [
        f"  the API's own clock (Server-Timing, means, ms): {means.get('app', 0.0):.2f} to its "
        f"answer = {told} + {rest:.2f} for the rest (middleware and FastAPI, the permission "
        f"read, the read after the command, the response); a bare update's mean here: "
        f"{level.results['bare'].mean:.2f}"
    ]


def _inside(level: Level) -> list[str]:
    """Where an API transition's time and CPU went, as far as this layout can tell."""
    results, probe = level.results, level.probe
    api = results["api"]
    if probe is None:
        roles = ", ".join(
            f"{role} processes {api.per_op(s):.2f}" for role, s in sorted(api.cpu_by_role.items())
        )
        return [
            f"  CPU per transition (ms): {roles}; the bench process (load client) "
            f"{api.per_op(api.client_cpu or 0.0):.2f}",
            "  probes (time in the update, read-model writes, SQL statements, pool checkouts): "
            "not available in the split layout, they cannot see into the `recall api` and "
            "`recall worker` processes",
        ]
    n = len(api.samples)
    command = _ms(probe.command)
    return [
        f"  API mean {api.mean:.2f} ms = {command:.2f} in the Temporal update as the API sees it "
        f"+ {api.mean - command:.2f} for HTTP, FastAPI, the token check, the reads before and "
        f"after and its read-model write (GET /healthz alone: {results['healthz'].mean:.2f})",
        f"  means for comparison: bare update {results['bare'].mean:.2f}, + local activity "
        f"{results['local'].mean:.2f}",
        f"  read-model writes (project_case): the API's after the update {_ms(probe.api_write):.2f}"
        f" (p50 {_ms(probe.api_write, 50):.2f}, p99 {_ms(probe.api_write, 99):.2f}, "
        f"{len(probe.api_write) / n:.1f} per transition); the workflow's in its activity "
        f"{_ms(probe.worker_write):.2f} (p50 {_ms(probe.worker_write, 50):.2f}, "
        f"{len(probe.worker_write) / n:.1f} per transition)",
        f"  per transition: {probe.statements / n:.1f} SQL statements, "
        f"{probe.checkouts / n:.1f} connection checkouts (API and worker together)",
    ]


def _header(args: argparse.Namespace) -> list[str]:
    keys = ", with an Idempotency-Key on each" if args.idempotency_keys else ""
    if args.layout == "split":
        layout = (
            f"layout: split: {args.processes} `recall api` and {args.processes} `recall worker` "
            "processes configured by RECALL_* variables (logging INFO JSON lines to files, as in "
            "production), requests round-robin over the APIs; the load client and the bare "
            "worker in the bench process"
        )
        cpu = (
            "cpu ms/op: CPU time per operation of the processes serving the line (API, HTTP and "
            "open-case lines: the API and worker processes; bare lines: the bench process, load "
            "client and bare worker) and of the Temporal dev server"
        )
    else:
        layout = (
            "layout: inprocess: the product's API (uvicorn) and worker in the bench process, "
            "beside the load client and the bare worker"
        )
        cpu = (
            "cpu ms/op: CPU time per operation of the bench process (load client, API, product "
            "worker and bare worker share it) and of the Temporal dev server"
        )
    return [
        f"read model: {args.database}; Temporal: dev server (SQLite WAL); {args.cases} cases x "
        f"{UPDATES_PER_SUBJECT} transitions per level{keys}",
        layout,
        "bytecode: recall and workflows byte-compiled at the start, and .pyc files written here "
        "and in the subprocesses (PYTHONDONTWRITEBYTECODE off), as in a normal install",
        "p50 x = p50 / the floor's p50; ops/s x = the floor's ops/s / ops/s (1.00: as fast); "
        "the floor of a transition is the bare update, of an opening the bare start + update",
        cpu,
    ]


def report(levels: list[Level], args: argparse.Namespace) -> str:
    lines = _header(args)
    for level in levels:
        results = level.results
        kinds = ("bare", "local", "api", "healthz")
        lines += ["", f"concurrency {level.concurrency}"]
        lines += _table("transitions", kinds, results, results["bare"])
        lines += _goals(level)
        lines.append(
            "  API p50 by transition (ms): "
            + ", ".join(f"{s} {_ms(level.by_step[s], 50):.1f}" for s in TRANSITIONS)
        )
        lines += _inside(level) + _server_timing(level)
        bare, api = results["bare open"], results["api open"]
        lines += [""] + _table("opening cases", ("bare open", "api open"), results, bare)
        ratio = api.throughput / bare.throughput
        lines.append(
            f"  goal: opening a case at least {OPEN_GOAL:.0%} of the bare throughput: "
            f"{_verdict(ratio >= OPEN_GOAL)} ({ratio:.0%})"
        )
    return "\n".join(lines)


def headline(levels: list[Level], args: argparse.Namespace) -> dict:
    """The headline figures, each with its floor and the ratio, for the JSON line."""
    out: dict = {
        "bench": "transitions",
        "layout": args.layout,
        "processes": args.processes,
        "database": args.database,
        "cases": args.cases,
        "idempotency_keys": args.idempotency_keys,
        "bytecode": "compiled",
        "goals": {
            "p50_ratio_at_1": P50_GOAL,
            "cpu_ms_per_transition": CPU_GOAL_MS,
            "api_ops_s_at_8": [OPS_GOAL * ops for ops in OLD_OPS],
            "open_ratio": OPEN_GOAL,
        },
        "levels": {},
        "open": {},
    }
    for level in levels:
        results = level.results
        bare, api = results["bare"], results["api"]
        figures = {
            "bare_update_p50_ms": round(bare.p50, 2),
            "api_p50_ms": round(api.p50, 2),
            "p50_ratio": round(api.p50 / bare.p50, 2),
            "bare_ops_s": round(bare.throughput, 1),
            "api_ops_s": round(api.throughput, 1),
            "ops_ratio": round(api.throughput / bare.throughput, 3),
            "cpu_ms_per_transition": round(api.cpu_per_op, 2),
            "cpu_scope": api.cpu_scope,
            "server_cpu_ms_per_transition": round(api.server_cpu_per_op, 2),
        }
        if means := phase_means(level.phases):
            figures["server_timing_ms"] = {name: round(ms, 2) for name, ms in means.items()}
        if api.cpu_by_role:
            figures["cpu_ms_by_role"] = {
                role: round(api.per_op(s), 2) for role, s in sorted(api.cpu_by_role.items())
            }
            figures["client_cpu_ms_per_transition"] = round(api.per_op(api.client_cpu or 0), 2)
        out["levels"][str(level.concurrency)] = figures
        bare, api = results["bare open"], results["api open"]
        out["open"][str(level.concurrency)] = {
            "bare_p50_ms": round(bare.p50, 2),
            "api_p50_ms": round(api.p50, 2),
            "bare_ops_s": round(bare.throughput, 1),
            "api_ops_s": round(api.throughput, 1),
            "ratio": round(api.throughput / bare.throughput, 3),
            "cpu_ms_per_open": round(api.cpu_per_op, 2),
            "cpu_scope": api.cpu_scope,
        }
    return out
