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


#: page faults while a 2 MB array is made and freed 50 times, as a worker's batch arrays are
FAULTS_FUNCTION = """
import resource
import numpy as np

def faults():
    np.ones(2 * 2**20, dtype=np.uint8)  # the first one is new memory either way
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):  # made, used, freed, made again
        array = np.ones(2 * 2**20, dtype=np.uint8)
        del array
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
"""
EVERY_TIME = 50 * 2 * 2**20 // 4096 // 2  # at least half the pages faulted in, every time


def _run(code: str, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", FAULTS_FUNCTION + code, *args],
                          capture_output=True, text=True, check=True, cwd=ROOT).stdout


@glibc
def test_a_worker_reuses_the_arrays_it_frees_instead_of_mapping_new_pages_each_time():
    # With the CLI's threshold every 2 MB array is mapped anew, and each of its pages is
    # faulted in and zeroed (what made the sketching workers spend a third of their time
    # in the kernel); reused from the heap, it is not.
    code = """
import sys
from toolkit.runtime import give_back_freed_memory, reuse_freed_memory
assert (give_back_freed_memory if sys.argv[1] == "give back" else reuse_freed_memory)()
print(faults())
"""
    given_back, reused = int(_run(code, "give back")), int(_run(code, "reuse"))
    assert given_back >= EVERY_TIME
    assert reused < given_back // 20


@glibc
def test_the_sketching_workers_reuse_freed_memory_even_under_the_cli_setting(tmp_path):
    code = f"""
from toolkit.runtime import give_back_freed_memory
from toolkit.ingest.copy_index import NearDuplicateIndex

if __name__ == "__main__":
    give_back_freed_memory()  # the CLI's setting, which a forked worker inherits
    index = NearDuplicateIndex(0.75, workdir={str(tmp_path)!r}, workers=1, parallel_from=0)
    index.add(["تعليق طويل بما يكفي ليكون له بصمة رقم %d" % n for n in range(5000)])
    print(index._pool.submit(faults).result(), faults())
    index.close()
"""
    in_worker, in_caller = map(int, _run(code).split())
    assert in_caller >= EVERY_TIME  # the caller keeps the CLI's setting
    assert in_worker < in_caller // 20
