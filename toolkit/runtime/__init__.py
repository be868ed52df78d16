"""How a process running the toolkit is set up (a leaf: stdlib only, nothing of the toolkit).

    allocator   give_back_freed_memory(): glibc gives freed arrays back to the system
                at once (the `corpus` CLI calls it at start; so can a program using
                the library on large snapshots, and the benches do in every phase)
                reuse_freed_memory(): the opposite, for a worker process that frees and
                makes the same arrays batch after batch (near-duplicate sketching)
"""

from __future__ import annotations

from .allocator import give_back_freed_memory, reuse_freed_memory

__all__ = ["give_back_freed_memory", "reuse_freed_memory"]
