"""The snapshot header check and its V020 warning, for every review step (and build), in
one place.

``check_header`` refuses a snapshot pulled for another schema (SnapshotError) and
returns the warning text when it was pulled under another version (hash) of this
schema. Each step says what it does about it in its own words (``V020_ACTION``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import SnapshotError
from ..findings import Finding
from ..schema import Schema
from ..studio.snapshot import schema_changed_message

V020 = "V020"
V020_ACTION = {
    "validate": "annotations are checked against the schema given",
    "agree": "answers are read with the schema given",
    "build": "answers are read with the schema given; `corpus validate` lists what no "
             "longer fits",
}


def check_header(header: Mapping[str, Any], schema: Schema, where: str | Path) -> str | None:
    """Does the snapshot fit the schema it is read with? ``schema`` is a toolkit Schema.

    Raises SnapshotError when the header says the snapshot was pulled for a schema of
    another name (every answer would be misread). Returns the warning text when it was
    pulled under another version (hash) of this schema, else None. A snapshot without
    a header (a plain Label Studio export) fits any schema. validate, agree and build
    all call this, so they refuse and warn alike.
    """
    name = header.get("schema_name") if isinstance(header, Mapping) else None
    if isinstance(name, str) and name and name != schema.name:
        raise SnapshotError(
            f"{where}: the snapshot was pulled for schema {name!r}, not {schema.name!r}; "
            "pass the schema it was pulled with"
        )
    pulled = header.get("schema_hash") if isinstance(header, Mapping) else None
    if isinstance(pulled, str) and pulled and pulled != schema.content_hash:
        return schema_changed_message(pulled, schema.content_hash)
    return None



def schema_changed_finding(where: str | Path, changed: str, step: str) -> Finding:
    """The V020 warning as agree and build report it (validate's carries task ids)."""
    return Finding("warning", V020, str(where), changed, V020_ACTION[step])
