"""Groups and their members; lookup columns and indexes for ListUsers filters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_KEYS = {
    "username_key": 128,
    "email_key": 2048,
    "phone_key": 64,
    "preferred_username_key": 2048,
}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("users") as batch:
        for column in ("name_key", "given_name_key", "family_name_key"):
            kind = sa.String(2048, collation="C") if postgres else sa.String(2048)
            batch.add_column(sa.Column(column, kind, nullable=True))
    if postgres:
        # Byte-wise order, so ``^=`` prefix filters are index range scans.
        for column, length in _KEYS.items():
            op.alter_column("users", column, type_=sa.String(length, collation="C"))
    # ListUsers pages through (key, sub): indexes in that order serve both the filter
    # and the page order, so no query sorts and no planner is tempted to scan.
    for index, column in (
        ("ix_users_email", "email_key"),
        ("ix_users_phone", "phone_key"),
        ("ix_users_preferred_username", "preferred_username_key"),
    ):
        op.drop_index(index, table_name="users")
        op.create_index(index, "users", ["pool_id", column, "sub"])
    op.create_index("ix_users_name", "users", ["pool_id", "name_key", "sub"])
    op.create_index("ix_users_given_name", "users", ["pool_id", "given_name_key", "sub"])
    op.create_index("ix_users_family_name", "users", ["pool_id", "family_name_key", "sub"])
    op.create_index("ix_users_status", "users", ["pool_id", "status", "sub"])
    op.create_index("ix_users_enabled", "users", ["pool_id", "enabled", "username_key"])
    op.create_table(
        "groups",
        sa.Column(
            "pool_id",
            sa.String(55),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("description", sa.String(2048), nullable=True),
        sa.Column("precedence", sa.Integer, nullable=True),
        sa.Column("role_arn", sa.String(2048), nullable=True),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("modified", sa.Float, nullable=False),
    )
    op.create_table(
        "user_groups",
        sa.Column("pool_id", sa.String(55), primary_key=True),
        sa.Column("group_name", sa.String(128), primary_key=True),
        sa.Column("sub", sa.String(36), primary_key=True),
        sa.Column("added", sa.Float, nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "group_name"], ["groups.pool_id", "groups.name"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"
        ),
    )
    op.create_index("ix_user_groups_user", "user_groups", ["pool_id", "sub"])


def downgrade() -> None:
    op.drop_table("user_groups")
    op.drop_table("groups")
    for index in (
        "ix_users_enabled",
        "ix_users_status",
        "ix_users_family_name",
        "ix_users_given_name",
        "ix_users_name",
    ):
        op.drop_index(index, table_name="users")
    for index, column in (
        ("ix_users_email", "email_key"),
        ("ix_users_phone", "phone_key"),
        ("ix_users_preferred_username", "preferred_username_key"),
    ):
        op.drop_index(index, table_name="users")
        op.create_index(index, "users", ["pool_id", column])
    with op.batch_alter_table("users") as batch:
        for column in ("family_name_key", "given_name_key", "name_key"):
            batch.drop_column(column)
