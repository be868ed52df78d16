"""Ingest: raw news pages (.txt), JSONL and CSV -> one corpus JSONL file.

    from toolkit.ingest import ingest
    result = ingest(["samples/"], out="exports/corpus.jsonl")
    result.articles, result.comments, result.report.findings

The run itself (discovery, decoding, dedupe, writing) is in :mod:`.run`; the
readers of each format in :mod:`.page`, :mod:`.jsonl` and :mod:`.csvfile`; Arabic
relative times and normalization in :mod:`.arabic`.
"""

from __future__ import annotations

from .run import FORMATS, IngestResult, discover, ingest, iter_articles, source_name

__all__ = ["FORMATS", "IngestResult", "discover", "ingest", "iter_articles", "source_name"]
