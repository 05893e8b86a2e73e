"""Remembered devices through boto3 against a running server, with pycognito's
``aws_srp`` as the device's client (generate_hash_device, process_device_challenge):
NewDeviceMetadata after sign-in, ConfirmDevice, DEVICE_SRP_AUTH and
DEVICE_PASSWORD_VERIFIER, a remembered device standing in for TOTP when the pool says
so, UpdateDeviceStatus, listing, and ForgetDevice revoking the device's tokens."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP, generate_hash_device, long_to_hex

from tests.api.helpers import STRONG, client, email_pool, error_of
from tests.api.test_sign_in import confirmed_user
from tests.mfa.test_totp_api import set_up_totp


@pytest.fixture
def app(cognito: Any) -> dict[str, str]:
    pool = email_pool(
        cognito,
        DeviceConfiguration={
            "ChallengeRequiredOnNewDevice": True,
            "DeviceOnlyRememberedOnUserPrompt": False,
        },
    )
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )  # fmt: skip
    return {"pool": pool["Id"], "client": client(cognito, pool["Id"])["ClientId"]}


def srp_until_challenge(
    cognito: Any, app: dict[str, str], username: str, **device: str
) -> tuple[AWSSRP, dict[str, Any]]:
    """USER_SRP_AUTH and PASSWORD_VERIFIER; the next challenge (or tokens)."""
    srp = AWSSRP(username, STRONG, app["pool"], app["client"], client=cognito, **device)
    params = srp.get_auth_params()
    first = cognito.initiate_auth(
        ClientId=app["client"], AuthFlow="USER_SRP_AUTH", AuthParameters=params
    )
    answer = srp.process_challenge(first["ChallengeParameters"], params)
    return srp, cognito.respond_to_auth_challenge(
        ClientId=app["client"], ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
    )


def device_sign_in(cognito: Any, app: dict[str, str], srp: AWSSRP, step: dict[str, Any]) -> Any:
    """DEVICE_SRP_AUTH (with the password step's Session) then DEVICE_PASSWORD_VERIFIER."""
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    verifier = cognito.respond_to_auth_challenge(
        ClientId=app["client"], ChallengeName="DEVICE_SRP_AUTH", Session=step["Session"],
        ChallengeResponses={"USERNAME": srp.username, "DEVICE_KEY": srp.device_key,
                            "SRP_A": long_to_hex(srp.large_a_value)},
    )  # fmt: skip
    assert verifier["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    return cognito.respond_to_auth_challenge(
        ClientId=app["client"], ChallengeName="DEVICE_PASSWORD_VERIFIER",
        Session=verifier["Session"],
        ChallengeResponses=srp.process_device_challenge(verifier["ChallengeParameters"]),
    )  # fmt: skip


def test_a_remembered_device_skips_mfa(cognito: Any, app: dict[str, str]) -> None:
    username, secret, when = set_up_totp(cognito, app)
    _srp, challenge = srp_until_challenge(cognito, app, username)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    first = cognito.respond_to_auth_challenge(
        ClientId=app["client"], ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username,
                            "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).at(when + 30)},
    )["AuthenticationResult"]  # fmt: skip
    metadata = first["NewDeviceMetadata"]
    assert metadata["DeviceKey"].startswith("us-east-1_")
    password, config = generate_hash_device(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    confirmed = cognito.confirm_device(
        AccessToken=first["AccessToken"], DeviceKey=metadata["DeviceKey"],
        DeviceSecretVerifierConfig=config, DeviceName="laptop",
    )  # fmt: skip
    assert confirmed["UserConfirmationNecessary"] is False
    with pytest.raises(ClientError) as exc:
        cognito.confirm_device(
            AccessToken=first["AccessToken"], DeviceKey=metadata["DeviceKey"],
            DeviceSecretVerifierConfig=config,
        )  # fmt: skip
    assert error_of(exc)[0] == "DeviceKeyExistsException"
    device = {"device_key": metadata["DeviceKey"], "device_group_key": metadata["DeviceGroupKey"],
              "device_password": password}  # fmt: skip

    # The next sign-in from this device: no MFA code, and no new device.
    srp, step = srp_until_challenge(cognito, app, username, **device)
    with pytest.raises(ClientError) as exc:  # the password step's Session is required
        cognito.respond_to_auth_challenge(
            ClientId=app["client"], ChallengeName="DEVICE_SRP_AUTH",
            ChallengeResponses={"USERNAME": username, "DEVICE_KEY": srp.device_key,
                                "SRP_A": long_to_hex(srp.large_a_value)},
        )  # fmt: skip
    assert error_of(exc)[0] == "InvalidParameterException"
    result = device_sign_in(cognito, app, srp, step)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result and result["RefreshToken"]

    listed = cognito.list_devices(AccessToken=result["AccessToken"])["Devices"]
    remembered = [d for d in listed if d["DeviceKey"] == metadata["DeviceKey"]]
    attributes = {a["Name"]: a["Value"] for a in remembered[0]["DeviceAttributes"]}
    assert attributes["device_name"] == "laptop"
    assert attributes["dev:device_remembered_status"] == "remembered"
    assert remembered[0]["DeviceLastAuthenticatedDate"].timestamp() <= time.time() + 1
    admin = cognito.admin_get_device(
        UserPoolId=app["pool"], Username=username, DeviceKey=metadata["DeviceKey"]
    )
    assert admin["Device"]["DeviceKey"] == metadata["DeviceKey"]

    # Not remembered any more: the device still authenticates, and MFA is asked again.
    cognito.update_device_status(
        AccessToken=result["AccessToken"], DeviceKey=metadata["DeviceKey"],
        DeviceRememberedStatus="not_remembered",
    )  # fmt: skip
    srp, step = srp_until_challenge(cognito, app, username, **device)
    assert device_sign_in(cognito, app, srp, step)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"

    # Forgetting the device revokes the tokens it was given and the device itself.
    cognito.forget_device(AccessToken=first["AccessToken"], DeviceKey=metadata["DeviceKey"])
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=app["client"], AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
        )  # fmt: skip
    assert error_of(exc) == ("NotAuthorizedException", "Refresh Token has been revoked")
    with pytest.raises(ClientError) as exc:
        cognito.admin_get_device(
            UserPoolId=app["pool"], Username=username, DeviceKey=metadata["DeviceKey"]
        )
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_a_wrong_device_secret_is_refused(cognito: Any, app: dict[str, str]) -> None:
    pool = email_pool(cognito, DeviceConfiguration={"ChallengeRequiredOnNewDevice": False})
    app = {"pool": pool["Id"], "client": client(cognito, pool["Id"])["ClientId"]}
    username = confirmed_user(cognito, app["pool"])
    _srp, signed = srp_until_challenge(cognito, app, username)
    metadata = signed["AuthenticationResult"]["NewDeviceMetadata"]
    _password, config = generate_hash_device(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    cognito.confirm_device(
        AccessToken=signed["AuthenticationResult"]["AccessToken"],
        DeviceKey=metadata["DeviceKey"], DeviceSecretVerifierConfig=config,
    )  # fmt: skip
    wrong = {"device_key": metadata["DeviceKey"], "device_group_key": metadata["DeviceGroupKey"],
             "device_password": "not-the-device-password"}  # fmt: skip
    srp, step = srp_until_challenge(cognito, app, username, **wrong)
    with pytest.raises(ClientError) as exc:
        device_sign_in(cognito, app, srp, step)
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
