"""User pools: the list, the guided creation, the overview, the settings, deletion."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from poolgate.console import pool_form
from poolgate.console.pool_form import PoolForm
from poolgate.console.view import View, error_text
from poolgate.core.errors import CognitoError, InvalidParameterException
from poolgate.core.mfa import pool_config
from poolgate.core.pools.pool_settings import pool_settings

PAGE_SIZE = 60


async def index(view: View) -> Response:
    params: dict[str, Any] = {"MaxResults": PAGE_SIZE}
    token = view.query("token")
    if token:
        params["NextToken"] = token
    try:
        listed = await view.ops.call("ListUserPools", params)
    except CognitoError as error:  # a stale or forged token
        return view.page(
            "pools.html",
            status=400,
            title="User pools",
            pools=[],
            error=error_text(error),
            next_url=None,
            first_url="/admin/",
        )
    next_token = listed.get("NextToken")
    return view.page(
        "pools.html",
        title="User pools",
        pools=listed["UserPools"],
        error=None,
        next_url=f"/admin/?{urlencode({'token': next_token})}" if next_token else None,
        first_url="/admin/" if token else None,
    )


def _form_page(
    view: View,
    shown: PoolForm,
    *,
    mode: str,
    pool: dict[str, Any] | None = None,
    error: str | None = None,
) -> Response:
    title = "Create user pool" if mode == "create" else "Settings"
    return view.page(
        "pool_form.html",
        status=400 if error else 200,
        title=title,
        form=shown,
        mode=mode,
        pool=pool,
        error=error,
        sign_in_choices=pool_form.SIGN_IN_CHOICES,
        aliases=pool_form.ALIASES,
        requirable=pool_form.REQUIRABLE,
        mfa_modes=pool_form.MFA_MODES,
        custom_rows=pool_form.CUSTOM_ROWS,
        sign_in_labels={key: label for key, label, _ in pool_form.SIGN_IN_CHOICES},
    )


def _mfa_changed(mfa: dict[str, Any]) -> bool:
    return (
        mfa["MfaConfiguration"] != "OFF"
        or mfa["SoftwareTokenMfaConfiguration"]["Enabled"]
        or bool(mfa["SmsMfaConfiguration"])
    )


async def create(view: View) -> Response:
    if view.request.method == "GET":
        return _form_page(view, PoolForm(), mode="create")
    shown = pool_form.from_post(view.form, view.lists)
    request = pool_form.create_request(shown)
    mfa = pool_form.mfa_request(shown)
    try:
        view.ops.check("CreateUserPool", request)
        # What SetUserPoolMfaConfig would refuse after the pool exists, refused first
        # (the same core checks), so a refused form leaves no pool behind.
        settings = pool_settings({k: v for k, v in request.items() if k != "PoolName"})
        pool_config.configured(settings, mfa)
        created = await view.ops.call("CreateUserPool", request)
        pool_id = created["UserPool"]["Id"]
        if _mfa_changed(mfa):
            await view.ops.call("SetUserPoolMfaConfig", {**mfa, "UserPoolId": pool_id})
    except CognitoError as error:
        return _form_page(view, shown, mode="create", error=error_text(error))
    return view.done(f"/admin/pools/{pool_id}", f"Created user pool {shown.name} ({pool_id}).")


async def describe_pool(view: View, pool_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    pool = (await view.ops.call("DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    mfa = await view.ops.call("GetUserPoolMfaConfig", {"UserPoolId": pool_id})
    return pool, mfa


async def overview(view: View) -> Response:
    pool, mfa = await describe_pool(view, view.param("pool_id"))
    shown = pool_form.from_description(pool, mfa)
    return view.page(
        "pool.html",
        title=pool["Name"],
        pool=pool,
        mfa=mfa,
        form=shown,
        issuer=view.ctx.issuer(pool["Id"]),
        sign_in_labels={key: label for key, label, _ in pool_form.SIGN_IN_CHOICES},
    )


async def settings(view: View) -> Response:
    pool, mfa = await describe_pool(view, view.param("pool_id"))
    if view.request.method == "GET":
        return _form_page(view, pool_form.from_description(pool, mfa), mode="edit", pool=pool)
    described = pool_form.from_description(pool, mfa)
    shown = pool_form.from_post(view.form, view.lists)
    # What cannot change after creation is shown as it is.
    for name in ("sign_in", "aliases", "case_sensitive", "required", "customs"):
        setattr(shown, name, getattr(described, name))
    shown.email_mfa = described.email_mfa
    try:
        if view.is_administrators_pool(pool["Id"]) and (
            shown.self_sign_up or not shown.deletion_protection
        ):
            raise InvalidParameterException(
                "The administrators' pool keeps self-service sign-up off and deletion "
                "protection on: anyone who signs up there could administer Poolgate."
            )
        update = pool_form.update_request(shown, pool)
        update["PoolName"] = shown.name or pool["Name"]
        await view.ops.update_pool(update, pool_form.mfa_request(shown, mfa))
    except CognitoError as error:
        return _form_page(view, shown, mode="edit", pool=pool, error=error_text(error))
    return view.done(f"/admin/pools/{pool['Id']}", "Saved the user pool's settings.")


async def delete(view: View) -> Response:
    pool, _mfa = await describe_pool(view, view.param("pool_id"))
    error = None
    if view.is_administrators_pool(pool["Id"]):
        error = "The administrators' pool cannot be deleted from the console."
    elif view.request.method == "POST":
        if view.form.get("confirm", "").strip() != pool["Name"]:
            error = f"Type the pool's name, {pool['Name']}, to confirm."
        else:
            try:
                await view.ops.call("DeleteUserPool", {"UserPoolId": pool["Id"]})
            except CognitoError as failed:
                error = error_text(failed)
            else:
                return view.done("/admin/", f"Deleted user pool {pool['Name']} ({pool['Id']}).")
    return view.page(
        "pool_delete.html",
        status=400 if error and view.request.method == "POST" else 200,
        title=f"Delete {pool['Name']}",
        pool=pool,
        error=error,
    )
