"""What core reports for monitoring, without knowing how it is exported.

The composition root gives ``Context.metrics`` an implementation (``poolgate.metrics``
exports Prometheus); the default records nothing, so tests and one-shot commands pay
nothing for it.
"""

from __future__ import annotations

from typing import Protocol


class Metrics(Protocol):
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


class NoMetrics:
    def sign_in(self, flow: str, result: str) -> None:
        pass

    def tokens_issued(self, grant: str) -> None:
        pass

    def lockout(self) -> None:
        pass

    def throttled(self, what: str) -> None:
        pass


NO_METRICS: Metrics = NoMetrics()
