"""User pools, app clients, pool domains and signing keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_pools",
        sa.Column("id", sa.String(55), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("arn", sa.String(2048), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("modified", sa.Float, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
    )
    op.create_table(
        "app_clients",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column(
            "pool_id",
            sa.String(55),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("modified", sa.Float, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("secret_sealed", sa.LargeBinary, nullable=True),
    )
    op.create_index("ix_app_clients_pool", "app_clients", ["pool_id", "id"])
    op.create_table(
        "pool_domains",
        sa.Column("domain", sa.String(63), primary_key=True),
        sa.Column(
            "pool_id",
            sa.String(55),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
    )
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(128), primary_key=True),
        sa.Column(
            "pool_id",
            sa.String(55),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("use", sa.String(16), nullable=False),
        sa.Column("public_jwk", sa.Text, nullable=False),
        sa.Column("private_sealed", sa.LargeBinary, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("retire_after", sa.Float, nullable=True),
    )
    op.create_index("ix_signing_keys_pool", "signing_keys", ["pool_id"])


def downgrade() -> None:
    op.drop_table("signing_keys")
    op.drop_table("pool_domains")
    op.drop_table("app_clients")
    op.drop_table("user_pools")
