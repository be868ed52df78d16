"""One push per (server, schema) at a time on this machine: a lock file beside the ledger.

``<ledger>.lock`` is an exclusive file lock (:func:`toolkit.paths.exclusive`: released by the
kernel when its holder dies, even by ``kill -9``; it holds the pid of the last
holder, shown to whoever waits).

Pushes from two machines do not share this file; ``repair`` covers them on the server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..paths import DEFAULT_LOCK_TIMEOUT, POLL, exclusive

__all__ = ["DEFAULT_LOCK_TIMEOUT", "POLL", "ledger_lock", "lock_path"]


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

    def busy(holder: str) -> str:
        return (f"another {what} of the same schema to the same server{holder} still "
                f"holds {path} after {timeout:g} s; wait for it to finish, or raise "
                "--lock-timeout")

    def waiting(holder: str) -> str:
        return (f"Another {what} of this schema to this server is running{holder}; "
                f"waiting for it (up to {timeout:g} s) ...")

    with exclusive(path, timeout=timeout, busy=busy, waiting=waiting, say=say):
        yield path
