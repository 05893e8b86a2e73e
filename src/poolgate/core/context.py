"""What every core operation is given: the store, the sealer, the clock, the message
sender, the metrics recorder, the functions that run the pools' triggers and the
deployment's identity (region, account, issuer). Built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from poolgate.core.clock import Clock, system_clock
from poolgate.core.throttle.policy import ThrottlePolicy
from poolgate.crypto.sealing import Sealer
from poolgate.store.base import Store

if TYPE_CHECKING:
    from poolgate.core.federation.http import HttpClient
    from poolgate.core.keys.keyring import KeyRing
    from poolgate.core.messages.senders import Sender
    from poolgate.core.triggers.invoker import FunctionInvoker


class Metrics(Protocol):
    """What core reports for monitoring, without knowing how it is exported: the
    composition root gives ``Context.metrics`` an implementation (``poolgate.metrics``
    exports Prometheus); the default records nothing."""

    def sign_in(self, flow: str, result: str) -> None:
        """A sign-in step ended: ``flow`` is the AuthFlow or challenge answered (or
        ``HOSTED_UI``), ``result`` is ``tokens``, ``challenge`` or the error's name."""

    def tokens_issued(self, grant: str) -> None:
        """Tokens were minted for ``grant`` (``sign_in``, ``refresh``,
        ``authorization_code``, ``client_credentials``)."""

    def lockout(self) -> None:
        """A failed sign-in locked a user out (Cognito's temporary lockout)."""

    def throttled(self, what: str) -> None:
        """A request was refused for its rate (``what`` names the limit)."""

    def token_cache(self, hit: bool) -> None:
        """An access token was looked up among the verified ones (``hit``: its
        signature check was skipped)."""

    def token_cache_size(self, size_bytes: int) -> None:
        """The verified-token cache's estimated size changed."""


class NoMetrics:
    def sign_in(self, flow: str, result: str) -> None:
        pass

    def tokens_issued(self, grant: str) -> None:
        pass

    def lockout(self) -> None:
        pass

    def throttled(self, what: str) -> None:
        pass

    def token_cache(self, hit: bool) -> None:
        pass

    def token_cache_size(self, size_bytes: int) -> None:
        pass


NO_METRICS: Metrics = NoMetrics()


@dataclass
class Context:
    store: Store
    sealer: Sealer
    region: str = "us-east-1"
    account_id: str = "123456789012"
    clock: Clock = system_clock
    # "{pool_id}" is replaced by the pool's id (config.Settings.issuer_for).
    issuer_template: str = "http://127.0.0.1:9229/{pool_id}"
    # None: messages go to the store's outbox.
    sender: Sender | None = None
    # Sign-ins, tokens, lockouts for monitoring (poolgate.metrics); none by default.
    metrics: Metrics = NO_METRICS
    # The throttles' limits (core.throttle); the settings build them.
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    # The server's public address: identity providers return to
    # {public_url}/oauth2/idpresponse and {public_url}/saml2/idpresponse.
    public_url: str = "http://127.0.0.1:9229"
    # Outbound HTTP to identity providers (core.federation.http); None: federation
    # cannot reach providers (one-shot commands such as `poolgate apply`).
    http: HttpClient | None = None
    # The deployment's [[functions]], which run the pools' Lambda triggers; None when
    # it declares none (a pool can then configure no trigger).
    functions: FunctionInvoker | None = None
    # Bound of the verified-token cache (config.Settings.token_cache_bytes).
    token_cache_bytes: int = 16 * 1024 * 1024
    keyring: KeyRing = field(init=False)

    def __post_init__(self) -> None:
        from poolgate.core.keys.keyring import KeyRing

        self.keyring = KeyRing(self)

    async def close(self) -> None:
        close_http = getattr(self.http, "close", None)
        if close_http is not None:
            await close_http()
        if self.functions is not None:
            await self.functions.close()
        await self.store.close()

    def issuer(self, pool_id: str) -> str:
        return self.issuer_template.replace("{pool_id}", pool_id)

    def pool_id_from_issuer(self, issuer: str) -> str | None:
        """The pool an ``iss`` claim names, if it has this deployment's form."""
        prefix, _, suffix = self.issuer_template.partition("{pool_id}")
        if not issuer.startswith(prefix) or not issuer.endswith(suffix):
            return None
        pool_id = issuer[len(prefix) : len(issuer) - len(suffix)]
        return pool_id if pool_id and "/" not in pool_id else None
