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

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
    "schema_exports",
]


@contextmanager
def replacing(path: Path | str, *, suffix: str = ".tmp", hidden: bool = False
              ) -> Iterator[Path]:
    """Yields ``<path><suffix>`` (``.<name><suffix>`` when ``hidden``) to write, folders
    created. When the block ends without an error it is renamed over ``path``, so
    ``path`` is always whole: the old file or the new one. On any error (a full disk,
    Ctrl-C) it is removed and ``path`` is left as it was. A symlink is written through:
    its target is replaced, the link stays. Every file the toolkit writes goes through
    here, or writes a folder next to its place and moves it in (``corpus build``)."""
    path = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(("." if hidden else "") + path.name + suffix)
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
