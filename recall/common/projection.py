"""Writing a read-model row and its milestones from a workflow event, idempotently: a row only
changes when the event is newer than what is stored, and a milestone is keyed by its sequence."""

import dataclasses
import functools

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
