"""The sampling frame, recorded: a JSON manifest beside the push ledger (or beside the
dry run's tasks file), which `corpus build` reads to give each row its inclusion
probability and the card its strata table.

    <ledger or tasks file stem>.selection.json
    {"manifest": "corpus-toolkit selection", "version": 1,
     "schema": ..., "unit": "comment", "corpus": ..., "seed": 0, "budget": 3,
     "stratify_by": [...], "length_bands": [...], "filters": {"min_length": null, ...},
     "population": N, "sample": n, "already_pushed": p,
     "not_in_frame": {"near_duplicate_copies": c, "filtered": f, "pushed_outside": o},
     "strata": [{"stratum": {"site": ...}, "population": N_h, "sample": n_h,
                 "already_pushed": p_h, "probability": n_h / N_h}, ...],
     "units": [{"corpus_key": ..., "stratum": h, "probability": n_h / N_h}, ...]}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..errors import InputError
from ..paths import replacing
from ..schema import Schema
from .sample import Design, Sample
from .strata import Frame, band_names

MARK = "corpus-toolkit selection"
VERSION = 1


def design_of(schema: Schema, budget: int | None = None) -> Design | None:
    """The schema's sample (``selection``), its budget replaced by ``budget`` when given;
    with a budget and no ``selection`` key, a simple random sample (seed 0, one stratum).
    None when there is neither: every unit is pushed."""
    selection = schema.selection
    if selection is None and budget is None:
        return None
    if selection is None:
        return Design(budget=int(budget or 0), frame=Frame(unit=schema.unit))
    frame = Frame(unit=schema.unit, stratify_by=tuple(selection.stratify_by),
                  min_length=selection.min_length, max_length=selection.max_length)
    return Design(budget=budget if budget is not None else selection.budget, frame=frame,
                  seed=selection.seed)


def manifest_path(beside: Path | str) -> Path:
    """``<stem>.selection.json`` beside a ledger (``comment_stance.jsonl``) or a dry run's
    tasks file (``tasks.json``)."""
    path = Path(beside)
    return path.with_name(f"{path.stem}.selection.json")


def manifest(sample: Sample, schema: Schema, corpus: Path | str) -> dict[str, Any]:
    """The manifest's content (see the module docstring)."""
    frame = sample.design.frame
    prefix = f"{schema.name}:"
    units = sorted((prefix + uid, index) for uid, index in sample.chosen.items())
    return {
        "manifest": MARK,
        "version": VERSION,
        "schema": schema.name,
        "unit": frame.unit,
        "corpus": str(corpus),
        "seed": sample.design.seed,
        "budget": sample.design.budget,
        "stratify_by": list(frame.stratify_by),
        "length_bands": band_names(frame.unit) if "length" in frame.stratify_by else None,
        "filters": {"min_length": frame.min_length, "max_length": frame.max_length},
        "population": sample.population,
        "sample": sample.size,
        "already_pushed": sample.pushed,
        "not_in_frame": {"near_duplicate_copies": sample.copies, "filtered": sample.filtered,
                         "pushed_outside": sample.pushed_outside},
        "strata": [{"stratum": s.values, "population": s.population, "sample": s.sample,
                    "already_pushed": s.pushed, "probability": s.probability}
                   for s in sample.strata],
        "units": [{"corpus_key": key, "stratum": index,
                   "probability": sample.strata[index].probability} for key, index in units],
    }


def write_manifest(path: Path | str, sample: Sample, schema: Schema,
                   corpus: Path | str) -> Path:
    """Write the manifest atomically; returns its path."""
    path = Path(path)
    with replacing(path) as tmp:
        tmp.write_bytes(orjson.dumps(manifest(sample, schema, corpus),
                                     option=orjson.OPT_INDENT_2) + b"\n")
    return path


@dataclass(frozen=True)
class Recorded:
    """A manifest as build reads it."""

    path: Path
    seed: int
    budget: int
    stratify_by: list[str]
    length_bands: list[str] | None
    filters: dict[str, int | None]
    strata: list[dict[str, Any]]
    probabilities: dict[str, float]  # corpus key -> inclusion probability
    population: int
    sample: int


def read_manifest(path: Path | str, schema_name: str) -> Recorded:
    """Read a manifest; InputError (one line) when it is not one, or another schema's."""
    path = Path(path)
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read the sample manifest ({exc.strerror})") from exc
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not a sample manifest (not JSON: {exc}); push again to "
                         "rewrite it") from exc
    if not isinstance(data, dict) or data.get("manifest") != MARK:
        raise InputError(f"{path}: not a sample manifest (no \"manifest\": \"{MARK}\")")
    if data.get("schema") != schema_name:
        raise InputError(f"{path}: the sample manifest of schema {data.get('schema')!r}, not "
                         f"{schema_name!r}; give the manifest of this schema's push")
    try:
        return Recorded(
            path=path, seed=int(data["seed"]), budget=int(data["budget"]),
            stratify_by=list(data["stratify_by"]), length_bands=data.get("length_bands"),
            filters=dict(data.get("filters") or {}), strata=list(data["strata"]),
            probabilities={u["corpus_key"]: float(u["probability"]) for u in data["units"]},
            population=int(data["population"]), sample=int(data["sample"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: not a sample manifest (missing or bad {exc}); push again "
                         "to rewrite it") from exc
