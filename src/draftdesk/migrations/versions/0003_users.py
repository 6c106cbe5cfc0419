"""users: accounts with a role and a bcrypt password hash; who drafted and edited

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # Rows from before sign-in keep NULL: nobody can say now who made them.
    with op.batch_alter_table("requests") as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.String(length=100), nullable=True))
        batch_op.create_index("ix_requests_created_by", ["created_by"], unique=False)
    with op.batch_alter_table("drafts") as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.String(length=100), nullable=True))
    with op.batch_alter_table("edits") as batch_op:
        batch_op.add_column(sa.Column("edited_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("edits") as batch_op:
        batch_op.drop_column("edited_by")
    with op.batch_alter_table("drafts") as batch_op:
        batch_op.drop_column("created_by")
    with op.batch_alter_table("requests") as batch_op:
        batch_op.drop_index("ix_requests_created_by")
        batch_op.drop_column("created_by")
    op.drop_table("users")
