"""The spilled columns' temporary files: a full disk says which folder and what to do, and
`corpus agree` turns it into one line with exit status 2."""

from __future__ import annotations

import errno
import tempfile

import pytest

from tests.report_simulation import SCHEMA, simulate_snapshot
from toolkit.cli import main
from toolkit.columns import GroupedFloats, SpilledInts, SpilledRows, SpilledStrings, ints


class _FullDisk:
    """A temporary file on a disk with no room left."""

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def _fill_the_disk(monkeypatch, folder) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda **kwargs: _FullDisk())


@pytest.fixture
def full_disk(monkeypatch, tmp_path):
    _fill_the_disk(monkeypatch, tmp_path)
    return tmp_path


@pytest.mark.parametrize("fill", [
    lambda: SpilledInts(buffer_values=2).extend([1, 2, 3]),
    lambda: SpilledRows([{"a": 1}, {"b": 2}], batch=1),
    lambda: SpilledStrings(buffer_bytes=1).append("تعليق"),
    lambda: GroupedFloats(buffer_values=1).append("huda", 12.5),
])
def test_a_full_disk_names_the_temporary_folder(full_disk, fill):
    with pytest.raises(OSError) as raised:
        fill()
    assert raised.value.errno == errno.ENOSPC
    assert str(full_disk) in str(raised.value) and "TMPDIR" in str(raised.value)


def test_corpus_agree_says_it_in_one_line(monkeypatch, tmp_path, capsys):
    snapshot = simulate_snapshot(tmp_path / "snapshot.json", tasks=5000)  # > SPILL_EVERY
    monkeypatch.setattr(ints, "BUFFER_VALUES", 64)  # the collectors spill from 64 values
    _fill_the_disk(monkeypatch, tmp_path / "full")
    assert main(["agree", str(snapshot), "-s", str(SCHEMA)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("Error:")] == [
        f"Error: cannot write/read: No space left on device in {tmp_path / 'full'}, where "
        "the temporary files of a large snapshot go (set TMPDIR to a folder with more room)"]
