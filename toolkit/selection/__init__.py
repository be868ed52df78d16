"""A budgeted, reproducible sample of the corpus: which units `corpus push --budget` sends.

    strata     what a sampling unit is and which stratum it falls in (one corpus record)
    allocate   units per stratum: within one unit of each share, monotone in the budget
    sample     select(): two streaming reads of the corpus file, seeded ranks per stratum
    manifest   the sampling frame recorded beside the ledger, read back by build
"""

from __future__ import annotations

from .allocate import allocate
from .manifest import (
    Recorded,
    design_of,
    manifest,
    manifest_path,
    read_manifest,
    write_manifest,
)
from .sample import Design, Sample, Stratum, rank, select
from .strata import DIMENSIONS, LENGTH_BANDS, Frame, band_names, length_band, month_of, site_of

__all__ = [
    "DIMENSIONS",
    "LENGTH_BANDS",
    "Design",
    "Frame",
    "Recorded",
    "Sample",
    "Stratum",
    "allocate",
    "band_names",
    "design_of",
    "length_band",
    "manifest",
    "manifest_path",
    "month_of",
    "rank",
    "read_manifest",
    "select",
    "site_of",
    "write_manifest",
]
