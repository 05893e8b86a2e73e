"""What every test function does around its handler: keep the event as Poolgate sent
it, and what the handler returned (or raised), for the tests to judge.

Each record is one JSON line in ``$EVENTS_DIR/<userPoolId>.jsonl``; the tests read the
lines of their own pool. Handlers written against Powertools' data classes sit under
this decorator unchanged (``@recorded`` outermost, ``@event_source`` next).
"""

from __future__ import annotations

import copy
import fcntl
import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]


def _write(record: dict[str, Any]) -> None:
    directory = Path(os.environ["EVENTS_DIR"])
    path = directory / f"{record['event'].get('userPoolId', 'unknown')}.jsonl"
    with open(path, "a") as log:
        fcntl.flock(log, fcntl.LOCK_EX)
        log.write(json.dumps(record) + "\n")


def recorded(handler: Handler) -> Handler:
    @functools.wraps(handler)
    def wrapper(event: dict[str, Any], context: Any) -> Any:
        received = copy.deepcopy(event)
        record: dict[str, Any] = {"function": context.function_name, "event": received}
        try:
            returned = handler(event, context)
        except Exception as exc:
            record["raised"] = str(exc)
            _write(record)
            raise
        record["returned"] = returned
        _write(record)
        return returned

    return wrapper
