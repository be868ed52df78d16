"""The CLI's allocator setting (toolkit.runtime.allocator): a freed array of a few MB goes back
to the system even after glibc would have raised its mmap threshold above it."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import sys
import numpy as np
from toolkit.runtime import give_back_freed_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024

if sys.argv[1] == "fixed":
    assert give_back_freed_memory()
first = np.ones(20 * 2**20, dtype=np.uint8)  # mapped; freed, glibc raises its threshold to 20 MB
del first
before = rss_mb()
middle = np.ones(16 * 2**20, dtype=np.uint8)  # below that threshold: the heap, unless fixed
above = np.ones(2**20, dtype=np.uint8)  # after it on the heap, so it is not at the top
del middle
print(rss_mb() - before)
"""

glibc = pytest.mark.skipif(sys.platform != "linux" or platform.libc_ver()[0] != "glibc",
                           reason="the setting is glibc's")


def _kept_mb(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return int(out.stdout.strip())


@glibc
def test_a_freed_array_goes_back_to_the_system_with_the_fixed_threshold():
    assert _kept_mb("moving") >= 12  # glibc's own behaviour: the 16 MB stay with the process
    assert _kept_mb("fixed") <= 4


@glibc
def test_the_cli_sets_it_at_start():
    code = ("import toolkit.cli as cli; calls = []; "
            "cli.give_back_freed_memory = lambda: calls.append(1) or True; "
            "cli.main(['version']); print(len(calls))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.split()[-1] == "1"
