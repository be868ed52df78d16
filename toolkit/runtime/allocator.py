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

The library does set the processes it starts itself: its near-duplicate sketching
workers make and free the same arrays batch after batch, and with the caller's setting
inherited they paid for it in the kernel; they call :func:`reuse_freed_memory`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
THRESHOLD = 128 * 1024  # glibc's default starting threshold
# a worker's (reuse_freed_memory): arrays under 4 MiB from the heap, and up to 64 MiB freed
# at the heap's top kept there for the next batch
REUSE_MMAP_THRESHOLD = 4 * 1024 * 1024
REUSE_TRIM_THRESHOLD = 64 * 1024 * 1024


def give_back_freed_memory() -> bool:
    """Fix glibc's mmap threshold at 128 KiB (see the module docstring); True when set."""
    return _mallopt((M_MMAP_THRESHOLD, THRESHOLD))


def reuse_freed_memory() -> bool:
    """The opposite trade, for a worker process that makes and frees arrays of a few MB
    batch after batch and holds little else (the near-duplicate sketching workers of
    toolkit.ingest.copy_index set it as they start): those arrays stay in the heap and
    are reused, instead of being mapped, faulted in and zeroed page by page, and given
    back, each time. A forked worker inherits its parent's setting, so under the CLI's
    128 KiB (:func:`give_back_freed_memory`) the workers spent a third of their time in
    the kernel. bench_dedupe with the CLI's setting in its process, one run after the
    other: 25,400-27,500 comments/s at a million comments before, 45,500-48,500 with the
    workers set so (29,000-30,000 and 40,000-43,500 at 300,000); a worker's peak 52 -> 63
    MB. True when set."""
    return _mallopt((M_MMAP_THRESHOLD, REUSE_MMAP_THRESHOLD),
                    (M_TRIM_THRESHOLD, REUSE_TRIM_THRESHOLD))


def _mallopt(*settings: tuple[int, int]) -> bool:
    """glibc's ``mallopt`` for each (parameter, value); False where there is none."""
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
    # a list, not a generator: every setting is made, even after one that failed
    return all([mallopt(parameter, value) == 1 for parameter, value in settings])
