"""Resource servers, hosted-UI customization and OAuth authorization codes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resource_servers",
        sa.Column(
            "pool_id",
            sa.String(55),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("identifier", sa.String(256), primary_key=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("modified", sa.Float, nullable=False),
    )
    op.create_table(
        "ui_customizations",
        sa.Column(
            "pool_id",
            sa.String(55),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("client_id", sa.String(128), primary_key=True),
        sa.Column("css", sa.Text, nullable=True),
        sa.Column("image", sa.LargeBinary, nullable=True),
        sa.Column("image_type", sa.String(64), nullable=True),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("modified", sa.Float, nullable=False),
    )
    op.create_table(
        "authorization_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("sub", sa.String(36), nullable=False),
        sa.Column("grant", sa.Text, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
        sa.Column("used", sa.Float, nullable=True),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"
        ),
    )
    op.create_index("ix_authorization_codes_expires", "authorization_codes", ["expires"])
    # The scopes granted through OAuth, kept across refreshes (None: the API's
    # aws.cognito.signin.user.admin).
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.add_column(sa.Column("scope", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.drop_column("scope")
    op.drop_table("authorization_codes")
    op.drop_table("ui_customizations")
    op.drop_table("resource_servers")
