"""docs/findings.md is the one table of every finding code: kept true against the source.

The toolkit's source is scanned for code literals ("I003", "V014", ...): each needs a
row, and each row's code must be in the source (unless retired). Where the source says
a code's level (``report.warning("I006", ...)``, ``Finding("warning", "P001", ...)``,
the code tables), the row says the same.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from toolkit.findings import CODES, Finding

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "findings.md"
CODE = r"[IPVBA]\d{3}"
LITERAL = re.compile(rf"""["']({CODE})["']""")
LEVELLED = re.compile(
    rf"""\.(error|warning|info)\(\s*["']({CODE})["']"""
    rf"""|Finding\(\s*["'](error|warning|info)["'],\s*["']({CODE})["']"""
)
ROW = re.compile(rf"^\| ({CODE}) \| ([^|]+) \| (\w+) \| `([a-z0-9-]+)` \| ([^|]+) \| ([^|]+) \|$")


def _rows() -> dict[str, tuple[str, str, str, str, str]]:
    rows: dict[str, tuple[str, str, str, str, str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            code, *rest = match.groups()
            assert code not in rows, f"docs/findings.md: {code} has two rows"
            rows[code] = tuple(part.strip() for part in rest)  # type: ignore[assignment]
    return rows


def _source() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """code -> files using it; code -> levels the source gives it."""
    used: dict[str, set[str]] = {}
    levels: dict[str, set[str]] = {}
    for path in sorted((ROOT / "toolkit").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for code in LITERAL.findall(text):
            used.setdefault(code, set()).add(str(path.relative_to(ROOT)))
        for m in LEVELLED.finditer(text):
            level, code = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            levels.setdefault(code, set()).add(level)
    return used, levels


def _validate_codes() -> dict[str, tuple[str, str]]:
    for name in ("toolkit.review.validate", "toolkit.validate"):  # wherever it lives now
        try:
            return importlib.import_module(name).CODES
        except ModuleNotFoundError:
            continue
    raise AssertionError("no validate module found")


def test_every_code_in_the_source_has_a_row():
    rows = _rows()
    used, _ = _source()
    missing = {code: sorted(files) for code, files in used.items() if code not in rows}
    assert not missing, f"codes without a row in docs/findings.md: {missing}"


def test_every_row_is_a_code_of_the_source_or_retired():
    used, _ = _source()
    stale = [code for code, row in _rows().items() if code not in used and row[1] != "retired"]
    assert not stale, f"docs/findings.md rows for codes the source no longer has: {stale}"
    assert _rows()["B002"][1] == "retired"


def test_rows_give_the_level_and_name_the_source_gives():
    rows = _rows()
    _, levels = _source()
    tables = {**_validate_codes(), **CODES}
    for code, (level, name) in tables.items():
        assert rows[code][1:3] == (level, name), code
    for code, found in levels.items():
        assert found == {rows[code][1]}, f"{code}: source says {found}, doc {rows[code][1]}"
    assert len(rows) >= 48  # I001-I022, P001-P003, V001-V020, B001-B003


def test_codes_are_stable_identifiers_and_names_show_in_the_line():
    assert all(re.fullmatch(CODE, code) for code in CODES)
    finding = Finding("info", "I003", "samples/notes.md", "not a .txt/.jsonl/.csv file", "skipped")
    assert finding.name == "not-an-input"
    assert finding.line() == (
        "samples/notes.md: info[I003 not-an-input]: not a .txt/.jsonl/.csv file; skipped"
    )
    assert finding.to_dict()["name"] == "not-an-input"
    # A code without a name (validate's, or a new one) prints as before.
    assert Finding("warning", "V014", "task 3", "m").line() == "task 3: warning[V014]: m"
