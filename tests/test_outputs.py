"""Output files named by options: symlinks, devices, full disks, interrupted writes.

Issue 13, items 9 and 11: ``--out``/``--json``/``--report``/``--unresolved`` write
through a symlink to its target and refuse anything but a regular file (as root,
``--out /dev/full`` used to replace the device with a regular file); a failed write
names the file, leaves the previous file whole and no temporary behind.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from annotation_builders import SCHEMA_PATH, annotation, choice, task
from dataset_fixture import make_inputs

from toolkit.cli import main
from toolkit.studio.snapshot import write_snapshot

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
STANCE = ROOT / "schemas" / "comment_stance.yaml"


def _snapshot(tmp_path: Path) -> Path:
    tasks = [task(1, "نص", [annotation(k, k, [choice("stance", "agree")]) for k in (1, 2)])]
    path = tmp_path / "snap.json"
    write_snapshot(path, {"schema_name": "comment_stance"}, tasks)
    return path


def _commands(tmp_path: Path, out: Path) -> dict[str, list[str]]:
    """Every command with an output file option, writing to ``out``."""
    snap = _snapshot(tmp_path)
    corpus = tmp_path / "corpus.jsonl"
    if not corpus.exists():
        assert main(["ingest", str(SAMPLES), "-o", str(corpus)]) == 0
    return {
        "ingest --out": ["ingest", str(SAMPLES), "--out", str(out)],
        "ingest --report": ["ingest", str(SAMPLES), "-o", str(tmp_path / "c2.jsonl"),
                            "--report", str(out)],
        "validate --json": ["validate", str(snap), "-s", str(SCHEMA_PATH), "--json", str(out)],
        "agree --json": ["agree", str(snap), "-s", str(SCHEMA_PATH), "--json", str(out)],
        "agree --unresolved": ["agree", str(snap), "-s", str(SCHEMA_PATH),
                               "--unresolved", str(out)],
        "push --out": ["push", "-s", str(STANCE), "--corpus", str(corpus), "--dry-run",
                       "--out", str(out)],
    }


def test_every_output_option_writes_through_a_symlink(tmp_path, capsys):
    target = tmp_path / "real" / "target.out"
    target.parent.mkdir()
    link = tmp_path / "link.out"
    link.symlink_to(target)
    for name, argv in _commands(tmp_path, link).items():
        target.write_bytes(b"old")
        code = main(argv)
        assert code in (0, 1), (name, capsys.readouterr().err)
        assert link.is_symlink(), name
        assert os.readlink(link) == str(target), name
        assert target.read_bytes() != b"old", name
        assert sorted(p.name for p in target.parent.iterdir()) == ["target.out"], name


def _device(tmp_path: Path) -> Path:
    """A character device of our own (a copy of /dev/null's node): never the system's, which
    the old code replaced with a regular file when run as root."""
    device = tmp_path / "null"
    if os.geteuid() == 0:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    else:
        pytest.skip("creating a device node needs root")
    return device


def test_every_output_option_refuses_a_device(tmp_path, capsys):
    device = _device(tmp_path)
    before = os.stat(device)
    for name, argv in _commands(tmp_path, device).items():
        capsys.readouterr()
        assert main(argv) == 2, name
        err = capsys.readouterr().err
        option = name.split()[1]
        assert err == (f"Error: {option} {device}: is a character device, not a regular file; "
                       "nothing was written there; give a file path\n"), name  # before any work
        after = os.stat(device)
        assert (after.st_mode, after.st_rdev) == (before.st_mode, before.st_rdev), name


def test_a_folder_or_a_link_to_a_device_is_refused(tmp_path, capsys):
    device = _device(tmp_path)
    link = tmp_path / "full"
    link.symlink_to(device)
    assert main(["ingest", str(SAMPLES), "-o", str(link)]) == 2
    assert capsys.readouterr().err == (
        f"Error: --out {link} (-> {device}): is a character device, not a regular file; "
        "nothing was written there; give a file path\n")
    assert main(["ingest", str(SAMPLES), "-o", str(tmp_path)]) == 2
    assert "is a folder, not a regular file" in capsys.readouterr().err


class _FullDisk:
    """A file opened for writing whose writes fail with ENOSPC once the disk is "full"."""

    def __init__(self, handle, state: dict) -> None:
        self._handle, self._state = handle, state

    def write(self, data) -> int:
        self._state["n"] += len(data)
        if self._state["n"] > self._state["budget"]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._handle.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self._handle.close()

    def __getattr__(self, name: str):
        return getattr(self._handle, name)


def _disk_full_after(monkeypatch, budget: int, name: str) -> None:
    """Files whose name holds ``name`` (the output and its temporaries), opened for writing
    through pathlib, fail with ENOSPC once ``budget`` bytes were written to them (what a
    full disk does to a write)."""
    state = {"n": 0, "budget": budget}
    real_open = Path.open

    def open_(self, mode="r", *args, **kwargs):
        handle = real_open(self, mode, *args, **kwargs)
        writing = "w" in mode or "a" in mode
        return _FullDisk(handle, state) if writing and name in self.name else handle

    monkeypatch.setattr(Path, "open", open_)


def _full_disk_test(tmp_path, monkeypatch, capsys, name: str, budget: int = 100) -> None:
    out = tmp_path / "out" / "file.out"
    out.parent.mkdir()
    argv = _commands(tmp_path, out)[name]
    out.write_bytes(b"the previous file")
    capsys.readouterr()
    _disk_full_after(monkeypatch, budget, out.name)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (f"Error: cannot write/read {out}: No space left on device; the previous "
                       "file.out is kept as it was"), name
    assert out.read_bytes() == b"the previous file", name
    assert sorted(p.name for p in out.parent.iterdir()) == ["file.out"], name


@pytest.mark.parametrize("name", ["validate --json", "agree --json", "ingest --out",
                                  "ingest --report", "push --out"])
def test_a_full_disk_names_the_file_and_leaves_the_old_one_whole(
        name, tmp_path, monkeypatch, capsys):
    _full_disk_test(tmp_path, monkeypatch, capsys, name)


def test_a_failed_build_leaves_no_building_folder(tmp_path, monkeypatch, capsys):
    schema, corpus, snapshot = make_inputs(tmp_path)
    out = tmp_path / "ds"
    assert main(["build", str(snapshot), "-s", str(schema), "-o", str(out)]) == 0
    before = sorted(p.name for p in out.iterdir())

    import toolkit.dataset.build as building

    def card_fails(_facts):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(building, "render_card", card_fails)
    capsys.readouterr()
    assert main(["build", str(snapshot), "-s", str(schema), "-o", str(out)]) == 2
    assert capsys.readouterr().err == (f"Error: cannot write/read {out}: No space left on "
                                       "device; the previous ds is kept as it was\n")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert sorted(p.name for p in out.iterdir()) == before


def test_build_out_through_a_symlink_builds_in_its_target(tmp_path, capsys):
    schema, _, snapshot = make_inputs(tmp_path)
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "ds"
    link.symlink_to(real / "dataset")
    for _ in range(2):  # the second build replaces the first, the link stays
        assert main(["build", str(snapshot), "-s", str(schema), "-o", str(link)]) == 0
        assert link.is_symlink() and (real / "dataset" / "README.md").is_file()
    assert sorted(p.name for p in real.iterdir()) == ["dataset"]


def test_a_terminated_ingest_leaves_no_tmp(tmp_path):
    """SIGTERM during an ingest: the corpus file is as it was and no .tmp is left."""
    pages = tmp_path / "pages"
    pages.mkdir()
    seed = (SAMPLES / "000_dab86e570d492265.txt").read_text(encoding="utf-8")
    for n in range(3000):
        (pages / f"{n:05d}.txt").write_text(seed.replace("وائل", f"وائل {n}"), encoding="utf-8")
    out = tmp_path / "corpus.jsonl"
    out.write_bytes(b"")
    code = ("import sys; from toolkit.cli import main; "
            "sys.exit(main(['ingest', sys.argv[1], '-o', sys.argv[2]]))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code, str(pages), str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    def temporaries() -> list[Path]:  # the run's own <out>.<pid>-<random>.tmp
        return list(tmp_path.glob("corpus.jsonl.*.tmp"))

    for _ in range(600):  # until the temporary exists (the ingest is writing), at most 60 s
        if temporaries() or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert temporaries(), "the ingest ended before it could be stopped"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert not temporaries()
    assert out.read_bytes() == b""
    assert json.dumps(err.decode()).count("Traceback") == 0


def test_a_snapshot_on_a_full_disk_names_the_file_and_leaves_no_part(tmp_path, monkeypatch):
    """What `corpus pull` writes: a full disk names the snapshot and leaves no .part."""
    path = tmp_path / "snapshots" / "file.out.json"
    _disk_full_after(monkeypatch, 100, "file.out")
    tasks = [task(n, "نص " * 50, []) for n in range(1, 20)]
    with pytest.raises(OSError) as caught:
        write_snapshot(path, {"schema_name": "comment_stance"}, tasks)
    assert (caught.value.errno, caught.value.filename) == (errno.ENOSPC, str(path))
    assert list(path.parent.iterdir()) == []


def test_findings_name_the_out_as_typed(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("c.jsonl").write_bytes(b"")
    assert main(["ingest", str(tmp_path / "nothing-here"), "-o", "c.jsonl"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[1].startswith("c.jsonl: warning[I052 nothing-read]: no article was read"), err


def test_an_output_under_a_file_says_the_file_is_not_a_folder(tmp_path, capsys):
    """Issue 17 item 18: `report --out afile/x.html` said "File exists"."""
    afile = tmp_path / "afile"
    afile.write_text("keep me\n", encoding="utf-8")
    commands = _commands(tmp_path, afile / "sub" / "x.out")
    schema, corpus, snapshot = make_inputs(tmp_path / "inputs")
    commands["report --out"] = ["report", str(snapshot), "-s", str(schema),
                                "--out", str(afile / "sub" / "x.out")]
    commands["build --out"] = ["build", str(snapshot), "-s", str(schema),
                               "--out", str(afile / "sub" / "x.out")]
    for name, argv in commands.items():
        capsys.readouterr()
        assert main(argv) == 2, name
        option = name.split()[1]
        assert capsys.readouterr().err == (
            f"Error: {option} {afile / 'sub' / 'x.out'}: {afile} is not a folder; nothing was "
            "written; give a path in a folder\n"), name
    assert afile.read_text(encoding="utf-8") == "keep me\n"


def test_a_full_disk_on_a_new_output_says_nothing_was_written(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out" / "file.out"
    out.parent.mkdir()
    argv = _commands(tmp_path, out)["agree --json"]
    _disk_full_after(monkeypatch, 100, out.name)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (f"Error: cannot write/read {out}: No space left on device; nothing "
                       "was written")
    assert list(out.parent.iterdir()) == []
