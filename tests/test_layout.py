"""The package's layout stays as issue 9 left it: kinds own the kind branches, few loose
modules, the CLI alone raises UsageError, the remote client does not need the local
server's manager."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLKIT = ROOT / "toolkit"
KIND_BRANCH = re.compile(r"kind (==|!=|in|not in) |\.kind (==|!=|in|not in)")


def _sources(folder: Path = TOOLKIT):
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_branch_on_a_kind_name_outside_the_kinds_package():
    found = [f"{path.relative_to(ROOT)}:{number}"
             for path in _sources() if "kinds" not in path.relative_to(TOOLKIT).parts[:1]
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if KIND_BRANCH.search(line)]
    assert len(found) <= 3, found


def test_at_most_ten_modules_at_the_package_root():
    assert len(list(TOOLKIT.glob("*.py"))) <= 10


def test_only_the_cli_raises_usage_error():
    found = [str(path.relative_to(ROOT)) for path in _sources()
             if "cli" not in path.relative_to(TOOLKIT).parts[:1]
             and "raise UsageError" in path.read_text(encoding="utf-8")]
    assert found == []


def test_the_remote_client_does_not_import_the_local_server_manager():
    code = ("import sys, toolkit.studio.connection; "
            "print('toolkit.studio.server' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
