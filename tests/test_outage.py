"""During a database outage the log gets one line per interval with a count, not a
traceback per request; other unexpected failures keep their traceback."""

from __future__ import annotations

import logging

import asyncpg
import pytest

from poolgate import outage


def test_connection_failures_are_summarised(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outage, "_summaries", {})
    log = logging.getLogger("poolgate.test-outage")
    lost = asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")
    with caplog.at_level(logging.ERROR, logger="poolgate.test-outage"):
        for _ in range(500):
            outage.report_failure(log, "awsjson", "GetUser", lost)
    records = [r for r in caplog.records if r.name == "poolgate.test-outage"]
    assert len(records) == 1
    assert records[0].exc_info is None
    assert "the database is unavailable" in records[0].getMessage()
    assert "1 request failed" in records[0].getMessage()
    # The next interval's line carries the count of what was held back.
    summary = outage._summaries["awsjson"]
    assert summary.count == 499
    summary.since -= outage.INTERVAL_S
    with caplog.at_level(logging.ERROR, logger="poolgate.test-outage"):
        outage.report_failure(log, "awsjson", "GetUser", lost)
    assert "500 requests failed" in caplog.records[-1].getMessage()


def test_a_bug_keeps_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("poolgate.test-outage")
    try:
        raise KeyError("no such thing")
    except KeyError as error:
        with caplog.at_level(logging.ERROR, logger="poolgate.test-outage"):
            outage.report_failure(log, "awsjson", "GetUser", error)
    assert caplog.records[-1].exc_info is not None
