"""Group sync of SQLite's write-ahead log: one ``fdatasync`` for every write transaction
that committed while the previous one ran.

With ``synchronous=FULL`` SQLite syncs the WAL inside every COMMIT, while it holds the
database's write lock: each sign-in paid a sync of its own (about 0.1 ms of CPU and 0.3 ms
of waiting on this project's machines, the largest cost of a sign-in after its
cryptography), and the writers of every other worker process waited for it. Instead the
writer connection commits with ``synchronous=NORMAL``, which writes the transaction's
frames to the WAL without syncing them, releases the lock, and the writer then waits here
until a sync that began after its commit has finished. A write is acknowledged only once
it is on disk, as with FULL; what changes is that concurrent writers share the sync and
that nobody holds the lock through it. SQLite itself still syncs the WAL before every
checkpoint (NORMAL does), so the database file never gets frames that are not on disk.

Another request may read a committed write a fraction of a millisecond before it is on
disk. A power loss in that window takes back a write that was never acknowledged, and
what was read of it, as a crash before the COMMIT would have.
"""

from __future__ import annotations

import asyncio
import os


class WalSync:
    """Syncs of one database's ``-wal`` file, shared by the writers of this process."""

    def __init__(self, database_path: str) -> None:
        self._path = database_path + "-wal"
        self._fd: int | None = None
        self._waiting: list[asyncio.Future[None]] = []
        self._syncer: asyncio.Task[None] | None = None

    async def durable(self) -> None:
        """Return once everything this process committed before the call is on disk."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._waiting.append(done)
        if self._syncer is None:
            self._syncer = loop.create_task(self._sync_while_waited_for())
        # Shielded: a writer cancelled while it waits must not cancel the others' sync.
        await asyncio.shield(done)

    async def _sync_while_waited_for(self) -> None:
        try:
            while self._waiting:
                # Only writers that committed before this sync begins are answered by it;
                # those that come meanwhile wait for the next one.
                batch, self._waiting = self._waiting, []
                try:
                    await asyncio.to_thread(self._sync)
                except Exception as exc:
                    for done in batch:
                        if not done.done():
                            done.set_exception(exc)
                            done.exception()  # retrieved: its writer may be gone
                    continue
                for done in batch:
                    if not done.done():
                        done.set_result(None)
        finally:
            self._syncer = None

    def _sync(self) -> None:
        fd = self._wal_fd()
        if fd is not None:
            os.fdatasync(fd)

    def _wal_fd(self) -> int | None:
        """A descriptor of the current WAL file. SQLite deletes the file when the last
        connection closes (after a checkpoint that synced the database) and creates a
        new one on the next write, so the inode is checked each time."""
        try:
            current = os.stat(self._path).st_ino
        except FileNotFoundError:
            self.close()
            return None
        if self._fd is not None and os.fstat(self._fd).st_ino != current:
            self.close()
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDONLY | os.O_CLOEXEC)
            # As SQLite does at the first sync of a WAL it created: the new file's
            # directory entry must be on disk too.
            directory = os.open(os.path.dirname(self._path) or ".", os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        return self._fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
