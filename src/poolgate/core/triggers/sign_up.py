"""The pre sign-up and post confirmation triggers (developer guide, "Pre sign-up Lambda
trigger", "Post confirmation Lambda trigger").

Pre sign-up runs before a user exists: SignUp (``PreSignUp_SignUp``), AdminCreateUser
(``PreSignUp_AdminCreateUser``, whose response Cognito ignores) and a federated user's
first sign-in (``PreSignUp_ExternalProvider``). Its response can confirm the user and
mark the email or phone verified. Post confirmation runs once the user is confirmed
(ConfirmSignUp, AdminConfirmSignUp: ``PostConfirmation_ConfirmSignUp``) or has reset
the password (``PostConfirmation_ConfirmForgotPassword``); the confirmation stands
even when the function fails, as in Cognito.
"""

from __future__ import annotations

from dataclasses import dataclass

from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException
from poolgate.core.records import User, UserPool
from poolgate.core.triggers import invoke, lambda_config
from poolgate.core.triggers.events import metadata, user_attributes

SIGN_UP = "PreSignUp_SignUp"
ADMIN_CREATE_USER = "PreSignUp_AdminCreateUser"
EXTERNAL_PROVIDER = "PreSignUp_ExternalProvider"
CONFIRM_SIGN_UP = "PostConfirmation_ConfirmSignUp"
CONFIRM_FORGOT_PASSWORD = "PostConfirmation_ConfirmForgotPassword"


@dataclass(frozen=True)
class PreSignUpAnswer:
    auto_confirm: bool = False
    auto_verify_email: bool = False
    auto_verify_phone: bool = False


async def pre_sign_up(
    ctx: Context,
    pool: UserPool,
    source: str,
    *,
    username: str,
    attributes: dict[str, str],
    client_id: str | None,
    validation_data: dict[str, str] | None,
    client_metadata: dict[str, str] | None,
) -> PreSignUpAnswer:
    """Runs the pool's pre sign-up function, if any, for a user about to be created
    with ``attributes``; raises what Cognito answers when it refuses."""
    trigger = lambda_config.PRE_SIGN_UP
    if not invoke.configured(pool, trigger):
        return PreSignUpAnswer()
    request: dict[str, object] = {
        "userAttributes": {k: v for k, v in attributes.items() if k != "sub"},
        "validationData": metadata(validation_data),
    }
    if client_metadata:
        request["clientMetadata"] = dict(client_metadata)
    answer = await invoke.call(
        ctx,
        pool,
        trigger,
        source,
        user_name=username,
        client_id=client_id,
        request=request,
        response={"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    )
    result = PreSignUpAnswer(
        auto_confirm=invoke.flag(answer, "autoConfirmUser", trigger),
        auto_verify_email=invoke.flag(answer, "autoVerifyEmail", trigger),
        auto_verify_phone=invoke.flag(answer, "autoVerifyPhone", trigger),
    )
    if source == ADMIN_CREATE_USER:
        # "Response parameters ... are ignored by Amazon Cognito when the Pre Sign-up
        # lambda is triggered by the AdminCreateUser API."
        return PreSignUpAnswer()
    if result.auto_verify_email and not attributes.get("email"):
        raise InvalidParameterException(
            "autoVerifyEmail requires the user to have an email attribute."
        )
    if result.auto_verify_phone and not attributes.get("phone_number"):
        raise InvalidParameterException(
            "autoVerifyPhone requires the user to have a phone_number attribute."
        )
    return result


async def post_confirmation(
    ctx: Context,
    pool: UserPool,
    source: str,
    user: User,
    *,
    client_id: str | None,
    client_metadata: dict[str, str] | None,
) -> None:
    trigger = lambda_config.POST_CONFIRMATION
    if not invoke.configured(pool, trigger):
        return
    request: dict[str, object] = {"userAttributes": user_attributes(pool, user)}
    if client_metadata:
        request["clientMetadata"] = dict(client_metadata)
    await invoke.call(
        ctx,
        pool,
        trigger,
        source,
        user_name=user.username,
        client_id=client_id,
        request=request,
        response={},
    )
