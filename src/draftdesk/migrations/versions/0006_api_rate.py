"""api_rate_buckets: each API key's request budget, shared by every server process

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "api_rate_buckets",
        sa.Column("key_name", sa.String(length=60), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key_name"),
    )


def downgrade() -> None:
    op.drop_table("api_rate_buckets")
