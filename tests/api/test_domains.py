"""Pool domains through boto3."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_user_pools import error_of, make_pool


def test_domain_lifecycle(cognito: Any) -> None:
    pool = make_pool(cognito)["Id"]
    domain = f"travelguide-{secrets.token_hex(3)}"
    assert (
        cognito.create_user_pool_domain(UserPoolId=pool, Domain=domain)["ManagedLoginVersion"] == 1
    )
    description = cognito.describe_user_pool_domain(Domain=domain)["DomainDescription"]
    assert description["UserPoolId"] == pool
    assert description["Domain"] == domain
    assert description["Status"] == "ACTIVE"
    assert description["AWSAccountId"] == "123456789012"
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["Domain"] == domain

    other = make_pool(cognito, PoolName="other")["Id"]
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=other, Domain=domain)
    assert error_of(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=pool, Domain=domain + "-second")
    assert error_of(exc)[0] == "InvalidParameterException"

    cognito.delete_user_pool_domain(UserPoolId=pool, Domain=domain)
    assert cognito.describe_user_pool_domain(Domain=domain)["DomainDescription"] == {}
    assert "Domain" not in cognito.describe_user_pool(UserPoolId=pool)["UserPool"]


def test_domain_pattern_is_checked(raw_cognito: Any) -> None:
    pool = make_pool(raw_cognito)["Id"]
    with pytest.raises(ClientError) as exc:
        raw_cognito.create_user_pool_domain(UserPoolId=pool, Domain="Not_A_Domain")
    assert error_of(exc)[0] == "InvalidParameterException"
    assert "regular expression pattern" in error_of(exc)[1]
