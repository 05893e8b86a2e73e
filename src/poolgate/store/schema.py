"""The tables. Alembic's migrations create them; this module is their description for
queries. Configuration documents are JSON text; times are epoch seconds."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

user_pools = sa.Table(
    "user_pools",
    metadata,
    sa.Column("id", sa.String(55), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("arn", sa.String(2048), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("modified", sa.Float, nullable=False),
    sa.Column("settings", sa.Text, nullable=False),
    sa.Column("tags", sa.Text, nullable=False),
)

app_clients = sa.Table(
    "app_clients",
    metadata,
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
    sa.Index("ix_app_clients_pool", "pool_id", "id"),
)

pool_domains = sa.Table(
    "pool_domains",
    metadata,
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

signing_keys = sa.Table(
    "signing_keys",
    metadata,
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
    sa.Index("ix_signing_keys_pool", "pool_id"),
)
