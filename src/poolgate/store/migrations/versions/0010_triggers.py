"""Challenge sessions spent once (issue 14: the custom authentication flow's sessions
are single use, as Cognito's: "session can only be used once").

Revision ID: 0010_triggers
Revises: 0009_mfa
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_triggers"
down_revision = "0009_mfa"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spent_sessions",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("expires", sa.Float, nullable=False),
    )
    op.create_index("ix_spent_sessions_expires", "spent_sessions", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_spent_sessions_expires", "spent_sessions")
    op.drop_table("spent_sessions")
