"""Users, one-time codes, refresh tokens and the message outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column(
            "pool_id",
            sa.String(55),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("sub", sa.String(36), primary_key=True),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("username_key", sa.String(128), nullable=False),
        sa.Column("email_key", sa.String(2048), nullable=True),
        sa.Column("phone_key", sa.String(64), nullable=True),
        sa.Column("preferred_username_key", sa.String(2048), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("modified", sa.Float, nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("credential_sealed", sa.LargeBinary, nullable=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.UniqueConstraint("pool_id", "username_key", name="uq_users_username"),
    )
    op.create_index("ix_users_email", "users", ["pool_id", "email_key"])
    op.create_index("ix_users_phone", "users", ["pool_id", "phone_key"])
    op.create_index("ix_users_preferred_username", "users", ["pool_id", "preferred_username_key"])
    op.create_table(
        "codes",
        sa.Column("pool_id", sa.String(55), primary_key=True),
        sa.Column("sub", sa.String(36), primary_key=True),
        sa.Column("purpose", sa.String(64), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("destination", sa.String(2048), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"
        ),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("sub", sa.String(36), nullable=False),
        sa.Column("origin_jti", sa.String(36), nullable=False),
        sa.Column("auth_time", sa.BigInteger, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
        sa.Column("revoked", sa.Float, nullable=True),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"
        ),
    )
    op.create_index("ix_refresh_tokens_origin", "refresh_tokens", ["origin_jti"])
    op.create_index("ix_refresh_tokens_user", "refresh_tokens", ["pool_id", "sub"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("pool_id", sa.String(55), nullable=True),
        sa.Column("username", sa.String(128), nullable=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("recipient", sa.String(2048), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_index("ix_outbox_recipient", "outbox", ["recipient", "id"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("refresh_tokens")
    op.drop_table("codes")
    op.drop_table("users")
