"""Which function answers each Cognito operation.

Adapter modules register with ``@operation("Name")``; a handler takes the core
context and the validated request and returns the response body.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from poolgate.core.context import Context

Params = dict[str, Any]
Handler = Callable[[Context, Params], Awaitable[dict[str, Any]]]

HANDLERS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in HANDLERS:
            raise RuntimeError(f"operation {name} registered twice")
        HANDLERS[name] = handler
        return handler

    return register


def load_handlers() -> dict[str, Handler]:
    """Import every adapter module so its operations register."""
    from poolgate.awsjson import (  # noqa: F401
        auth,
        auth_events,
        clients,
        devices,
        domains,
        groups,
        identity_providers,
        mfa,
        pools,
        recovery,
        resource_servers,
        self_service,
        tags,
        ui_customization,
        users,
        webauthn,
    )

    return HANDLERS
