"""The gateway configuration's parsed form: frozen dataclasses for functions, APIs,
their CORS settings, authorizers and routes, and AWS's limits on their values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ApiType = Literal["REST", "HTTP"]
AuthorizerType = Literal["COGNITO_USER_POOLS", "JWT"]
PayloadVersion = Literal["1.0", "2.0"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
# Lambda's limits (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
MAX_FUNCTION_TIMEOUT = 900
MIN_MEMORY_MB, MAX_MEMORY_MB = 128, 10240
# Integration timeouts: 50 ms to 29 s for REST APIs, to 30 s for HTTP APIs
# (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
MAX_INTEGRATION_TIMEOUT_MS: dict[ApiType, int] = {"REST": 29_000, "HTTP": 30_000}
MIN_INTEGRATION_TIMEOUT_MS = 50


@dataclass(frozen=True)
class FunctionConfig:
    name: str
    code_dir: Path
    handler: str
    timeout: float = 3.0
    memory_mb: int = 128
    environment: Mapping[str, str] = field(default_factory=dict)
    # Give the handler the admin key, as Lambda gives a handler its execution role's
    # credentials, so it can call the user pools' administrative API (boto3 finds the
    # endpoint in AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER).
    admin_credentials: bool = False


@dataclass(frozen=True)
class CorsConfig:
    """An HTTP API's ``CorsConfiguration``, applied to REST APIs alike."""

    allow_origins: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class AuthorizerConfig:
    name: str
    type: AuthorizerType
    # The request header carrying the token.
    header: str = "Authorization"
    # COGNITO_USER_POOLS: pool names or ids, resolved through the store.
    user_pools: tuple[str, ...] = ()
    # COGNITO_USER_POOLS: a regular expression an id token's ``aud`` must match.
    identity_validation_expression: str | None = None
    # JWT
    issuer: str = ""
    audience: tuple[str, ...] = ()
    # Refuse tokens of signed-out, disabled or deleted users and revoked tokens, for
    # the pools of this deployment (API Gateway does not: it trusts a token until it
    # expires). ``check_revocation = false`` in [[apis]] or [[apis.authorizers]].
    check_revocation: bool = True


@dataclass(frozen=True)
class RouteConfig:
    method: str
    path: str
    function: str | None = None
    upstream: str | None = None
    authorizer: str | None = None
    scopes: tuple[str, ...] = ()
    payload_version: PayloadVersion = "1.0"
    timeout_ms: int = 29_000

    @property
    def route_key(self) -> str:
        """``GET /hello/{name}``, as HTTP APIs name routes."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class ApiConfig:
    name: str
    type: ApiType
    id: str
    stage: str
    stage_prefix: bool
    routes: tuple[RouteConfig, ...]
    authorizers: Mapping[str, AuthorizerConfig] = field(default_factory=dict)
    cors: CorsConfig | None = None
    stage_variables: Mapping[str, str] | None = None


@dataclass(frozen=True)
class GatewayConfig:
    functions: Mapping[str, FunctionConfig]
    apis: tuple[ApiConfig, ...]
