"""Reading the toolkit's own JSONL files (corpus, predictions, push ledger), line by line.

Scraper JSONL inputs are read by toolkit.ingest.jsonl instead: there a bad line
is a finding and the rest of the file is still read; here it is an InputError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from .errors import InputError


def iter_jsonl(
    path: Path | str,
    *,
    what: str,
    hint: str = "",
    missing_ok: bool = False,
    on_bad_line: Callable[[int, orjson.JSONDecodeError], None] | None = None,
) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) for each non-blank line of ``path``, streamed.

    A file that cannot be opened raises InputError ``<path>: cannot read the <what>
    (<reason>)``, except an absent one with ``missing_ok`` (nothing is yielded). A
    line that is not JSON raises InputError ``<path>:<line>: not JSON (...); <hint>``,
    unless ``on_bad_line(number, error)`` is given: then it is called and the line
    skipped (the ledger's torn last line after a kill).
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        if missing_ok:
            return
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                if on_bad_line is not None:
                    on_bad_line(number, exc)
                    continue
                raise InputError(
                    f"{path}:{number}: not JSON ({exc})" + (f"; {hint}" if hint else "")
                ) from exc
            yield number, value
