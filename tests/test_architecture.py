"""The arrows of the house (docs/architecture.md), checked on the import graph.

- ``store`` is the bottom: it imports nothing of Poolgate's outside ``store``.
- ``core`` is Cognito's behaviour: no HTTP, no SQL, no server, no adapter.
- Adapters (``awsjson``, ``hosted``, ``oauth``, ``wellknown``, ``mailbox``, ``gateway``,
  ``apply``) call core and never reach the store.

Every import counts, including those inside functions and ``TYPE_CHECKING`` blocks: a
lazy import is still an arrow.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "poolgate"

ADAPTERS = (
    "awsjson",
    "hosted",
    "oauth",
    "wellknown",
    "mailbox",
    "gateway",
    "apply",
    "middleware",
    "console",
)
# What core must not import: the web framework and servers, SQL, the HTTP client,
# templates, the command line, and Poolgate's own outer layers.
CORE_FORBIDDEN = (
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "asyncpg",
    "aiosqlite",
    "sqlite3",
    "httpx",
    "jinja2",
    "typer",
    "poolgate.config",
    "poolgate.app",
    "poolgate.cli",
    "poolgate.bootstrap",
    "poolgate.mail",
    *(f"poolgate.{adapter}" for adapter in ADAPTERS),
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module
            # "from poolgate.core import users" imports the module poolgate.core.users.
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _violations(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for line, module in _imports(path):
            if any(_within(module, prefix) for prefix in forbidden):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    return sorted(set(found))


def test_the_graph_is_read() -> None:
    """The checks below would pass on an empty tree; make sure they see real imports."""
    imports = {module for _, module in _imports(PACKAGE / "awsjson" / "auth.py")}
    assert "poolgate.core.auth.flows" in imports
    assert "poolgate.core.context" in imports


def test_store_imports_nothing_above_it() -> None:
    others = sorted(
        f"poolgate.{p.name}" for p in PACKAGE.iterdir() if p.is_dir() and p.name != "store"
    ) + sorted(f"poolgate.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    assert "poolgate.core" in others
    assert _violations("store", tuple(others)) == []


def test_core_knows_no_http_sql_or_adapters() -> None:
    assert _violations("core", CORE_FORBIDDEN) == []


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_adapters_never_reach_the_store(adapter: str) -> None:
    assert (PACKAGE / adapter).is_dir()
    assert _violations(adapter, ("poolgate.store",)) == []


def test_oauth_endpoints_do_not_import_the_hosted_pages() -> None:
    # The browser's endpoints (/oauth2/authorize, /logout) are hosted pages; the
    # back-channel endpoints stand alone.
    assert _violations("oauth", ("poolgate.hosted",)) == []


def test_no_module_passes_500_lines() -> None:
    long = [
        f"{path.relative_to(PACKAGE.parent)}: {count} lines"
        for path in sorted(PACKAGE.rglob("*.py"))
        if (count := len(path.read_text().splitlines())) > 500
    ]
    assert long == []


def test_core_has_rooms_not_a_hall() -> None:
    """Core is a folder of packages by domain with a handful of shared modules."""
    modules = sorted(p.stem for p in (PACKAGE / "core").glob("*.py") if p.stem != "__init__")
    assert len(modules) <= 6, modules
