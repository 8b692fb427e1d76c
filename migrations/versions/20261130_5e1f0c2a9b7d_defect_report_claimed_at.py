"""defect report claimed_at

A case claims its defect reports before its workflow starts, so that racing requests cannot put
one report in two cases; the claim's time tells a claim still being opened from one whose
request died before its workflow started (recall/cases/claims.py).

Revision ID: 5e1f0c2a9b7d
Revises: 3c0059081b7d
Create Date: 2026-11-30 22:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from recall.common.types import UTCDateTime

revision: str = "5e1f0c2a9b7d"
down_revision: str | None = "3c0059081b7d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("defect_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("defect_reports", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
