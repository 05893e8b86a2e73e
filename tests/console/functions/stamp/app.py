"""A pre token generation (V2_0) handler: it names the trigger in the id token."""

from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    event["response"] = {
        "claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {"claimsToAddOrOverride": {"stamped_by": "console-trigger"}}
        }
    }
    return event
