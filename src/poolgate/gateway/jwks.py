"""Issuers' signing keys, fetched over HTTP as API Gateway fetches them.

The key set is found through OIDC discovery (``{issuer}/.well-known/openid-configuration``
names the ``jwks_uri``), falling back to ``{issuer}/.well-known/jwks.json`` where an
issuer publishes no discovery document. Keys are kept in memory; a token signed with a
``kid`` the cached set does not hold makes the set refetch, at most once per
``refresh_interval`` so a stream of tokens with made-up ``kid`` values cannot turn the
gateway into a load generator against the identity provider.

JWT authorizers "check the token's algorithm and signature by using the public key
that is fetched from the issuer's jwks_uri. Currently, only RSA-based algorithms are
supported." (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt

__all__ = ["KeySet", "KeySetUnavailable", "KeySets"]

log = logging.getLogger("poolgate.gateway")

RSA_ALGORITHMS = ("RS256", "RS384", "RS512")


class KeySetUnavailable(Exception):
    """The issuer's keys could not be fetched (network failure, server error)."""


class KeySet:
    def __init__(
        self,
        http: httpx.AsyncClient,
        issuer: str,
        *,
        refresh_interval: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.issuer = issuer.rstrip("/")
        self.refresh_interval = refresh_interval
        self._monotonic = monotonic
        self._keys: dict[str, jwt.PyJWK] | None = None
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def key(self, kid: str) -> jwt.PyJWK | None:
        """The key with ``kid``, fetching or refetching the set when it may be new."""
        keys = self._keys
        if keys is not None and kid in keys:
            return keys[kid]
        async with self._lock:
            # Another request may have refreshed the set while this one waited.
            if self._keys is not None and kid in self._keys:
                return self._keys[kid]
            fresh_enough = self._monotonic() - self._fetched_at < self.refresh_interval
            if self._keys is None or not fresh_enough:
                await self._fetch()
            assert self._keys is not None
            return self._keys.get(kid)

    async def _fetch(self) -> None:
        self.fetches += 1
        try:
            uri = await self._jwks_uri()
            if uri is None:
                self._store({})
                return
            response = await self.http.get(uri)
            if response.status_code == 404:
                self._store({})
                return
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            # A failed fetch does not wait out the refresh interval: the next request
            # tries again (after the same interval, so an outage is not hammered).
            self._fetched_at = self._monotonic()
            raise KeySetUnavailable(f"cannot fetch the keys of {self.issuer}: {exc}") from exc
        self._store(_parse_keys(document, self.issuer))

    async def _jwks_uri(self) -> str | None:
        response = await self.http.get(f"{self.issuer}/.well-known/openid-configuration")
        if response.status_code == 404:
            return f"{self.issuer}/.well-known/jwks.json"
        response.raise_for_status()
        uri = response.json().get("jwks_uri")
        if not isinstance(uri, str) or not uri:
            raise ValueError("the discovery document names no jwks_uri")
        return uri

    def _store(self, keys: dict[str, jwt.PyJWK]) -> None:
        self._keys = keys
        self._fetched_at = self._monotonic()


def _parse_keys(document: Any, issuer: str) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise KeySetUnavailable(f"the key set of {issuer} has no 'keys' array")
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or "kid" not in entry:
            continue
        if entry.get("use", "sig") != "sig":
            continue
        try:
            keys[str(entry["kid"])] = jwt.PyJWK(entry, algorithm=entry.get("alg", "RS256"))
        except jwt.PyJWTError as exc:
            log.warning("ignoring a key of %s: %s", issuer, exc)
    return keys


class KeySets:
    """One ``KeySet`` per issuer, shared by every authorizer of the gateway."""

    def __init__(self, http: httpx.AsyncClient, *, refresh_interval: float = 10.0) -> None:
        self.http = http
        self.refresh_interval = refresh_interval
        self._sets: dict[str, KeySet] = {}

    def for_issuer(self, issuer: str) -> KeySet:
        key_set = self._sets.get(issuer)
        if key_set is None:
            key_set = KeySet(self.http, issuer, refresh_interval=self.refresh_interval)
            self._sets[issuer] = key_set
        return key_set
