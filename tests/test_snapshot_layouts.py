"""A snapshot with a UTF-8 BOM, or its JSON on one line or re-indented, is read whole
(issue 13, item 13): it was refused as "the snapshot header is not valid JSON" / "not JSON".
"""

from __future__ import annotations

import json

import orjson
import pytest
from annotation_builders import SCHEMA_PATH, annotation, choice, task

from toolkit.cli import main
from toolkit.errors import SnapshotError
from toolkit.studio.snapshot import open_snapshot, write_snapshot

BOM = b"\xef\xbb\xbf"


@pytest.fixture()
def pulled(tmp_path):
    tasks = [task(n, f"تعليق {n}", [annotation(k, k, [choice("stance", "agree")])
                                     for k in (1, 2)]) for n in (1, 2, 3)]
    path = tmp_path / "pulled.json"
    header = write_snapshot(path, {"schema_name": "comment_stance", "project_id": 7}, tasks)
    return path, header, tasks


def _variants(path, tmp_path):
    raw = path.read_bytes()
    whole = orjson.loads(raw)
    made = {
        "bom": BOM + raw,
        "one line": orjson.dumps(whole),
        "one line with bom": BOM + orjson.dumps(whole),
        "indented": json.dumps(whole, indent=2, ensure_ascii=False).encode(),
    }
    for name, data in made.items():
        other = tmp_path / f"{name.replace(' ', '_')}.json"
        other.write_bytes(data)
        yield name, other


def test_bom_and_other_layouts_read_like_the_original(pulled, tmp_path):
    path, header, tasks = pulled
    for name, other in _variants(path, tmp_path):
        snap = open_snapshot(other)
        assert snap.header == header, name
        assert snap.header["project_id"] == 7 and snap.header["counts"]["tasks"] == 3, name
        assert list(snap.tasks()) == list(open_snapshot(path).tasks()), name


def test_plain_export_with_bom_is_read(pulled, tmp_path):
    path, _, tasks = pulled
    export = tmp_path / "export.json"
    export.write_bytes(BOM + orjson.dumps(tasks))
    snap = open_snapshot(export)
    assert snap.header == {}
    assert [t["id"] for t in snap.tasks()] == [1, 2, 3]


def test_validate_accepts_a_one_line_snapshot(pulled, tmp_path, capsys):
    path, _, _ = pulled
    one_line = tmp_path / "one.json"
    one_line.write_bytes(BOM + orjson.dumps(orjson.loads(path.read_bytes())))
    assert main(["validate", str(one_line), "--schema", str(SCHEMA_PATH)]) == 0
    assert "3 tasks, 6 submitted annotations" in capsys.readouterr().out


def test_one_line_snapshot_for_another_schema_is_still_refused(pulled, tmp_path):
    """The header of a re-laid-out snapshot is read, so its schema name still counts."""
    path, _, _ = pulled
    whole = orjson.loads(path.read_bytes())
    whole["header"]["schema_name"] = "article_entities"
    other = tmp_path / "other.json"
    other.write_bytes(orjson.dumps(whole))
    assert main(["validate", str(other), "--schema", str(SCHEMA_PATH)]) == 2


def test_truncated_one_line_snapshot_is_one_line_error(pulled, tmp_path):
    path, _, _ = pulled
    cut = tmp_path / "cut.json"
    cut.write_bytes(orjson.dumps(orjson.loads(path.read_bytes()))[:-40])
    with pytest.raises(SnapshotError, match="not valid JSON, or truncated"):
        open_snapshot(cut)
