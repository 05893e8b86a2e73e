"""``poolgate serve``: claim the ports, prepare the database once, then serve the
identity provider (and the gateway, and the metrics page) from one process or from
``--workers N`` forked processes.

The order matters: everything that can fail for a reason the operator can fix is
checked here, in the first process, with one line per failure (``startup``), before
a worker is forked or a request accepted.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from poolgate import datadir, logs
from poolgate.bootstrap import declared_functions
from poolgate.config import ConfigError, Settings
from poolgate.functions.spec import FunctionSpec
from poolgate.startup import (
    check_bind,
    check_data_dir,
    check_public_url,
    claim_port,
    lifespan_errors_in_one_line,
    one_line_errors,
    prepare_database,
)

if TYPE_CHECKING:
    from poolgate.gateway.config import GatewayConfig

log = logging.getLogger("poolgate")


def run(
    settings: Settings,
    gateway_config: GatewayConfig | None,
    workers: int,
    *,
    debug: bool = False,
    announce: Callable[[str], None] = print,
    config_dir: Path | None = None,
) -> bool:
    """Serve until SIGINT/SIGTERM; False when the servers failed to start. A failed
    start-up check exits (``SystemExit``) with one line on stderr. ``config_dir``: the
    configuration file's directory, where its [[functions]]' code directories are."""
    from poolgate import metrics
    from poolgate.admin_keys import load_admin_key

    with one_line_errors(debug):
        endpoints = _endpoints(settings, gateway_config)
        check_public_url(settings)
        check_data_dir(settings.data_dir)
        datadir.prepare(settings.data_dir)
        # Held until the last process of this server exits (inherited by the workers).
        locks = [claim_port(host, port, what) for host, port, what in endpoints]
        for host, port, what in endpoints:
            check_bind(host, port, what)
        if settings.metrics_port:
            metrics.enable(settings.data_dir / "run" / f"metrics-{settings.port}")
        key, created = load_admin_key(settings)
        logs.add_secret(key.secret_access_key)
        if settings.bootstrap_admin_password:
            logs.add_secret(settings.bootstrap_admin_password)
        if created:
            announce(admin_key_notice(settings, key.access_key_id, key.secret_access_key))
        for warning in asyncio.run(prepare_database(settings, workers)):
            log.warning("%s", warning)
        # The gateway's routes and the pools' triggers share these functions.
        functions = declared_functions(settings, config_dir)
    try:
        return _serve(settings, gateway_config, workers, endpoints, functions)
    finally:
        for lock in locks:
            if lock is not None:
                lock.close()


def _endpoints(
    settings: Settings, gateway_config: GatewayConfig | None
) -> list[tuple[str, int, str]]:
    endpoints = [(settings.host, settings.port, "identity provider")]
    if gateway_config is not None:
        endpoints.append((settings.host, settings.gateway_port, "API gateway"))
    if settings.metrics_port:
        endpoints.append((settings.metrics_host, settings.metrics_port, "metrics"))
    ports = [port for _, port, _ in endpoints]
    if len(set(ports)) != len(ports):
        raise ConfigError(
            "port, gateway_port and metrics_port must be different ports, got "
            + ", ".join(f"{what} {port}" for _, port, what in endpoints)
        )
    return endpoints


def _apps(
    settings: Settings, gateway_config: GatewayConfig | None, functions: list[FunctionSpec]
) -> list[Any]:
    """The process's apps, in the order of ``_endpoints``; one context shared by the
    identity provider and the gateway."""
    from poolgate.app import contain_failures, create_app
    from poolgate.bootstrap import SharedContext

    shared = SharedContext(settings, functions)
    built: list[Any] = [create_app(settings, shared)]
    if gateway_config is not None:
        from poolgate.gateway.app import create_gateway_app

        gateway = create_gateway_app(gateway_config, settings, shared=shared)
        built.append(contain_failures(gateway, "gateway"))
    if settings.metrics_port:
        from poolgate.metrics.prometheus import metrics_app

        built.append(metrics_app)
    return [lifespan_errors_in_one_line(app) for app in built]


def _serve(
    settings: Settings,
    gateway_config: GatewayConfig | None,
    workers: int,
    endpoints: list[tuple[str, int, str]],
    functions: list[FunctionSpec],
) -> bool:
    from poolgate import health
    from poolgate.gateway.serving import listener, serve_all
    from poolgate.workers import bind, can_reuse_port, supervise

    def servers() -> list[Any]:
        return [
            listener(
                app,
                host,
                port,
                settings.log_level,
                drain_timeout=settings.drain_timeout,
                max_header_bytes=settings.max_header_bytes,
                max_headers=settings.max_headers,
            )
            for app, (host, port, _) in zip(
                _apps(settings, gateway_config, functions), endpoints, strict=True
            )
        ]

    if workers == 1:
        sockets = [bind(host, port) for host, port, _ in endpoints]
        return serve_all(servers(), sockets, on_stop=health.start_draining)

    _preload(gateway_config)
    reuse = can_reuse_port()
    # Without SO_REUSEPORT the workers share the parent's sockets.
    shared = [] if reuse else [bind(host, port) for host, port, _ in endpoints]

    def run_worker() -> bool:
        # Each worker builds its own apps: nothing made before the fork is shared.
        sockets = (
            [bind(host, port, reuse_port=True) for host, port, _ in endpoints] if reuse else shared
        )
        return serve_all(servers(), sockets, on_stop=health.start_draining)

    return supervise(workers, run_worker)


def _preload(gateway_config: GatewayConfig | None) -> None:
    """Before the fork, what every worker would otherwise do for itself: import the apps'
    modules and parse Cognito's service model (~0.3 s of CPU together). The workers
    inherit them copy-on-write (``workers.supervise`` freezes the garbage collector's
    view of them), so N workers do not pay N times on a start."""
    import importlib

    from poolgate.awsjson.model import service_model
    from poolgate.awsjson.registry import load_handlers

    importlib.import_module("poolgate.app")
    service_model()
    load_handlers()
    if gateway_config is not None:
        importlib.import_module("poolgate.gateway.app")


def admin_key_notice(settings: Settings, key_id: str, secret: str) -> str:
    """What to say of a key just generated. The secret goes to a terminal only: stdout
    that is a file or a pipe ends up in a log (start.sh's, a service manager's)."""
    path = settings.data_dir / "admin-key.json"
    if sys.stdout.isatty():
        return (
            f"Generated the admin access key (stored in {path}, mode 0600):\n"
            f"  AWS_ACCESS_KEY_ID={key_id}\n"
            f"  AWS_SECRET_ACCESS_KEY={secret}"
        )
    return (
        f"Generated the admin access key {key_id}; its secret is in {path.resolve()} "
        "(mode 0600), not shown here because this output is not a terminal. "
        'For the AWS CLI and SDKs: eval "$(poolgate admin-key --export'
        f' --data-dir {shlex.quote(str(settings.data_dir))})"'
    )
