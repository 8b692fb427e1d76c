"""The rows of one workflow's subject: how to read them, clear them for a forced write, and say
how two readings differ, one line per row."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import ColumnElement, Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

# main: the subject's own row, rewritten in place (its version lowered, so the projection's
# version-guarded upsert wins; columns the projection does not write keep their values).
# owned: rows that are the projection's alone (hazards, comments, links): deleted, then written.
# touched: rows of others that the projection also sets (a report's case): read, never cleared.
Role = Literal["main", "owned", "touched"]


@dataclass(frozen=True)
class RowSet:
    label: str  # the table, as the lines name it
    table: Table
    where: ColumnElement[bool]
    key: tuple[str, ...]  # what names a row within the set
    role: Role
    columns: tuple[str, ...] | None = None  # compared columns; None: all
    ignore: frozenset[str] = field(default_factory=frozenset)  # never compared

    def compared(self) -> list[str]:
        names = self.columns or tuple(c.name for c in self.table.columns)
        return [n for n in names if n not in self.ignore]


Key = tuple[Any, ...]
Reading = dict[str, dict[Key, dict[str, Any]]]  # label -> key -> column -> value


async def read(conn: AsyncConnection, sets: list[RowSet]) -> Reading:
    reading: Reading = {}
    for rows in sets:
        columns = [rows.table.c[name] for name in dict.fromkeys([*rows.key, *rows.compared()])]
        query = select(*columns).where(rows.where)
        if rows.role == "main":  # held until the transaction ends (PostgreSQL; SQLite has one
            query = query.with_for_update()  # writer at a time anyway)
        result = await conn.execute(query)
        reading[rows.label] = {
            tuple(row[k] for k in rows.key): dict(row) for row in result.mappings()
        }
    return reading


async def clear(conn: AsyncConnection, sets: list[RowSet]) -> None:
    """Make way for a forced write of the projection: main rows lose their version, owned rows
    go (the projection writes them all again); touched rows stay."""
    for rows in sets:
        if rows.role == "main":
            await conn.execute(update(rows.table).where(rows.where).values(version=-1))
        elif rows.role == "owned":
            await conn.execute(delete(rows.table).where(rows.where))


def _shown(value: Any) -> str:
    text = repr(value.isoformat() if hasattr(value, "isoformat") else value)
    return text if len(text) <= 80 else text[:77] + "..."


def _named(rows: RowSet, key: Key) -> str:
    if rows.role == "main":
        return f"{rows.label} row"
    return f"{rows.label} {'/'.join(str(part) for part in key)}"


def differences(
    sets: list[RowSet],
    stored: Reading,
    expected: Reading,
    *,
    skip: Mapping[str, frozenset[str]] | None = None,
) -> list[str]:
    """One line per row that is missing, is not the workflow's, or differs (each differing
    column named with the stored value and the workflow's). `skip`: label -> columns the
    workflow's state could not tell this time."""
    lines = []
    for rows in sets:
        have, want = stored[rows.label], expected[rows.label]
        unknown = (skip or {}).get(rows.label, frozenset())
        for key in sorted(want.keys() - have.keys(), key=repr):
            lines.append(f"{_named(rows, key)} missing")
        for key in sorted(have.keys() - want.keys(), key=repr):
            lines.append(f"{_named(rows, key)} is not in the workflow")
        for key in sorted(have.keys() & want.keys(), key=repr):
            changed = [
                f"{name} {_shown(have[key][name])} (workflow: {_shown(want[key][name])})"
                for name in rows.compared()
                if name not in unknown and have[key][name] != want[key][name]
            ]
            if changed:
                lines.append(f"{_named(rows, key)}: {', '.join(changed)}")
    return lines
