"""Annotators' names for `corpus agree`: pull writes a user id -> name map in the snapshot
header (the export has bare ids), agreement names annotators from it; older snapshots,
without the key, still read (ids only). Against the real server: tests/test_demo.py."""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.review import agreement_for_snapshot
from toolkit.schema import load_schema
from toolkit.studio.snapshot import write_snapshot

REPO = Path(__file__).resolve().parent.parent


def test_agreement_names_annotators_from_the_snapshot_header(tmp_path):
    source = REPO / "tests" / "data" / "snapshots" / "ls_1.23.2_errors.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    schema = load_schema(REPO / "schemas" / "comment_stance.yaml")
    header = {**data["header"], "schema_name": schema.name, "schema_hash": schema.content_hash}
    plain = tmp_path / "plain.json"
    write_snapshot(plain, header, data["tasks"])  # as older pulls wrote it: no names
    ids = sorted({a.annotator for a in agreement_for_snapshot(plain, schema).annotators})
    assert len(ids) >= 2
    assert all(a.name is None for a in agreement_for_snapshot(plain, schema).annotators)
    named = tmp_path / "named.json"
    write_snapshot(named, {**header, "annotators": {w: f"person {w}" for w in ids[:-1]}},
                   data["tasks"])
    labels = {a.annotator: a.label for a in agreement_for_snapshot(named, schema).annotators}
    assert labels == {**{w: f"{w} (person {w})" for w in ids[:-1]}, ids[-1]: ids[-1]}
