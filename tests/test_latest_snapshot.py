"""The newest snapshot of a project, also when two pulls fell in one second (the
second is written as <time>-1.json: it must win, for incremental pulls and adjudicate)."""

from __future__ import annotations

from datetime import datetime, timezone

from toolkit.studio.pull import _snapshot_path, latest_snapshot
from toolkit.studio.snapshot import write_snapshot

SERVER = "http://127.0.0.1:8080"


def _pull_at(folder, moment, marker: str):
    path = _snapshot_path(folder, moment)
    header = {"server": SERVER, "project_id": 3, "cursor": {"max_id": 1},
              "pulled_at": moment.isoformat(timespec="seconds"), "schema_name": marker}
    write_snapshot(path, header, [])
    return path


def test_the_second_pull_of_one_second_is_the_newest(tmp_path):
    moment = datetime(2026, 12, 3, 8, 15, 0, tzinfo=timezone.utc)
    first = _pull_at(tmp_path, moment, "first")
    second = _pull_at(tmp_path, moment, "second")
    third = _pull_at(tmp_path, moment, "third")
    assert [first.name, second.name, third.name] == [
        "2026-12-03T081500Z.json", "2026-12-03T081500Z-1.json", "2026-12-03T081500Z-2.json"]
    assert latest_snapshot(tmp_path, server=SERVER, project_id=3) == third


def test_a_later_second_beats_a_numbered_name(tmp_path):
    moment = datetime(2026, 12, 3, 8, 15, 0, tzinfo=timezone.utc)
    _pull_at(tmp_path, moment, "first")
    _pull_at(tmp_path, moment, "second")
    later = _pull_at(tmp_path, moment.replace(second=1), "later")
    assert latest_snapshot(tmp_path, server=SERVER, project_id=3) == later
