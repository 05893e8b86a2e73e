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


@dataclass
class UserPool:
    id: str
    name: str
    arn: str
    created: float
    modified: float
    settings: Settings
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
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
    # "active" keys sign; "retired" keys only verify until ``retire_after``.
    status: str = "active"
    retire_after: float | None = None
