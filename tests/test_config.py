"""The configuration file: every key is a known setting, a table of settings or a
section another command reads; a typo anywhere is refused, naming the key, its table
and the nearest known name, by ``poolgate serve`` and ``poolgate apply`` alike."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from poolgate.config import ConfigError, load_settings
from poolgate.suggest import did_you_mean

POOL = """
[[pools]]
PoolName = "ConfigPool"

[[pools.clients]]
ClientName = "config-web"
"""


def settings_from(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    config = tmp_path / "poolgate.toml"
    config.write_text(text)
    return load_settings(config, {})


def test_did_you_mean() -> None:
    assert did_you_mean("prot", ["host", "port"]) == " (did you mean 'port'?)"
    assert did_you_mean("master_kye", ("master_key", "mailbox")) == (
        " (did you mean 'master_key'?)"
    )
    assert did_you_mean("zzzz", ["port"]) == ""
    assert did_you_mean("port", []) == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prot = 9999\n", "unknown setting 'prot' at the top level (did you mean 'port'?)"),
        (
            'master_kye = "x"\n',
            "unknown setting 'master_kye' at the top level (did you mean 'master_key'?)",
        ),
        ("[server]\nprot = 9999\n", "unknown setting 'prot' in [server] (did you mean 'port'?)"),
        (
            '[database]\ndatabase_ulr = "sqlite:///x.db"\n',
            "unknown setting 'database_ulr' in [database] (did you mean 'database_url'?)",
        ),
        (
            '[admin]\nadmin_acess_key_id = "AKPG"\n',
            "unknown setting 'admin_acess_key_id' in [admin] (did you mean 'admin_access_key_id'?)",
        ),
        (
            '[keys]\nmaster_kye = "x"\n',
            "unknown setting 'master_kye' in [keys] (did you mean 'master_key'?)",
        ),
        (
            "[sever]\nport = 9999\n",
            "unknown setting 'sever' at the top level (did you mean 'server'?)",
        ),
        (
            '[[pool]]\nPoolName = "x"\n',
            "unknown setting 'pool' at the top level (did you mean 'pools'?)",
        ),
        ('[[api]]\nname = "x"\n', "unknown setting 'api' at the top level (did you mean 'apis'?)"),
        (
            "[server.database]\nurl = 'x'\n",
            "unknown setting 'database' in [server] (did you mean 'database_url'?)",
        ),
        ("server = 1\n", "'server' must be a table of settings: write [server]"),
    ],
)
def test_unknown_keys_are_named_with_their_table(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        settings_from(tmp_path, text)
    assert str(exc.value) == f"config file {tmp_path / 'poolgate.toml'}: {message}"


def test_every_unknown_key_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        settings_from(tmp_path, "prot = 1\n[server]\nhots = 'x'\n")
    assert str(exc.value).splitlines()[1:] == [
        "  unknown setting 'prot' at the top level (did you mean 'port'?)",
        "  unknown setting 'hots' in [server] (did you mean 'host'?)",
    ]


def test_known_keys_and_sections_are_read(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path,
        'port = 9300\n[server]\nhost = "0.0.0.0"\n[keys]\nmaster_key = ""\n'
        '[[functions]]\nname = "f"\n' + POOL,
    )
    assert (settings.port, settings.host) == (9300, "0.0.0.0")
    assert sorted(settings.extra) == ["functions", "pools"]


def poolgate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "poolgate.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "prot = 9999\n" + POOL,
            "poolgate: config file poolgate.toml: unknown setting 'prot' at the top level "
            "(did you mean 'port'?)",
        ),
        (
            "[server]\nmaster_kye = 'x'\n" + POOL,
            "poolgate: config file poolgate.toml: unknown setting 'master_kye' in [server] "
            "(did you mean 'master_key'?)",
        ),
    ],
)
@pytest.mark.parametrize("command", ["serve", "apply"])
def test_serve_and_apply_refuse_a_typo_in_one_line(
    tmp_path: Path, text: str, message: str, command: str
) -> None:
    (tmp_path / "poolgate.toml").write_text(text)
    data = tmp_path / "data"
    if command == "serve":
        args = ["serve", "--config", "poolgate.toml", "--port", "0", "--data-dir", str(data)]
    else:
        args = ["apply", "poolgate.toml", "--data-dir", str(data)]
    result = poolgate(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [message]
    assert result.stdout == ""
    assert not data.exists()


def test_serve_refuses_a_typo_in_a_pool_section(tmp_path: Path) -> None:
    """serve does not read [[pools]], but a file apply would refuse is not served."""
    (tmp_path / "poolgate.toml").write_text(POOL.replace("ClientName", "ClientNme"))
    data = tmp_path / "data"
    args = ["serve", "--config", "poolgate.toml", "--port", "0", "--data-dir", str(data)]
    result = poolgate(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "poolgate: poolgate.toml: client #1 of pool 'ConfigPool': unknown setting "
        "'ClientNme' (did you mean 'ClientName'?)"
    ]
    assert not data.exists()


def test_token_cache_budget_is_a_setting(tmp_path: Path) -> None:
    assert settings_from(tmp_path, "").token_cache_bytes == 16 * 1024 * 1024
    assert settings_from(tmp_path, "token_cache_bytes = 1048576\n").token_cache_bytes == 1048576
    assert load_settings(None, {"POOLGATE_TOKEN_CACHE_BYTES": "0"}).token_cache_bytes == 0
    with pytest.raises(ConfigError, match="token_cache_bytes"):
        settings_from(tmp_path, "token_cache_bytes = -1\n")
