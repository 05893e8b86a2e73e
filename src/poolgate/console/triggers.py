"""A pool's Lambda triggers: which of the deployment's ``[[functions]]`` each trigger
runs (UpdateUserPool's LambdaConfig, the rest of the pool as it is).

Only the functions the server declares are offered, so the page cannot store an ARN
that names nothing; the update still goes through the API's checks
(``core.triggers.lambda_config``), which refuse what Poolgate cannot honour.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from poolgate.console import pool_form, pools
from poolgate.console.view import View, error_text
from poolgate.core.errors import CognitoError
from poolgate.core.triggers import lambda_config as lc

# (LambdaConfig member, label, when Cognito runs it), in the order of a user's life.
TRIGGERS = [
    (lc.PRE_SIGN_UP, "Pre sign-up", "before a user is created: refuse, confirm, verify"),
    (lc.USER_MIGRATION, "User migration", "when an unknown user signs in or resets a password"),
    (lc.CUSTOM_MESSAGE, "Custom message", "before a code or invitation is sent"),
    (lc.POST_CONFIRMATION, "Post confirmation", "after a user is confirmed"),
    (lc.PRE_AUTHENTICATION, "Pre authentication", "before a sign-in is checked"),
    (lc.POST_AUTHENTICATION, "Post authentication", "after a successful sign-in"),
    (lc.PRE_TOKEN_GENERATION, "Pre token generation", "before tokens are issued"),
    (lc.DEFINE_AUTH_CHALLENGE, "Define auth challenge", "CUSTOM_AUTH: the next step"),
    (lc.CREATE_AUTH_CHALLENGE, "Create auth challenge", "CUSTOM_AUTH: the challenge"),
    (
        lc.VERIFY_AUTH_CHALLENGE_RESPONSE,
        "Verify auth challenge response",
        "CUSTOM_AUTH: the answer",
    ),
]
VERSIONS = [
    ("V1_0", "Basic features (V1_0): identity token claims and groups"),
    ("V2_0", "V2_0: access token claims and scopes too"),
    ("V3_0", "V3_0: also for machine-to-machine tokens"),
]
_VERSION = "token_generation_version"


def config_from_form(region: str, account_id: str, form: dict[str, str]) -> dict[str, Any]:
    """LambdaConfig from the form: a function name per trigger, empty for none."""
    config: dict[str, Any] = {}
    for member, _label, _when in TRIGGERS:
        name = form.get(member, "").strip()
        if name:
            config[member] = lc.function_arn(region, account_id, name)
    token_generation = config.pop(lc.PRE_TOKEN_GENERATION, None)
    if token_generation:
        config["PreTokenGenerationConfig"] = {
            "LambdaVersion": form.get(_VERSION) or "V1_0",
            "LambdaArn": token_generation,
        }
    return config


def _chosen(view: View, config: dict[str, Any]) -> dict[str, str]:
    """The function name each trigger runs now (a name, not an ARN, as the form has it)."""
    chosen = {}
    for member, _label, _when in TRIGGERS:
        arn = config.get(member)
        name = lc.function_name(view.ctx, arn) if arn else None
        chosen[member] = name or ""
    versioned = config.get("PreTokenGenerationConfig") or {}
    chosen[_VERSION] = versioned.get("LambdaVersion") or "V1_0"
    return chosen


async def index(view: View) -> Response:
    pool, mfa = await pools.describe_pool(view, view.param("pool_id"))
    functions = view.ctx.functions.function_names() if view.ctx.functions else []
    error = None
    chosen = _chosen(view, pool.get("LambdaConfig") or {})
    locked = view.is_administrators_pool(pool["Id"])
    if view.request.method == "POST" and locked:
        error = (
            "The administrators' pool runs no triggers from the console: a function that "
            "fails could lock every administrator out of it."
        )
    elif view.request.method == "POST":
        shown = pool_form.from_description(pool, mfa)
        update = pool_form.update_request(shown, pool)
        update["LambdaConfig"] = config_from_form(view.ctx.region, view.ctx.account_id, view.form)
        try:
            await view.ops.update_pool(update, pool_form.mfa_request(shown, mfa))
        except CognitoError as failed:
            error = error_text(failed)
            chosen = {key: view.form.get(key, "") for key in chosen}
        else:
            return view.done(f"/admin/pools/{pool['Id']}/triggers", "Saved the triggers.")
    return view.page(
        "triggers.html",
        status=400 if error else 200,
        title="Lambda triggers",
        pool=pool,
        triggers=TRIGGERS,
        choices=[("", "None"), *((name, name) for name in functions)],
        versions=VERSIONS,
        version_field=_VERSION,
        chosen=chosen,
        functions=functions,
        locked=locked,
        error=error,
    )
