"""Signing-key rotation: a key published before it signs (issue 17, the admin
console's "rotate" button).

Revision ID: 0011_console
Revises: 0010_triggers
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_console"
down_revision = "0010_triggers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # When the key starts signing; NULL: from its creation (every key made before).
    op.add_column("signing_keys", sa.Column("signs_from", sa.Float, nullable=True))


def downgrade() -> None:
    op.drop_column("signing_keys", "signs_from")
