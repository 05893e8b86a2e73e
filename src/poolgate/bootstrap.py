"""Opening a deployment's state: the master key from the data directory, the store
(migrated on open) and the ``Context`` every core operation takes.

The server and the one-shot commands (``poolgate apply``) open it the same way, so a
command run against a data directory sees exactly what the server there would.
"""

from __future__ import annotations

from poolgate.config import Settings
from poolgate.core.context import Context
from poolgate.core.messages.templates import settings_sender
from poolgate.crypto.sealing import Sealer, load_or_create_master_key
from poolgate.store.sql import SqlStore


async def open_context(settings: Settings) -> Context:
    """The context over a freshly opened store; the caller closes ``ctx.store``."""
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
    )
