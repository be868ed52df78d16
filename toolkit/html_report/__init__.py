"""`corpus report`: one self-contained HTML page a team lead opens to see the project.

    report = gather_report(snapshot, schema, corpus=..., dataset=...)   # aggregates (model)
    write_html(report, default_report_path(schema))                      # the page

See model.py (what is shown), gather.py (how it is read from a snapshot),
bootstrap.py (alpha's interval) and render.py (the page and its charts).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..schema import Schema
from ..studio.snapshot import OnProgress
from .gather import Tally, finish_report, gather_report
from .model import ReportPage
from .render import render_html, write_html

__all__ = ["ReportPage", "Tally", "default_report_path", "finish_report", "gather_report",
           "render_html", "write_html", "write_report"]


def default_report_path(schema: Schema, exports: str | Path = "exports") -> Path:
    """exports/<schema>/report.html"""
    return Path(exports) / schema.name / "report.html"


def write_report(snapshot: str | Path, schema: Schema, out: str | Path | None = None, *,
                 corpus: str | Path | None = None,
                 dataset: str | Path | None = None,
                 competence: list[dict[str, Any]] | None = None,
                 on_progress: OnProgress | None = None) -> Path:
    """Gather and write the page in one call (what `corpus report`, sync and demo do).
    ``competence``: the page's competence rows (``CompetenceReport.report_rows()``),
    when the caller has them (sync); ``on_progress(done, total)``: tasks read."""
    report = gather_report(snapshot, schema, corpus=corpus, dataset=dataset,
                           competence=competence, on_progress=on_progress)
    return write_html(report, out if out is not None else default_report_path(schema))
