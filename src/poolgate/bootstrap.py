"""Opening a deployment's state: the master key from the data directory, the store
(migrated on open) and the ``Context`` every core operation takes.

The server and the one-shot commands (``poolgate apply``) open it the same way, so a
command run against a data directory sees exactly what the server there would. In the
server, the identity provider and the gateway share one context per process
(``SharedContext``): one store, one cache, one view of revocations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from poolgate import datadir
from poolgate.config import ConfigError, Settings, parse_quotas
from poolgate.core.admins import accounts
from poolgate.core.admins import pool as admins_pool
from poolgate.core.admins.pool import ConsoleSetup
from poolgate.core.clock import system_clock
from poolgate.core.context import Context
from poolgate.core.keys.master_key import verify_master_key
from poolgate.core.throttle.policy import Rate, ThrottlePolicy
from poolgate.crypto.sealing import Sealer, load_or_create_master_key
from poolgate.federation_http import HttpxClient
from poolgate.functions.invoker import RuntimeInvoker
from poolgate.functions.runtime import FunctionRuntime
from poolgate.functions.spec import FunctionSpec
from poolgate.mail.senders import settings_sender
from poolgate.store.sql import EngineOptions, SqlStore


def engine_options(settings: Settings, application_name: str = "poolgate") -> EngineOptions:
    """How this process connects to the database, from the ``[database]`` settings."""
    from poolgate import metrics

    return EngineOptions(
        application_name=application_name,
        pool_size=settings.database_pool_size,
        idle_timeout=float(settings.database_idle_timeout),
        max_lifetime=float(settings.database_max_lifetime),
        connect_timeout=float(settings.database_connect_timeout),
        sqlite_synchronous=settings.sqlite_synchronous.upper(),
        on_pool_change=metrics.recorder().pool_change,
    )


def throttle_policy(settings: Settings) -> ThrottlePolicy:
    """The throttles' limits from the settings (checked when they were loaded)."""
    return ThrottlePolicy(
        sign_in_failures_per_address=Rate.parse(settings.throttle_sign_in_failures_per_address),
        code_sends_per_address=Rate.parse(settings.throttle_code_sends_per_address),
        limit_loopback=settings.throttle_loopback,
        quotas=parse_quotas(settings.quotas),
    )


def declared_functions(settings: Settings, config_dir: Path | None) -> list[FunctionSpec]:
    """The ``[[functions]]`` of the configuration file (code directories relative to
    ``config_dir``), which run the gateway's routes and the pools' triggers. A function
    with ``admin_credentials`` gets the admin key in its environment, as a Lambda gets
    its execution role's credentials, with the endpoint boto3 should call."""
    from poolgate.admin_keys import find_admin_key
    from poolgate.gateway.config_functions import function_spec, parse_functions

    sections = settings.extra.get("functions")
    if not sections:
        return []
    problems: list[str] = []
    found = parse_functions(sections, config_dir or Path.cwd(), problems)
    if problems:
        raise ConfigError(f"[[functions]]: {problems[0]}")
    credentials: dict[str, str] | None = None
    key = find_admin_key(settings) if any(f.admin_credentials for f in found.values()) else None
    if key is not None:
        credentials = {
            "AWS_ACCESS_KEY_ID": key.access_key_id,
            "AWS_SECRET_ACCESS_KEY": key.secret_access_key,
            "AWS_DEFAULT_REGION": settings.region,
            "AWS_REGION": settings.region,
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": settings.effective_public_url,
        }
    return [function_spec(function, credentials) for function in found.values()]


def function_invoker(settings: Settings, functions: Sequence[FunctionSpec]) -> RuntimeInvoker:
    """The functions runtime of this process (its workers start on first use)."""
    runtime = FunctionRuntime(
        log_dir=settings.data_dir / "logs", region=settings.region, account_id=settings.account_id
    )
    for spec in functions:
        runtime.register(spec)
    return RuntimeInvoker(runtime)


async def open_context(
    settings: Settings,
    *,
    application_name: str = "poolgate",
    outbound_http: bool = False,
    functions: Sequence[FunctionSpec] = (),
) -> Context:
    """The context over a freshly opened store; the caller closes it (``ctx.close``).

    Refuses (``MasterKeyMismatch``) a master key other than the one that sealed the
    database, before anything is served with it. ``outbound_http``: give it the HTTP
    client federation uses to reach identity providers (the server does; one-shot
    commands do not need it). ``functions``: the deployment's declared functions, which
    the pools' triggers run."""
    from poolgate import metrics

    datadir.prepare(settings.data_dir)
    sealer = Sealer(load_or_create_master_key(settings.master_key, settings.data_dir))
    store = await SqlStore.open(
        settings.effective_database_url, options=engine_options(settings, application_name)
    )
    try:
        await verify_master_key(store, sealer, system_clock())
    except BaseException:
        await store.close()
        raise
    return Context(
        store=store,
        sealer=sealer,
        region=settings.region,
        account_id=settings.account_id,
        issuer_template=settings.issuer_template,
        sender=settings_sender(settings, store),
        metrics=metrics.recorder(),
        throttle=throttle_policy(settings),
        public_url=settings.effective_public_url,
        http=HttpxClient() if outbound_http else None,
        functions=function_invoker(settings, functions) if functions else None,
        token_cache_bytes=settings.token_cache_bytes,
    )


def console_setup(settings: Settings) -> ConsoleSetup:
    return ConsoleSetup(
        public_url=settings.effective_public_url,
        mfa=settings.console_mfa,
        session_minutes=settings.console_session_minutes,
    )


async def ensure_console(ctx: Context, settings: Settings) -> str | None:
    """At start: the administrators' pool kept as the console needs it (when there is
    one), and the bootstrap administrator created while it has no user. What to log,
    if anything. Several processes may run it at once; the outcome is the same."""
    if not settings.console:
        return None
    setup = console_setup(settings)
    username = settings.bootstrap_admin_username.strip()
    if username:
        done = await accounts.bootstrap(ctx, setup, username, settings.bootstrap_admin_password)
        if done.created:
            return (
                f"created the bootstrap administrator {username!r} (pool {done.pool_id}); "
                f"sign in at {setup.public_url}/admin/ and choose a new password"
            )
        return None
    if await admins_pool.exists(ctx):
        await admins_pool.ensure(ctx, setup)
    return None


class SharedContext:
    """One context per process for every app that serves in it: opened by the first
    app's startup, closed by the last app's shutdown."""

    def __init__(self, settings: Settings, functions: Sequence[FunctionSpec] = ()) -> None:
        self.settings = settings
        self.functions = list(functions)
        self._ctx: Context | None = None
        self._users = 0
        self._lock = asyncio.Lock()

    async def acquire(self) -> Context:
        async with self._lock:
            if self._ctx is None:
                self._ctx = await open_context(
                    self.settings, outbound_http=True, functions=self.functions
                )
            self._users += 1
            return self._ctx

    async def release(self) -> None:
        async with self._lock:
            self._users -= 1
            if self._users == 0 and self._ctx is not None:
                ctx, self._ctx = self._ctx, None
                await ctx.close()

    @property
    def runtime(self) -> FunctionRuntime | None:
        """The functions runtime the context's triggers use, for the gateway to share."""
        invoker = self.ctx.functions
        return invoker.runtime if isinstance(invoker, RuntimeInvoker) else None

    @property
    def ctx(self) -> Context:
        """The open context (between an app's startup and its shutdown)."""
        if self._ctx is None:
            raise RuntimeError("the shared context is not open")
        return self._ctx
