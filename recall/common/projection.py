"""Writing a read-model row and its milestones from a workflow event, idempotently: a row only
changes when the event is newer than what is stored, and a milestone is keyed by its sequence."""

import dataclasses
import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from recall.common.models import Milestone
from workflows.shared import MilestoneEvent


def jsonable(obj) -> dict | None:
    """A state dataclass as a JSON column value: its times as ISO strings."""
    if obj is None:
        return None
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in dataclasses.asdict(obj).items()
    }


def _insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


# Built once per table, dialect and set of columns: building an upsert costs more than running it.
@functools.cache
def _upsert(dialect: str, table, keys: tuple[str, ...]):
    stmt = _insert(dialect)(table)
    return stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={key: stmt.excluded[key] for key in keys if key != "id"},
        where=table.c.version < stmt.excluded.version,
    )


@functools.cache
def _insert_ignore(dialect: str, table, index_elements: tuple[str, ...]):
    return _insert(dialect)(table).on_conflict_do_nothing(index_elements=list(index_elements))


async def upsert_versioned(session: AsyncSession, model, values: dict, version: int) -> None:
    """Insert the row, or update it if `version` is newer than the stored one, in one
    statement: of two writers racing on a new row, the newer event wins whichever comes first."""
    row = {**values, "version": version}
    stmt = _upsert(session.bind.dialect.name, model.__table__, tuple(row))
    await session.execute(stmt, row)


async def insert_milestones(
    session: AsyncSession, subject_type: str, subject_id: str, events: list[MilestoneEvent]
) -> None:
    if not events:
        return
    rows = [
        {
            "subject_type": subject_type,
            "subject_id": subject_id,
            "seq": m.seq,
            "at": m.at,
            "kind": m.kind,
            "stage": m.stage,
            "actor": m.actor,
            "note": m.note,
        }
        for m in events
    ]
    key = ("subject_type", "subject_id", "seq")
    await session.execute(_insert_ignore(session.bind.dialect.name, Milestone.__table__, key), rows)


async def write_missing(
    session: AsyncSession,
    subject_type: str,
    subject_id: str,
    batch: Sequence[Any],
    project: Callable[[AsyncSession, Any], Awaitable[None]],
) -> None:
    """The workflow's backstop: write the events of `batch` (one subject's, oldest first) that
    are not in the read model yet. Most are, written by the API from the command's answer.

    An event is written in one transaction with its milestones, so an event whose first
    milestone is stored was written whole. An event without milestones is written again
    (writing it twice changes nothing)."""
    firsts = [p.milestones[0].seq for p in batch if p.milestones]
    stored: set[int] = set()
    if firsts:
        stored = set(
            (
                await session.execute(
                    select(Milestone.seq).where(
                        Milestone.subject_type == subject_type,
                        Milestone.subject_id == subject_id,
                        Milestone.seq.in_(firsts),
                    )
                )
            ).scalars()
        )
        await session.rollback()  # end the read before writing (SQLite: no stale snapshot)
    for p in batch:
        if not p.milestones or p.milestones[0].seq not in stored:
            await project(session, p)
