"""Every file the toolkit writes is replaced whole or not at all (toolkit.paths.replacing)."""

from __future__ import annotations

import errno

import pytest
from annotation_builders import SCHEMA_PATH

from toolkit.cli import main
from toolkit.paths import replacing


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("good\n")
    with pytest.raises(OSError), replacing(target) as tmp:
        tmp.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_text() == "good\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_finished_write_replaces_the_file(tmp_path):
    target = tmp_path / "sub" / "out.json"
    with replacing(target) as tmp:
        tmp.write_text("new\n")
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.json"]


def test_a_report_that_cannot_be_made_keeps_the_previous_page(tmp_path, capsys):
    page = tmp_path / "report.html"
    page.write_text("<html>the previous report</html>")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "corpus-toolkit.snapshot/1", "header": ')
    code = main(["report", str(broken), "--schema", str(SCHEMA_PATH), "--out", str(page)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert page.read_text() == "<html>the previous report</html>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.json", "report.html"]


def test_a_symlink_is_written_through_and_stays(tmp_path):
    """e.g. `corpus sync --corpus link.jsonl`: the target is replaced, the link kept."""
    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    with replacing(link) as tmp:
        tmp.write_text("new\n")
    assert link.is_symlink() and target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.jsonl", "real.jsonl"]
