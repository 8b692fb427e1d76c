"""bench/transitions.py's report, its JSON line and the environment of its split layout, on
made-up figures: no servers."""

import argparse
import importlib
import json
import os
from pathlib import Path

import pytest

from recall.config import Settings

BENCH = Path(__file__).parents[1] / "bench"


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("_transition_figures"), importlib.import_module("_processes")


def result(figures, kind, ms, count, wall, cpu=0.0, **extra):
    samples = [(kind, ms / 1000)] * count
    return figures.Result(kind, samples, wall, cpu, **extra)


def level(figures, concurrency, *, split):
    scope = figures.PRODUCT_PROCESSES if split else figures.BENCH_PROCESS
    roles = {"api": 0.9, "worker": 0.3} if split else {}
    results = {
        "bare": result(figures, "bare", 5, 90, 0.5, 0.2),
        "local": result(figures, "local", 7, 90, 0.7, 0.3),
        "healthz": result(figures, "healthz", 1, 90, 0.1, 0.1, cpu_scope=scope),
        # 9 ms p50 against 5: within 2x; 1.2 s of CPU over 90 transitions: 13.3 ms
        "api": result(
            figures, "api", 9, 90, 0.9, 1.2, cpu_scope=scope, cpu_by_role=roles, client_cpu=0.1
        ),
        "bare open": result(figures, "bare open", 10, 10, 0.1, 0.05),
        "api open": result(figures, "api open", 30, 10, 0.3, 0.3, cpu_scope=scope),
    }
    probe = None if split else figures.Probe(command=[0.004] * 90, api_write=[0.002] * 90)
    by_step = {step: [0.009] for step in figures.TRANSITIONS}
    # the API's Server-Timing: one transition in three refused before its write
    header = "auth;dur=1.00, command;dur=4.00, write;dur=3.00, app;dur=11.00"
    phases = [figures.server_timing(header)] * 60 + [
        figures.server_timing("auth;dur=1.00, command;dur=4.00, app;dur=8.00")
    ] * 30
    return figures.Level(concurrency, results, by_step, probe, phases)


def args(layout, processes=1):
    return argparse.Namespace(
        layout=layout, processes=processes, database="sqlite", cases=10, idempotency_keys=False
    )


def test_split_report_and_headline(bench):
    figures, _ = bench
    levels = [level(figures, 1, split=True), level(figures, 8, split=True)]
    text = figures.report(levels, args("split", 2))
    assert "goal: p50 at most 2x a bare update's: met (1.80x)" in text
    assert "in the API and worker processes: not met (13.33 ms)" in text
    assert "(90-100/s): met (100.0/s" in text  # 90 transitions in 0.9 s
    assert "opening a case at least 50% of the bare throughput: not met (33%)" in text
    assert "api processes 10.00, worker processes 3.33" in text
    assert "not available in the split layout" in text
    assert (
        "the API's own clock (Server-Timing, means, ms): 10.00 to its answer = token check 1.00 "
        "+ Temporal command 4.00 + read-model write 2.00 + 3.00 for the rest"
    ) in text

    line = json.loads(json.dumps(figures.headline(levels, args("split", 2))))
    assert line["layout"] == "split" and line["processes"] == 2
    one = line["levels"]["1"]
    assert one["p50_ratio"] == 1.8
    assert one["cpu_scope"] == "api+worker processes"
    assert one["cpu_ms_by_role"] == {"api": 10.0, "worker": 3.33}
    assert line["open"]["8"]["ratio"] == pytest.approx(1 / 3, abs=0.001)
    assert one["server_timing_ms"] == {"auth": 1.0, "command": 4.0, "write": 2.0, "app": 10.0}


def test_inprocess_report_says_what_its_cpu_covers(bench):
    figures, _ = bench
    text = figures.report([level(figures, 1, split=False)], args("inprocess"))
    assert "not known in this layout: the bench process, load client included" in text
    assert "4.00 in the Temporal update as the API sees it" in text
    assert "the API's after the update 2.00" in text
    assert "--layout split" in text
    line = figures.headline([level(figures, 1, split=False)], args("inprocess"))
    assert line["levels"]["1"]["cpu_scope"] == "bench process"
    assert "cpu_ms_by_role" not in line["levels"]["1"]


def test_code_without_server_timing_reports_no_phases(bench):
    figures, _ = bench
    quiet = level(figures, 1, split=True)
    quiet.phases = [figures.server_timing("")] * 90  # the code before sends no header
    assert "the API's own clock" not in figures.report([quiet], args("split"))
    assert "server_timing_ms" not in figures.headline([quiet], args("split"))["levels"]["1"]


def test_product_environment_points_at_the_bench_servers(bench, monkeypatch, tmp_path):
    _, processes = bench
    monkeypatch.setenv("RECALL_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    settings = Settings(
        data_dir=tmp_path,
        database_url="sqlite+aiosqlite:///x.db",
        temporal_address="127.0.0.1:7999",
        temporal_namespace="default",
    )
    env = processes.product_environment(settings)
    assert env["RECALL_DATABASE_URL"] == "sqlite+aiosqlite:///x.db"
    assert env["RECALL_TEMPORAL_ADDRESS"] == "127.0.0.1:7999"
    assert env["RECALL_TEMPORAL_NAMESPACE"] == "default"
    assert env["RECALL_DATA_DIR"] == str(tmp_path)
    assert "RECALL_WEBHOOK_URL" not in env
    assert env["RECALL_SERVER_TIMING"] == "false"
    timed = processes.product_environment(settings.model_copy(update={"server_timing": True}))
    assert timed["RECALL_SERVER_TIMING"] == "true"


def test_product_processes_start_beside_the_recall_the_bench_imported(bench, monkeypatch, tmp_path):
    # `python -m recall` looks in its working directory first: there must be this very package
    import recall

    _, processes = bench
    started = {}
    monkeypatch.setattr(processes.subprocess, "Popen", lambda argv, **kw: started.update(kw))
    processes._spawn("api", [], {}, tmp_path / "api.log")
    assert (Path(started["cwd"]) / "recall" / "__init__.py").samefile(recall.__file__)


def test_process_cpu(bench):
    _, processes = bench
    sum(i * i for i in range(200_000))  # a few ms of CPU, more than one clock tick
    assert processes.process_cpu(os.getpid()) > 0
    assert processes.process_cpu(2**22 + 1) == 0.0  # above pid_max: no such process
