"""standard comment period in fractional days

A public comment period may be shorter than a day (0.5 is twelve hours): demos and tests on a
server whose clock does not skip need a period that ends within seconds.

Revision ID: 91ae6b681f2e
Revises: 353d2661f3ba
Create Date: 2026-11-27 01:38:46.573938
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '91ae6b681f2e'
down_revision: str | None = '353d2661f3ba'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('standards', schema=None) as batch_op:
        batch_op.alter_column('comment_period_days',
               existing_type=sa.INTEGER(),
               type_=sa.Float(),
               existing_nullable=True)


def downgrade() -> None:
    # fractional periods round to whole days
    with op.batch_alter_table('standards', schema=None) as batch_op:
        batch_op.alter_column('comment_period_days',
               existing_type=sa.Float(),
               type_=sa.INTEGER(),
               existing_nullable=True,
               postgresql_using='round(comment_period_days)::integer')
