"""Remembered devices (and the device a refresh token was issued to) and passkeys
(issue 16: MFA, passwordless and passkeys).

Revision ID: 0009_mfa
Revises: 0008_federation
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_mfa"
down_revision = "0008_federation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("refresh_tokens", sa.Column("device_key", sa.String(64), nullable=True))
    op.create_table(
        "devices",
        sa.Column("device_key", sa.String(64), primary_key=True),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("sub", sa.String(36), nullable=False),
        sa.Column("group_key", sa.String(64), nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("verifier_sealed", sa.LargeBinary, nullable=True),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("modified", sa.Float, nullable=False),
        sa.Column("last_authenticated", sa.Float, nullable=True),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"
        ),
    )
    op.create_index("ix_devices_user", "devices", ["pool_id", "sub", "device_key"])
    op.create_table(
        "webauthn_credentials",
        sa.Column("pool_id", sa.String(55), primary_key=True),
        sa.Column("credential_id", sa.String(1400), primary_key=True),
        sa.Column("sub", sa.String(36), nullable=False),
        sa.Column("public_key", sa.LargeBinary, nullable=False),
        sa.Column("sign_count", sa.BigInteger, nullable=False),
        sa.Column("relying_party_id", sa.String(127), nullable=False),
        sa.Column("friendly_name", sa.String(256), nullable=True),
        sa.Column("authenticator_attachment", sa.String(32), nullable=True),
        sa.Column("transports", sa.Text, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"
        ),
    )
    op.create_index("ix_webauthn_credentials_user", "webauthn_credentials", ["pool_id", "sub"])


def downgrade() -> None:
    op.drop_index("ix_webauthn_credentials_user", "webauthn_credentials")
    op.drop_table("webauthn_credentials")
    op.drop_index("ix_devices_user", "devices")
    op.drop_table("devices")
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.drop_column("device_key")
