"""The data directory, private to its owner: the directory and its folders 0700, every
file in it 0600 (the SQLite database with its WAL and shared-memory files, the master
key, the admin key, the logs).

New files get those modes from the process's umask (0077), set before anything is
created: SQLite creates the WAL and SHM files with the database file's mode, function
workers inherit the umask for their logs. Files left more open by an older version are
tightened at start.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("poolgate")

_PRIVATE_DIR = 0o700


def prepare(data_dir: Path) -> None:
    """Create ``data_dir`` (0700) if needed, make this process's new files private, and
    tighten what is already there."""
    os.umask(0o077)
    data_dir.mkdir(parents=True, exist_ok=True, mode=_PRIVATE_DIR)
    _tighten(data_dir)


def _tighten(root: Path) -> None:
    loosened: list[str] = []
    for path in [root, *root.rglob("*")]:
        try:
            mode = path.lstat().st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            continue
        # Only group and others lose access; the owner's bits stay as they are.
        if stat.S_IMODE(mode) & 0o077:
            try:
                os.chmod(path, stat.S_IMODE(mode) & 0o700)
            except OSError:
                continue
            loosened.append(str(path))
    if loosened:
        more = f" and {len(loosened) - 5} more" if len(loosened) > 5 else ""
        shown = ", ".join(loosened[:5]) + more
        log.warning("made private to their owner (group and others could read them): %s", shown)
