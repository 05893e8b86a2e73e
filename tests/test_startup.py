"""A start that cannot go on says why in one line and exits non-zero, never with a
traceback: each failure of issue 13's list is a real ``poolgate serve`` process."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET, MASTER_KEY, PG_DSN, free_port

PG_BASE = PG_DSN.rsplit("/", 1)[0]
ROOT = os.geteuid() == 0


def serve(
    tmp_path: Path,
    *args: str,
    env: dict[str, str] | None = None,
    data_dir: Path | None = None,
    prefix: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
    environ.update(
        POOLGATE_ADMIN_ACCESS_KEY_ID=ADMIN_KEY_ID,
        POOLGATE_ADMIN_SECRET_ACCESS_KEY=ADMIN_SECRET,
        POOLGATE_MASTER_KEY=MASTER_KEY,
        POOLGATE_LOG_LEVEL="warning",
    )
    environ.update(env or {})
    if "--port" not in args:
        args = (*args, "--port", str(free_port()))
    if "--data-dir" not in args:
        args = (*args, "--data-dir", str(data_dir or tmp_path / "data"))
    return subprocess.run(
        [*prefix, sys.executable, "-m", "poolgate.cli", "serve", *args],
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert result.returncode != 0
    line = lines[0]
    assert line.startswith("poolgate: "), line
    for word in words:
        assert word in line, line
    return line


@contextlib.contextmanager
def tmpfs(path: Path, *options: str) -> Iterator[Path]:
    """A small file system of its own (root only: mount)."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(("size=256k", *options)), "tmpfs", str(path)],
        check=True,
    )
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


DATABASE_CASES = {
    "postgres-refuses": (f"{PG_BASE.rsplit(':', 1)[0]}:1/poolgate", ["connection refused"]),
    "unknown-database": (f"{PG_BASE}/poolgate_no_such_database", ["does not exist"]),
    "bad-host": ("postgresql://postgres@no-such-host.invalid:5432/poolgate", ["resolve"]),
    "not-a-url": ("notaurl", ["database_url", "not a database URL"]),
    "mysql": ("mysql://root@127.0.0.1:3306/test", ["'mysql'", "PostgreSQL and SQLite"]),
    "non-numeric-port": ("postgresql://postgres@127.0.0.1:abc/poolgate", ["port 'abc'"]),
    "no-database-name": ("postgresql://", ["names no database"]),
}


@pytest.mark.parametrize("case", list(DATABASE_CASES))
def test_a_database_that_cannot_be_used_is_one_line(tmp_path: Path, case: str) -> None:
    url, words = DATABASE_CASES[case]
    result = serve(tmp_path, env={"POOLGATE_DATABASE_URL": url})
    line = assert_one_line(result, *words)
    assert "POOLGATE_DATABASE_URL" in line or "createdb" in line


def test_postgresql_without_a_database_name_migrates_nothing(tmp_path: Path) -> None:
    """libpq would pick the database named after the OS user over the Unix socket."""
    result = serve(tmp_path, env={"POOLGATE_DATABASE_URL": "postgresql://"})
    assert_one_line(result, "names no database")
    assert not (tmp_path / "data").exists()


def test_a_port_that_is_not_a_number_is_one_line(tmp_path: Path) -> None:
    result = serve(tmp_path, "--port", str(free_port()), env={"POOLGATE_PORT": "abc"})
    assert result.returncode != 0  # the flag wins; the variable is still checked
    assert_one_line(result, "'port' must be an integer")


def test_a_data_directory_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a directory")
    assert_one_line(serve(tmp_path), "is a file", "POOLGATE_DATA_DIR")


def test_an_unwritable_data_directory_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "locked"
    data.mkdir()
    data.chmod(0o555)
    # root writes anywhere; without CAP_DAC_OVERRIDE it meets the mode bits like anyone.
    prefix = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search") if ROOT else ()
    try:
        result = serve(tmp_path, data_dir=data, prefix=prefix)
    finally:
        data.chmod(0o755)
    assert_one_line(result, "not writable", "Permission denied", "POOLGATE_DATA_DIR")


@pytest.mark.skipif(not ROOT, reason="mounting a read-only file system needs root (CI is root)")
def test_a_read_only_data_directory_is_one_line(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "ro") as data:
        assert_one_line(serve(tmp_path, data_dir=data), "Read-only file system")


@pytest.mark.skipif(not ROOT, reason="mounting a small file system needs root (CI is root)")
def test_a_full_disk_is_one_line(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "full") as disk:
        with contextlib.suppress(OSError), open(disk / "filler", "wb") as handle:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
        assert_one_line(serve(tmp_path, data_dir=disk / "data"), "no space left")


def test_a_config_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "poolgate.toml").write_bytes(b'region = "caf\xe9"\n')
    assert_one_line(serve(tmp_path, "--config", "poolgate.toml"), "not UTF-8")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_by_another_program_is_one_line(tmp_path: Path, workers: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = serve(tmp_path, "--port", port, "--workers", workers)
    assert_one_line(result, f"port {port}", "in use", "POOLGATE_PORT")


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    url = f"{PG_BASE}/poolgate_no_such_database"
    result = serve(tmp_path, "--debug", env={"POOLGATE_DATABASE_URL": url})
    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("poolgate: the database")


def test_postgresql_on_a_public_address_needs_the_public_url(
    tmp_path: Path, pg_database: str
) -> None:
    """Tokens must carry one issuer on every node: each node's own host and port
    would make a token minted by one node invalid on the others."""
    result = serve(tmp_path, "--host", "0.0.0.0", env={"POOLGATE_DATABASE_URL": pg_database})
    assert_one_line(result, "POOLGATE_PUBLIC_URL", "issuer")


def test_a_pool_larger_than_max_connections_is_one_line(tmp_path: Path, pg_database: str) -> None:
    result = serve(
        tmp_path,
        "--workers",
        "2",
        env={"POOLGATE_DATABASE_URL": pg_database, "POOLGATE_DATABASE_POOL_SIZE": "5000"},
    )
    assert_one_line(result, "max_connections", "POOLGATE_DATABASE_POOL_SIZE")


def test_a_new_data_directory_is_made_private(tmp_path: Path) -> None:
    # Made by the start-up check, before the data directory's own preparation: it must
    # not exist group-readable, even for a moment (nor be "tightened" with a warning).
    from poolgate.startup import check_data_dir

    old = os.umask(0o022)
    try:
        check_data_dir(tmp_path / "new" / "data")
    finally:
        os.umask(old)
    assert (tmp_path / "new" / "data").stat().st_mode & 0o777 == 0o700
