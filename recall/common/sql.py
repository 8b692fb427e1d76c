"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from sqlalchemy import cast, exists, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from recall.common.models import Counter


def insert_ignore(session: AsyncSession, model, index_elements: list[str]):
    """An INSERT that skips rows whose key is already there (ON CONFLICT DO NOTHING)."""
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert

    def build(rows: list[dict]):
        return insert(model).values(rows).on_conflict_do_nothing(index_elements=index_elements)

    return build


async def next_counter(session: AsyncSession, name: str) -> int:
    """Increment a named counter inside the caller's transaction and return the new value."""
    for _ in range(5):
        stmt = (
            update(Counter)
            .where(Counter.name == name)
            .values(value=Counter.value + 1)
            .returning(Counter.value)
        )
        value = (await session.execute(stmt)).scalar_one_or_none()
        if value is not None:
            return value
        try:
            async with session.begin_nested():
                session.add(Counter(name=name, value=1))
            return 1
        except IntegrityError:
            continue
    raise RuntimeError(f"could not allocate the next value of counter {name}")


def json_array_contains(dialect: str, column, value: str):
    """`value` is an element of the JSON array in `column`, on PostgreSQL and SQLite."""
    if dialect == "postgresql":
        return cast(column, JSONB).contains([value])
    elements = func.json_each(column).table_valued("value").alias("elements")
    return exists(select(literal(1)).select_from(elements).where(elements.c.value == value))
