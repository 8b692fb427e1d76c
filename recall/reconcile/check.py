"""One workflow against its rows in the read model, and the rows rewritten from its state.

What is compared. The workflow's state comes from its `snapshot` query. The rows it should have
are not derived here: in a transaction that is always rolled back, the subject's rows are cleared
for a forced write (recall.reconcile.rows.clear) and the domain's own projection function
(recall/<domain>/projection.py, the code the workflow writes with) writes the whole state as one
event; what it wrote, read back, is compared with what was stored, row by row and column by
column:

- the subject's row (case, programme, association, standard, brand cultivation), its version
  included (the workflow's seq: a row restored from an older backup has an older one);
- the rows that are the projection's alone: a case's hazards and enterprise links, a standard's
  comments, a programme's regions and members (missing, or there without the workflow knowing
  them); a hazard's or comment's version is not compared (it is the seq of the event that last
  changed it, which the state does not keep);
- what the projection sets in others' rows: a defect report's and an evidence file's case, a
  case's programme (set only where none is set: another programme there is not seen);
- milestones. The state keeps the count of its events, not the events (workflows/journal.py):
  each event has one milestone, numbered 1..seq, so a missing seq and a seq beyond the state are
  found; their content (kind, time, note) is not compared, the state cannot tell it. A missing
  milestone is looked up in the workflow's history (recall.reconcile.history) to be restored;
  one the history no longer holds is reported as such and stays missing. A row's `updated_at`
  is the time of its last milestone: not compared while that milestone is unknown.

Repairing is the same forced write, committed, then the workflow is compared again.

A workflow whose read model write may still be on its way (an activity or a workflow task
pending) is looked at again, a moment later, before a difference is reported."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, or_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from temporalio.client import Client, WorkflowHandle

from recall.common.models import Milestone
from recall.reconcile import rows
from recall.reconcile.domains import Domain
from recall.reconcile.history import recovered_milestones
from recall.reconcile.rows import Reading, RowSet
from workflows.shared import MilestoneEvent

QUERY_TIMEOUT = timedelta(seconds=30)
MILESTONES = "milestone seq"
STALE_TRIES = 3  # the state read again while the rows are newer than it (events meanwhile)
BUSY_TRIES = 3  # looks at a busy workflow before its differences are reported
BUSY_PAUSE = 0.5


class StateUnreadable(Exception):
    """The workflow did not answer its query (no worker, an error in it, gone)."""


@dataclass
class Look:
    lines: list[str]
    state: Any = None
    sets: list[RowSet] = field(default_factory=list)
    milestones: list[MilestoneEvent] = field(default_factory=list)


@dataclass
class Outcome:
    lines: list[str]
    repaired: bool = False


def _milestone_rows(domain: Domain, subject_id: str) -> RowSet:
    where = and_(Milestone.subject_type == domain.kind, Milestone.subject_id == subject_id)
    return RowSet(
        MILESTONES, Milestone.__table__, where, ("seq",), "touched", ignore=frozenset({"id"})
    )


def _newer_than(stored: Reading, sets: list[RowSet], seq: int) -> bool:
    """Rows of events after the state was read: the state is older, not the rows wrong."""
    main = next(s.label for s in sets if s.role == "main")
    versions = [row["version"] for row in stored[main].values()]
    return any(v > seq for v in versions) or any(k[0] > seq for k in stored[MILESTONES])


class Reconciler:
    def __init__(
        self, client: Client, engine: AsyncEngine, *, repair: bool, db_slots: asyncio.Semaphore
    ):
        self.client = client
        self.engine = engine
        self.repair = repair
        self.db_slots = db_slots

    async def workflow(self, domain: Domain, workflow_id: str) -> Outcome:
        handle = self.client.get_workflow_handle(workflow_id)
        try:
            look = await self._settled_look(domain, handle)
            if not look.lines or not self.repair:
                return Outcome(look.lines)
            await self._repair(domain, handle, look)
            after = await self._settled_look(domain, handle)
        except StateUnreadable as err:
            return Outcome(
                [f"{domain.kind} workflow {workflow_id}: its state cannot be read: {err}"]
            )
        left = [f"{line} (still, after the repair)" for line in after.lines]
        return Outcome(look.lines + left, repaired=not after.lines)

    # --- reading --------------------------------------------------------------------------

    async def _state(self, domain: Domain, handle: WorkflowHandle) -> Any:
        try:
            return await handle.query(domain.snapshot, rpc_timeout=QUERY_TIMEOUT)
        except Exception as err:  # RPCError, WorkflowQueryFailedError, a timeout...
            first = (str(err).strip().splitlines() or [type(err).__name__])[0]
            raise StateUnreadable(first) from err

    async def _busy(self, handle: WorkflowHandle) -> bool:
        raw = (await handle.describe(rpc_timeout=QUERY_TIMEOUT)).raw_description
        return bool(raw.pending_activities) or raw.HasField("pending_workflow_task")

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self.db_slots, self.engine.connect() as conn:
            transaction = await conn.begin()
            try:
                yield conn
            finally:
                if transaction.is_active:
                    await transaction.rollback()

    async def _settled_look(self, domain: Domain, handle: WorkflowHandle) -> Look:
        """The differences, looked at again while the workflow may still be writing them."""
        look = await self._look(domain, handle)
        for _ in range(BUSY_TRIES):
            if not look.lines or not await self._busy(handle):
                break
            await asyncio.sleep(BUSY_PAUSE)
            look = await self._look(domain, handle)
        return look

    async def _look(self, domain: Domain, handle: WorkflowHandle) -> Look:
        """The differences now: state, stored rows, and the rows the projection writes."""
        recovered: dict[int, MilestoneEvent] | None = None
        state = await self._state(domain, handle)
        tries = 0
        while True:
            subject_id = domain.subject_id(state)
            sets = [*domain.rows(state), _milestone_rows(domain, subject_id)]
            wanted = set(range(1, state.seq + 1))
            async with self._transaction() as conn:
                stored = await rows.read(conn, sets)
                stale = _newer_than(stored, sets, state.seq) and tries < STALE_TRIES
                missing = wanted - {key[0] for key in stored[MILESTONES]}
                if not stale and (recovered is not None or not missing):
                    look = self._planned(domain, state, sets, stored, recovered or {})
                    await self._write(domain, look, conn)
                    expected = await rows.read(conn, sets)
                    return self._compared(domain, look, stored, expected, missing)
            if stale:
                tries += 1
                state, recovered = await self._state(domain, handle), None
                continue
            recovered = await recovered_milestones(self.client, domain, handle.id, missing)

    def _planned(
        self,
        domain: Domain,
        state: Any,
        sets: list[RowSet],
        stored: Reading,
        recovered: dict[int, MilestoneEvent],
    ) -> Look:
        """The milestones the forced write carries: those restored from the history, and the
        last one (its time is the row's updated_at), in order."""
        by_seq = dict(recovered)
        last = stored[MILESTONES].get((state.seq,))
        if last is not None:
            by_seq[state.seq] = MilestoneEvent(
                seq=last["seq"],
                at=last["at"],
                kind=last["kind"],
                stage=last["stage"],
                actor=last["actor"],
                note=last["note"],
            )
        milestones = [by_seq[seq] for seq in sorted(by_seq)]
        return Look([], state, sets, milestones)

    def _compared(
        self, domain: Domain, look: Look, stored: Reading, expected: Reading, missing: set[int]
    ) -> Look:
        state = look.state
        known = {m.seq for m in look.milestones}
        skip = {}
        if state.seq and state.seq not in known:
            main = next(s.label for s in look.sets if s.role == "main")
            skip[main] = frozenset({"updated_at"})
        lines = rows.differences(look.sets, stored, expected, skip=skip)
        lines += [
            f"{MILESTONES} {seq} missing, and not in the workflow's history: cannot be restored"
            for seq in sorted(missing - known)
        ]
        prefix = f"{domain.kind} {domain.subject_id(state)}: "
        look.lines = [prefix + line for line in lines]
        return look

    # --- writing --------------------------------------------------------------------------

    async def _repair(self, domain: Domain, handle: WorkflowHandle, look: Look) -> None:
        """The forced write, committed, unless an event came meanwhile (its rows are newer
        than the state seen): then from the newer state, until rows newer than any state read
        are taken for what they are, wrong. The subject's row stays locked from that check to
        the commit, so a projection of a newer event waits, and wins after."""
        for attempt in range(STALE_TRIES + 1):
            async with self._transaction() as conn:
                stored = await rows.read(conn, look.sets)
                if attempt == STALE_TRIES or not _newer_than(stored, look.sets, look.state.seq):
                    await self._write(domain, look, conn)
                    await conn.commit()
                    return
            look = await self._look(domain, handle)
            if not look.lines:
                return

    async def _write(self, domain: Domain, look: Look, conn: AsyncConnection) -> None:
        """The forced write of the whole state in `conn`'s transaction (the caller commits it
        or rolls it back)."""
        state, subject_id = look.state, domain.subject_id(look.state)
        await rows.clear(conn, look.sets)
        await conn.execute(
            delete(Milestone).where(
                Milestone.subject_type == domain.kind,
                Milestone.subject_id == subject_id,
                or_(Milestone.seq < 1, Milestone.seq > state.seq),
            )
        )
        # The projection commits its session; joined in "rollback_only" mode that commit stays
        # inside this transaction, which decides.
        session = AsyncSession(
            bind=conn, join_transaction_mode="rollback_only", expire_on_commit=False
        )
        try:
            await domain.project(session, domain.projection(state, look.milestones))
        finally:
            await session.close()
