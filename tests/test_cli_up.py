"""`recall up` as a user runs it: the whole stack in one command, stopped by SIGTERM."""

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

RECALL = [sys.executable, "-m", "recall"]


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECALL_")}
    env["RECALL_DATA_DIR"] = str(data_dir)
    return env


def test_a_taken_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*RECALL, "up", "--port", str(port)],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is taken; choose another with --port (make run PORT=8080)"
    )


def _read_banner(proc: subprocess.Popen) -> str:
    lines = []
    while not lines or not lines[-1].startswith("Press Ctrl-C"):
        line = proc.stdout.readline()
        assert line, "recall up ended before its banner"
        lines.append(line)
    return "".join(lines)


@pytest.mark.slow
def test_up_serves_a_case_and_stops_everything_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [*RECALL, "up", "--port", str(port), "--data-dir", str(tmp_path)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.3)
        else:
            pytest.fail("recall up did not become ready")
        banner = _read_banner(proc)
        assert "admin-token (created now)" in banner
        token = (tmp_path / "admin-token").read_text().strip()
        with httpx.Client(
            base_url=f"{base}/api/v1", timeout=30, headers={"Authorization": f"Bearer {token}"}
        ) as api:
            assert httpx.get(f"{base}/api/v1/regions").status_code == 401
            assert (
                api.post("/regions", json={"code": "330702", "name": "婺城区"}).status_code == 201
            )
            assert api.post("/industries", json={"code": "toys", "name": "玩具"}).status_code == 201
            report = api.post(
                "/defect-reports",
                json={
                    "source": "media",
                    "product": "magnet balls",
                    "description": "swallowed",
                    "industry_code": "toys",
                    "region_code": "330702",
                },
            ).json()
            case = api.post("/cases", json={"defect_report_ids": [report["id"]]})
            assert case.status_code == 201
            assert re.fullmatch(r"RC-\d{4}-000001", case.json()["number"])
        # a person signs in on the pages with the local admin account
        assert "admin-password (made now for admin)" in banner
        password = (tmp_path / "admin-password").read_text().strip()
        with httpx.Client(base_url=base, timeout=30) as browser:
            form = browser.get("/login").text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
            signed_in = browser.post(
                "/login", data={"username": "admin", "password": password, "csrf_token": csrf}
            )
            assert signed_in.status_code == 303, signed_in.text
            assert browser.get("/desk").status_code == 200
        assert (tmp_path / "recall.db").exists() and (tmp_path / "temporal.db").exists()
        # the data directory is its owner's alone (umask 077 before anything was made)
        assert tmp_path.stat().st_mode & 0o777 == 0o700
        for made in tmp_path.iterdir():
            assert made.stat().st_mode & 0o077 == 0, made
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
    assert "Stopped." in out and "Traceback" not in err
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base}/healthz", timeout=2)
    temporal_port = int(re.search(r"Temporal\s+127\.0\.0\.1:(\d+)", banner).group(1))
    with socket.socket() as probe:  # the dev server stopped with it
        assert probe.connect_ex(("127.0.0.1", temporal_port)) != 0
