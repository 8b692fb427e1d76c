"""public comments

The public comment form: a comment's organisation (提出单位), and the count of comments sent
from one client address (hashed) in the current window, shared by every replica.

Revision ID: e02ed0b5ec7b
Revises: 754d898cf1a3
Create Date: 2026-12-01 00:10:19.956802
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import recall.common.types

revision: str = "e02ed0b5ec7b"
down_revision: str | None = "754d898cf1a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "public_comment_counts",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.Column(
            "window_started_at", recall.common.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_public_comment_counts")),
    )
    with op.batch_alter_table("standard_comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("standard_comments", schema=None) as batch_op:
        batch_op.drop_column("organisation")
    op.drop_table("public_comment_counts")
