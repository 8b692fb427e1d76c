"""Writing a read-model row and its milestones from a workflow event, idempotently: a row only
changes when the event is newer than what is stored, and a milestone is keyed by its sequence."""

import dataclasses

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from recall.common.models import Milestone
from recall.common.sql import insert_ignore
from workflows.shared import MilestoneEvent


def jsonable(obj) -> dict | None:  # noqa: ANN001
    """A state dataclass as a JSON column value: its times as ISO strings."""
    if obj is None:
        return None
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in dataclasses.asdict(obj).items()
    }


async def upsert_versioned(session: AsyncSession, model, values: dict, version: int) -> None:  # noqa: ANN001
    """Insert the row, or update it if `version` is newer than the stored one."""
    key = values["id"]
    result = await session.execute(
        update(model)
        .where(model.id == key, model.version < version)
        .values(**{k: v for k, v in values.items() if k != "id"}, version=version)
    )
    if result.rowcount == 0:
        await session.execute(
            insert_ignore(session, model, ["id"])([{**values, "version": version}])
        )


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
