"""A server of the security tests' own, on the defaults (throttles on) with JSON logs,
so its log can be read and its counters are not shared with other tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import BACKENDS, Server, database_url


@pytest.fixture(scope="module", params=BACKENDS)
def json_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp(f"security-{request.param}")
    srv = Server(
        data_dir=data_dir,
        database_url=database_url(request.param, data_dir, request),
        extra_env={"POOLGATE_LOG_FORMAT": "json"},
    )
    srv.start()
    yield srv
    srv.stop()
