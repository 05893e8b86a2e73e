"""Third-party identity providers, the federated identities that sign in as users,
and each pool's SAML key pair.

Revision ID: 0008_federation
Revises: 0007_security
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_federation"
down_revision = "0007_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_providers",
        sa.Column(
            "pool_id",
            sa.String(55),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("attribute_mapping", sa.Text, nullable=False),
        sa.Column("idp_identifiers", sa.Text, nullable=False),
        sa.Column("secrets_sealed", sa.LargeBinary, nullable=True),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("modified", sa.Float, nullable=False),
    )
    op.create_table(
        "federated_identities",
        sa.Column("pool_id", sa.String(55), primary_key=True),
        sa.Column("provider_name", sa.String(32), primary_key=True),
        sa.Column("attribute_name", sa.String(64), primary_key=True),
        sa.Column("attribute_value", sa.String(2048), primary_key=True),
        sa.Column("sub", sa.String(36), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"
        ),
    )
    op.create_index("ix_federated_identities_user", "federated_identities", ["pool_id", "sub"])
    op.create_table(
        "saml_keys",
        sa.Column(
            "pool_id",
            sa.String(55),
            sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("certificate", sa.Text, nullable=False),
        sa.Column("private_sealed", sa.LargeBinary, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("saml_keys")
    op.drop_index("ix_federated_identities_user", table_name="federated_identities")
    op.drop_table("federated_identities")
    op.drop_table("identity_providers")
