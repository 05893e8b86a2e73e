"""Opening a deployment's state: the master key from the data directory, the store
(migrated on open) and the ``Context`` every core operation takes.

The server and the one-shot commands (``poolgate apply``) open it the same way, so a
command run against a data directory sees exactly what the server there would. In the
server, the identity provider and the gateway share one context per process
(``SharedContext``): one store, one cache, one view of revocations.
"""

from __future__ import annotations

import asyncio

from poolgate.config import Settings
from poolgate.core.context import Context
from poolgate.crypto.sealing import Sealer, load_or_create_master_key
from poolgate.federation_http import HttpxClient
from poolgate.mail.senders import settings_sender
from poolgate.store.sql import SqlStore


async def open_context(settings: Settings, *, outbound_http: bool = False) -> Context:
    """The context over a freshly opened store; the caller closes it (``ctx.close``).
    ``outbound_http``: give it the HTTP client federation uses to reach identity
    providers (the server does; one-shot commands do not need it)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    sealer = Sealer(load_or_create_master_key(settings.master_key, settings.data_dir))
    store = await SqlStore.open(settings.effective_database_url)
    return Context(
        store=store,
        sealer=sealer,
        region=settings.region,
        account_id=settings.account_id,
        issuer_template=settings.issuer_template,
        sender=settings_sender(settings, store),
        public_url=settings.effective_public_url,
        http=HttpxClient() if outbound_http else None,
    )


class SharedContext:
    """One context per process for every app that serves in it: opened by the first
    app's startup, closed by the last app's shutdown."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ctx: Context | None = None
        self._users = 0
        self._lock = asyncio.Lock()

    async def acquire(self) -> Context:
        async with self._lock:
            if self._ctx is None:
                self._ctx = await open_context(self.settings, outbound_http=True)
            self._users += 1
            return self._ctx

    async def release(self) -> None:
        async with self._lock:
            self._users -= 1
            if self._users == 0 and self._ctx is not None:
                ctx, self._ctx = self._ctx, None
                await ctx.close()

    @property
    def ctx(self) -> Context:
        """The open context (between an app's startup and its shutdown)."""
        if self._ctx is None:
            raise RuntimeError("the shared context is not open")
        return self._ctx
