"""Text search (`q=`) over a few columns: a row matches when one of them holds q as it is
written, without regard to case (ILIKE '%q%', with q's `%`, `_` and `\\` taken literally).

On PostgreSQL two GIN indexes find the candidates and that ILIKE (or the same test written
otherwise, below) checks every one, so the answer is the same whichever finds them:
  - pg_trgm (gin_trgm_ops) on each column, for a q with three letters or digits in a row:
    pg_trgm takes no trigram from a shorter word, and its index would then be read whole;
  - the characters and pairs of characters of the columns together (GRAMS_FUNCTION, lower
    case), for any other q: a Chinese word of one or two characters (磁, 磁铁), `1.5`, `a b`;
    there the check is strpos(lower(column), lower(q)) > 0, the same test as the ILIKE.
SQLite, the embedded default with small tables, runs the ILIKE alone."""

from sqlalchemy import Column, ColumnElement, Index, and_, func, or_, text
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

ESCAPE = "\\"
# The function the grams index is built on (created by the migration 3c9e5f7a1b2d): every
# character and every pair of neighbouring characters of lower(a || E'\n' || b). A pair across
# the two columns only adds a candidate, which the check of each column then turns away.
GRAMS_FUNCTION = "recall_search_grams"


def like_pattern(q: str) -> str:
    """'%q%' with q's wildcards escaped: `50%` finds "50%", not "500"."""
    escaped = q.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def has_trigram(q: str) -> bool:
    """Whether pg_trgm finds a trigram in '%q%' for sure: three letters or digits in a row."""
    run = 0
    for char in q:
        run = run + 1 if char.isalnum() else 0
        if run == 3:
            return True
    return False


def grams_of(a, b) -> ColumnElement:
    """The expression of the grams index over two columns (as the migration builds it)."""
    return getattr(func, GRAMS_FUNCTION)(a, b, type_=ARRAY(Text))


def query_grams(q: str) -> list[str]:
    """What a row that holds q must have among its grams: q's pairs (q itself if one character)."""
    if len(q) == 1:
        return [q]
    return list(dict.fromkeys(q[i : i + 2] for i in range(len(q) - 1)))


def text_match(dialect: str, q: str, columns: tuple, grams: ColumnElement) -> ColumnElement:
    """The condition that a row holds q in one of columns; `grams` is grams_of(those columns)."""
    if dialect != "postgresql" or has_trigram(q):
        # ILIKE as PostgreSQL runs it (lower(x) LIKE lower(pattern)) and as SQLAlchemy writes it
        # for SQLite, spelled out: the expression the trigram indexes are made of.
        pattern = func.lower(like_pattern(q))
        return or_(*(func.lower(column).like(pattern, escape=ESCAPE) for column in columns))
    # The same test as that ILIKE (lower(x) holds lower(q)), written so that the planner does not
    # count q twice: it estimates how many rows hold q's grams from the index's statistics, and
    # would multiply that by its own guess for an ILIKE, which on a LIMIT is the difference
    # between reading 50 rows in date order and fetching 40,000 to sort them.
    folded = func.lower(q)
    holds = or_(*(func.strpos(func.lower(column), folded) > 0 for column in columns))
    # lower() in SQL, as the index has it (the database's, not Python's, notion of case)
    wanted = array([func.lower(gram) for gram in query_grams(q)], type_=Text)
    return and_(grams.op("@>")(wanted), holds)


# SET LOCAL twice, in one round trip: until the transaction ends
FOR_SEARCH = (
    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
    "set_config('max_parallel_workers_per_gather', '0', true)"
)


async def plan_for_search(session: AsyncSession) -> None:
    """Plan the next statements for their own q, on one process: a plan cached for any q (a
    prepared statement run often) cannot know whether q finds ten rows or a million, nor which
    index serves it; and workers cost more to start than a page of 50 rows takes to find."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text(FOR_SEARCH))


def search_indexes(a: Column, b: Column) -> None:
    """The indexes text_match uses on two columns of one table (PostgreSQL only; the migration
    3c9e5f7a1b2d creates them and the function they need). Expressions, not columns, so that
    SQLite (which cannot reflect them) leaves them out of `alembic check` as it leaves them out
    of its schema."""
    table = a.table.name
    for column in (a, b):
        Index(
            f"ix_{table}_{column.name}_trgm",
            func.lower(column).label("folded"),
            postgresql_using="gin",
            postgresql_ops={"folded": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql")
    Index(f"ix_{table}_grams", grams_of(a, b), postgresql_using="gin").ddl_if(dialect="postgresql")
