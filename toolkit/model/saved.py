"""A trained baseline model on disk, and back: JSON and NPZ, never a pickle.

    exports/<schema>/models/<version>/
      model.json        schema name and hash, model_version, parameters, per question:
                        kind, field, classes, link, training items, cross-validated
                        figures beside the annotators' agreement
      vocabulary.json   the TF-IDF terms in column order
      weights.npz       idf, and per question <name>.coef and <name>.intercept
    exports/<schema>/models/latest   the version `corpus model predict` uses by default

``weights.npz`` is read with ``np.load(..., allow_pickle=False)``: a file from
anywhere holds arrays of numbers, nothing that runs. :meth:`BaselineModel.load`
checks shapes and names and reports the first problem in one line (InputError).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from ..errors import InputError
from ..paths import replacing, schema_exports
from .features import TfidfFeatures, prepare
from .linear import BINARY, LABELS, SOFTMAX, LinearHead

__all__ = ["FORMAT", "BaselineModel", "latest_model", "models_dir"]

FORMAT = "corpus-toolkit baseline model 1"
LATEST = "latest"


def models_dir(schema_name: str) -> Path:
    """``exports/<schema>/models``: where trained models go."""
    return schema_exports(schema_name) / "models"


@dataclass
class BaselineModel:
    """The features and one classifier per trained question, with the description
    ``model.json`` holds (``meta``: schema, version, parameters, figures)."""

    features: TfidfFeatures
    heads: dict[str, LinearHead]
    meta: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # question -> the text field it reads

    @property
    def version(self) -> str:
        return str(self.meta.get("model_version", ""))

    def probabilities(self, texts: Sequence[object], *,
                      on_progress: Callable[[int, int | None], None] | None = None,
                      questions: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Question -> texts x classes probabilities (multi choice: of each label) for raw
        ``texts`` (normalized here); numpy only."""
        prepared = [prepare(text) for text in texts]
        names = list(questions) if questions is not None else list(self.heads)
        parts: dict[str, list[np.ndarray]] = {name: [] for name in names}
        done = 0
        for rows in self.features.chunks(prepared):
            for name in names:
                parts[name].append(self.heads[name].probabilities(rows))
            done += rows.n_rows
            if on_progress:
                on_progress(done, len(prepared))
        return {name: (np.concatenate(chunks) if chunks
                       else np.zeros((0, len(self.heads[name].classes))))
                for name, chunks in parts.items()}

    # -- disk --------------------------------------------------------------------------
    def save(self, folder: str | Path, *, latest: bool = True) -> Path:
        """Write the model to ``folder`` (made whole beside it, then moved in: never a
        half model); with ``latest``, name it in ``<folder>/../latest``."""
        folder = Path(folder)
        work = folder.with_name(f".{folder.name}.tmp")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            arrays = {"idf": self.features.idf}
            for name, head in self.heads.items():
                arrays[f"{name}.coef"] = head.coef
                arrays[f"{name}.intercept"] = head.intercept
            with (work / "weights.npz").open("wb") as handle:
                np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]
            (work / "vocabulary.json").write_bytes(orjson.dumps(self.features.terms))
            (work / "model.json").write_bytes(
                orjson.dumps(self.meta, option=orjson.OPT_INDENT_2) + b"\n")
            old = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            if folder.exists():  # moved aside until the new one is in: never no model
                folder.rename(old)
            try:
                work.rename(folder)
            except OSError:
                if old.exists() and not folder.exists():
                    old.rename(folder)  # the previous model stays
                raise
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if latest:
            with replacing(folder.parent / LATEST) as tmp:
                tmp.write_text(folder.name + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> BaselineModel:
        """Read a model written by :meth:`save`; InputError (one line) when it is not one."""
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError(f"{folder}: no such model folder; train one with "
                             "`corpus model train --schema ...`")
        meta = _json(folder / "model.json")
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise InputError(f"{folder / 'model.json'}: not a baseline model description "
                             f"(format is not {FORMAT!r}); give a folder `corpus model "
                             "train` wrote")
        terms = _json(folder / "vocabulary.json")
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise InputError(f"{folder / 'vocabulary.json'}: not a list of terms")
        try:
            with np.load(folder / "weights.npz", allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        except (OSError, ValueError) as exc:
            raise InputError(f"{folder / 'weights.npz'}: cannot be read as numeric arrays "
                             f"({exc}); train the model again") from exc
        idf = arrays.get("idf")
        if idf is None or idf.shape != (len(terms),):
            raise InputError(f"{folder / 'weights.npz'}: idf does not match the "
                             f"{len(terms)} terms of vocabulary.json")
        low, high = meta.get("params", {}).get("ngram_range", [2, 5])
        features = TfidfFeatures(terms, idf.astype(np.float64), ngram_range=(low, high))
        heads: dict[str, LinearHead] = {}
        fields: dict[str, str] = {}
        for spec in meta.get("questions", []):
            name = spec.get("name")
            coef, intercept = arrays.get(f"{name}.coef"), arrays.get(f"{name}.intercept")
            link = spec.get("link")
            classes = spec.get("classes")
            rows = 1 if link == BINARY else len(classes or ())
            if (coef is None or intercept is None or link not in (SOFTMAX, BINARY, LABELS)
                    or not classes or coef.shape != (rows, len(terms))
                    or intercept.shape != (rows,)):
                raise InputError(f"{folder}: the weights of question {name!r} are missing "
                                 "or do not match model.json; train the model again")
            heads[name] = LinearHead(list(classes), coef.astype(np.float64),
                                     intercept.astype(np.float64), link)
            fields[name] = str(spec.get("field", "text"))
        return cls(features, heads, meta, fields)


def _json(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise InputError(f"{path}: missing; the folder is not a whole model (train it "
                         "again)") from exc
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON ({exc}); train the model again") from exc


def latest_model(schema_name: str, folder: str | Path | None = None) -> Path:
    """The model `corpus model train` saved last for the schema (``<models>/latest``)."""
    where = Path(folder) if folder is not None else models_dir(schema_name)
    try:
        name = (where / LATEST).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InputError(f"{where}: no trained model of schema {schema_name}; run `corpus "
                         "model train --schema ...` first, or give --model DIR") from exc
    return where / name


#: one line per trained model (toolkit.workflows.learn.save_model): the learning curve
HISTORY_FILE = "history.jsonl"


def read_history(schema_name: str, folder: str | Path | None = None) -> list[dict]:
    """The model history of the schema, oldest first ([] when no model was trained);
    lines that cannot be read are left out."""
    path = (Path(folder) if folder is not None else models_dir(schema_name)) / HISTORY_FILE
    if not path.is_file():
        return []
    out = []
    for line in path.read_bytes().splitlines():
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(entry, dict):
            out.append(entry)
    return out


def latest_meta(schema_name: str, folder: str | Path | None = None) -> dict | None:
    """The ``model.json`` of the newest model of the schema; None when there is none (or
    it cannot be read: the report leaves its model section out)."""
    try:
        meta = _json(latest_model(schema_name, folder) / "model.json")
    except InputError:
        return None
    return meta if isinstance(meta, dict) else None
