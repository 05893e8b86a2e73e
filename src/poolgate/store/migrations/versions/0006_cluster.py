"""Facts about the deployment every node shares: the master key's check value.

A node started with another master key than the one that sealed the database's
secrets refuses to start, instead of failing every sign-in.

Revision ID: 0006_cluster
Revises: 0005
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_cluster"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deployment",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("modified", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("deployment")
