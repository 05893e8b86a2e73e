"""The arguments of ``poolgate serve`` read without typer, for the console script's fast
path (``cli.command``).

typer 0.29 builds a pydantic ``TypeAdapter`` per option while it parses a command line,
which with pydantic's import costs every server start ~70-200 ms of CPU before it
begins (measured: ``serve --workers 2`` to the first ``/health``, 0.84 s -> 0.63 s of
CPU). A ``serve`` command line with well-formed options only is read here; anything
else is left to typer, so help and errors read exactly as before, and a test checks
both read the same arguments.
"""

from __future__ import annotations

from pathlib import Path

# ``serve``'s options as the fast path reads them: name -> (parameter, type).
_SERVE_OPTIONS: dict[str, tuple[str, type]] = {
    "--config": ("config", Path),
    "-c": ("config", Path),
    "--host": ("host", str),
    "--port": ("port", int),
    "--data-dir": ("data_dir", Path),
    "--public-url": ("public_url", str),
    "--gateway-port": ("gateway_port", int),
    "--workers": ("workers", int),
    "--log-format": ("log_format", str),
}


def fast_serve_arguments(argv: list[str]) -> dict[str, object] | None:
    """``serve``'s keyword arguments when ``argv`` is ``serve`` with well-formed options
    only, each at most once; None for anything else (help, an unknown or repeated
    option, a bad number), which typer then parses and reports as it always does."""
    if not argv or argv[0] != "serve":
        return None
    found: dict[str, object] = {}
    rest = argv[1:]
    while rest:
        token, rest = rest[0], rest[1:]
        if token == "--debug":
            if "debug" in found:
                return None
            found["debug"] = True
            continue
        name, equals, value = token.partition("=")
        if name not in _SERVE_OPTIONS or (equals and name == "-c"):
            return None
        if not equals:
            if not rest:
                return None
            value, rest = rest[0], rest[1:]
        parameter, kind = _SERVE_OPTIONS[name]
        if parameter in found or value.startswith("-"):
            return None
        if kind is int:
            if not value.isdigit():
                return None
            found[parameter] = int(value)
        else:
            found[parameter] = kind(value)
    if found.get("workers", 1) == 0:
        return None
    return found
