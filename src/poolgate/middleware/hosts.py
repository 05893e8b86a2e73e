"""Refuse a request whose ``Host`` is neither the public URL's host, an allowed host
(setting ``allowed_hosts``) nor a loopback name, with 403 and before anything else runs.

A page on another site can make a browser send requests to ``127.0.0.1`` under a name
it controls (DNS rebinding); those carry the attacker's name in ``Host``, so checking
it keeps the server's answers (the mailbox's codes above all) from that page.

The health probes (``/health``, ``/health/ready``) answer whatever the ``Host``: they
say only whether the node is up, and load balancers probe a node by its own address,
often without a ``Host`` at all (HAProxy's ``option httpchk``).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from poolgate.config import is_loopback_name
from poolgate.middleware.responses import refuse


def host_name(value: str) -> str:
    """The name in a Host header, without its port: ``[::1]:9229`` -> ``::1``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


_PROBES = frozenset({"/health", "/health/ready"})


class HostCheck:
    def __init__(self, app: ASGIApp, names: frozenset[str]) -> None:
        self.app = app
        self.names = names

    def allowed(self, host: str) -> bool:
        name = host_name(host)
        return bool(name) and (name in self.names or is_loopback_name(name))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _PROBES:
            await self.app(scope, receive, send)
            return
        host = next((v for k, v in scope["headers"] if k == b"host"), b"").decode("latin-1")
        if not self.allowed(host):
            await refuse(
                scope,
                send,
                403,
                "AccessDeniedException",
                f"Host {host[:100]!r} is not served here; configure public_url or allowed_hosts.",
            )
            return
        await self.app(scope, receive, send)
