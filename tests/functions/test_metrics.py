"""Every invocation is reported to the metrics recorder with its outcome and time."""

from __future__ import annotations

import pytest

from poolgate import metrics
from poolgate.functions import FunctionRuntime
from poolgate.functions.errors import HandlerError
from tests.functions.conftest import WriteCode
from tests.functions.helpers import spec


class Recording(metrics.Recorder):
    def __init__(self) -> None:
        self.invocations: list[tuple[str, str, float]] = []

    def invocation(self, function: str, outcome: str, seconds: float) -> None:
        self.invocations.append((function, outcome, seconds))


async def test_invocations_are_counted_by_outcome(
    runtime: FunctionRuntime, write_code: WriteCode, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = Recording()
    monkeypatch.setattr(metrics, "_recorder", recording)
    code = write_code(
        app="def lambda_handler(event, context):\n"
        "    if event.get('fail'):\n"
        "        raise ValueError('no')\n"
        "    return {'ok': True}\n"
    )
    runtime.register(spec(code, name="counted"))
    assert (await runtime.invoke("counted", {})).result == {"ok": True}
    with pytest.raises(HandlerError):
        await runtime.invoke("counted", {"fail": True})
    assert [(name, outcome) for name, outcome, _ in recording.invocations] == [
        ("counted", "ok"),
        ("counted", "HandlerError"),
    ]
    assert all(seconds > 0 for _, _, seconds in recording.invocations)
