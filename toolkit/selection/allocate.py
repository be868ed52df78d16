"""How many units each stratum gets: proportional allocation that stays within one unit of
every stratum's share at every budget, and never takes a unit back when the budget grows.

Largest remainder (Hamilton) keeps each stratum within one unit of its share, but not
monotone: raising the budget can lower a stratum's allocation (the Alabama paradox),
so the sample for budget M would drop a unit the sample for N < M held. Here the seats
are dealt one at a time by Balinski and Young's quota method (1975): seat k goes,
among the strata whose allocation is still below their share ``k * N_h / N`` (the
upper quota), to the one with the largest ``N_h / (n_h + 1)`` (Jefferson/D'Hondt),
ties to the first stratum in order. Every stratum then holds ``floor`` or ``ceil`` of
its share at every budget k, and the allocation for k+1 is the one for k plus one
seat: the sample for a budget is a prefix of the sample for any larger one.

Units already pushed are never taken back: each stratum holds at least its pushed
units, and seats are dealt until the strata hold ``budget`` units in all (when the
pushed units came from the same design with a smaller budget, exactly the allocation
a fresh run with the larger budget makes).

Cost: O((seats + strata) log strata) with two heaps; integer arithmetic decides the
quotas, so no rounding can make two runs differ.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence


def allocate(population: Sequence[int], budget: int,
             pushed: Sequence[int] | None = None) -> list[int]:
    """Units per stratum (same order as ``population``): at least ``pushed[h]`` each, at
    most ``population[h]``, ``budget`` in all when the population and the pushed units
    allow it (more when more were pushed, all when the budget exceeds the population)."""
    sizes = list(population)
    floors = list(pushed) if pushed is not None else [0] * len(sizes)
    total_population = sum(sizes)
    if budget >= total_population:
        return sizes
    held = [0] * len(sizes)  # seats dealt by the quota method
    chosen = sum(floors)  # sum of max(held, floors)
    ready: list[tuple[float, int]] = [(-float(size), h) for h, size in enumerate(sizes)
                                      if size > 0]
    heapq.heapify(ready)
    waiting: list[tuple[int, int]] = []  # (the seat from which the stratum is eligible, h)
    seat = 0
    while chosen < budget and seat < total_population:
        seat += 1
        while waiting and waiting[0][0] <= seat:
            _, h = heapq.heappop(waiting)
            heapq.heappush(ready, (-sizes[h] / (held[h] + 1), h))
        _, h = heapq.heappop(ready)  # never empty: the upper quotas sum to at least `seat`
        if held[h] >= floors[h]:
            chosen += 1
        held[h] += 1
        if held[h] < sizes[h]:
            # eligible for seat s when held * N < s * N_h: from floor(held * N / N_h) + 1
            heapq.heappush(waiting, (held[h] * total_population // sizes[h] + 1, h))
    return [max(a, b) for a, b in zip(held, floors, strict=True)]
