"""Functions that fail the ways Lambda functions do."""

from __future__ import annotations

import os
import time
from typing import Any

from recorder import recorded


@recorded
def unrecognizable(event: dict[str, Any], context: Any) -> str:
    return "this is not an event"


def crash(event: dict[str, Any], context: Any) -> None:
    os._exit(3)


def overrun(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Runs past its own (1 s) timeout, well inside Cognito's 5 seconds."""
    time.sleep(3)
    return event


@recorded
def record_only(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Keeps the event and changes nothing."""
    return event
