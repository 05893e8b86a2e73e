"""Sign-in flows through boto3 and pycognito, and the tokens they return, checked
with PyJWT against the pool's published JWKS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.api.helpers import STRONG, client, email, email_pool, error_of
from tests.conftest import Server


@pytest.fixture
def app(cognito: Any) -> dict[str, str]:
    pool = email_pool(cognito)
    web = client(cognito, pool["Id"], ReadAttributes=["email", "email_verified", "name"])
    return {"pool": pool["Id"], "client": web["ClientId"]}


def confirmed_user(cognito: Any, pool: str, password: str = STRONG) -> str:
    address = email()
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=address,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": address},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "name", "Value": "Jane Traveller"},
        ],
    )
    cognito.admin_set_user_password(
        UserPoolId=pool, Username=address, Password=password, Permanent=True
    )
    return address


def password_auth(
    cognito: Any, app: dict[str, str], username: str, password: str
) -> dict[str, Any]:
    return cognito.initiate_auth(
        ClientId=app["client"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def verify(server: Server, pool: str, token: str, **kwargs: Any) -> dict[str, Any]:
    jwks = jwt.PyJWKClient(f"{server.url}/{pool}/.well-known/jwks.json")
    key = jwks.get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["RS256"], issuer=f"{server.url}/{pool}", **kwargs)


def test_password_sign_in_returns_tokens_with_cognitos_claims(
    server: Server, cognito: Any, app: dict[str, str]
) -> None:
    address = confirmed_user(cognito, app["pool"])
    result = password_auth(cognito, app, address, STRONG)["AuthenticationResult"]
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    assert len(result["RefreshToken"]) >= 40

    id_claims = verify(server, app["pool"], result["IdToken"], audience=app["client"])
    assert id_claims["token_use"] == "id"
    assert id_claims["email"] == address and id_claims["email_verified"] is True
    assert id_claims["name"] == "Jane Traveller"
    assert id_claims["cognito:username"] == id_claims["sub"]
    assert id_claims["exp"] - id_claims["iat"] == 3600
    for claim in ("origin_jti", "event_id", "jti", "auth_time"):
        assert claim in id_claims

    access_header = jwt.get_unverified_header(result["AccessToken"])
    assert set(access_header) == {"kid", "alg"} and access_header["alg"] == "RS256"
    access = verify(server, app["pool"], result["AccessToken"], options={"verify_aud": False})
    assert "aud" not in access
    assert access["token_use"] == "access" and access["client_id"] == app["client"]
    assert access["scope"] == "aws.cognito.signin.user.admin"
    assert access["username"] == id_claims["cognito:username"]
    assert access["origin_jti"] == id_claims["origin_jti"]
    # Each token type has its own key.
    assert access_header["kid"] != jwt.get_unverified_header(result["IdToken"])["kid"]


def test_read_attributes_limit_the_id_token(
    server: Server, cognito: Any, app: dict[str, str]
) -> None:
    narrow = client(cognito, app["pool"], ReadAttributes=["email"])["ClientId"]
    address = confirmed_user(cognito, app["pool"])
    result = cognito.initiate_auth(
        ClientId=narrow,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": address, "PASSWORD": STRONG},
    )["AuthenticationResult"]
    claims = verify(server, app["pool"], result["IdToken"], audience=narrow)
    assert claims["email"] == address
    assert "name" not in claims and "email_verified" not in claims


def test_wrong_password_and_unknown_user(cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    with pytest.raises(ClientError) as exc:
        password_auth(cognito, app, address, "Wrong!Password1")
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as exc:
        password_auth(cognito, app, email(), STRONG)
    assert error_of(exc) == ("UserNotFoundException", "User does not exist.")


def test_prevent_user_existence_errors(cognito: Any, app: dict[str, str]) -> None:
    masked = client(cognito, app["pool"], PreventUserExistenceErrors="ENABLED")["ClientId"]
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=masked,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email(), "PASSWORD": STRONG},
        )
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    # SRP answers a challenge for anyone, then refuses the proof.
    srp = AWSSRP(
        username=email(), password=STRONG, pool_id=app["pool"], client_id=masked, client=cognito
    )
    with pytest.raises(ClientError) as exc:
        srp.authenticate_user()
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_unconfirmed_user(cognito: Any, app: dict[str, str]) -> None:
    address = email()
    cognito.sign_up(ClientId=app["client"], Username=address, Password=STRONG)
    with pytest.raises(ClientError) as exc:
        password_auth(cognito, app, address, STRONG)
    assert error_of(exc) == ("UserNotConfirmedException", "User is not confirmed.")


def test_flow_must_be_enabled_on_the_client(cognito: Any, app: dict[str, str]) -> None:
    srp_only = client(
        cognito, app["pool"], ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )
    address = confirmed_user(cognito, app["pool"])
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=srp_only["ClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": address, "PASSWORD": STRONG},
        )
    assert error_of(exc) == (
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    )
    with pytest.raises(ClientError) as exc:
        cognito.admin_initiate_auth(
            UserPoolId=app["pool"],
            ClientId=srp_only["ClientId"],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": address, "PASSWORD": STRONG},
        )
    assert error_of(exc) == ("InvalidParameterException", "Auth flow not enabled for this client")


def test_admin_user_password_auth(cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    result = cognito.admin_initiate_auth(
        UserPoolId=app["pool"],
        ClientId=app["client"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": address, "PASSWORD": STRONG},
    )
    assert "IdToken" in result["AuthenticationResult"]


def test_pycognito_srp_sign_in(server: Server, cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    srp = AWSSRP(
        username=address,
        password=STRONG,
        pool_id=app["pool"],
        client_id=app["client"],
        client=cognito,
    )
    tokens = srp.authenticate_user()["AuthenticationResult"]
    claims = verify(server, app["pool"], tokens["IdToken"], audience=app["client"])
    assert claims["email"] == address
    bad = AWSSRP(
        username=address,
        password="Wrong!Password1",
        pool_id=app["pool"],
        client_id=app["client"],
        client=cognito,
    )
    with pytest.raises(ClientError) as exc:
        bad.authenticate_user()
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_srp_with_client_secret(cognito: Any, app: dict[str, str]) -> None:
    confidential = client(cognito, app["pool"], GenerateSecret=True)
    address = confirmed_user(cognito, app["pool"])
    srp = AWSSRP(
        username=address,
        password=STRONG,
        pool_id=app["pool"],
        client_id=confidential["ClientId"],
        client_secret=confidential["ClientSecret"],
        client=cognito,
    )
    assert "AccessToken" in srp.authenticate_user()["AuthenticationResult"]


def test_admin_created_user_must_choose_a_password(
    server: Server, cognito: Any, app: dict[str, str]
) -> None:
    address = email()
    cognito.admin_create_user(
        UserPoolId=app["pool"],
        Username=address,
        TemporaryPassword="Temp!Pass123",
        MessageAction="SUPPRESS",
    )
    challenge = password_auth(cognito, app, address, "Temp!Pass123")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    params = challenge["ChallengeParameters"]
    assert json.loads(params["userAttributes"])["email"] == address
    assert json.loads(params["requiredAttributes"]) == []
    username = params["USER_ID_FOR_SRP"]

    with pytest.raises(ClientError) as exc:
        cognito.respond_to_auth_challenge(
            ClientId=app["client"],
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": "weak"},
        )
    assert error_of(exc)[0] == "InvalidPasswordException"

    done = cognito.respond_to_auth_challenge(
        ClientId=app["client"],
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": username,
            "NEW_PASSWORD": "Brand!New123",
            "userAttributes.name": "Jane",
        },
    )
    claims = verify(
        server, app["pool"], done["AuthenticationResult"]["IdToken"], audience=app["client"]
    )
    assert claims["name"] == "Jane"
    user = cognito.admin_get_user(UserPoolId=app["pool"], Username=address)
    assert user["UserStatus"] == "CONFIRMED"
    assert "AuthenticationResult" in password_auth(cognito, app, address, "Brand!New123")
    with pytest.raises(ClientError):
        password_auth(cognito, app, address, "Temp!Pass123")


def test_new_password_challenge_through_srp(cognito: Any, app: dict[str, str]) -> None:
    address = email()
    cognito.admin_create_user(
        UserPoolId=app["pool"],
        Username=address,
        TemporaryPassword="Temp!Pass123",
        MessageAction="SUPPRESS",
    )
    srp = AWSSRP(
        username=address,
        password="Temp!Pass123",
        pool_id=app["pool"],
        client_id=app["client"],
        client=cognito,
    )
    tokens = srp.set_new_password_challenge("Brand!New123")["AuthenticationResult"]
    assert "IdToken" in tokens


def test_a_forged_session_is_refused(cognito: Any, app: dict[str, str]) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.respond_to_auth_challenge(
            ClientId=app["client"],
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=base64.b64encode(b"\x01" + b"x" * 60).decode(),
            ChallengeResponses={"USERNAME": "x", "NEW_PASSWORD": "Brand!New123"},
        )
    assert error_of(exc) == ("NotAuthorizedException", "Invalid session for the user.")


def test_refresh(server: Server, cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    first = password_auth(cognito, app, address, STRONG)["AuthenticationResult"]
    time.sleep(1.1)  # so the refreshed token's iat differs
    refreshed = cognito.initiate_auth(
        ClientId=app["client"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    old = verify(server, app["pool"], first["IdToken"], audience=app["client"])
    new = verify(server, app["pool"], refreshed["IdToken"], audience=app["client"])
    assert new["auth_time"] == old["auth_time"] and new["origin_jti"] == old["origin_jti"]
    assert new["jti"] != old["jti"] and new["iat"] > old["iat"]

    other = cognito.get_tokens_from_refresh_token(
        ClientId=app["client"], RefreshToken=first["RefreshToken"]
    )["AuthenticationResult"]
    assert "AccessToken" in other

    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=app["client"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": "not-a-token"},
        )
    assert error_of(exc) == ("NotAuthorizedException", "Invalid Refresh Token")
    # A refresh token belongs to the client it was issued to.
    second = client(cognito, app["pool"])["ClientId"]
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=second,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
        )
    assert error_of(exc) == ("NotAuthorizedException", "Invalid Refresh Token")


def test_refresh_with_secret_hash(cognito: Any, app: dict[str, str]) -> None:
    confidential = client(cognito, app["pool"], GenerateSecret=True)
    address = confirmed_user(cognito, app["pool"])

    def secret_hash(username: str) -> str:
        digest = hmac.new(
            confidential["ClientSecret"].encode(),
            (username + confidential["ClientId"]).encode(),
            hashlib.sha256,
        ).digest()
        return base64.b64encode(digest).decode()

    result = cognito.initiate_auth(
        ClientId=confidential["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": address,
            "PASSWORD": STRONG,
            "SECRET_HASH": secret_hash(address),
        },
    )["AuthenticationResult"]
    username = jwt.decode(result["AccessToken"], options={"verify_signature": False})["username"]
    refreshed = cognito.initiate_auth(
        ClientId=confidential["ClientId"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={
            "REFRESH_TOKEN": result["RefreshToken"],
            "SECRET_HASH": secret_hash(username),
        },
    )
    assert "AccessToken" in refreshed["AuthenticationResult"]
    with pytest.raises(ClientError) as exc:
        cognito.get_tokens_from_refresh_token(
            ClientId=confidential["ClientId"], RefreshToken=result["RefreshToken"]
        )
    assert error_of(exc)[0] == "NotAuthorizedException"
    ok = cognito.get_tokens_from_refresh_token(
        ClientId=confidential["ClientId"],
        RefreshToken=result["RefreshToken"],
        ClientSecret=confidential["ClientSecret"],
    )
    assert "IdToken" in ok["AuthenticationResult"]


def test_get_user(cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    tokens = password_auth(cognito, app, address, STRONG)["AuthenticationResult"]
    me = cognito.get_user(AccessToken=tokens["AccessToken"])
    attrs = {a["Name"]: a["Value"] for a in me["UserAttributes"]}
    assert attrs["email"] == address and "sub" in attrs
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=tokens["IdToken"])  # an id token is not an access token
    assert error_of(exc) == ("NotAuthorizedException", "Invalid Access Token")
    forged = tokens["AccessToken"][:-4] + (
        "AAAA" if tokens["AccessToken"][-4:] != "AAAA" else "BBBB"
    )
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=forged)
    assert error_of(exc) == ("NotAuthorizedException", "Invalid Access Token")


def test_token_of_another_pool_is_refused(
    server: Server, cognito: Any, app: dict[str, str]
) -> None:
    other_pool = email_pool(cognito)["Id"]
    other = {"pool": other_pool, "client": client(cognito, other_pool)["ClientId"]}
    address = confirmed_user(cognito, other_pool)
    tokens = password_auth(cognito, other, address, STRONG)["AuthenticationResult"]
    with pytest.raises(jwt.PyJWTError):
        jwks = jwt.PyJWKClient(f"{server.url}/{app['pool']}/.well-known/jwks.json")
        key = jwks.get_signing_key_from_jwt(tokens["IdToken"])
        jwt.decode(tokens["IdToken"], key.key, algorithms=["RS256"])


def test_disabled_and_reset_users(cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    tokens = password_auth(cognito, app, address, STRONG)["AuthenticationResult"]
    cognito.admin_disable_user(UserPoolId=app["pool"], Username=address)
    with pytest.raises(ClientError) as exc:
        password_auth(cognito, app, address, STRONG)
    assert error_of(exc) == ("NotAuthorizedException", "User is disabled.")
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=app["client"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    assert error_of(exc)[0] == "NotAuthorizedException"
    cognito.admin_enable_user(UserPoolId=app["pool"], Username=address)
    assert "AuthenticationResult" in password_auth(cognito, app, address, STRONG)

    cognito.admin_reset_user_password(UserPoolId=app["pool"], Username=address)
    assert cognito.admin_get_user(UserPoolId=app["pool"], Username=address)["UserStatus"] == (
        "RESET_REQUIRED"
    )
    with pytest.raises(ClientError) as exc:
        password_auth(cognito, app, address, STRONG)
    assert error_of(exc) == (
        "PasswordResetRequiredException",
        "Password reset required for the user",
    )


def test_repeated_failures_lock_the_user_out(cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    messages = []
    for _ in range(8):
        with pytest.raises(ClientError) as exc:
            password_auth(cognito, app, address, "Wrong!Password1")
        messages.append(error_of(exc)[1])
    assert messages[:5] == ["Incorrect username or password."] * 5
    assert "Password attempts exceeded" in messages[5:]
