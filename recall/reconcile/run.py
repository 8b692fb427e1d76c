"""`recall reconcile [--repair]`: every workflow of this deployment's task queue, kind by kind
(recall.reconcile.domains), checked by recall.reconcile.check.

The server is spared: workflows are listed through the visibility API a page at a time (closed
ones too: a closed case answers its query while the server retains it), and at most
`concurrency` of them are queried and compared at once (one at a time on SQLite's single
writer). How far it is goes to stderr every `progress_every` workflows; the differences go to
stdout, one line each, then `checked N, differing D, repaired R`."""

import asyncio
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.service import RPCError

from recall.common.cli import SessionFactory, fail
from recall.config import Settings
from recall.reconcile.check import Reconciler
from recall.reconcile.domains import DOMAINS, Domain
from recall.reconcile.history import quoted
from recall.temporal import connect

PAGE_SIZE = 100
LIST_TIMEOUT = timedelta(seconds=30)


@dataclass
class Summary:
    checked: int = 0
    differing: int = 0
    repaired: int = 0

    @property
    def line(self) -> str:
        return f"checked {self.checked}, differing {self.differing}, repaired {self.repaired}"

    @property
    def exit_code(self) -> int:
        """1 while differences remain."""
        return 0 if self.differing == self.repaired else 1


async def _workflow_ids(client: Client, domain: Domain, task_queue: str):
    """Each workflow id once (its runs before continue-as-new are listed too)."""
    query = f"WorkflowType = {quoted(domain.workflow_type)} AND TaskQueue = {quoted(task_queue)}"
    seen: set[str] = set()
    async for execution in client.list_workflows(
        query, page_size=PAGE_SIZE, rpc_timeout=LIST_TIMEOUT
    ):
        if execution.id not in seen:
            seen.add(execution.id)
            yield execution.id


async def reconcile(
    client: Client,
    engine: AsyncEngine,
    *,
    task_queue: str,
    repair: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
    concurrency: int = 8,
    progress_every: int = 100,
) -> Summary:
    out, err = out or sys.stdout, err or sys.stderr
    slots = 1 if engine.dialect.name == "sqlite" else concurrency
    reconciler = Reconciler(client, engine, repair=repair, db_slots=asyncio.Semaphore(slots))
    summary = Summary()

    async def check(domain: Domain, queue: asyncio.Queue) -> None:
        while (workflow_id := await queue.get()) is not None:
            outcome = await reconciler.workflow(domain, workflow_id)
            for line in outcome.lines:
                print(line, file=out, flush=True)
            summary.checked += 1
            summary.differing += bool(outcome.lines)
            summary.repaired += outcome.repaired
            if summary.checked % progress_every == 0:
                print(f"reconcile: {summary.line} so far", file=err, flush=True)

    for domain in DOMAINS:  # in order: a kind's rows may depend on the kind before
        queue: asyncio.Queue = asyncio.Queue(maxsize=concurrency)
        try:
            async with asyncio.TaskGroup() as workers:
                for _ in range(concurrency):
                    workers.create_task(check(domain, queue))
                async for workflow_id in _workflow_ids(client, domain, task_queue):
                    await queue.put(workflow_id)
                for _ in range(concurrency):
                    await queue.put(None)
        except ExceptionGroup as failed:  # the first failure, for the command's one line
            raise failed.exceptions[0] from None
        print(f"reconcile: {domain.kind}s done; {summary.line}", file=err, flush=True)
    print(summary.line, file=out, flush=True)
    return summary


async def command(settings: Settings, sessions: SessionFactory, *, repair: bool) -> int:
    """The command's work once the database is open (recall.common.cli.with_database): its
    exit status."""
    try:
        client = await connect(settings)
    except (RuntimeError, ValueError) as err:  # refused, unreachable, misconfigured
        fail(f"cannot reach Temporal: {_first_line(err)}", exit_code=1)
    try:
        if not await _polled(client, settings.task_queue):
            fail(
                f"no worker polls the task queue {settings.task_queue!r}: a workflow's state "
                "is read through a worker; start `recall worker` (or `recall up`) first",
                exit_code=1,
            )
        summary = await reconcile(
            client, sessions.kw["bind"], task_queue=settings.task_queue, repair=repair
        )
    except RPCError as err:
        fail(f"Temporal refused: {_first_line(err)}", exit_code=1)
    return summary.exit_code


async def _polled(client: Client, task_queue: str) -> bool:
    """Whether a worker took workflow tasks from the queue lately: without one every query
    would wait out its timeout."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    answer = await client.workflow_service.describe_task_queue(request, timeout=LIST_TIMEOUT)
    return bool(answer.pollers)


def _first_line(err: Exception) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]
