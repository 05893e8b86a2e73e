"""Throttle counters, the audit trail of auth events, and outbox messages whose code
expires (issue 12).

Revision ID: 0007_security
Revises: 0006_cluster
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_security"
down_revision = "0006_cluster"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_counters",
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("subject", sa.String(512), primary_key=True),
        sa.Column("bucket", sa.BigInteger, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
    )
    op.create_index("ix_throttle_counters_expires", "throttle_counters", ["expires"])
    op.create_table(
        "auth_events",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("pool_id", sa.String(55), nullable=True),
        sa.Column("sub", sa.String(36), nullable=True),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("client_id", sa.String(128), nullable=True),
        sa.Column("source_ip", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(512), nullable=True),
        sa.Column("actor", sa.String(256), nullable=True),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("feedback", sa.Text, nullable=True),
    )
    op.create_index("ix_auth_events_user", "auth_events", ["pool_id", "sub", "created"])
    op.create_index("ix_auth_events_created", "auth_events", ["created"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("expires", sa.Float, nullable=True))
        batch.add_column(sa.Column("secret", sa.Text, nullable=True))
    op.create_index("ix_outbox_expires", "outbox", ["expires"])
    # Messages written before this revision: nothing says which part is the code, so
    # they are kept for the longest validity any code has (an invitation's temporary
    # password, 7 days by default) and then redacted whole.
    op.execute("UPDATE outbox SET expires = created + 604800")


def downgrade() -> None:
    op.drop_index("ix_outbox_expires", "outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("secret")
        batch.drop_column("expires")
    op.drop_index("ix_auth_events_created", "auth_events")
    op.drop_index("ix_auth_events_user", "auth_events")
    op.drop_table("auth_events")
    op.drop_index("ix_throttle_counters_expires", "throttle_counters")
    op.drop_table("throttle_counters")
