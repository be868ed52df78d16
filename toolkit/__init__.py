"""corpus-toolkit: scraped Arabic news comments -> Label Studio -> a Hugging Face dataset.

The library is what the `corpus` CLI calls; everything the CLI does can be done
from Python with the names below.
"""

from __future__ import annotations

from ._version import __version__
from .corpus import Article, Comment, read_corpus, write_corpus
from .errors import (
    InputError,
    OptionError,
    PublishError,
    SchemaError,
    SetupError,
    SnapshotError,
    StudioAuthError,
    StudioError,
    StudioUnreachable,
    ToolkitError,
    UsageError,
)
from .report import Finding, Report
from .schema import Schema, load_schema
from .studio.snapshot import open_snapshot, write_snapshot

__all__ = [
    "Article",
    "Comment",
    "Finding",
    "InputError",
    "OptionError",
    "PublishError",
    "Report",
    "Schema",
    "SchemaError",
    "SetupError",
    "SnapshotError",
    "StudioAuthError",
    "StudioError",
    "StudioUnreachable",
    "ToolkitError",
    "UsageError",
    "__version__",
    "load_schema",
    "open_snapshot",
    "read_corpus",
    "write_corpus",
    "write_snapshot",
]
