"""How a bench stops on Ctrl-C or SIGTERM: its work is cancelled, so that its own cleanup (the
processes it started, the database it made) runs, and it exits 128 + the signal's number."""

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any


def run_until_signal(
    work: Callable[[], Awaitable[Any]], said: str = "interrupted; everything stopped"
) -> tuple[int, Any]:
    """(0, what work returned), or (130 or 143, None) once SIGINT or SIGTERM stopped it."""
    interrupted: list[int] = []

    async def guarded() -> Any:
        task = asyncio.current_task()

        def stop(signum: int) -> None:
            interrupted.append(signum)
            task.cancel()

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop, signum)
        return await work()

    try:
        return 0, asyncio.run(guarded())
    except BaseException as err:
        # A cancelled request may surface as its client's own error; the signal is what counts.
        if not interrupted and not isinstance(err, KeyboardInterrupt | asyncio.CancelledError):
            raise
        print(said, file=sys.stderr)
        return 128 + (interrupted[0] if interrupted else signal.SIGINT), None
