"""What core keeps about pools, clients, domains and keys.

A pool's and a client's configuration is kept in Cognito's own vocabulary (the members
of ``UserPoolType`` / ``UserPoolClientType``: ``Policies``, ``SchemaAttributes``,
``ExplicitAuthFlows``...). Those names are the domain language users and AWS's
documentation share, so translating them into a second vocabulary would only add a
mapping to keep in step. Identity, dates and secrets live in typed fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Settings = dict[str, Any]


# Pools and clients are read on every request and shared through the store's cache:
# frozen, and never changed in place (dataclasses.replace with new settings dicts).
@dataclass(frozen=True)
class UserPool:
    id: str
    name: str
    arn: str
    created: float
    modified: float
    settings: Settings
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AppClient:
    id: str
    pool_id: str
    name: str
    created: float
    modified: float
    settings: Settings
    # The client secret sealed with the master key; None for public clients.
    secret_sealed: bytes | None = None


@dataclass
class PoolDomain:
    domain: str
    pool_id: str
    created: float
    settings: Settings = field(default_factory=dict)


@dataclass
class SigningKey:
    kid: str
    pool_id: str
    # "id" or "access": Cognito signs each token type with its own key.
    use: str
    public_jwk: dict[str, str]
    private_sealed: bytes
    created: float
    # "active" keys sign from ``signs_from`` (None: from ``created``) until a newer
    # active key of the same use starts; "retired" keys never sign. A key with
    # ``retire_after`` is published (verifies) until then; without, for good.
    status: str = "active"
    retire_after: float | None = None
    signs_from: float | None = None


@dataclass
class User:
    pool_id: str
    # The username as stored; for pools that sign in by email/phone (UsernameAttributes)
    # Cognito generates it (a UUID). It is the USER_ID_FOR_SRP, so it never changes.
    username: str
    sub: str
    status: str  # UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, ...
    enabled: bool
    created: float
    modified: float
    # Cognito attribute name -> string value, as AdminGetUser lists them (sub included).
    attributes: dict[str, str]
    # The sealed SRP verifier (salt and v); None for users without a password.
    credential_sealed: bytes | None = None
    # Lockout, temporary-password expiry, MFA and other per-user state.
    state: dict[str, Any] = field(default_factory=dict)
    # Lookup keys, normalised by the pool's case sensitivity (core.users.index_keys).
    username_key: str = ""
    email_key: str | None = None
    phone_key: str | None = None
    preferred_username_key: str | None = None
    name_key: str | None = None
    given_name_key: str | None = None
    family_name_key: str | None = None


@dataclass
class Code:
    """A one-time code (sign-up, forgot password, attribute verification), hashed."""

    pool_id: str
    sub: str
    purpose: str
    code_hash: str
    created: float
    expires: float
    attempts: int = 0
    destination: str = ""


@dataclass
class RefreshToken:
    token_hash: str
    pool_id: str
    client_id: str
    sub: str
    # The id shared by every access and id token minted from this refresh token.
    origin_jti: str
    auth_time: int
    created: float
    expires: float
    revoked: float | None = None
    # Scopes granted through OAuth; None for the API flows (aws.cognito.signin.user.admin).
    scope: str | None = None
    # The device key of the sign-in when the pool tracks devices.
    device_key: str | None = None


@dataclass
class Message:
    """A message to a user (code, invitation), kept in the outbox or sent by SMTP."""

    channel: str  # EMAIL or SMS
    recipient: str
    subject: str
    body: str
    created: float
    pool_id: str | None = None
    username: str | None = None
    purpose: str = ""
    id: int | None = None
    # When the code (or temporary password) in the message expires, and that value:
    # the outbox keeps it in clear only until then (store.redact_expired_messages).
    expires: float | None = None
    secret: str | None = field(default=None, repr=False)


@dataclass
class Group:
    pool_id: str
    name: str
    created: float
    modified: float
    description: str | None = None
    precedence: int | None = None
    role_arn: str | None = None


@dataclass
class ResourceServer:
    pool_id: str
    identifier: str
    name: str
    # [{"ScopeName": ..., "ScopeDescription": ...}]
    scopes: list[dict[str, str]]
    created: float
    modified: float


@dataclass
class UICustomization:
    pool_id: str
    # "ALL" for the pool's default, else a client id.
    client_id: str
    version: str
    created: float
    modified: float
    css: str | None = None
    image: bytes | None = None
    image_type: str | None = None


@dataclass
class AuthorizationCode:
    code_hash: str
    pool_id: str
    client_id: str
    sub: str
    # redirect_uri, scope, nonce, code_challenge, code_challenge_method, auth_time
    grant: dict[str, Any]
    created: float
    expires: float
    used: float | None = None


@dataclass
class AuthEvent:
    """One entry of the audit trail: a sign-in, sign-up, password change or reset, a
    code sent, an administrator's action, an OAuth error (core.audit)."""

    event_id: str
    event_type: str
    outcome: str  # Pass, Fail or InProgress (Cognito's EventResponseType)
    created: float
    pool_id: str | None = None
    sub: str | None = None
    client_id: str | None = None
    source_ip: str | None = None
    request_id: str | None = None
    user_agent: str | None = None
    # Who acted when it is not the user: an admin access key id, a console administrator.
    actor: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # {"FeedbackValue", "Provider", "FeedbackDate"} once feedback was given.
    feedback: dict[str, Any] | None = None


@dataclass
class IdentityProvider:
    """A user pool's third-party identity provider (CreateIdentityProvider)."""

    pool_id: str
    name: str
    # SAML, OIDC, Google, Facebook, LoginWithAmazon or SignInWithApple.
    type: str
    # ProviderDetails as configured, without the secret ones.
    details: Settings
    attribute_mapping: dict[str, str]
    idp_identifiers: list[str]
    created: float
    modified: float
    # The secret details (client_secret, private_key) as JSON, sealed with the master key.
    secrets_sealed: bytes | None = None


@dataclass
class FederatedIdentity:
    """Who signs in when a provider's user does: the federated user Poolgate created,
    or the user an administrator linked (AdminLinkProviderForUser)."""

    pool_id: str
    provider_name: str
    # "Cognito_Subject" (the provider's own user id) or a mapped user pool attribute.
    attribute_name: str
    attribute_value: str
    sub: str
    created: float


@dataclass
class SamlKey:
    """The pool's key pair for SAML: it signs requests and decrypts assertions; its
    self-signed certificate is GetSigningCertificate's answer."""

    pool_id: str
    certificate: str  # base64 DER, as GetSigningCertificate returns it
    private_sealed: bytes
    created: float


@dataclass
class Device:
    """A device a user signed in from with device tracking on (Cognito's "remembered
    devices"): its key, and once ConfirmDevice ran, the device's SRP verifier (sealed)."""

    pool_id: str
    sub: str
    device_key: str
    group_key: str
    created: float
    modified: float
    # DeviceAttributes as Cognito lists them (device_name, device_status...).
    attributes: dict[str, str] = field(default_factory=dict)
    # The sealed SRP verifier (salt and v) of ConfirmDevice; None until confirmed.
    verifier_sealed: bytes | None = None
    last_authenticated: float | None = None


@dataclass
class WebAuthnCredential:
    """A passkey registered by a user (CompleteWebAuthnRegistration)."""

    pool_id: str
    sub: str
    # The credential id, base64url without padding, as WebAuthn's JSON carries it.
    credential_id: str
    public_key: bytes
    sign_count: int
    relying_party_id: str
    created: float
    friendly_name: str | None = None
    authenticator_attachment: str | None = None
    transports: list[str] = field(default_factory=list)
