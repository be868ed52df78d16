"""The temporary files the spilled columns write to: made on the first write, appended
to and flushed to the system, read back by offset (which leaves the position where the
next append goes alone), deleted when closed. A write that fails (a full disk) says
which folder was full and what to do."""

from __future__ import annotations

import os
import tempfile
from typing import IO


def spill(file: IO[bytes] | None, data: bytes | bytearray, prefix: str) -> IO[bytes]:
    """Append ``data`` to ``file``, a temporary file made now when None; returns it.
    OSError (e.g. no space left) is raised again naming the temporary folder: the
    buffers' write has no file name of its own to show."""
    try:
        if file is None:
            file = tempfile.TemporaryFile(prefix=prefix)
        file.write(data)
        file.flush()
    except OSError as exc:
        folder = tempfile.gettempdir()
        raise OSError(exc.errno, f"{exc.strerror or exc} in {folder}, where the temporary "
                      "files of a large snapshot go (set TMPDIR to a folder with more "
                      "room)") from exc
    return file


def read_back(file: IO[bytes], offset: int, size: int) -> bytes:
    """``size`` bytes of ``file`` from ``offset`` (written by :func:`spill`), read by
    offset: the file's position, where appends go, does not move."""
    parts = []
    while size > 0:
        part = os.pread(file.fileno(), size, offset)
        if not part:
            raise EOFError(f"{size} bytes missing at {offset} in a temporary file")
        parts.append(part)
        offset += len(part)
        size -= len(part)
    return b"".join(parts)
