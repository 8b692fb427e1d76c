"""One `recall up` per data directory: a second is refused in one line naming the directory and
the pid that holds it; a killed one leaves nothing that blocks the next (nor its dev server)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.slow

RECALL = [sys.executable, "-m", "recall"]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECALL_")}
    env["RECALL_DATA_DIR"] = str(data_dir)
    return env


def _start_up(data_dir: Path) -> tuple[subprocess.Popen, str]:
    """`recall up` on a free port, once it is ready; its banner."""
    port = free_port()
    proc = subprocess.Popen(
        [*RECALL, "up", "--port", str(port), "--data-dir", str(data_dir)],
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "recall up did not become ready"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    lines = []
    while not lines or not lines[-1].startswith("Press Ctrl-C"):
        line = proc.stdout.readline()
        assert line, "recall up ended before its banner"
        lines.append(line)
    return proc, "".join(lines)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_second_up_on_the_same_directory_is_refused_and_a_killed_one_blocks_nothing(
    tmp_path: Path,
) -> None:
    first, banner = _start_up(tmp_path)
    try:
        began = time.monotonic()
        second = subprocess.run(
            [*RECALL, "up", "--port", str(free_port()), "--data-dir", str(tmp_path)],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert time.monotonic() - began < 15
        assert second.returncode != 0
        assert second.stderr.splitlines() == [
            f"error: another `recall up` (pid {first.pid}) is running on {tmp_path.resolve()}; "
            "stop it, or choose another --data-dir"
        ]
        assert first.poll() is None  # the first goes on

        temporal_port = int(re.search(r"Temporal\s+127\.0\.0\.1:(\d+)", banner).group(1))
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        deadline = time.monotonic() + 15  # its dev server goes with it
        while _listening(temporal_port):
            assert time.monotonic() < deadline, "the killed run's dev server is still there"
            time.sleep(0.2)
    finally:
        if first.poll() is None:
            first.kill()
        first.communicate()

    third, _ = _start_up(tmp_path)
    third.send_signal(signal.SIGTERM)
    out, err = third.communicate(timeout=60)
    assert third.returncode == 0, err[-2000:]
    assert "Stopped." in out
