"""The file's ``[[functions]]`` and ``[[apis]]`` (the API gateway) in an apply run.

They are configuration, not stored state: ``poolgate.gateway.config`` parses them,
apply reports their problems with the rest of the file's and each function and API as
``configured``; ``poolgate serve --config FILE --gateway-port PORT`` loads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from poolgate.apply.report import Result
from poolgate.gateway import config as gateway_config


def parse_gateway(
    document: Mapping[str, Any], base_dir: Path, problems: list[str]
) -> gateway_config.GatewayConfig | None:
    """The gateway configuration of ``document``, or None with its problems added to
    ``problems``. ``base_dir`` (the file's directory) resolves the functions' relative
    ``code_dir``."""
    try:
        return gateway_config.parse(document, base_dir)
    except gateway_config.GatewayConfigError as exc:
        problems += exc.problems
        return None


def configured(gateway: gateway_config.GatewayConfig) -> list[Result]:
    """The report's results for the functions and APIs, which apply only validates."""
    results = [Result("function", name, name, "configured") for name in gateway.functions]
    results += [Result("api", api.name, api.id, "configured") for api in gateway.apis]
    return results
