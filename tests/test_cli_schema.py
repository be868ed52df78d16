"""`corpus schema check` and `corpus schema config`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from toolkit.cli import main
from toolkit.schema import load_schema
from toolkit.studio.labelconfig import label_config

ROOT = Path(__file__).resolve().parents[1]
COMMENT = ROOT / "schemas" / "comment_stance.yaml"
ARTICLE = ROOT / "schemas" / "article_entities.yaml"
BAD = Path(__file__).parent / "data" / "schemas"


def test_check_passes_both_shipped_schemas(capsys):
    assert main(["schema", "check", str(COMMENT), str(ARTICLE)]) == 0
    out = capsys.readouterr()
    lines = out.out.strip().splitlines()
    h = load_schema(COMMENT).content_hash
    assert lines[0] == (f"OK {COMMENT}: comment_stance v1 {h} (unit comment, rtl; 6 questions: "
                        "2 single, 1 multi, 1 yesno, 1 spans, 1 text; 18 labels)")
    assert lines[1].startswith(f"OK {ARTICLE}: article_entities v1 sha256:")
    assert out.err == ""


def test_check_bad_schema_exit_2_with_its_line(capsys):
    bad = BAD / "splits_sum.yaml"
    assert main(["schema", "check", str(COMMENT), str(bad)]) == 2
    out = capsys.readouterr()
    assert out.out.startswith(f"OK {COMMENT}:")
    assert out.err.strip() == (f"Error: {bad}:10:11: split fractions sum to 1.1, not 1; adjust "
                               "them (train: 0.8, validation: 0.1, test: 0.2)")
    assert "Traceback" not in out.err


def test_check_every_bad_fixture_fails(capsys):
    files = sorted(BAD.glob("*.yaml"))
    assert main(["schema", "check", *map(str, files)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == len(files)
    for line, path in zip(err, files, strict=True):
        assert line.startswith(f"Error: {path}:"), line


def test_config_prints_the_xml(capsys):
    assert main(["schema", "config", str(COMMENT)]) == 0
    out = capsys.readouterr().out
    assert out == label_config(load_schema(COMMENT)) + "\n"
    assert ET.fromstring(out).tag == "View"


def test_config_of_bad_schema_is_one_line(capsys):
    assert main(["schema", "config", str(BAD / "not_slug.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"Error: {BAD / 'not_slug.yaml'}:1:7: name 'Comment Stance'")
    assert "\n" not in err
