"""`recall import ...` end to end, in a subprocess against the test database."""

import asyncio
import io
import json
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from recall.imports import cli

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    code: int
    out: str
    err: str


async def recall(*args: str, database_url: str) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECALL_")}
    env["RECALL_DATABASE_URL"] = database_url
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "recall",
        *args,
        cwd=REPO,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return Run(process.returncode, out.decode(), err.decode())


def assert_one_error_line(run: Run, exit_code: int, *fragments: str) -> None:
    assert run.code == exit_code, run
    assert run.out == ""
    assert "Traceback" not in run.err
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


async def test_real_files_end_to_end(db, pg_url: str, cpsc_file: Path, openfda_file: Path) -> None:
    first = await recall("import", "cpsc", str(cpsc_file), database_url=pg_url)
    assert (first.code, first.out, first.err) == (0, "imported 289, skipped 0, rejected 0\n", "")

    fda = await recall("import", "openfda", str(openfda_file), database_url=pg_url)
    assert (fda.code, fda.out, fda.err) == (0, "imported 560, skipped 2, rejected 0\n", "")

    again = await recall("import", "openfda", str(openfda_file), database_url=pg_url)
    assert (again.code, again.out) == (0, "imported 0, skipped 562, rejected 0\n")

    retag = await recall("import", "retag", database_url=pg_url)
    assert (retag.code, retag.out, retag.err) == (0, "retagged 0, unchanged 849\n", "")


async def test_rejected_records_are_named_and_the_rest_imported(
    db, pg_url: str, tmp_path: Path, cpsc_records: list
) -> None:
    no_title = {k: v for k, v in cpsc_records[1].items() if k != "Title"}
    path = tmp_path / "cpsc.json"
    path.write_text(json.dumps([cpsc_records[0], no_title, 42, cpsc_records[0]]), encoding="utf-8")
    run = await recall("import", "cpsc", str(path), database_url=pg_url)
    assert run.code == 0
    assert run.out.splitlines() == [
        f"rejected record at index 1 (recall number {no_title['RecallNumber']}): missing Title",
        "rejected record at index 2: not an object but a number",
        "imported 1, skipped 1, rejected 2",
    ]


async def test_missing_file(pg_url: str, tmp_path: Path) -> None:
    run = await recall("import", "cpsc", str(tmp_path / "absent.json"), database_url=pg_url)
    assert_one_error_line(run, 2, "absent.json", "no such file")


async def test_malformed_json(pg_url: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"Title": "cut off', encoding="utf-8")
    run = await recall("import", "cpsc", str(path), database_url=pg_url)
    assert_one_error_line(run, 2, "broken.json", "not valid JSON")


async def test_wrong_top_level_shape(pg_url: str, openfda_file: Path) -> None:
    run = await recall("import", "cpsc", str(openfda_file), database_url=pg_url)
    assert_one_error_line(run, 2, "expected a JSON array", "recall import openfda")


async def test_unreachable_database_is_one_line_too(cpsc_file: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    url = f"postgresql+asyncpg://postgres:secret@127.0.0.1:{closed_port}/nowhere"
    run = await recall("import", "cpsc", str(cpsc_file), database_url=url)
    assert_one_error_line(run, 1, "database", str(closed_port))
    assert "secret" not in run.err


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("terminal", "shown"), [(True, True), (False, False)])
def test_progress_bar_only_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, terminal: bool, shown: bool
) -> None:
    stderr = FakeTerminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    with cli._progress_bar(10, "importing cpsc") as progress:
        assert (progress is not None) == shown
        if progress:
            progress(10)
    assert ("importing cpsc" in stderr.getvalue()) == shown
