"""The app served over a real socket for the browser test, and where its screenshots go."""

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from recall.main import create_app
from recall.runtime import free_port, uvicorn_server


@pytest.fixture
async def live(stack, db) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn_server(
        create_app(stack["settings"], temporal_client=stack["client"]), "127.0.0.1", port
    )
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(20):
        while not server.started:
            assert not task.done(), "uvicorn stopped before it started"
            await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    try:
        async with asyncio.timeout(10):
            await asyncio.shield(task)
    except TimeoutError:
        server.force_exit = True
        await task


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("DESK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
