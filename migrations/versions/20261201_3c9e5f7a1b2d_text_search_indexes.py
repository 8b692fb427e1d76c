"""text search indexes

`q=` on the defect reports (product, description) and the cases (title, number) is an ILIKE
'%q%' (recall/common/search.py). Without an index made for it PostgreSQL reads the whole table:
at a million reports, a second and more (bench/search.py). On PostgreSQL only:

  pg_trgm                   a trusted extension since PostgreSQL 13 (the database owner may)
  ix_<table>_<column>_trgm  GIN (lower(column) gin_trgm_ops): a q with 3 letters/digits in a row
  recall_search_grams(a, b) text[]: each character and pair of characters of lower(a, '\n', b)
  ix_<table>_grams          GIN (recall_search_grams(a, b)): any other q (磁, 磁铁, `1.5`, `a b`)

Both find candidates only; the query checks each one with the ILIKE (or the same test written as
strpos), so the answers are those of the ILIKE alone. SQLite, the embedded default, keeps the
ILIKE over its small tables.

The indexes are built here in one transaction, and defect reports and cases cannot be written
while they are: 4 to 7 minutes per million reports on 2 busy cores (bench/search.py). The
grams index keeps the frequencies of 10,000 grams for the planner. Downgrading drops the indexes
and the function and leaves pg_trgm installed: other things may use it.

Revision ID: 3c9e5f7a1b2d
Revises: e02ed0b5ec7b
Create Date: 2026-12-01 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c9e5f7a1b2d"
down_revision: str | None = "e02ed0b5ec7b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHED = (("defect_reports", "product", "description"), ("cases", "title", "number"))

# Built of functions written in C (an SRF per row would take minutes at a million rows): the
# characters, then the pairs starting at odd positions, then those at even ones, each pair
# followed by \x01 (a control character, which no stored text holds) and split there.
GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION recall_search_grams(a text, b text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_remove(
    string_to_array(t, NULL)
      || string_to_array(regexp_replace(t, '(..)', E'\\1\x01', 'g'), E'\x01')
      || string_to_array(regexp_replace(substr(t, 2), '(..)', E'\\1\x01', 'g'), E'\x01'),
    '')
  FROM (SELECT lower(coalesce(a, '') || E'\n' || coalesce(b, '')) AS t) AS joined
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(GRAMS_FUNCTION)
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")  # GIN builds in far fewer passes
    for table, a, b in SEARCHED:
        for column in (a, b):  # lower(): the ILIKE as PostgreSQL runs it, spelled out
            op.execute(
                f"CREATE INDEX ix_{table}_{column}_trgm ON {table} "
                f"USING gin (lower({column}) gin_trgm_ops)"
            )
        op.create_index(
            f"ix_{table}_grams",
            table,
            [sa.text(f"recall_search_grams({a}, {b})")],
            unique=False,
            postgresql_using="gin",
        )
        # ANALYZE keeps the frequencies of up to 10,000 grams (100 by default lumps every
        # Chinese character but the commonest together): the planner then knows a rare 2-character
        # q from a common one, and reads the index or the rows in date order accordingly.
        op.execute(f"ALTER INDEX ix_{table}_grams ALTER COLUMN 1 SET STATISTICS 1000")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, a, b in reversed(SEARCHED):
        op.drop_index(f"ix_{table}_grams", table_name=table)
        for column in (b, a):
            op.drop_index(f"ix_{table}_{column}_trgm", table_name=table)
    op.execute("DROP FUNCTION recall_search_grams(text, text)")
