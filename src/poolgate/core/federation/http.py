"""Outbound HTTP for federation, as a protocol: core talks to identity providers
(discovery, token, userinfo, JWKS, SAML metadata) without importing an HTTP client.
The composition root implements it (``poolgate.federation_http``) and puts it on the
``Context``; tests may hand in their own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson


class UpstreamError(Exception):
    """The provider could not be reached, or answered something unusable."""


@dataclass
class HttpAnswer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            raise UpstreamError(f"not JSON (status {self.status})") from None


class HttpClient(Protocol):
    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> HttpAnswer:
        """One request; ``form`` is sent as application/x-www-form-urlencoded. Raises
        ``UpstreamError`` when the server cannot be reached. Redirects are not followed."""
        ...
