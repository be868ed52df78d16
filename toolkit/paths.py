"""Default places, relative to the working directory: every stage's default path, once.

    exports/corpus.jsonl                  ingest writes, push and sync read
    exports/<schema>/snapshots/           pull writes the snapshots
    exports/<schema>/dataset/             build writes the dataset folder
    exports/<schema>/tasks.json           push --dry-run writes the tasks
    exports/demo/                         the demo keeps everything it makes apart
    .corpus/label-studio/                 the local Label Studio's data
    .corpus/credentials                   its login and API key (0600)
    .corpus/ledger/<host>_<port>/         push's key -> task id ledgers
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import Busy

EXPORTS = Path("exports")
DEFAULT_CORPUS = EXPORTS / "corpus.jsonl"
DEMO_EXPORTS = EXPORTS / "demo"

DEFAULT_HOME = Path(".corpus")
DEFAULT_DATA_DIR = DEFAULT_HOME / "label-studio"
DEFAULT_CREDENTIALS = DEFAULT_HOME / "credentials"
DEFAULT_LEDGER_DIR = DEFAULT_HOME / "ledger"


def schema_exports(schema_name: str) -> Path:
    """``exports/<schema>``: where a schema's snapshots, dataset and dry-run tasks go."""
    return EXPORTS / schema_name


def default_snapshot_dir(schema_name: str) -> Path:
    return schema_exports(schema_name) / "snapshots"


def default_dataset_dir(schema_name: str) -> Path:
    return schema_exports(schema_name) / "dataset"


def default_tasks_file(schema_name: str) -> Path:
    return schema_exports(schema_name) / "tasks.json"


__all__ = [
    "DEFAULT_CORPUS",
    "DEFAULT_CREDENTIALS",
    "DEFAULT_DATA_DIR",
    "DEFAULT_HOME",
    "DEFAULT_LEDGER_DIR",
    "DEMO_EXPORTS",
    "EXPORTS",
    "default_dataset_dir",
    "default_snapshot_dir",
    "default_tasks_file",
    "exclusive",
    "replacing",
    "schema_exports",
    "unique_temporaries",
]


@contextmanager
def replacing(path: Path | str, *, suffix: str = ".tmp", hidden: bool = False,
              unique: bool = False) -> Iterator[Path]:
    """Yields ``<path><suffix>`` (``.<name><suffix>`` when ``hidden``) to write, folders
    created; with ``unique``, ``<path>.<pid>-<random><suffix>``, never another run's
    (:func:`unique_temporaries` finds the ones a killed run left). When the block ends
    without an error it is renamed over ``path``, so ``path`` is always whole: the old
    file or the new one. On any error (a full disk,
    Ctrl-C) it is removed and ``path`` is left as it was. A symlink is written through:
    its target is replaced, the link stays. Every file the toolkit writes goes through
    here, or writes a folder next to its place and moves it in (``corpus build``)."""
    path = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    run = f".{os.getpid()}-{secrets.token_hex(4)}" if unique else ""
    tmp = path.with_name(("." if hidden else "") + path.name + run + suffix)
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def naming(path: Path | str) -> Iterator[None]:
    """An OSError raised inside without a file name (a write on a full disk) gets ``path``,
    so the one-line error says which file could not be written."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None and exc.errno is not None:
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise


def unique_temporaries(path: Path | str, *, suffix: str = ".tmp") -> Iterator[Path]:
    """The files ``replacing(path, suffix=suffix, unique=True)`` may have left beside
    ``path`` (a run killed by SIGKILL or a power loss), and its own nested ones. Only
    a holder of ``path``'s write lock may remove them: another run's are in use."""
    path = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    name = re.compile(re.escape(path.name) + r"(?:\.[0-9]+-[0-9a-f]{8}" + re.escape(suffix)
                      + ")+")
    if not path.parent.is_dir():
        return
    for child in path.parent.iterdir():
        if name.fullmatch(child.name) and child.is_file() and not child.is_symlink():
            yield child


# Exclusive file locks: one writer at a time per file, on this machine. ``<file>.lock`` is
# locked with ``flock`` (exclusive, per open file: two threads of one process exclude each
# other too, and the kernel releases it when its holder dies, even by ``kill -9``, so a
# stale lock cannot block anyone). The lock file holds the pid of its holder, shown to
# whoever waits. Used by push (toolkit.studio.lock: the file stays) and by the writers of
# a corpus file (toolkit.corpus.corpus_lock: removed on release, no debris beside it).

DEFAULT_LOCK_TIMEOUT = 600.0
POLL = 0.2

Say = Callable[[str], None]


@contextmanager
def exclusive(
    path: Path,
    *,
    timeout: float = DEFAULT_LOCK_TIMEOUT,
    busy: Callable[[str], str],
    waiting: Callable[[str], str],
    say: Say | None = None,
    remove: bool = False,
) -> Iterator[Path]:
    """Hold the lock file ``path`` for the block; wait up to ``timeout`` seconds for it.

    ``waiting(holder)`` is said once when another holder has it; ``busy(holder)`` is
    the one-line :class:`Busy` raised after ``timeout`` (``holder`` is `` (pid N)`` or
    empty). With ``remove`` the file is deleted on release (a waiter that locked the
    deleted file notices and takes the new one).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = _locked(path, timeout, busy, waiting, say, check_same=remove)
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield path
    finally:
        if remove:
            path.unlink(missing_ok=True)
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def _locked(path: Path, timeout: float, busy: Callable[[str], str],
            waiting: Callable[[str], str], say: Say | None, *, check_same: bool) -> IO[str]:
    """``path`` opened and locked; ``check_same``: and still the file at ``path``."""
    deadline = time.monotonic() + max(timeout, 0.0)
    told = False
    while True:
        handle = path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            holder = holder_of(path)
            if time.monotonic() >= deadline:
                raise Busy(busy(holder)) from None
            if not told and say:
                say(waiting(holder))
                told = True
            time.sleep(min(POLL, max(deadline - time.monotonic(), 0.0)) or POLL / 10)
            continue
        if not check_same or _same_file(handle, path):
            return handle
        handle.close()  # its holder removed it as we locked it: lock the new one


def _same_file(handle: IO[str], path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(handle.fileno())
    return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)


def holder_of(path: Path) -> str:
    """`` (pid N)`` of the lock's last holder, or empty."""
    try:
        pid = path.read_text().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
