"""What the identity provider does to every request before an adapter sees it, in the
order a request meets them (``stack``):

- ``request_info``  the source address, a request id and the user agent, handed to
                    core (``core.audit.request_info``) for the throttles and the audit
- ``hosts``         only the public URL's host and loopback names (DNS rebinding)
- ``body_limit``    a body larger than allowed is refused before it is read (413)
- ``hsts``          Strict-Transport-Security when the public URL is https

``http_limits`` bounds the request line and headers one level lower, in the HTTP
parser itself, for both listeners (the identity provider and the gateway).
"""

from __future__ import annotations

from starlette.middleware import Middleware

from poolgate.config import Settings
from poolgate.middleware.body_limit import BodyLimit
from poolgate.middleware.hosts import HostCheck
from poolgate.middleware.hsts import Hsts
from poolgate.middleware.request_info import RequestInfoMiddleware

__all__ = ["stack"]


def stack(settings: Settings) -> list[Middleware]:
    """The identity provider's middleware, outermost first."""
    layers = [Middleware(RequestInfoMiddleware)]
    if settings.https:
        layers.append(Middleware(Hsts))
    layers += [
        Middleware(HostCheck, names=settings.host_names),
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
    ]
    return layers
