"""A command that has touched Temporal ends with its own exit status, never SIGABRT.

Temporal's core runtime keeps threads that call into Python; one that does so while the
interpreter finalizes aborts the process (temporalio/sdk-python#300). On a busy machine about
one `recall reconcile` in ten died so after printing its error (CI, 2026-12-02)."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from recall.db import create_engine
from recall.migrate import upgrade
from recall.runtime import free_port

RUNS, AT_ONCE = 24, 6


async def test_a_command_that_cannot_reach_temporal_exits_1_every_time(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'recall.db'}")
    await upgrade(engine)
    await engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECALL_", "TEMPORAL_"))}
    env |= {"RECALL_DATA_DIR": str(tmp_path), "RECALL_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}"}
    slots = asyncio.Semaphore(AT_ONCE)  # several at once: the abort shows on a busy machine

    async def once() -> subprocess.CompletedProcess:
        async with slots:
            return await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "recall", "reconcile"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )

    results = await asyncio.gather(*(once() for _ in range(RUNS)))
    assert [r.returncode for r in results] == [1] * RUNS, [
        r.stderr for r in results if r.returncode != 1
    ]
    for result in results:
        assert result.stderr.startswith("error: cannot reach Temporal:"), result.stderr
        assert "Fatal Python error" not in result.stderr
