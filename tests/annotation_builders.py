"""Builders for Label Studio task/annotation JSON in the exact export shape (1.23.2).

Shape checked against a real export: a task is {id, data, annotations, drafts,
predictions, ...}; an annotation {id, completed_by, result, was_cancelled,
ground_truth, ...}; a result {id, from_name, to_name, type, value, origin}.
"""

from __future__ import annotations

from itertools import count
from pathlib import Path

import yaml

from toolkit.schema import Schema

SCHEMA_PATH = Path(__file__).parent / "data" / "snapshots" / "schema.yaml"
_ids = count(1)


def schema() -> Schema:
    """The fixture schema, validated by the model directly (independent of the loader's
    positioned error reporting, which is tested elsewhere)."""
    return Schema.model_validate(yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8")))


def _result(name: str, kind: str, value: dict, to_name: str = "text") -> dict:
    return {
        "id": f"r{next(_ids)}",
        "from_name": name,
        "to_name": to_name,
        "type": kind,
        "value": value,
        "origin": "manual",
    }


def choice(name: str, *values: str) -> dict:
    return _result(name, "choices", {"choices": list(values)})


def span(name: str, start: int, end: int, text: str, *labels: str) -> dict:
    value = {"start": start, "end": end, "text": text, "labels": list(labels)}
    return _result(name, "labels", value)


def rating(name: str, value: int) -> dict:
    return _result(name, "rating", {"rating": value})


def textarea(name: str, *lines: str) -> dict:
    return _result(name, "textarea", {"text": list(lines)})


def annotation(
    ident: int, who, result: list, *, cancelled: bool = False, ground_truth: bool = False
) -> dict:
    return {
        "id": ident,
        "completed_by": who,
        "result": result,
        "was_cancelled": cancelled,
        "ground_truth": ground_truth,
        "created_at": "2025-01-01T00:00:00.000000Z",
        "updated_at": "2025-01-01T00:00:00.000000Z",
        "lead_time": 3.5,
        "task": None,
        "project": 1,
    }


def task(ident: int, text: str, annotations: list, *, drafts: list | None = None,
         unit_id: str | None = None) -> dict:
    unit_id = unit_id or f"c{ident}"
    for a in annotations:
        a["task"] = ident
    return {
        "id": ident,
        "data": {
            "corpus_key": f"comment_stance:{unit_id}",
            "unit": "comment",
            "unit_id": unit_id,
            "article_id": "a1",
            "comment_id": unit_id,
            "source": "seed.txt",
            "position": 1,
            "author": "x",
            "time_raw": None,
            "text": text,
            "article_title": "عنوان",
            "article_body": "نص",
        },
        "annotations": annotations,
        "drafts": drafts or [],
        "predictions": [],
        "meta": {},
        "inner_id": ident,
        "total_annotations": len(annotations),
        "cancelled_annotations": sum(1 for a in annotations if a["was_cancelled"]),
    }
