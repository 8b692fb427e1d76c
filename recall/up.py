"""`recall up`: the whole stack in one process tree, stopped together on Ctrl-C or SIGTERM."""

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import httpx

from recall.accounts.local import ensure_local_accounts
from recall.auth.local import ensure_admin_token
from recall.config import Settings, TemporalSettings
from recall.runtime import (
    StartupError,
    freeze_startup_objects,
    port_is_free,
    private_data_dir,
    running_stack,
    start_dev_server,
    upgrade_database,
)

log = logging.getLogger("recall.up")

LOCK_FILE = "recall-up.lock"


def _say(line: str) -> None:
    print(line, flush=True)


async def _load_demo(base: str, admin_token: str) -> None:
    """The demo through the API, without a log line for each of its requests."""
    from recall.demo import load_demo

    _say("Loading the demo data through the API ...")
    access_log = logging.getLogger("recall.http")
    level = access_log.level
    access_log.setLevel(logging.WARNING)
    headers = {"Authorization": f"Bearer {admin_token}"}
    try:
        async with httpx.AsyncClient(
            base_url=f"{base}/api/v1", timeout=30, headers=headers
        ) as http:
            loaded = await load_demo(http)
        _say("Demo data loaded" if loaded else "Demo data skipped: the database is not empty")
    except (httpx.HTTPError, RuntimeError) as err:  # stopped meanwhile, or a refusal
        _say(f"Demo data not loaded: {err}")
    finally:
        access_log.setLevel(level)


@contextlib.contextmanager
def sole_up_on(data_dir: Path) -> Iterator[None]:
    """Hold DATA_DIR/recall-up.lock (flock) while the block runs: a second `recall up` on the
    directory is refused with the holder's pid. The kernel drops the lock when its holder dies,
    however it dies, so a killed run leaves nothing that blocks the next."""
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise StartupError(
                f"another `recall up` (pid {holder}) is running on {data_dir.resolve()}; "
                "stop it, or choose another --data-dir"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # lets go of the lock


async def run_stack(settings: Settings, *, host: str, port: int, demo: bool) -> None:
    private_data_dir(settings.data_dir)  # before anything is written in it
    with sole_up_on(settings.data_dir):
        if not port_is_free(host, port):
            raise StartupError(
                f"port {port} on {host} is taken; choose another with --port (make run PORT=8080)"
            )
        await _run_stack(settings, host=host, port=port, demo=demo)


async def _run_stack(settings: Settings, *, host: str, port: int, demo: bool) -> None:
    dev = await start_dev_server(settings.data_dir)
    try:
        # The dev server alone: no TEMPORAL_* or RECALL_TEMPORAL__ TLS, key or namespace.
        embedded = TemporalSettings(task_queue=settings.task_queue, sdk_config=False)
        settings = settings.model_copy(
            update={
                "temporal_address": dev.address,
                "temporal_namespace": "default",
                "temporal": embedded,
            }
        )
        await upgrade_database(settings)
        admin_token, token_path, created = await ensure_admin_token(settings)
        # The worker and the API in this process; Ctrl-C or SIGTERM stops the API, then the rest.
        async with running_stack(settings, host=host, port=port) as stack:
            base = stack.base_url
            if demo:
                await _load_demo(base, admin_token)
            made, password_path = await ensure_local_accounts(settings, demo=demo)
            freeze_startup_objects()
            _say(f"Dashboard  {base}/dashboard")
            _say(
                f"Workbench  {base}/login   as admin"
                + (", demo-regulator or demo-enterprise" if demo else "")
                + f"; the password is in {password_path}"
                + (f" (made now for {', '.join(made)})" if made else "")
            )
            _say(f"API        {base}/api/v1   (OpenAPI at {base}/docs)")
            _say(f"Temporal   {dev.address}   web UI {dev.ui_url}")
            _say(f"Data       {settings.data_dir.resolve()}")
            _say(
                f"Admin      token in {token_path}"
                + (" (created now)" if created else "")
                + f"; use it as: Authorization: Bearer $(cat {token_path})"
            )
            _say("Press Ctrl-C to stop.")
            await stack.until_stopped()
    finally:
        dev.stop()
        _say("Stopped.")
