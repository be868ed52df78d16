"""Parquet files of a split, written byte-for-byte reproducibly.

Rows are already encoded (rows.RowEncoder) and turned into an Arrow table with
the Features' Arrow schema (rows.rows_table), which carries the ``huggingface``
metadata that `datasets` reads the features back from. Reproducible: fixed
row-group size and compression, no timestamps; pyarrow stamps only its own
version (``created_by``), which is the same as long as pyarrow is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

MAX_SHARD_BYTES = 256 * 1024 * 1024  # in Arrow memory; the Hub's own default is 500 MB
ROW_GROUP_SIZE = 10_000
COMPRESSION = "zstd"


@dataclass(frozen=True)
class SplitFiles:
    """What was written for one split: its files (relative to the folder) and sizes."""

    name: str
    paths: list[str]
    num_examples: int
    num_bytes: int  # Arrow (in-memory) size, as `datasets` reports it in dataset_info
    file_bytes: int  # bytes on disk, the download size


def write_split(folder: Path, name: str, table: pa.Table, *,
                max_shard_bytes: int = MAX_SHARD_BYTES) -> SplitFiles:
    """Write ``data/{name}-0000i-of-0000N.parquet``; N grows with the split's size."""
    rows = table.num_rows
    num_bytes = table.nbytes
    shards = max(1, math.ceil(num_bytes / max_shard_bytes))
    per_shard = math.ceil(rows / shards) if rows else 0
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    paths: list[str] = []
    file_bytes = 0
    for index in range(shards):
        part = table.slice(index * per_shard, per_shard) if rows else table
        relative = f"data/{name}-{index:05d}-of-{shards:05d}.parquet"
        target = folder / relative
        pq.write_table(
            part,
            target,
            row_group_size=ROW_GROUP_SIZE,
            compression=COMPRESSION,
            write_statistics=True,
        )
        paths.append(relative)
        file_bytes += target.stat().st_size
    return SplitFiles(name, paths, rows, num_bytes, file_bytes)
