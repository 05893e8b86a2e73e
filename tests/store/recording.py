"""Which methods of the store contract the store tests call, per backend.

The ``store`` fixture (tests/store/conftest.py) hands every test a ``RecordingStore``
around the real ``SqlStore``; ``test_contract_coverage`` compares what was called with
the contract (``contract_methods``) once the whole store suite has run.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from poolgate.store.base import Store
from poolgate.store.sql import SqlStore

STORE_TESTS = Path(__file__).parent

# backend -> names of the contract's methods some store test called on it.
CALLED: dict[str, set[str]] = {}


def contract_methods(protocol: type = Store, implementation: type = SqlStore) -> set[str]:
    """Every method of the ``Store`` protocol, and every public method of the SQL
    implementation (``SqlStore.open``, which the server and the CLI call)."""
    declared = set()
    for klass in protocol.__mro__:
        if klass is object or klass.__module__ in ("typing", "typing_extensions"):
            continue
        for name, value in vars(klass).items():
            if not name.startswith("_") and inspect.isfunction(value):
                declared.add(name)
    public = {
        name
        for name, value in inspect.getmembers(implementation)
        if not name.startswith("_") and callable(value) and not inspect.isclass(value)
    }
    return declared | public


def record(backend: str, name: str) -> None:
    CALLED.setdefault(backend, set()).add(name)


class RecordingStore:
    """The store, noting the name of every public method called through it; the
    store that ``transaction()`` yields is wrapped the same way."""

    def __init__(self, inner: SqlStore, backend: str) -> None:
        self._inner = inner
        self._backend = backend

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if name.startswith("_") or not callable(value):
            return value
        backend = self._backend

        def call(*args: Any, **kwargs: Any) -> Any:
            record(backend, name)
            return value(*args, **kwargs)

        return call

    def transaction(self) -> AbstractAsyncContextManager[RecordingStore]:
        record(self._backend, "transaction")
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[RecordingStore]:
        async with self._inner.transaction() as tx:
            yield RecordingStore(tx, self._backend)


@dataclass
class Selection:
    """What pytest selected and how the store tests went, to tell a complete run of
    the store suite (where a method nobody called is a missing test) from a partial one
    (where it proves nothing)."""

    # Store test items deselected (-k, -m, --deselect, --lf).
    deselected: set[str] = field(default_factory=set)
    # Modules under tests/store that had at least one item collected.
    modules: set[str] = field(default_factory=set)
    # Command-line arguments naming single tests inside a module ("file.py::test").
    narrowed: bool = False
    failed: set[str] = field(default_factory=set)

    def incomplete_reason(self) -> str | None:
        expected = {path.name for path in STORE_TESTS.glob("test_*.py")}
        if missing := sorted(expected - self.modules):
            return f"store test modules not collected: {', '.join(missing)}"
        if self.narrowed:
            return "single tests were selected on the command line"
        if self.deselected:
            return f"{len(self.deselected)} store tests were deselected"
        if self.failed:
            return f"store tests failed: {', '.join(sorted(self.failed))}"
        return None


SELECTION = Selection()


def is_store_test(path: Path | str) -> bool:
    return Path(path).resolve().is_relative_to(STORE_TESTS.resolve())


async def open_store(backend: str, url: str, *, migrate_schema: bool = True) -> SqlStore:
    """``SqlStore.open``, recorded, and the store recording (the fixtures open and
    close their stores without counting)."""
    record(backend, "open")
    opened = await SqlStore.open(url, migrate_schema=migrate_schema)
    return cast(SqlStore, RecordingStore(opened, backend))
