"""Build the Hugging Face dataset folder from a snapshot: rows, splits, Parquet, card.

    rows     columns, Features (from the schema) and value encoding
    splits   deterministic grouped, stratified split assignment
    writer   reproducible Parquet shards
    card     README.md with the YAML front matter `datasets` and the Hub read
    build    the orchestration: build_dataset()
"""

from __future__ import annotations

from ._sources import agreement_figures
from .build import (
    Balance,
    BuildOptions,
    BuildResult,
    build_dataset,
    default_out,
    review_for_build,
)

__all__ = ["Balance", "BuildOptions", "BuildResult", "agreement_figures", "build_dataset",
           "default_out", "review_for_build"]
