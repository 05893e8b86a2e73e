"""Request validation against botocore's real cognito-idp model.

Expected messages follow AWS's Coral wording (see poolgate.awsjson.validation's
docstring for where each convention comes from).
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from poolgate.awsjson.model import Operation, ServiceModel, service_model
from poolgate.awsjson.validation import validate_request
from poolgate.core.errors import InvalidParameterException, SerializationException

POOL_ID = "us-east-1_AbCdEf123"
CLIENT_ID = "1example23456789abcdefghij"


@pytest.fixture(scope="module")
def model() -> ServiceModel:
    return service_model()


def _op(model: ServiceModel, name: str) -> Operation:
    operation = model.operation(name)
    assert operation is not None
    return operation


def _invalid(model: ServiceModel, op: str, params: Any) -> str:
    with pytest.raises(InvalidParameterException) as info:
        validate_request(model, _op(model, op), params)
    return info.value.message


def _serialization(model: ServiceModel, op: str, params: Any) -> str:
    with pytest.raises(SerializationException) as info:
        validate_request(model, _op(model, op), params)
    return info.value.message


# ----------------------------------------------------------------------------- model


def test_model_index(model: ServiceModel) -> None:
    assert model.target_prefix == "AWSCognitoIdentityProviderService"
    assert len(model.operation_names()) == len(set(model.operation_names())) >= 150
    assert model.operation("NoSuchOperation") is None
    assert service_model() is model

    sign_up = _op(model, "SignUp")
    assert sign_up.public
    assert sign_up.input_shape == "SignUpRequest"
    assert sign_up.output_shape == "SignUpResponse"
    assert "UsernameExistsException" in sign_up.errors

    create_pool = _op(model, "CreateUserPool")
    assert not create_pool.public
    assert "InvalidParameterException" in create_pool.errors


def test_model_is_the_one_botocore_loads(model: ServiceModel) -> None:
    # The server reads botocore's model file itself (no botocore import at start); it
    # must be exactly what botocore's own loader returns.
    from botocore.loaders import Loader

    raw = Loader().load_service_model("cognito-idp", "service-2")
    assert model.shapes == raw["shapes"]
    assert model.target_prefix == raw["metadata"]["targetPrefix"]
    assert model.operation_names() == list(raw["operations"])


# ------------------------------------------------------------------------ structures


def test_missing_required_member(model: ServiceModel) -> None:
    assert _invalid(model, "CreateUserPool", {}) == (
        "1 validation error detected: Value null at 'poolName' failed to satisfy "
        "constraint: Member must not be null"
    )


def test_explicit_null_counts_as_missing(model: ServiceModel) -> None:
    message = _invalid(model, "CreateUserPool", {"PoolName": None})
    assert "Value null at 'poolName'" in message


def test_unknown_members_are_ignored(model: ServiceModel) -> None:
    validate_request(model, _op(model, "CreateUserPool"), {"PoolName": "p", "Bogus": [1, {}]})


def test_valid_full_create_user_pool(model: ServiceModel) -> None:
    params = {
        "PoolName": "my pool",
        "Policies": {
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
                "TemporaryPasswordValidityDays": 7,
            }
        },
        "DeletionProtection": "ACTIVE",
        "LambdaConfig": {"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"},
        "AutoVerifiedAttributes": ["email"],
        "UsernameAttributes": ["email"],
        "VerificationMessageTemplate": {
            "EmailMessage": "Your code is {####}",
            "EmailSubject": "Your code",
            "EmailMessageByLink": "Click {##here##}",
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
        },
        "MfaConfiguration": "OFF",
        "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": False},
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "UserPoolTags": {"env": "test", "team": "identity"},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
        "Schema": [
            {
                "Name": "tenant",
                "AttributeDataType": "String",
                "Mutable": True,
                "Required": False,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
            }
        ],
        "UsernameConfiguration": {"CaseSensitive": False},
        "AccountRecoverySetting": {
            "RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]
        },
        "UserPoolTier": "ESSENTIALS",
    }
    validate_request(model, _op(model, "CreateUserPool"), params)


def test_nested_path(model: ServiceModel) -> None:
    params = {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 3}}}
    assert _invalid(model, "CreateUserPool", params) == (
        "1 validation error detected: Value '3' at 'policies.passwordPolicy.minimumLength' "
        "failed to satisfy constraint: Member must have value greater than or equal to 6"
    )


def test_integer_upper_bound(model: ServiceModel) -> None:
    params = {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 100}}}
    assert _invalid(model, "CreateUserPool", params).endswith(
        "Member must have value less than or equal to 99"
    )


def test_structure_in_list_path(model: ServiceModel) -> None:
    params = {
        "UserPoolId": POOL_ID,
        "Username": "alice",
        "UserAttributes": [{"Name": "email", "Value": "a@example.com"}, {"Value": "x"}],
    }
    assert _invalid(model, "AdminCreateUser", params) == (
        "1 validation error detected: Value null at 'userAttributes.2.member.name' "
        "failed to satisfy constraint: Member must not be null"
    )


def test_multiple_errors_are_counted_in_model_order(model: ServiceModel) -> None:
    params = {"ClientName": "c!", "UserPoolId": "bad id"}
    assert _invalid(model, "CreateUserPoolClient", params) == (
        "2 validation errors detected: "
        "Value 'bad id' at 'userPoolId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+; "
        "Value 'c!' at 'clientName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"
    )


# --------------------------------------------------------------------------- strings


def test_string_too_long(model: ServiceModel) -> None:
    assert _invalid(model, "CreateUserPool", {"PoolName": "x" * 200}) == (
        "1 validation error detected: Value '" + "x" * 200 + "' at 'poolName' failed to "
        "satisfy constraint: Member must have length less than or equal to 128"
    )


def test_string_too_short_and_pattern_are_separate_errors(model: ServiceModel) -> None:
    assert _invalid(model, "CreateUserPool", {"PoolName": ""}) == (
        "2 validation errors detected: "
        "Value '' at 'poolName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value '' at 'poolName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"
    )


def test_length_counts_code_points(model: ServiceModel) -> None:
    # 32 astral-plane letters: 32 code points, 64 UTF-16 units; AttributeNameType max 32.
    name = "\U0001d4d0" * 32
    params = {"UserPoolId": POOL_ID, "Username": "alice", "UserAttributes": [{"Name": name}]}
    validate_request(model, _op(model, "AdminCreateUser"), params)


def test_pattern_forbidden_character(model: ServiceModel) -> None:
    assert _invalid(model, "CreateUserPool", {"PoolName": "bad/name"}) == (
        "1 validation error detected: Value 'bad/name' at 'poolName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"
    )


def test_pattern_must_match_whole_value(model: ServiceModel) -> None:
    message = _invalid(model, "CreateUserPool", {"PoolName": "ok name!"})
    assert "Value 'ok name!' at 'poolName'" in message


def test_java_word_class_is_ascii(model: ServiceModel) -> None:
    message = _invalid(model, "CreateUserPool", {"PoolName": "Café"})
    assert "Member must satisfy regular expression pattern" in message


def test_unicode_property_pattern(model: ServiceModel) -> None:
    # UsernameType is [\p{L}\p{M}\p{S}\p{N}\p{P}]+ : letters of any script pass ...
    for username in ("Ünïcödé", "用户", "пользователь", "a.b@c"):
        params = {"UserPoolId": POOL_ID, "Username": username}
        validate_request(model, _op(model, "AdminGetUser"), params)
    # ... whitespace (no \p{Z} in the set) does not.
    message = _invalid(model, "AdminGetUser", {"UserPoolId": POOL_ID, "Username": "a b"})
    assert "at 'username' failed to satisfy constraint: Member must satisfy regular" in message


def test_enum_scalar(model: ServiceModel) -> None:
    params = {"PoolName": "p", "MfaConfiguration": "MAYBE"}
    assert _invalid(model, "CreateUserPool", params) == (
        "1 validation error detected: Value 'MAYBE' at 'mfaConfiguration' failed to "
        "satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]"
    )


def test_enum_in_list(model: ServiceModel) -> None:
    params = {
        "UserPoolId": POOL_ID,
        "ClientName": "app",
        "ExplicitAuthFlows": ["FOO", "ALLOW_USER_SRP_AUTH"],
    }
    assert _invalid(model, "CreateUserPoolClient", params) == (
        "1 validation error detected: Value '[FOO, ALLOW_USER_SRP_AUTH]' at "
        "'explicitAuthFlows' failed to satisfy constraint: Member must satisfy "
        "constraint: [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, "
        "CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, "
        "ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, "
        "ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH, ALLOW_TOKEN_EXCHANGE_DELEGATION, "
        "ALLOW_TOKEN_EXCHANGE_IMPERSONATION]]"
    )


def test_list_size(model: ServiceModel) -> None:
    # CallbackURLsListType allows at most 100 entries.
    params = {
        "UserPoolId": POOL_ID,
        "ClientName": "app",
        "CallbackURLs": [f"https://example.com/{i}" for i in range(101)],
    }
    message = _invalid(model, "CreateUserPoolClient", params)
    assert message.startswith("1 validation error detected: Value '[https://example.com/0, ")
    assert message.endswith(
        "at 'callbackURLs' failed to satisfy constraint: "
        "Member must have length less than or equal to 100"
    )


def test_map_keys(model: ServiceModel) -> None:
    params = {"PoolName": "p", "UserPoolTags": {"k" * 129: "v"}}
    assert _invalid(model, "CreateUserPool", params) == (
        "1 validation error detected: Value '{" + "k" * 129 + "=v}' at 'userPoolTags' "
        "failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length less than or equal to 128, "
        "Member must have length greater than or equal to 1]"
    )


# ------------------------------------------------------------------------- sensitive


def test_sensitive_value_never_rendered(model: ServiceModel) -> None:
    password = "short pw"  # the space breaks PasswordType's [\S]+
    params = {"ClientId": CLIENT_ID, "Username": "alice", "Password": password}
    message = _invalid(model, "SignUp", params)
    assert message == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\S]+"
    )
    assert password not in message


def test_too_long_password_not_rendered(model: ServiceModel) -> None:
    password = "Secret1!" * 40  # 320 characters, PasswordType max 256
    params = {"ClientId": CLIENT_ID, "Username": "alice", "Password": password}
    message = _invalid(model, "SignUp", params)
    assert "Value at 'password' failed to satisfy constraint" in message
    assert "Secret1!" not in message


def test_empty_password_not_rendered(model: ServiceModel) -> None:
    params = {"ClientId": CLIENT_ID, "Username": "alice", "Password": ""}
    message = _invalid(model, "SignUp", params)
    assert message.startswith("1 validation error detected: Value at 'password' failed")


def test_container_with_sensitive_contents_not_rendered(model: ServiceModel) -> None:
    params = {
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": CLIENT_ID,
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": "x" * 131073},
    }
    message = _invalid(model, "InitiateAuth", params)
    assert message.startswith(
        "1 validation error detected: Value at 'authParameters' failed to satisfy "
        "constraint: Map value must satisfy constraint: ["
    )
    assert "xxxx" not in message


# ----------------------------------------------------------------------------- types


def test_string_for_integer_is_serialization_error(model: ServiceModel) -> None:
    params = {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": "8"}}}
    assert _serialization(model, "CreateUserPool", params) == (
        "STRING_VALUE can not be converted to an Integer"
    )


def test_boolean_is_not_an_integer(model: ServiceModel) -> None:
    params = {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": True}}}
    assert _serialization(model, "CreateUserPool", params) == (
        "TRUE_VALUE can not be converted to an Integer"
    )


def test_number_for_string(model: ServiceModel) -> None:
    assert _serialization(model, "CreateUserPool", {"PoolName": 5}) == (
        "NUMBER_VALUE can not be converted to a String"
    )


def test_string_for_structure(model: ServiceModel) -> None:
    params = {"PoolName": "p", "Policies": "strict"}
    assert _serialization(model, "CreateUserPool", params) == "Unexpected field type"


def test_string_for_list(model: ServiceModel) -> None:
    params = {"PoolName": "p", "AutoVerifiedAttributes": "email"}
    assert _serialization(model, "CreateUserPool", params) == "Unexpected field type"


def test_object_for_string(model: ServiceModel) -> None:
    assert _serialization(model, "CreateUserPool", {"PoolName": {}}) == (
        "Start of structure or map found where not expected"
    )


@pytest.mark.parametrize("body", [[], ["PoolName"], "PoolName", 7, None, True])
def test_top_level_body_must_be_object(model: ServiceModel, body: Any) -> None:
    _serialization(model, "CreateUserPool", body)


def test_top_level_list_message(model: ServiceModel) -> None:
    assert _serialization(model, "CreateUserPool", []) == ("Start of list found where not expected")


def test_serialization_error_wins_over_validation(model: ServiceModel) -> None:
    # PoolName is missing, but the body cannot even be deserialized.
    params = {"Policies": {"PasswordPolicy": {"MinimumLength": "x"}}}
    _serialization(model, "CreateUserPool", params)


def test_document_accepts_anything(model: ServiceModel) -> None:
    params = {"UserPoolId": POOL_ID, "ClientId": CLIENT_ID, "Settings": [1, "a", {"b": None}]}
    validate_request(model, _op(model, "CreateManagedLoginBranding"), params)


def test_blob_must_be_base64(model: ServiceModel) -> None:
    params = {"UserPoolId": POOL_ID, "ClientId": CLIENT_ID, "Assets": []}
    op = "CreateManagedLoginBranding"
    validate_request(model, _op(model, op), params)
    asset = {"Category": "FAVICON_ICO", "ColorMode": "LIGHT", "Extension": "ICO"}
    ok = {**params, "Assets": [{**asset, "Bytes": "aGVsbG8="}]}
    validate_request(model, _op(model, op), ok)
    bad = {**params, "Assets": [{**asset, "Bytes": "not base64!"}]}
    _serialization(model, op, bad)


# ------------------------------------------------------------------------ whole model


def test_every_operation_builds(model: ServiceModel) -> None:
    names = model.operation_names()
    assert len(names) == 153
    for name in names:
        try:
            validate_request(model, _op(model, name), {})
        except InvalidParameterException as exc:
            assert re.match(r"\d+ validation errors? detected: ", exc.message)
            assert "Member must not be null" in exc.message


def test_pathological_pattern_input_is_bounded(model: ServiceModel) -> None:
    # [C]+@[C]+ backtracks quadratically on '@@@...@ '; the match budget must cut it.
    params = {
        "PoolName": "p",
        "EmailConfiguration": {"ReplyToEmailAddress": "@" * 50_000 + " "},
    }
    started = time.perf_counter()
    message = _invalid(model, "CreateUserPool", params)
    assert time.perf_counter() - started < 2
    assert "at 'emailConfiguration.replyToEmailAddress'" in message


def test_null_string_map_values_count_as_absent() -> None:
    """amazon-cognito-identity-js sends DEVICE_KEY: null when refreshing in a browser."""
    model = service_model()
    params = {
        "ClientId": "abc",
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": "token", "DEVICE_KEY": None},
    }
    validate_request(model, model.operation("InitiateAuth"), params)
    assert params["AuthParameters"] == {"REFRESH_TOKEN": "token"}
