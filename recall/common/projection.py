"""Writing a read-model row and its milestones from a workflow event, idempotently: a row only
changes when the event is newer than what is stored, and a milestone is keyed by its sequence."""

import dataclasses

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from recall.common.models import Milestone
from recall.common.sql import insert_ignore
from workflows.shared import MilestoneEvent


def jsonable(obj) -> dict | None:
    """A state dataclass as a JSON column value: its times as ISO strings."""
    if obj is None:
        return None
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in dataclasses.asdict(obj).items()
    }


async def upsert_versioned(session: AsyncSession, model, values: dict, version: int) -> None:
    """Insert the row, or update it if `version` is newer than the stored one, in one
    statement: of two writers racing on a new row, the newer event wins whichever comes first."""
    row = {**values, "version": version}
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(row)
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={key: stmt.excluded[key] for key in row if key != "id"},
        where=model.version < stmt.excluded.version,
    )
    await session.execute(stmt)


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
    build = insert_ignore(session, Milestone, ["subject_type", "subject_id", "seq"])
    await session.execute(build(rows))
