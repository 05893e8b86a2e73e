"""The outbound HTTP that federation uses (``core.federation.http.HttpClient``),
implemented with httpx: one client per process, a 10 s timeout, no redirects followed
and no proxy settings taken from the environment (a provider's endpoints are
configured, never discovered through a redirect)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from poolgate.core.federation.http import HttpAnswer, UpstreamError

TIMEOUT = 10.0
MAX_BODY = 1 << 20  # a discovery document, a JWKS or SAML metadata is far smaller


class HttpxClient:
    def __init__(self) -> None:
        self._client = httpx.AsyncClient(
            timeout=TIMEOUT,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": "Poolgate"},
        )

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> HttpAnswer:
        try:
            response = await self._client.request(
                method, url, headers=dict(headers or {}), data=dict(form) if form else None
            )
        except httpx.HTTPError as exc:
            raise UpstreamError(f"{method} {url}: {exc}") from exc
        body = response.content
        if len(body) > MAX_BODY:
            raise UpstreamError(f"{method} {url}: the answer is too large")
        return HttpAnswer(response.status_code, body, dict(response.headers))

    async def close(self) -> None:
        await self._client.aclose()
