"""corpus-toolkit: scraped Arabic news comments -> Label Studio -> a Hugging Face dataset.

The library is what the `corpus` CLI calls; every command is one of these calls:

    ingest(inputs, out=...)                          corpus ingest
    connect(url, api_key)                            the Label Studio any command talks to
    push(schema, corpus, studio) / pull(schema, studio)   corpus push / pull
    review_snapshot(snapshot, schema, corpus=...)    corpus validate / agree (one read)
    build_dataset(snapshot, schema, corpus=...)      corpus build
    write_report(snapshot, schema)                   corpus report
    adjudicate(schema, studio)                       corpus adjudicate
    publish_folder(folder, repo)                     corpus publish
    sync(schema, studio, inputs=...)                 corpus sync

The stage functions are imported on first use (some load ``datasets``, numpy or the
Label Studio SDK), so ``import toolkit`` stays quick. Errors are the exceptions below
(one-line messages); findings are
:class:`Finding` records.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
from .findings import Finding, Report
from .schema import Schema, load_schema
from .studio.snapshot import open_snapshot, write_snapshot

if TYPE_CHECKING:
    from .dataset import build_dataset
    from .html_report import write_report
    from .ingest import ingest
    from .publish import publish_folder
    from .review import review_snapshot
    from .studio.connection import connect
    from .studio.pull import pull
    from .studio.push import push
    from .workflows.adjudicate import adjudicate
    from .workflows.sync import sync

#: public name -> the module it is loaded from on first use (heavy imports)
_LAZY = {
    "adjudicate": "toolkit.workflows.adjudicate",
    "build_dataset": "toolkit.dataset",
    "connect": "toolkit.studio.connection",
    "ingest": "toolkit.ingest",
    "publish_folder": "toolkit.publish",
    "pull": "toolkit.studio.pull",
    "push": "toolkit.studio.push",
    "review_snapshot": "toolkit.review",
    "sync": "toolkit.workflows.sync",
    "write_report": "toolkit.html_report",
}

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
    "adjudicate",
    "build_dataset",
    "connect",
    "ingest",
    "load_schema",
    "open_snapshot",
    "publish_folder",
    "pull",
    "push",
    "read_corpus",
    "review_snapshot",
    "sync",
    "write_corpus",
    "write_report",
    "write_snapshot",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
