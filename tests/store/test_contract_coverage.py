"""Every method of the store contract is called by the store tests, on every backend.

The ``store`` fixture records the methods called through it (tests/store/
recording.py). Once every other test has run (tests/store/conftest.py moves this
one last), a method of the ``Store`` protocol, or a public method of ``SqlStore``,
that no test called on a backend fails the run: a new store method needs its
conformance test. On a partial run (some store tests not selected, or failing) the
comparison would prove nothing, so it is skipped.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol, cast

import pytest

from poolgate.store.base import Store
from poolgate.store.sql import SqlStore
from tests.conftest import BACKENDS
from tests.store.recording import CALLED, SELECTION, RecordingStore, contract_methods


def test_the_contract_is_read_from_the_protocol() -> None:
    methods = contract_methods()
    assert {"transaction", "close", "get_user", "consume_authorization_code", "open"} <= methods
    assert not {name for name in methods if name.startswith("_")}
    assert "engine" not in methods

    class Wider(Store, Protocol):
        async def delete_expired_messages(self, before: float) -> int: ...

    # A method added to the protocol is part of what the guard demands.
    assert contract_methods(Wider) - methods == {"delete_expired_messages"}


async def test_the_recording_store_records_calls_and_transactions() -> None:
    class Inner:
        def __init__(self) -> None:
            self.label = "inner"

        async def get_pool(self, pool_id: str) -> str:
            return f"pool {pool_id}"

        @asynccontextmanager
        async def transaction(self) -> AsyncIterator[Inner]:
            yield Inner()

    backend = "recording-self-test"
    wrapped: Any = RecordingStore(cast(SqlStore, Inner()), backend)
    assert await wrapped.get_pool("p1") == "pool p1"
    async with wrapped.transaction() as tx:
        assert isinstance(tx, RecordingStore)
        assert await tx.get_pool("p2") == "pool p2"
    # Attributes pass through unrecorded.
    assert wrapped.label == "inner"
    assert CALLED.pop(backend) == {"get_pool", "transaction"}


def test_every_contract_method_is_called_on_every_backend() -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("the calls are recorded per process; judged only without xdist")
    reason = SELECTION.incomplete_reason()
    if reason is not None:
        pytest.skip(f"judged only on a complete, passing run of tests/store ({reason})")
    expected = contract_methods()
    missing = {backend: sorted(expected - CALLED.get(backend, set())) for backend in BACKENDS}
    assert missing == {backend: [] for backend in BACKENDS}, (
        "store methods that no test in tests/store calls (add a conformance test for "
        f"each, on every backend): {missing}"
    )
