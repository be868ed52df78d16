"""One push per (server, schema) at a time on this machine: a lock file beside the ledger.

``<ledger>.lock`` is locked with ``flock`` (exclusive, per open file: two threads
of one process exclude each other too, and the kernel releases it when its holder
dies, even by ``kill -9``, so a stale lock cannot block anyone). The file itself
stays; it holds the pid of the last holder, shown to whoever waits.

Pushes from two machines do not share this file; ``repair`` covers them on the server.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import Busy

DEFAULT_LOCK_TIMEOUT = 600.0
POLL = 0.2


def lock_path(ledger_file: Path) -> Path:
    return ledger_file.with_name(ledger_file.name + ".lock")


@contextmanager
def ledger_lock(
    ledger_file: Path,
    *,
    timeout: float = DEFAULT_LOCK_TIMEOUT,
    what: str = "push",
    say: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Hold ``<ledger_file>.lock`` for the block; wait up to ``timeout`` seconds for it.

    Raises :class:`Busy` (one line, naming the lock file and its holder's pid) when
    another holder keeps it longer than ``timeout``.
    """
    path = lock_path(Path(ledger_file))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        deadline = time.monotonic() + max(timeout, 0.0)
        told = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(path)
                if time.monotonic() >= deadline:
                    raise Busy(
                        f"another {what} of the same schema to the same server{holder} still "
                        f"holds {path} after {timeout:g} s; wait for it to finish, or raise "
                        "--lock-timeout"
                    ) from None
                if not told and say:
                    say(f"Another {what} of this schema to this server is running{holder}; "
                        f"waiting for it (up to {timeout:g} s) ...")
                    told = True
                time.sleep(min(POLL, max(deadline - time.monotonic(), 0.0)) or POLL / 10)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield path
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def _holder(path: Path) -> str:
    try:
        pid = path.read_text().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
