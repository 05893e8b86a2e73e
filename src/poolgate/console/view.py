"""What every console page shares: the console's state (``Console``), the checks made
before any page runs (``guarded``: a session, the CSRF token of a post, the actor for
the audit trail), and the page being answered (``View``).

Without a session a page answers nothing of the deployment's: a GET is sent to sign
in, anything else is refused with 401. A post without the session's CSRF token is
refused with 403 before its form is looked at any further.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from poolgate.awsjson import shapes
from poolgate.console import render, session
from poolgate.console.operations import Operations
from poolgate.console.session import Admin
from poolgate.core.admins import pool as admins_pool
from poolgate.core.admins.pool import Administrators, ConsoleSetup
from poolgate.core.audit import request_info
from poolgate.core.context import Context
from poolgate.core.errors import (
    CognitoError,
    InvalidParameterException,
    ResourceNotFoundException,
    UserNotFoundException,
)
from poolgate.core.pools import clients, pools

_ADMINISTRATORS_TTL = 30.0


class Console:
    """The console's state in one process: core's context, the operations, where the
    administrators' pool is (looked up again every half minute, so a pool made by
    ``poolgate admin create`` or another node is found)."""

    def __init__(self, ctx: Context, setup: ConsoleSetup, *, mailbox_url: str | None) -> None:
        self.ctx = ctx
        self.setup = setup
        self.ops = Operations(ctx)
        self.mailbox_url = mailbox_url
        self._administrators: Administrators | None = None
        self._checked = float("-inf")

    async def administrators(self) -> Administrators | None:
        """The administrators' pool and the console's client as they are now (the
        records come from the store's cache, kept current on every write)."""
        now = time.monotonic()
        found = self._administrators
        if found is None or now - self._checked > _ADMINISTRATORS_TTL:
            found = self._administrators = await admins_pool.find(self.ctx)
            self._checked = now
            return found
        pool = await pools.find_pool(self.ctx, found.pool.id)
        client = await clients.find_client(self.ctx, found.client.id)
        if pool is None or client is None:
            self._administrators = None
            return await self.administrators()
        return Administrators(pool, client)


@dataclass
class View:
    """The page being answered: the request, the administrator, the form posted."""

    console: Console
    request: Request
    admin: Admin
    administrators: Administrators
    form: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, UploadFile] = field(default_factory=dict)

    @property
    def ctx(self) -> Context:
        return self.console.ctx

    @property
    def ops(self) -> Operations:
        return self.console.ops

    async def pool(self) -> dict[str, Any]:
        """The pool the page's path names, as DescribeUserPool describes it but without
        the user count (a million users cost more to count than the page to render);
        ResourceNotFoundException answers 404."""
        found = await pools.require_pool(self.ctx, self.param("pool_id"))
        described = shapes.pool_description(found, None)
        del described["EstimatedNumberOfUsers"]
        return described

    def param(self, name: str) -> str:
        return str(self.request.path_params.get(name, ""))

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def values(self, name: str) -> list[str]:
        """Every value posted under ``name`` (checkboxes, repeated fields)."""
        return [v for v in self.lists.get(name, []) if v != ""]

    def is_administrators_pool(self, pool_id: str) -> bool:
        return pool_id == self.administrators.pool.id

    def page(self, template: str, *, status: int = 200, **values: Any) -> Response:
        notice = render.notice_of(self.ctx, self.request)
        response = render.page(
            template,
            status=status,
            admin=self.admin,
            csrf_field=session.CSRF_FIELD,
            csrf_token=self.admin.csrf_token,
            mailbox_url=self.console.mailbox_url,
            administrators_pool=self.administrators.pool.id,
            notice=notice,
            path=self.request.url.path,
            **values,
        )
        render.clear_notice(self.request, response)
        return response

    def action(self, actions: dict[str, tuple[str, str]]) -> tuple[str, str, str]:
        """The path's ``action`` with its Cognito operation and the notice it leaves;
        an action the page does not offer is refused."""
        action = self.param("action")
        if action not in actions:
            raise InvalidParameterException(f"Unknown action {action!r}.")
        return action, *actions[action]

    def done(self, path: str, notice: str) -> Response:
        return render.done(self.ctx, self.request, path, notice)


Handler = Callable[[View], Awaitable[Response]]


def plain_page(template: str, *, status: int, **values: Any) -> Response:
    """A page for someone who is not signed in (no navigation, no form token)."""
    return render.page(template, status=status, admin=None, **values)


def guarded(get_console: Callable[[], Console], handler: Handler) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        console = get_console()
        administrators = await console.administrators()
        admin = await session.current_admin(console.ctx, request, administrators)
        if admin is None or administrators is None:
            if request.method in ("GET", "HEAD"):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return render.redirect(f"/admin/login?next={quote(target, safe='')}")
            return plain_page(
                "message.html",
                status=401,
                title="Your console session has ended",
                message="Sign in again to continue; nothing was changed.",
                link=("/admin/login", "Sign in"),
            )
        if admins_pool.open_to_sign_up(administrators.pool):
            return plain_page(
                "message.html",
                status=403,
                title="The console is locked",
                message="The administrators' pool allows anyone to sign up, so no session "
                "of it may administer Poolgate. Turn sign-up off again "
                "(AdminCreateUserConfig.AllowAdminCreateUserOnly) with the admin key, or "
                "restart Poolgate, which turns it off.",
            )
        view = View(console, request, admin, administrators)
        if request.method == "POST":
            posted = await request.form()
            if not session.csrf_ok(admin, posted.get(session.CSRF_FIELD)):  # type: ignore[arg-type]
                return plain_page(
                    "message.html",
                    status=403,
                    title="This form has expired",
                    message="The form could not be verified (its security token is missing "
                    "or belongs to another sign-in). Go back, reload the page and try again.",
                )
            for key, value in posted.multi_items():
                if isinstance(value, str):
                    view.lists.setdefault(key, []).append(value)
                    view.form.setdefault(key, value)
                elif isinstance(value, UploadFile):
                    view.files[key] = value
        request_info.set_actor(f"console:{admin.username}")
        try:
            return await handler(view)
        except (ResourceNotFoundException, UserNotFoundException) as error:
            return view.page(
                "message.html",
                status=404,
                title="Not found",
                message=error.message,
                link=("/admin/", "All user pools"),
            )
        except CognitoError as error:  # a request no form of the console sends
            return view.page(
                "message.html",
                status=400,
                title="That did not work",
                message=error_text(error),
                link=("/admin/", "All user pools"),
            )

    return endpoint


def error_text(error: CognitoError) -> str:
    """How a refusal reads on a page: the API's message, and its exception's name for
    whoever looks it up in Cognito's documentation."""
    return f"{error.message} ({error.code})"
