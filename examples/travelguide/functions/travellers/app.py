"""PostConfirmation trigger: every traveller who confirms their account joins the
``travellers`` group.

The pool's own API is called with boto3, as a Lambda function calls it with its
execution role: the function's ``admin_credentials = true`` puts the admin key and the
endpoint (``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER``) in its environment. The group
is in the next tokens' ``cognito:groups``.
"""

import boto3

cognito = boto3.client("cognito-idp")


def lambda_handler(event, context):
    cognito.admin_add_user_to_group(
        UserPoolId=event["userPoolId"],
        Username=event["userName"],
        GroupName="travellers",
    )
    return event
