"""/favourites: each user's favourite destinations, kept in a small SQLite file.

A Lambda handler for an API Gateway REST API (proxy integration, payload 1.0), behind
the Cognito authorizer: the user is the ``sub`` claim of their id token, which the
gateway verified and put in ``requestContext.authorizer.claims``. Nobody can read or
change another user's favourites, whatever they send.

    GET    /favourites        the caller's favourites
    PUT    /favourites/{id}   add one (adding it again changes nothing)
    DELETE /favourites/{id}   remove one (removing a missing one changes nothing)

PUT and DELETE also take the destination as ``/favourites?destinationId=ID`` or a JSON
body ``{"destinationId": "ID"}``. Every answer is the caller's list afterwards:
``{"favourites": [{"destinationId": "kyoto", "savedAt": "2026-05-01T09:30:00Z"}]}``.

The file is ``FAVOURITES_DB`` (a relative path is taken from this directory), or
``favourites.db`` next to this file. Standard library only.
"""

import base64
import json
import os
import re
import sqlite3
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Destination ids are slugs, like the catalogue's ("kyoto", "cape-town").
DESTINATION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS favourites (
    sub TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (sub, destination_id)
)
"""

# Opened once per worker process and kept while it is warm, as Lambda code keeps
# its clients outside the handler.
_connection = None


def database_path():
    configured = os.environ.get("FAVOURITES_DB")
    if not configured:
        return HERE / "favourites.db"
    path = Path(configured)
    return path if path.is_absolute() else (HERE / path).resolve()


def connection():
    global _connection
    if _connection is None:
        path = database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit; several worker processes may write at once, so wait for a lock.
        db = sqlite3.connect(path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(SCHEMA)
        _connection = db
    return _connection


def favourites_of(sub):
    rows = connection().execute(
        "SELECT destination_id, saved_at FROM favourites WHERE sub = ? "
        "ORDER BY saved_at, destination_id",
        (sub,),
    )
    return [{"destinationId": row[0], "savedAt": row[1]} for row in rows]


def respond(status, body):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


def requested_destination(event):
    """The destination a PUT or DELETE names: path, query string, or JSON body."""
    found = (event.get("pathParameters") or {}).get("id")
    if not found:
        found = (event.get("queryStringParameters") or {}).get("destinationId")
    if not found and event.get("body"):
        body = event["body"]
        if event.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("utf-8", "replace")
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("destinationId"), str):
            found = parsed["destinationId"]
    return found


def lambda_handler(event, context):
    claims = (event.get("requestContext", {}).get("authorizer") or {}).get("claims") or {}
    sub = claims.get("sub")
    if not sub:
        # Only a route without the Cognito authorizer gets here.
        return respond(401, {"message": "Unauthorized"})
    method = event.get("httpMethod")
    if method == "GET":
        return respond(200, {"favourites": favourites_of(sub)})
    if method not in ("PUT", "DELETE"):
        return respond(405, {"message": f"{method} is not supported on /favourites"})
    destination = requested_destination(event)
    if not destination:
        return respond(
            400,
            {
                "message": "Name the destination: /favourites/{id}, ?destinationId=ID, "
                'or a JSON body {"destinationId": "ID"}'
            },
        )
    if not DESTINATION_ID.match(destination):
        return respond(400, {"message": f"{destination!r} is not a destination id"})
    if method == "PUT":
        saved_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        connection().execute(
            "INSERT OR IGNORE INTO favourites (sub, destination_id, saved_at) VALUES (?, ?, ?)",
            (sub, destination, saved_at),
        )
    else:
        connection().execute(
            "DELETE FROM favourites WHERE sub = ? AND destination_id = ?", (sub, destination)
        )
    return respond(200, {"favourites": favourites_of(sub)})
