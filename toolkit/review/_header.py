"""The snapshot header check and its V020 warning, for every review step, in one place.

``check_header`` refuses a snapshot pulled for another schema (SnapshotError) and
returns the warning text when it was pulled under another version (hash) of this
schema. Each step says what it does about it in its own words (``V020_ACTION``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..findings import Finding
from ..schema import Schema
from ..studio.snapshot import check_schema

V020 = "V020"
V020_ACTION = {
    "validate": "annotations are checked against the schema given",
    "agree": "answers are read with the schema given",
    "build": "answers are read with the schema given; `corpus validate` lists what no "
             "longer fits",
}


def check_header(header: Mapping[str, Any], schema: Schema, where: str | Path) -> str | None:
    """None when the snapshot fits the schema, the V020 text when it was pulled under
    another version of it; SnapshotError when it was pulled for another schema."""
    return check_schema(header, schema, where)


def schema_changed_finding(where: str | Path, changed: str, step: str) -> Finding:
    """The V020 warning as agree and build report it (validate's carries task ids)."""
    return Finding("warning", V020, str(where), changed, V020_ACTION[step])
