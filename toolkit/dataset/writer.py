"""Parquet files of a split, written as the rows come and byte-for-byte reproducibly.

Rows are already encoded (rows.RowEncoder); :class:`SplitWriter` turns every
``ROW_GROUP_SIZE`` of them into an Arrow table with the Features' Arrow schema
(rows.rows_table), which carries the ``huggingface`` metadata that `datasets`
reads the features back from, and writes it through one
``pyarrow.parquet.ParquetWriter`` per shard: the split is never held whole.

Shards are named the way the Hub names them, ``data/{split}-0000i-of-0000N.parquet``:
a shard is closed once its rows reach ``max_shard_bytes`` of Arrow (in-memory)
size, the next rows go to a new one, and the files are renamed at the end, when N
is known. A split below the limit is one file, ``{split}-00000-of-00001.parquet``.

Reproducible: fixed row-group size and compression, no timestamps; pyarrow stamps
only its own version (``created_by``), which is the same as long as pyarrow is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import Features

from .rows import rows_table

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


def shard_name(split: str, index: int, shards: int) -> str:
    return f"data/{split}-{index:05d}-of-{shards:05d}.parquet"


class SplitWriter:
    """One split's Parquet shards, fed row by row (:meth:`add`), finished by :meth:`close`."""

    def __init__(self, folder: Path, name: str, features: Features, *,
                 max_shard_bytes: int | None = None) -> None:
        self.folder = folder
        self.name = name
        self.features = features
        self.schema = features.arrow_schema
        self.max_shard_bytes = max_shard_bytes or MAX_SHARD_BYTES
        self.rows = 0
        self._pending: list[list] = []
        self._shards: list[Path] = []  # written so far, under temporary names
        self._writer: pq.ParquetWriter | None = None
        self._shard_bytes = 0
        self._size = WholeSize()

    def add(self, row: list) -> None:
        self._pending.append(row)
        if len(self._pending) >= ROW_GROUP_SIZE:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        table = rows_table(self._pending, self.features)
        self._pending = []
        self.rows += table.num_rows
        self._size.add(table)
        while table.num_rows:
            if self._writer is not None and self._shard_bytes >= self.max_shard_bytes:
                self._close_shard()
            room = self.max_shard_bytes - self._shard_bytes
            fit = table.num_rows
            if table.nbytes > room:  # the rows that fit, by their mean size; one at least
                fit = max(1, min(fit, int(room // (table.nbytes / table.num_rows))))
            part = table.slice(0, fit) if fit < table.num_rows else table
            self._write(part)
            table = table.slice(fit)

    def _write(self, part: pa.Table) -> None:
        if self._writer is None:
            path = self.folder / f"data/.{self.name}-{len(self._shards):05d}.parquet.part"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._shards.append(path)
            self._writer = pq.ParquetWriter(path, self.schema, compression=COMPRESSION,
                                            write_statistics=True)
            self._shard_bytes = 0
        self._writer.write_table(part, row_group_size=ROW_GROUP_SIZE)
        self._shard_bytes += part.nbytes

    def _close_shard(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def close(self) -> SplitFiles:
        """Write what is pending, close the last shard and give the files their names."""
        self._flush()
        self._close_shard()
        paths: list[str] = []
        file_bytes = 0
        for index, temporary in enumerate(self._shards):
            relative = shard_name(self.name, index, len(self._shards))
            target = self.folder / relative
            temporary.rename(target)
            paths.append(relative)
            file_bytes += target.stat().st_size
        return SplitFiles(self.name, paths, self.rows, self._size.total(), file_bytes)

    def abort(self) -> None:
        self._close_shard()


class WholeSize:
    """The ``nbytes`` the split would have as ONE Arrow table, from the tables of its row
    groups (what the card states, as when a split was converted whole). Buffers add up
    across tables except the validity bitmaps: a table without a null in a column has
    none, and a bitmap takes ceil(length / 8) bytes; so the bitmaps are counted per
    column (and nested child) over the whole length instead."""

    def __init__(self) -> None:
        self._nbytes = 0
        # column path -> [length, has a bitmap somewhere, bitmap bytes counted in _nbytes]
        self._nodes: dict[str, list] = {}

    def add(self, table: pa.Table) -> None:
        self._nbytes += table.nbytes
        for index, column in enumerate(table.columns):
            for chunk in column.chunks:
                self._walk(chunk, str(index))

    def _walk(self, array: pa.Array, path: str) -> None:
        node = self._nodes.setdefault(path, [0, False, 0])
        has = array.buffers()[0] is not None
        node[0] += len(array)
        node[1] = node[1] or has
        if has:
            node[2] += math.ceil(len(array) / 8)
        kind = array.type
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            self._walk(array.values, path + "/values")
        elif pa.types.is_struct(kind):
            for i in range(kind.num_fields):
                self._walk(array.field(i), f"{path}/{i}")

    def total(self) -> int:
        counted = sum(node[2] for node in self._nodes.values())
        whole = sum(math.ceil(node[0] / 8) for node in self._nodes.values() if node[1])
        return self._nbytes - counted + whole
