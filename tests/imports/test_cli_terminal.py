"""`recall import` on a terminal: a progress bar on stderr, stdout still just the counts."""

import asyncio
import os
import pty
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


async def test_progress_bar_on_a_terminal_and_the_same_last_line(
    db, pg_url: str, cpsc_file: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECALL_")}
    env |= {"RECALL_DATABASE_URL": pg_url, "COLUMNS": "100", "TERM": "xterm"}
    controller, terminal = pty.openpty()
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "recall", "import", "cpsc", str(cpsc_file)),
            cwd=REPO,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=terminal,
        )
        out, _ = await process.communicate()
        os.close(terminal)
        terminal = -1
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if terminal != -1:
            os.close(terminal)
        os.close(controller)
    assert process.returncode == 0
    assert out.decode() == "imported 289, skipped 0, rejected 0\n"
    assert b"importing cpsc" in shown
    assert b"100%" in shown
