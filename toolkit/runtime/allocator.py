"""How the `corpus` process asks the C allocator to give freed memory back.

glibc serves a large allocation (a numpy array, an Arrow buffer) with its own memory
mapping, returned to the system as soon as it is freed, but only above a threshold that
it raises each time such a block is freed, up to 32 MB. After the first few freed
arrays, every array under 32 MB comes from the heap instead, and the heap keeps what is
freed in the middle of it: the process's memory stays at its high-water mark and the
next stage's arrays land beside it, not in its place. Build's stages free and allocate
arrays of a few to a few tens of MB one after the other (agreement figures, the
near-duplicate groups, the split columns), so at a million tasks that was most of the
difference between its peak and what it held (bench_build: 525 MB with the moving
threshold, 431 MB with a fixed one; at 100,000 tasks 317 and 302 MB, for about 3% more
time).

:func:`give_back_freed_memory` fixes the threshold at glibc's own starting value (128
KiB), which also turns the raising off. The CLI calls it once, at start; a program that
uses the library on large snapshots can call it too (it changes the whole process, so
the library never does it on its own), or set ``MALLOC_MMAP_THRESHOLD_=131072`` in the
environment. Elsewhere than on glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number (malloc.h)
THRESHOLD = 128 * 1024  # glibc's default starting threshold


def give_back_freed_memory() -> bool:
    """Fix glibc's mmap threshold at 128 KiB (see the module docstring); True when set."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has mallopt, and ignores it)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, THRESHOLD) == 1
