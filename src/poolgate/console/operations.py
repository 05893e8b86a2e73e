"""The console's admin API: Cognito's own operations, run as ``POST /`` runs them.

Every change the console makes is a Cognito operation (CreateUserPool,
AdminCreateUser, ...) with the request a boto3 caller would send: checked against
botocore's model by the same validation (``awsjson.validation``), handled by the same
function (``awsjson.registry``), recorded in the audit trail the same way
(``awsjson.admin_actions``), under the administrator's name (the request's actor is
``console:NAME``, set by the session check). So a form refuses exactly what the API
refuses, with the API's message, and what the console does is what boto3 then sees.
Only the authentication differs: the console session and its CSRF token instead of
SigV4 with the admin key, which never reaches a browser.
"""

from __future__ import annotations

from typing import Any

from poolgate.awsjson import admin_actions
from poolgate.awsjson.model import ServiceModel, service_model
from poolgate.awsjson.registry import Handler, load_handlers
from poolgate.awsjson.validation import validate_request
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError, UnsupportedOperationException
from poolgate.core.pools import pools

_NOT_POOL_SETTINGS = {"PoolName", "UserPoolTags", "UserPoolId"}


class Operations:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.model: ServiceModel = service_model()
        self.handlers: dict[str, Handler] = load_handlers()

    def check(self, name: str, params: dict[str, Any]) -> None:
        """Validate ``params`` as ``name``'s request, without running it."""
        operation = self.model.operation(name)
        assert operation is not None, name
        validate_request(self.model, operation, params)

    async def call(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run the operation; its Cognito error propagates (the page shows its message)."""
        operation = self.model.operation(name)
        assert operation is not None, name
        audited = not operation.public
        try:
            validate_request(self.model, operation, params)
            handler = self.handlers.get(name)
            if handler is None:
                raise UnsupportedOperationException(f"Poolgate does not implement {name} yet.")
            result = await handler(self.ctx, params)
        except CognitoError as error:
            if audited:
                await admin_actions.record(self.ctx, name, params, error)
            raise
        if audited:
            await admin_actions.record(self.ctx, name, params, None, result)
        return result

    async def update_pool(self, update: dict[str, Any], mfa: dict[str, Any]) -> None:
        """UpdateUserPool and SetUserPoolMfaConfig as one write, as ``poolgate apply``
        makes them, so a refused MFA choice leaves the pool as it was and the pool is
        never seen with one change and not the other; checked and recorded as the two
        operations."""
        mfa = {**mfa, "UserPoolId": update["UserPoolId"]}
        try:
            self.check("UpdateUserPool", update)
            self.check("SetUserPoolMfaConfig", mfa)
            await pools.update_user_pool(
                self.ctx,
                update["UserPoolId"],
                {k: v for k, v in update.items() if k not in _NOT_POOL_SETTINGS},
                name=update.get("PoolName"),
                tags=update.get("UserPoolTags"),
                mfa={k: v for k, v in mfa.items() if k != "UserPoolId"},
            )
        except CognitoError as error:
            await admin_actions.record(self.ctx, "UpdateUserPool", update, error)
            raise
        await admin_actions.record(self.ctx, "UpdateUserPool", update, None)
        await admin_actions.record(self.ctx, "SetUserPoolMfaConfig", mfa, None)

    async def pages(
        self,
        name: str,
        params: dict[str, Any],
        items: str,
        token: str = "NextToken",
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        """Every item of a short listing (clients, groups of a user, resource servers),
        following its pages up to ``limit`` items."""
        found: list[dict[str, Any]] = []
        request = dict(params)
        while len(found) < limit:
            page = await self.call(name, request)
            found.extend(page.get(items) or [])
            if not page.get(token):
                break
            request[token] = page[token]
        return found[:limit]
