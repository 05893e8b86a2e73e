"""The outbound HTTP that federation uses (``core.federation.http.HttpClient``),
implemented with httpx: one client per process, a 10 s timeout, no redirects followed
and no proxy settings taken from the environment (a provider's endpoints are
configured, never discovered through a redirect).

The client is made on the first request, not with the context: importing httpx and
building its TLS context cost a worker ~50 ms at start, for federation most
deployments never use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from poolgate.core.federation.http import HttpAnswer, UpstreamError

if TYPE_CHECKING:
    import httpx

TIMEOUT = 10.0
MAX_BODY = 1 << 20  # a discovery document, a JWKS or SAML metadata is far smaller


class HttpxClient:
    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                timeout=TIMEOUT,
                follow_redirects=False,
                trust_env=False,
                headers={"User-Agent": "Poolgate"},
            )
        return self._client

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> HttpAnswer:
        import httpx

        try:
            response = await self._http().request(
                method, url, headers=dict(headers or {}), data=dict(form) if form else None
            )
        except httpx.HTTPError as exc:
            raise UpstreamError(f"{method} {url}: {exc}") from exc
        body = response.content
        if len(body) > MAX_BODY:
            raise UpstreamError(f"{method} {url}: the answer is too large")
        return HttpAnswer(response.status_code, body, dict(response.headers))

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
