"""User pools through boto3: create, describe with Cognito's defaults, list, update,
delete; on SQLite and PostgreSQL (the ``server`` fixture's two backends)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

TRAVELGUIDE_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
}


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = exc.value.response["Error"]
    return error["Code"], error["Message"]


def make_pool(cognito: Any, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("PoolName", "TravelGuideUserPool-staging")
    return cognito.create_user_pool(**kwargs)["UserPool"]


def test_travelguide_pool_is_described_with_cognitos_defaults(cognito: Any) -> None:
    created = make_pool(cognito, Policies={"PasswordPolicy": TRAVELGUIDE_POLICY})
    assert re.fullmatch(r"us-east-1_[A-Za-z0-9]{9}", created["Id"])
    assert created["Arn"] == f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{created['Id']}"

    pool = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    assert pool["Name"] == "TravelGuideUserPool-staging"
    assert pool["Policies"]["PasswordPolicy"] == {
        **TRAVELGUIDE_POLICY,
        "TemporaryPasswordValidityDays": 7,
    }
    assert pool["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["LambdaConfig"] == {}
    assert pool["EstimatedNumberOfUsers"] == 0
    assert pool["UsernameConfiguration"] == {"CaseSensitive": True}
    assert pool["AdminCreateUserConfig"] == {
        "AllowAdminCreateUserOnly": False,
        "UnusedAccountValidityDays": 7,
    }
    assert pool["VerificationMessageTemplate"] == {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert pool["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert pool["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": []}
    assert pool["UserPoolTier"] == "ESSENTIALS"
    assert "AliasAttributes" not in pool and "UsernameAttributes" not in pool
    names = [a["Name"] for a in pool["SchemaAttributes"]]
    assert names[:3] == ["sub", "name", "given_name"]
    assert {"email", "email_verified", "phone_number", "updated_at"} <= set(names)
    sub = pool["SchemaAttributes"][0]
    assert sub == {
        "Name": "sub",
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False,
        "Mutable": False,
        "Required": True,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"},
    }
    assert pool["CreationDate"] == pool["LastModifiedDate"]


def test_schema_aliases_and_custom_attributes(cognito: Any) -> None:
    pool = make_pool(
        cognito,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {
                "Name": "home_city",
                "AttributeDataType": "String",
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
            },
        ],
    )
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["UsernameAttributes"] == ["email"]
    assert described["AutoVerifiedAttributes"] == ["email"]
    assert described["UsernameConfiguration"] == {"CaseSensitive": False}
    schema = {a["Name"]: a for a in described["SchemaAttributes"]}
    assert schema["email"]["Required"] is True
    assert schema["custom:home_city"]["StringAttributeConstraints"] == {
        "MinLength": "1",
        "MaxLength": "64",
    }


def test_alias_and_username_attributes_are_exclusive(cognito: Any) -> None:
    with pytest.raises(ClientError) as exc:
        make_pool(cognito, UsernameAttributes=["email"], AliasAttributes=["phone_number"])
    assert error_of(exc) == (
        "InvalidParameterException",
        "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
    )


def test_required_custom_attribute_is_refused(cognito: Any) -> None:
    with pytest.raises(ClientError) as exc:
        make_pool(
            cognito, Schema=[{"Name": "team", "AttributeDataType": "String", "Required": True}]
        )
    assert error_of(exc)[0] == "InvalidParameterException"


def test_missing_pool_name(raw_cognito: Any) -> None:
    with pytest.raises(ClientError) as exc:
        raw_cognito.create_user_pool()
    assert error_of(exc) == (
        "InvalidParameterException",
        "1 validation error detected: Value null at 'poolName' failed to satisfy constraint: "
        "Member must not be null",
    )


def test_pool_name_too_long(raw_cognito: Any) -> None:
    with pytest.raises(ClientError) as exc:
        raw_cognito.create_user_pool(PoolName="p" * 200)
    code, message = error_of(exc)
    assert code == "InvalidParameterException"
    assert message.startswith(
        "1 validation error detected: Value '" + "p" * 200 + "' at 'poolName'"
    )
    assert message.endswith("Member must have length less than or equal to 128")


def test_password_policy_out_of_range(raw_cognito: Any) -> None:
    with pytest.raises(ClientError) as exc:
        raw_cognito.create_user_pool(
            PoolName="p", Policies={"PasswordPolicy": {"MinimumLength": 3}}
        )
    code, message = error_of(exc)
    assert code == "InvalidParameterException"
    assert "'policies.passwordPolicy.minimumLength'" in message
    assert "greater than or equal to 6" in message


def test_describe_unknown_pool(cognito: Any) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.describe_user_pool(UserPoolId="us-east-1_NoSuchPoo")
    assert error_of(exc) == (
        "ResourceNotFoundException",
        "User pool us-east-1_NoSuchPoo does not exist.",
    )


def test_list_user_pools_paginates(cognito: Any) -> None:
    mine = {make_pool(cognito, PoolName=f"list-{i}")["Id"] for i in range(5)}
    seen: list[str] = []
    entries: dict[str, dict[str, Any]] = {}
    token = None
    while True:
        kwargs: dict[str, Any] = {"MaxResults": 2}
        if token:
            kwargs["NextToken"] = token
        page = cognito.list_user_pools(**kwargs)
        assert len(page["UserPools"]) <= 2
        seen += [p["Id"] for p in page["UserPools"]]
        entries.update((p["Id"], p) for p in page["UserPools"])
        token = page.get("NextToken")
        if not token:
            break
    assert mine <= set(seen)
    assert len(seen) == len(set(seen))
    # The server is shared by the session, so other tests' pools may fill the first page.
    entry = entries[next(iter(mine))]
    assert set(entry) == {"Id", "Name", "LambdaConfig", "LastModifiedDate", "CreationDate"}


def test_list_user_pools_needs_max_results(raw_cognito: Any) -> None:
    with pytest.raises(ClientError) as exc:
        raw_cognito.list_user_pools()
    assert "'maxResults'" in error_of(exc)[1]


def test_update_resets_what_it_leaves_out(cognito: Any) -> None:
    pool = make_pool(
        cognito,
        Policies={"PasswordPolicy": TRAVELGUIDE_POLICY | {"MinimumLength": 12}},
        MfaConfiguration="OFF",
        AutoVerifiedAttributes=["email"],
        UsernameAttributes=["email"],
    )
    cognito.update_user_pool(
        UserPoolId=pool["Id"],
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": False}},
    )
    updated = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert updated["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert updated["Policies"]["PasswordPolicy"]["RequireSymbols"] is False
    # Left out of the update: back to the default; create-only settings kept.
    assert "AutoVerifiedAttributes" not in updated
    assert updated["UsernameAttributes"] == ["email"]
    assert updated["LastModifiedDate"] >= updated["CreationDate"]


def test_delete_pool_and_deletion_protection(cognito: Any) -> None:
    pool = make_pool(cognito, DeletionProtection="ACTIVE")
    with pytest.raises(ClientError) as exc:
        cognito.delete_user_pool(UserPoolId=pool["Id"])
    assert error_of(exc)[0] == "InvalidParameterException"
    assert "deletion protection" in error_of(exc)[1]
    cognito.update_user_pool(UserPoolId=pool["Id"], DeletionProtection="INACTIVE")
    cognito.delete_user_pool(UserPoolId=pool["Id"])
    with pytest.raises(ClientError) as exc:
        cognito.describe_user_pool(UserPoolId=pool["Id"])
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_tags(cognito: Any) -> None:
    pool = make_pool(cognito, UserPoolTags={"team": "travel"})
    arn = pool["Arn"]
    cognito.tag_resource(ResourceArn=arn, Tags={"stage": "staging"})
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {
        "team": "travel",
        "stage": "staging",
    }
    cognito.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"stage": "staging"}
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["UserPoolTags"] == {"stage": "staging"}
    with pytest.raises(ClientError) as exc:
        cognito.list_tags_for_resource(
            ResourceArn="arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Nope12345"
        )
    assert error_of(exc)[0] == "ResourceNotFoundException"
