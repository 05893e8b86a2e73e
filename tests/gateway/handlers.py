"""Lambda handlers the gateway tests deploy, as source text written into code
directories; each is what a developer would write for AWS."""

from __future__ import annotations

from pathlib import Path

# The workshop's handler, verbatim.
HELLO = """\
import json


def lambda_handler(event, context):
    claims = event['requestContext']['authorizer']['claims']
    username = claims['cognito:username']
    return {
        'statusCode': 200,
        'headers': {'Content-Type': 'application/json'},
        'body': json.dumps(f"Hello {username}!")
    }
"""

# Answers the event it received, so tests can look at it.
ECHO = """\
import json


def lambda_handler(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "X-Handler": "echo"},
        "multiValueHeaders": {"X-Multi": ["a", "b"]},
        "body": json.dumps(event),
    }
"""

BOOM = """\
def lambda_handler(event, context):
    raise ValueError("boom")
"""

# statusCode must be an integer and body a string.
MALFORMED = """\
def lambda_handler(event, context):
    return {"statusCode": "200", "body": {"not": "a string"}}
"""

# Sleeps for ?sleep=SECONDS, then answers.
SLEEPER = """\
import time


def lambda_handler(event, context):
    seconds = float((event.get("queryStringParameters") or {}).get("sleep", "0"))
    time.sleep(seconds)
    return {"statusCode": 200, "body": "awake"}
"""

PRINTER = """\
def lambda_handler(event, context):
    marker = (event.get("queryStringParameters") or {}).get("marker", "")
    print(f"printed {marker}")
    return {"statusCode": 204}
"""

# Sends the request body back, base64 or not as it came.
MIRROR = """\
def lambda_handler(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/octet-stream"},
        "body": event["body"],
        "isBase64Encoded": event["isBase64Encoded"],
    }
"""

# Payload 2.0: a bare object becomes a 200 JSON response.
V2 = """\
def lambda_handler(event, context):
    return {
        "version": event["version"],
        "routeKey": event["routeKey"],
        "rawPath": event["rawPath"],
        "cookies": event.get("cookies"),
        "jwt": event["requestContext"]["authorizer"]["jwt"],
    }
"""

HANDLERS = {
    "hello": HELLO,
    "echo": ECHO,
    "boom": BOOM,
    "malformed": MALFORMED,
    "sleeper": SLEEPER,
    "printer": PRINTER,
    "mirror": MIRROR,
    "v2": V2,
}


def write_handlers(root: Path) -> None:
    for name, source in HANDLERS.items():
        directory = root / "functions" / name
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "app.py").write_text(source)
