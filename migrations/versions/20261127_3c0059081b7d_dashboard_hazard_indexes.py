"""dashboard hazard indexes

Partial indexes for recall/dashboard/service.py, so that every dashboard count over hazards is an
index-only scan of one small index instead of a pass over the whole table (bench/dashboard.py:
at one million hazards the summary and the groupings took 150 ms to 0.7 s, see bench/README.md).

Eliminated hazards (status eliminated or verified):
  ix_hazards_eliminated_category  (category, industry_code, region_code)   by category; counts
  ix_hazards_eliminated_industry  (industry_code, region_code, category)   by industry; one industry
  ix_hazards_eliminated_region    (region_code, industry_code, category)   by region; one region
  ix_hazards_eliminated_window    (eliminated_at) INCLUDE (...)            a from/to window
  ix_hazards_eliminated_days      (days_to_eliminate) INCLUDE (...)        the median, in days order
  ix_hazards_eliminated_month     (month in China time, ...) INCLUDE (eliminated_at)   by month
Open hazards (identified or reopened):
  ix_hazards_open_category        (category, industry_code, region_code)   counts and groupings
  ix_hazards_open_month           (month in China time, ...) INCLUDE (identified_at)   by month

The three-column keys repeat a lot, so PostgreSQL deduplicates them (a few MB each). The month
indexes are expressions of PostgreSQL functions and exist there only; SQLite gets the others
(without INCLUDE, which it does not have).

Revision ID: 3c0059081b7d
Revises: 91ae6b681f2e
Create Date: 2026-11-27 01:49:28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3c0059081b7d'
down_revision: str | None = '91ae6b681f2e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ELIMINATED = sa.text("status IN ('eliminated', 'verified')")
OPEN = sa.text("status IN ('identified', 'reopened')")
INDEXES = (
    ("ix_hazards_eliminated_category", ["category", "industry_code", "region_code"], ELIMINATED, []),
    ("ix_hazards_eliminated_industry", ["industry_code", "region_code", "category"], ELIMINATED, []),
    ("ix_hazards_eliminated_region", ["region_code", "industry_code", "category"], ELIMINATED, []),
    ("ix_hazards_eliminated_window", ["eliminated_at"], ELIMINATED,
     ["industry_code", "region_code", "category", "days_to_eliminate"]),
    ("ix_hazards_eliminated_days", ["days_to_eliminate"], ELIMINATED,
     ["eliminated_at", "industry_code", "region_code"]),
    ("ix_hazards_open_category", ["category", "industry_code", "region_code"], OPEN, []),
)
MONTH_INDEXES = (  # PostgreSQL only
    ("ix_hazards_eliminated_month", "eliminated_at", ELIMINATED),
    ("ix_hazards_open_month", "identified_at", OPEN),
)


def _month(column: str) -> sa.TextClause:
    return sa.text(f"date_trunc('month', timezone('Asia/Shanghai', {column}))")


def upgrade() -> None:
    for name, columns, where, include in INDEXES:
        op.create_index(name, "hazards", columns, unique=False, postgresql_where=where,
                        sqlite_where=where, postgresql_include=include)
    if op.get_bind().dialect.name == "postgresql":
        for name, column, where in MONTH_INDEXES:
            op.create_index(name, "hazards", [_month(column), "industry_code", "region_code"],
                            unique=False, postgresql_where=where, postgresql_include=[column])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _, _ in reversed(MONTH_INDEXES):
            op.drop_index(name, table_name="hazards")
    for name, *_ in reversed(INDEXES):
        op.drop_index(name, table_name="hazards")
