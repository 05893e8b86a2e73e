"""The tables. Alembic's migrations create them; this module is their description for
queries. Configuration documents are JSON text; times are epoch seconds."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()


def Key(length: int) -> sa.types.TypeEngine[str]:
    """A lookup key column: byte-wise ("C") collation on PostgreSQL, so prefix searches
    (``^=`` in ListUsers) are index range scans whatever the database's locale."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


# One row, bumped with every change to a pool or a client (store.sql_base).
config_version = sa.Table(
    "config_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
)

# Facts about the deployment every node shares (the master key's check value).
deployment = sa.Table(
    "deployment",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("modified", sa.Float, nullable=False),
)

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
    # When the key starts signing (rotation publishes it first); NULL: at creation.
    sa.Column("signs_from", sa.Float, nullable=True),
    sa.Index("ix_signing_keys_pool", "pool_id"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column(
        "pool_id",
        sa.String(55),
        sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("sub", sa.String(36), primary_key=True),
    sa.Column("username", sa.String(128), nullable=False),
    sa.Column("username_key", Key(128), nullable=False),
    sa.Column("email_key", Key(2048), nullable=True),
    sa.Column("phone_key", Key(64), nullable=True),
    sa.Column("preferred_username_key", Key(2048), nullable=True),
    sa.Column("name_key", Key(2048), nullable=True),
    sa.Column("given_name_key", Key(2048), nullable=True),
    sa.Column("family_name_key", Key(2048), nullable=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("modified", sa.Float, nullable=False),
    sa.Column("attributes", sa.Text, nullable=False),
    sa.Column("credential_sealed", sa.LargeBinary, nullable=True),
    sa.Column("state", sa.Text, nullable=False),
    sa.UniqueConstraint("pool_id", "username_key", name="uq_users_username"),
    sa.Index("ix_users_email", "pool_id", "email_key", "sub"),
    sa.Index("ix_users_phone", "pool_id", "phone_key", "sub"),
    sa.Index("ix_users_preferred_username", "pool_id", "preferred_username_key", "sub"),
    sa.Index("ix_users_name", "pool_id", "name_key", "sub"),
    sa.Index("ix_users_given_name", "pool_id", "given_name_key", "sub"),
    sa.Index("ix_users_family_name", "pool_id", "family_name_key", "sub"),
    sa.Index("ix_users_status", "pool_id", "status", "sub"),
    sa.Index("ix_users_enabled", "pool_id", "enabled", "username_key"),
)

codes = sa.Table(
    "codes",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("sub", sa.String(36), primary_key=True),
    sa.Column("purpose", sa.String(64), primary_key=True),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("expires", sa.Float, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("destination", sa.String(2048), nullable=False),
    sa.ForeignKeyConstraint(["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("pool_id", sa.String(55), nullable=False),
    sa.Column("client_id", sa.String(128), nullable=False),
    sa.Column("sub", sa.String(36), nullable=False),
    sa.Column("origin_jti", sa.String(36), nullable=False),
    sa.Column("auth_time", sa.BigInteger, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("expires", sa.Float, nullable=False),
    sa.Column("revoked", sa.Float, nullable=True),
    sa.Column("scope", sa.Text, nullable=True),
    # The remembered device the sign-in tracked (ForgetDevice revokes its tokens).
    sa.Column("device_key", sa.String(64), nullable=True),
    sa.ForeignKeyConstraint(["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"),
    sa.Index("ix_refresh_tokens_origin", "origin_jti"),
    sa.Index("ix_refresh_tokens_user", "pool_id", "sub"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pool_id", sa.String(55), nullable=True),
    sa.Column("username", sa.String(128), nullable=True),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Column("recipient", sa.String(2048), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("purpose", sa.String(64), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    # When the code or temporary password in the message stops being valid; then
    # ``secret`` (that value, in clear) is cleared and the text redacted.
    sa.Column("expires", sa.Float, nullable=True),
    sa.Column("secret", sa.Text, nullable=True),
    sa.Index("ix_outbox_recipient", "recipient", "id"),
    sa.Index("ix_outbox_expires", "expires"),
)

groups = sa.Table(
    "groups",
    metadata,
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

user_groups = sa.Table(
    "user_groups",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("group_name", sa.String(128), primary_key=True),
    sa.Column("sub", sa.String(36), primary_key=True),
    sa.Column("added", sa.Float, nullable=False),
    sa.ForeignKeyConstraint(
        ["pool_id", "group_name"], ["groups.pool_id", "groups.name"], ondelete="CASCADE"
    ),
    sa.ForeignKeyConstraint(["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"),
    sa.Index("ix_user_groups_user", "pool_id", "sub"),
)

resource_servers = sa.Table(
    "resource_servers",
    metadata,
    sa.Column(
        "pool_id",
        sa.String(55),
        sa.ForeignKey("user_pools.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("identifier", sa.String(256), primary_key=True),
    sa.Column("name", sa.String(256), nullable=False),
    # [{"ScopeName", "ScopeDescription"}]
    sa.Column("scopes", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("modified", sa.Float, nullable=False),
)

# Branding of the hosted pages, per pool (client_id "ALL") or per client.
ui_customizations = sa.Table(
    "ui_customizations",
    metadata,
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

# OAuth authorization codes, by the hash of their value; single use.
authorization_codes = sa.Table(
    "authorization_codes",
    metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("pool_id", sa.String(55), nullable=False),
    sa.Column("client_id", sa.String(128), nullable=False),
    sa.Column("sub", sa.String(36), nullable=False),
    # redirect_uri, scope, nonce, code_challenge, method, auth_time, session id
    sa.Column("grant", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("expires", sa.Float, nullable=False),
    sa.Column("used", sa.Float, nullable=True),
    sa.ForeignKeyConstraint(["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"),
    sa.Index("ix_authorization_codes_expires", "expires"),
)

# The throttles' counters (core.throttle): how many times ``subject`` did what
# ``scope`` counts in time bucket ``bucket``; a row past ``expires`` counts as zero.
throttle_counters = sa.Table(
    "throttle_counters",
    metadata,
    sa.Column("scope", sa.String(64), primary_key=True),
    sa.Column("subject", sa.String(512), primary_key=True),
    sa.Column("bucket", sa.BigInteger, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("expires", sa.Float, nullable=False),
    sa.Index("ix_throttle_counters_expires", "expires"),
)

# The audit trail (core.audit): sign-ins, sign-ups, password changes, admin actions.
# No foreign key: an event outlives the user or pool it names.
auth_events = sa.Table(
    "auth_events",
    metadata,
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
    sa.Index("ix_auth_events_user", "pool_id", "sub", "created"),
    sa.Index("ix_auth_events_created", "created"),
)

# Third-party identity providers (CreateIdentityProvider); ProviderDetails without
# secrets as JSON, the secrets sealed.
identity_providers = sa.Table(
    "identity_providers",
    metadata,
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

# Which user a provider's user signs in as: the federated user, or a linked one.
federated_identities = sa.Table(
    "federated_identities",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("provider_name", sa.String(32), primary_key=True),
    sa.Column("attribute_name", sa.String(64), primary_key=True),
    sa.Column("attribute_value", sa.String(2048), primary_key=True),
    sa.Column("sub", sa.String(36), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.ForeignKeyConstraint(["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"),
    sa.Index("ix_federated_identities_user", "pool_id", "sub"),
)

# The pool's SAML service-provider key pair (GetSigningCertificate).
saml_keys = sa.Table(
    "saml_keys",
    metadata,
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

# Devices remembered for a user (device tracking): keyed by the device key Cognito
# hands out in NewDeviceMetadata; deleted with the user.
devices = sa.Table(
    "devices",
    metadata,
    sa.Column("device_key", sa.String(64), primary_key=True),
    sa.Column("pool_id", sa.String(55), nullable=False),
    sa.Column("sub", sa.String(36), nullable=False),
    sa.Column("group_key", sa.String(64), nullable=False),
    sa.Column("attributes", sa.Text, nullable=False),
    sa.Column("verifier_sealed", sa.LargeBinary, nullable=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("modified", sa.Float, nullable=False),
    sa.Column("last_authenticated", sa.Float, nullable=True),
    sa.ForeignKeyConstraint(["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"),
    sa.Index("ix_devices_user", "pool_id", "sub", "device_key"),
)

# Passkeys (WebAuthn credentials), by credential id within a pool; deleted with the user.
webauthn_credentials = sa.Table(
    "webauthn_credentials",
    metadata,
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
    sa.ForeignKeyConstraint(["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE"),
    sa.Index("ix_webauthn_credentials_user", "pool_id", "sub"),
)

# Challenge sessions already answered (single use); kept until they would expire.
spent_sessions = sa.Table(
    "spent_sessions",
    metadata,
    sa.Column("session_id", sa.String(64), primary_key=True),
    sa.Column("expires", sa.Float, nullable=False),
    sa.Index("ix_spent_sessions_expires", "expires"),
)
