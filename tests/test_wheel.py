"""`pip install .` (not editable) gives a working `recall`: the wheel carries every module, the
migrations and the dashboard's files, and the installed commands migrate a fresh PostgreSQL database
and serve the API with a worker on a Temporal dev server, from a directory outside the repository.

The new venv sees the dev venv's third-party packages through a plain path line in a .pth file;
such a line does not run the .pth files of that directory, so the editable `recall` stays out."""

import asyncio
import os
import shutil
import subprocess
import sys
import sysconfig
import uuid
import venv
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect

from recall.db import create_engine
from recall.models import metadata
from tests.conftest import create_database, drop_database, free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
# Source folder -> where its files land in the wheel.
SHIPPED = {"recall": "recall", "workflows": "workflows", "migrations": "recall/migrations"}
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".pytest_cache",
    ".ruff_cache", ".recall-data", "*.db", "*.db-shm", "*.db-wal", ".env",
)  # fmt: skip
PIP = ["-m", "pip", "--disable-pip-version-check", "--no-input"]


def _run(*args: str | Path, cwd: Path, env: dict | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _clean_env(**extra: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RECALL_", "PIP_", "PYTHON")) and k != "VIRTUAL_ENV"
    }
    return {**env, **extra}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the working tree, so that the build writes nothing into the repository and no
    leftover build/ folder can slip old files into the wheel."""
    src = tmp_path_factory.mktemp("src") / "recall-uplift"
    shutil.copytree(REPO, src, ignore=NOT_SOURCE)
    return src


@pytest.fixture(scope="module")
def wheel(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run(
        sys.executable, *PIP, "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "-w", out, source,
        cwd=out, env=_clean_env(),
    )  # fmt: skip
    (built,) = out.glob("recall_uplift-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its bin folder."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(home)
    python = home / "bin" / "python"
    cwd = tmp_path_factory.mktemp("cwd")
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=cwd)
    Path(site.strip(), "dev-venv.pth").write_text(sysconfig.get_path("purelib") + "\n")

    probe = "import importlib.util as u, alembic, fastapi, temporalio; print(u.find_spec('recall'))"
    assert _run(python, "-c", probe, cwd=cwd, env=_clean_env()).strip() == "None"

    _run(
        python, *PIP, "install", "--no-deps", "--no-index", "--ignore-installed", wheel,
        cwd=cwd, env=_clean_env(),
    )  # fmt: skip
    where = "import recall, recall.migrations as m; print(recall.__file__); print(m.__file__)"
    for path in _run(python, "-c", where, cwd=cwd, env=_clean_env()).split():
        assert Path(path).is_relative_to(home), path
    return home / "bin"


def test_the_wheel_carries_every_module_and_data_file(source: Path, wheel: Path) -> None:
    expected = {
        f"{inside}/{path.relative_to(source / folder).as_posix()}"
        for folder, inside in SHIPPED.items()
        for path in (source / folder).rglob("*")
        if path.is_file()
    }
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert expected - names == set(), "missing from the wheel: fix pyproject.toml's package lists"
    assert "recall/migrations/script.py.mako" in names
    assert any(n.startswith("recall/dashboard/templates/") for n in names)
    stray = {n for n in names - expected if ".dist-info/" not in n}
    assert stray == set(), "in the wheel but not in the source folders"


@asynccontextmanager
async def _running(*args: str | Path, cwd: Path, env: dict) -> AsyncIterator[dict]:
    """A process whose output is collected; terminated (then waited for) on the way out."""
    proc = await asyncio.create_subprocess_exec(
        *map(str, args),
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output = asyncio.create_task(proc.stdout.read())
    running = {"proc": proc, "output": output}
    try:
        yield running
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await output


async def _until_ready(base: str, processes: list[dict], timeout: float = 90) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=5) as http, asyncio.timeout(timeout):
        while True:
            for p in processes:
                if p["proc"].returncode is not None:
                    log = (await p["output"]).decode(errors="replace")
                    pytest.fail(f"exited with {p['proc'].returncode}:\n{log[-3000:]}")
            try:
                if (await http.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)


def _tables(connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_the_installed_recall_migrates_and_serves(installed: Path, dev_env, tmp_path: Path):
    name = f"recall_wheel_{uuid.uuid4().hex[:8]}"
    url = await create_database(name)
    env = _clean_env(
        RECALL_DATABASE_URL=url,
        RECALL_DATA_DIR=str(tmp_path / "data"),
        RECALL_TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
        RECALL_TEMPORAL__TASK_QUEUE=f"wheel-{uuid.uuid4().hex[:8]}",
        # the case command waits for the worker rather than answering 503 while it starts
        RECALL_COMMAND_TIMEOUT_SECONDS="60",
    )
    recall = installed / "recall"

    async def run(*args: str) -> str:
        proc = await asyncio.create_subprocess_exec(
            recall, *args, cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0, f"recall {' '.join(args)}:\n{err.decode()[-3000:]}"
        return out.decode()

    try:
        await run("db", "upgrade")
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                tables = await conn.run_sync(_tables)
        finally:
            await engine.dispose()
        assert tables == set(metadata.tables) | {"alembic_version"}

        token = (await run("token", "create", "--role", "admin", "--name", "t")).splitlines()[-1]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        async with (
            _running(recall, "worker", cwd=tmp_path, env=env) as worker,
            _running(recall, "api", "--port", str(port), cwd=tmp_path, env=env) as api,
        ):
            await _until_ready(base, [worker, api])
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(
                base_url=f"{base}/api/v1", headers=headers, timeout=90
            ) as http:
                r = await http.post("/regions", json={"code": "330702", "name": "婺城区"})
                assert r.status_code == 201, r.text
                regions = (await http.get("/regions")).json()["items"]
                assert [(g["code"], g["name"]) for g in regions] == [("330702", "婺城区")]

                # A case is a workflow: the installed worker has to run it.
                r = await http.post("/industries", json={"code": "toys", "name": "玩具"})
                assert r.status_code == 201, r.text
                report = {
                    "source": "media",
                    "product": "磁力珠",
                    "description": "儿童误吞",
                    "industry_code": "toys",
                    "region_code": "330702",
                }
                r = await http.post("/defect-reports", json=report)
                assert r.status_code == 201, r.text
                r = await http.post("/cases", json={"defect_report_ids": [r.json()["id"]]})
                assert r.status_code == 201, r.text
                case = (await http.get(f"/cases/{r.json()['id']}")).json()
                assert case["stage"] == "reported" and case["region_code"] == "330702"
        for p in (worker, api):
            assert "Traceback" not in (await p["output"]).decode(errors="replace")
    finally:
        await drop_database(name)
