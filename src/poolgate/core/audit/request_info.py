"""Where the request being served came from, for the throttles and the audit trail:
the source address, the request id, the user agent and, once an adapter has
authenticated one, the actor (an admin access key, a console administrator).

Core knows nothing of HTTP, so the adapters' middleware fills this in per request
(``poolgate.middleware.request_info``) and core reads it with ``current()``. A context
variable rather than a parameter: every core operation would otherwise carry it through
a dozen signatures to the two places that need it. Each request runs in a task of its
own, so one request never sees another's. Outside a request (``poolgate apply``, tests
calling core directly) it is empty, and the per-address throttles do not apply.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    source_ip: str | None = None
    request_id: str | None = None
    user_agent: str | None = None
    # Who acts when it is not an end user: "admin-key:AKPG...", "console:alice".
    actor: str | None = None

    @property
    def address_key(self) -> str | None:
        """The key the per-address throttles count under: the address, or for IPv6 its
        /64 network (one subscriber usually holds a whole /64)."""
        if not self.source_ip:
            return None
        try:
            address = ipaddress.ip_address(self.source_ip)
        except ValueError:
            return self.source_ip[:64]
        if isinstance(address, ipaddress.IPv6Address):
            if address.ipv4_mapped is not None:
                return str(address.ipv4_mapped)
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        return str(address)

    @property
    def loopback(self) -> bool:
        if not self.source_ip:
            return False
        try:
            return ipaddress.ip_address(self.source_ip).is_loopback
        except ValueError:
            return False


_NONE = RequestInfo()
_current: ContextVar[RequestInfo | None] = ContextVar("poolgate_request_info", default=None)


def current() -> RequestInfo:
    return _current.get() or _NONE


def use(info: RequestInfo) -> Token[RequestInfo | None]:
    """Make ``info`` the current request's (the caller resets it with the token)."""
    return _current.set(info)


def reset(token: Token[RequestInfo | None]) -> None:
    _current.reset(token)


def set_actor(actor: str) -> None:
    """Name who acts in the rest of this request (after the adapter authenticated it)."""
    _current.set(dataclasses.replace(current(), actor=actor))
