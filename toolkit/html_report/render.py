"""The report as one self-contained HTML page: Vega-Lite charts, scripts inlined once.

Why Vega-Lite: the charts are drawn by the browser (SVG text), so Arabic labels
are shaped and laid out right to left as everywhere else on the page, which a
server-side plotting library such as matplotlib does not do; the specs are
small JSON documents over aggregated data; and its three scripts (vega,
vega-lite, vega-embed; BSD-3-Clause, University of Washington Interactive Data
Lab) plus vega-interpreter (so expressions run without ``eval``) are about
840 kB, vendored in ``vendor/`` (see vendor/README.md) and inlined once.

The page asks for nothing from any host: a Content-Security-Policy allows only
the inlined scripts (by their SHA-256), inline styles and ``data:`` images, and
no connection at all. It opens by double-click, offline.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from ..paths import replacing
from .model import ModelView, ReportPage

VENDOR = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "vega-interpreter.min.js")
_LEVEL_COLORS = {"error": "#c0392b", "warning": "#e67e22", "info": "#7f8c8d",
                 "rejected": "#8e44ad"}
_FONT = "system-ui, 'Segoe UI', 'Noto Sans Arabic', 'DejaVu Sans', Tahoma, sans-serif"

_MAIN = """
(function () {
  var specs = JSON.parse(document.getElementById('report-specs').textContent);
  var options = {mode: 'vega-lite', renderer: 'svg', actions: false, ast: true, defaultStyle: false,
                 expr: vegaInterpreter.expressionInterpreter};
  Object.keys(specs).forEach(function (id) {
    var target = document.getElementById(id);
    vegaEmbed(target, specs[id], options).then(function () {
      target.setAttribute('data-drawn', '1');
    }).catch(function (error) {
      target.textContent = 'This chart could not be drawn: ' + error;
      console.error('chart ' + id + ': ' + error);
    });
  });
})();
"""

_CSS = """
body { font-family: FONT; margin: 0; color: #222; background: #f6f7f9; }
header { background: #1f3b57; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px 0; font-size: 22px; }
header .meta { font-size: 13px; opacity: .85; }
nav { padding: 8px 28px; background: #e8ecf1; font-size: 14px; position: sticky; top: 0;
      z-index: 2; }
nav a { margin-right: 16px; color: #1f3b57; text-decoration: none; }
main { padding: 8px 28px 40px 28px; max-width: 1200px; }
section { background: #fff; border-radius: 8px; padding: 14px 20px; margin: 16px 0;
          box-shadow: 0 1px 3px rgba(0,0,0,.08); }
h2 { font-size: 19px; margin: 4px 0 10px 0; color: #1f3b57; }
h3 { font-size: 16px; margin: 16px 0 6px 0; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }
.tile { background: #f0f4f8; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.tile b { display: block; font-size: 22px; color: #1f3b57; }
.tile span { font-size: 12px; color: #555; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0 10px 0; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 10px; text-align: left;
         vertical-align: top; }
th { background: #f0f4f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.note { font-size: 13px; color: #555; margin: 4px 0; }
.fast { color: #c0392b; font-weight: bold; }
.chart { margin: 6px 0 14px 0; width: 100%; }
.rtl { direction: rtl; unicode-bidi: isolate; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr));
        gap: 8px 24px; }
.low { color: #c0392b; } .tentative { color: #b9770e; } .reliable { color: #1e8449; }
code { background: #f0f0f0; padding: 0 3px; border-radius: 3px; }
""".replace("FONT", _FONT)


@cache
def _vendor(name: str) -> str:
    return (resources.files(__package__).joinpath("vendor").joinpath(name)
            .read_text(encoding="utf-8"))


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


# Characters written as JSON \\u escapes in the page's data: `<` and `>` (only ever inside
# JSON strings) so that no text can close the element or open an HTML comment (after a
# `<!--`, a `<script>` keeps `</script>` from closing the element), and `&`.
_JSON_ESCAPES = {ord(c): f"\\u{ord(c):04x}" for c in "<>&"}
# Vega-Lite pastes data strings into the expressions it compiles (a sort order becomes
# `indexof([...], datum.x)`) without escaping U+2028/U+2029, which end a JavaScript string
# literal there ("Unexpected token ILLEGAL"): in the charts they are spaces.
_LINE_SEPARATORS = {0x2028: " ", 0x2029: " "}


def _chart_safe(value: Any) -> Any:
    """``value`` (a chart spec) with the line separators in its strings made spaces."""
    if isinstance(value, str):
        return value.translate(_LINE_SEPARATORS)
    if isinstance(value, dict):
        return {_chart_safe(k): _chart_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_chart_safe(v) for v in value]
    return value


def _json_script(ident: str, value: Any) -> str:
    """JSON in a non-executed script element, any string in it kept as data."""
    text = orjson.dumps(value).decode("utf-8").translate(_JSON_ESCAPES)
    return f'<script type="application/json" id="{ident}">{text}</script>'


def _e(value: Any) -> str:
    return html.escape(str(value))


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _bdi(text: str) -> str:
    """Text that may be Arabic, isolated so it reads right to left inside English prose."""
    return f"<bdi>{_e(text)}</bdi>"


# ------------------------------------------------------------------------ chart specs


def _base(data: list[dict], **spec: Any) -> dict:
    if spec.get("width") == "container":  # fill the page's width; heights stay per step
        spec.setdefault("autosize", {"type": "fit-x", "contains": "padding"})
    return {
        "data": {"values": data},
        "config": {"font": _FONT, "view": {"stroke": None},
                   # annotators are named as `corpus agree` names them ("2 (huda@...)"):
                   # room for the whole name, the part that tells two apart is at its end
                   "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 400},
                   "legend": {"labelFontSize": 12, "labelLimit": 400}},
        **spec,
    }


_COUNT_AXIS = {"tickMinStep": 1, "format": "d"}


def _shown(display: str, value: str) -> str:
    return f"{display} ({value})" if display != value else value


def _progress_chart(report: ReportPage) -> dict:
    p = report.progress
    data = [{"state": state, "tasks": n, "order": i} for i, (state, n) in enumerate([
        (f"complete ({p.overlap}+ annotators)", p.complete),
        ("partly annotated", p.partial), ("not started", p.not_started)])]
    return _base(data, width="container", height=60, mark={"type": "bar"},
                 encoding={
                     "x": {"field": "tasks", "type": "quantitative", "stack": "zero",
                           "title": f"tasks ({p.tasks})",
                           "axis": _COUNT_AXIS},
                     "color": {"field": "state", "type": "nominal", "sort": None,
                               "scale": {"range": ["#27ae60", "#f1c40f", "#d5d8dc"]},
                               "title": None, "legend": {"orient": "bottom"}},
                     "order": {"field": "order"},
                     "tooltip": [{"field": "state"}, {"field": "tasks"}]})


# The page plots aggregates, so its size is bounded by these, whatever the project's size.
MAX_PAIR_ANNOTATORS = 40  # the heatmap shows the most active ones (n^2 cells per question)
MAX_DAY_ANNOTATORS = 19  # per day, the others are summed under OTHERS (20 colours)
OTHERS = "other annotators"


def _per_day_chart(report: ReportPage) -> dict:
    named = {a.label for a in report.annotators[:MAX_DAY_ANNOTATORS]}
    summed: dict[tuple[str, str], int] = {}
    for d in report.per_day:
        key = (d.day, d.annotator if d.annotator in named else OTHERS)
        summed[key] = summed.get(key, 0) + d.count
    data = [{"day": day, "annotator": who, "annotations": n}
            for (day, who), n in sorted(summed.items())]
    days = len({d["day"] for d in data})
    return _base(data, width="container" if days > 25 else {"step": 36}, height=220,
                 mark={"type": "bar"},
                 encoding={
                     "x": {"field": "day", "type": "ordinal", "title": "day (UTC)",
                           "axis": {"labelAngle": -45, "labelOverlap": True}},
                     "y": {"field": "annotations", "type": "quantitative", "aggregate": "sum",
                           "title": "submitted annotations", "axis": _COUNT_AXIS},
                     "color": {"field": "annotator", "type": "nominal",
                               "scale": {"scheme": "tableau20"}},
                     "tooltip": [{"field": "day"}, {"field": "annotator"},
                                 {"field": "annotations", "aggregate": "sum"}]})


def _per_annotator_chart(report: ReportPage) -> dict:
    data = []
    for a in report.annotators:
        data.append({"annotator": a.label, "state": "submitted", "n": a.submitted,
                     "order": 0})
        if a.cancelled:
            data.append({"annotator": a.label, "state": "cancelled", "n": a.cancelled,
                         "order": 1})
    return _base(data, width="container", mark={"type": "bar"},
                 height={"step": 18},
                 encoding={
                     "y": {"field": "annotator", "type": "nominal", "sort": "-x",
                           "title": None},
                     "x": {"field": "n", "type": "quantitative", "title": "annotations",
                           "axis": _COUNT_AXIS},
                     "color": {"field": "state", "type": "nominal",
                               "scale": {"domain": ["submitted", "cancelled"],
                                         "range": ["#2e86c1", "#d5d8dc"]}, "title": None},
                     "order": {"field": "order"},
                     "tooltip": [{"field": "annotator"}, {"field": "state"},
                                 {"field": "n"}]})


def _distribution_chart(question) -> dict:
    data = [{"label": _shown(c.display, c.value), "split": c.split, "items": c.count}
            for c in question.distribution]
    splits = sorted({c.split for c in question.distribution} - {"all"})
    if splits:  # a built dataset: its splits, side by side
        data = [d for d in data if d["split"] != "all"]
    order = []
    for c in question.distribution:
        label = _shown(c.display, c.value)
        if label not in order:
            order.append(label)
    encoding: dict[str, Any] = {
        "y": {"field": "label", "type": "nominal", "sort": order, "title": None},
        "x": {"field": "items", "type": "quantitative",
              "title": question.unit, "axis": _COUNT_AXIS},
        "tooltip": [{"field": "label"}, {"field": "split"}, {"field": "items"}],
    }
    if splits:
        encoding["color"] = {"field": "split", "type": "nominal", "sort": splits,
                             "legend": {"orient": "bottom"}}
        encoding["yOffset"] = {"field": "split", "sort": splits}
    else:
        encoding["color"] = {"value": "#2e86c1"}
    return _base(data, width="container", height={"step": 22 if not splits else 10},
                 mark={"type": "bar"}, encoding=encoding)


def _alpha_chart(report: ReportPage) -> dict:
    data = [{"question": q.name, "alpha": q.alpha, "low": q.alpha_low, "high": q.alpha_high,
             "reading": q.reading}
            for q in report.questions if q.alpha is not None]
    rules = [{"at": 0.667, "what": "tentative (0.667)"}, {"at": 0.8, "what": "reliable (0.8)"}]
    return {
        "config": _base([])["config"],
        "width": "container", "height": {"step": 28},
        "autosize": {"type": "fit-x", "contains": "padding"},
        "layer": [
            {"data": {"values": data}, "mark": {"type": "rule", "strokeWidth": 2},
             "encoding": {"y": {"field": "question", "type": "nominal", "title": None},
                          "x": {"field": "low", "type": "quantitative",
                                "scale": {"domain": [-0.2, 1]},
                                "title": "Krippendorff's alpha, bootstrap 95% interval"},
                          "x2": {"field": "high"}}},
            {"data": {"values": data}, "mark": {"type": "point", "filled": True, "size": 80},
             "encoding": {"y": {"field": "question", "type": "nominal"},
                          "x": {"field": "alpha", "type": "quantitative"},
                          "color": {"field": "reading", "type": "nominal",
                                    "scale": {"domain": ["low", "tentative", "reliable"],
                                              "range": ["#c0392b", "#e67e22", "#27ae60"]}},
                          "tooltip": [{"field": "question"},
                                      {"field": "alpha", "format": ".3f"},
                                      {"field": "low", "format": ".3f"},
                                      {"field": "high", "format": ".3f"},
                                      {"field": "reading"}]}},
            {"data": {"values": rules}, "mark": {"type": "rule", "strokeDash": [4, 4],
                                                 "color": "#888"},
             "encoding": {"x": {"field": "at", "type": "quantitative"},
                          "tooltip": [{"field": "what"}]}},
        ],
    }


def _pairs_chart(report: ReportPage) -> dict:
    questions = sorted({p.question for p in report.pairs},
                       key=[q.name for q in report.questions].index)
    shown = set(_pair_annotators(report))
    order = sorted(shown, key=_natural)  # "2" before "10"
    data = [{"question": p.question, "a": p.first, "b": p.second,
             "value": None if p.value is None else round(p.value, 3), "items": p.items}
            for p in report.pairs if p.first in shown and p.second in shown]
    spans = {q.name for q in report.questions if q.span_f1}
    return _base(
        data,
        params=[{"name": "question", "value": questions[0],
                 "bind": {"input": "select", "options": questions,
                          "name": "question: "}}],
        transform=[{"filter": "datum.question == question"}],
        width={"step": 30}, height={"step": 30},
        layer=[
            {"mark": {"type": "rect"},
             "encoding": {
                 # columns: the annotator's id only (the rows give the whole name), so
                 # the matrix stays square and its labels level
                 "x": {"field": "a", "type": "nominal", "title": "with annotator (id)",
                       "sort": order, "axis": {"labelAngle": 0, "orient": "top",
                                               "labelExpr": "split(datum.label, ' ')[0]"}},
                 "y": {"field": "b", "type": "nominal", "title": None, "sort": order},
                 "color": {"field": "value", "type": "quantitative",
                           "scale": {"scheme": "redyellowgreen", "domain": [0, 1]},
                           "title": "Cohen κ" if not spans else "κ / span F1"},
                 "tooltip": [{"field": "a", "title": "annotator"},
                             {"field": "b", "title": "with"},
                             {"field": "value", "format": ".3f"},
                             {"field": "items", "title": "shared items"}]}},
            {"mark": {"type": "text", "fontSize": 10},
             "encoding": {"x": {"field": "a", "type": "nominal", "sort": order},
                          "y": {"field": "b", "type": "nominal", "sort": order},
                          "text": {"field": "value", "format": ".2f"}}},
        ])


def _natural(label: str) -> tuple:
    """Sort key reading digit runs as numbers: annotator "2" before "10"."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", label) if part)


def _pair_annotators(report: ReportPage) -> list[str]:
    """The annotators of the heatmap: the MAX_PAIR_ANNOTATORS with the most items done."""
    ranked = sorted(report.annotators, key=lambda a: (-a.items, a.label))
    return [a.label for a in ranked[:MAX_PAIR_ANNOTATORS]]


def _confusion_chart(report: ReportPage) -> dict:
    annotators = []
    for cell in report.confusion:
        if cell.annotator not in annotators:
            annotators.append(cell.annotator)
    asked = {cell.question for cell in report.confusion}
    questions = [q.name for q in report.questions if q.name in asked]  # schema order
    data = [{"annotator": c.annotator, "question": c.question, "given": c.given,
             "label": c.label, "n": c.count} for c in report.confusion]
    order: list[str] = []  # labels in schema order, both axes alike: agreement on the diagonal
    for q in report.questions:
        for c in q.distribution:
            if _shown(c.display, c.value) not in order:
                order.append(_shown(c.display, c.value))
    order += ["(none)", "(no answer)"]
    return _base(
        data,
        params=[
            {"name": "who", "value": annotators[0],
             "bind": {"input": "select", "options": annotators, "name": "annotator: "}},
            {"name": "asked", "value": questions[0],
             "bind": {"input": "select", "options": questions, "name": "question: "}},
        ],
        transform=[{"filter": "datum.annotator == who && datum.question == asked"}],
        width={"step": 70}, height={"step": 30},
        layer=[
            {"mark": {"type": "rect"},
             "encoding": {
                 "x": {"field": "label", "type": "nominal", "sort": order,
                       "title": "aggregated label", "axis": {"labelAngle": -30,
                                                             "labelLimit": 160}},
                 "y": {"field": "given", "type": "nominal", "sort": order,
                       "title": "their answer"},
                 "color": {"field": "n", "type": "quantitative",
                           "scale": {"scheme": "blues"}, "title": "items"},
                 "tooltip": [{"field": "given", "title": "their answer"},
                             {"field": "label", "title": "aggregated"},
                             {"field": "n", "title": "items"}]}},
            {"mark": {"type": "text"},
             "encoding": {"x": {"field": "label", "type": "nominal", "sort": order},
                          "y": {"field": "given", "type": "nominal", "sort": order},
                          "text": {"field": "n"}}},
        ])


def _lead_time_chart(report: ReportPage) -> dict:
    data = [{"annotator": a.label, "p10": a.lead_time_p10, "q1": a.lead_time_q1,
             "median": a.lead_time_median, "q3": a.lead_time_q3, "p90": a.lead_time_p90,
             "n": a.lead_time_n, "speed": "suspiciously fast" if a.fast else "usual"}
            for a in report.annotators if a.lead_time_n]
    y = {"field": "annotator", "type": "nominal", "title": None,
         "sort": {"field": "median", "order": "ascending"}}
    color = {"field": "speed", "type": "nominal", "title": None,
             "scale": {"domain": ["usual", "suspiciously fast"],
                       "range": ["#2e86c1", "#c0392b"]}}
    x_title = "seconds per annotation (lead_time): 10th-90th percentile, quartiles, median"
    return _base(data, width="container", height={"step": 22}, layer=[
        {"mark": {"type": "rule"},
         "encoding": {"y": y, "x": {"field": "p10", "type": "quantitative",
                                    "title": x_title},
                      "x2": {"field": "p90"}, "color": color}},
        {"mark": {"type": "bar", "height": 12},
         "encoding": {"y": y, "x": {"field": "q1", "type": "quantitative"},
                      "x2": {"field": "q3"}, "color": color,
                      "tooltip": [{"field": "annotator"}, {"field": "speed"},
                                  {"field": "median", "format": ".1f"},
                                  {"field": "q1", "format": ".1f"},
                                  {"field": "q3", "format": ".1f"},
                                  {"field": "n", "title": "timed annotations"}]}},
        {"mark": {"type": "tick", "color": "#fff", "thickness": 2, "size": 12},
         "encoding": {"y": y, "x": {"field": "median", "type": "quantitative"}}},
    ])


def _codes_chart(rows: list[dict], title: str, legend: bool = True) -> dict:
    return _base(rows, width="container", height={"step": 22}, mark={"type": "bar"},
                 encoding={
                     "y": {"field": "what", "type": "nominal", "sort": "-x", "title": None},
                     "x": {"field": "n", "type": "quantitative", "title": title,
                           "axis": _COUNT_AXIS},
                     "color": {"field": "level", "type": "nominal", "title": None,
                               "scale": {"domain": list(_LEVEL_COLORS),
                                         "range": list(_LEVEL_COLORS.values())},
                               **({} if legend else {"legend": None})},
                     "tooltip": [{"field": "what"}, {"field": "n"}]})


def _balance_chart(report: ReportPage) -> dict:
    b = report.balance
    assert b is not None  # drawn only when the report has a balance
    # splits of a built dataset; "in the dataset (all splits)" when predicted
    data = [{"where": f"split {name}" if report.dataset else name, "tasks": n,
             "group": "in the dataset"} for name, n in b.in_splits.items()]
    data += [{"where": f"rejected: {code}", "tasks": n, "group": "rejected"}
             for code, n in b.rejected.items()]
    data.append({"where": "not yet annotated", "tasks": b.not_annotated,
                 "group": "not yet annotated"})
    return _base(data, width="container", height={"step": 22}, mark={"type": "bar"},
                 encoding={
                     "y": {"field": "where", "type": "nominal", "sort": None, "title": None},
                     "x": {"field": "tasks", "type": "quantitative", "axis": _COUNT_AXIS},
                     "color": {"field": "group", "type": "nominal", "title": None,
                               "scale": {"domain": ["in the dataset", "rejected",
                                                    "not yet annotated"],
                                         "range": ["#27ae60", "#8e44ad", "#d5d8dc"]}},
                     "tooltip": [{"field": "where"}, {"field": "tasks"}]})


def _competence_chart(rows: list[dict]) -> dict:
    data = [{"annotator": str(r.get("annotator")), "question": str(r.get("question") or "all"),
             "score": r.get("score"), "items": r.get("items")} for r in rows]
    return _base(data, width="container", height={"step": 20}, mark={"type": "bar"},
                 encoding={
                     "y": {"field": "annotator", "type": "nominal", "title": None},
                     "yOffset": {"field": "question"},
                     "x": {"field": "score", "type": "quantitative",
                           "scale": {"domain": [0, 1]}, "title": "competence"},
                     "color": {"field": "question", "type": "nominal"},
                     "tooltip": [{"field": "annotator"}, {"field": "question"},
                                 {"field": "score", "format": ".3f"}, {"field": "items"}]})


def _learning_chart(curve: list[dict]) -> dict:
    """Cross-validated accuracy against the number of labelled items, per question."""
    data = [{"items": r.get("items"), "question": str(r.get("question")),
             "accuracy": r.get("accuracy"), "version": str(r.get("version"))} for r in curve]
    return _base(data, width="container", height=220,
                 mark={"type": "line", "point": True},
                 encoding={
                     "x": {"field": "items", "type": "quantitative", "axis": _COUNT_AXIS,
                           "title": "labelled items the model learned from"},
                     "y": {"field": "accuracy", "type": "quantitative",
                           "scale": {"domain": [0, 1]}, "title": "cross-validated accuracy"},
                     "color": {"field": "question", "type": "nominal"},
                     "tooltip": [{"field": "question"}, {"field": "items"},
                                 {"field": "accuracy", "format": ".3f"}, {"field": "version"}]})


def _model_table(view: ModelView) -> str:
    head = ("<tr><th>question</th><th>accuracy (cross-validated)</th><th>macro-F1</th>"
            "<th>always the commonest label</th><th>annotators' alpha</th>"
            "<th>suggestions kept</th></tr>")
    rows = []
    for q in view.questions:
        shown = q["kept"] + q["changed"]
        kept = (f'{q["kept"]} of {shown} ({100 * q["kept"] / shown:.0f}%)' if shown
                else "-")
        rows.append(f'<tr><td><bdi>{_e(q["question"])}</bdi></td><td>{_fmt(q["accuracy"])}</td>'
                    f'<td>{_fmt(q["macro_f1"])}</td><td>{_fmt(q["majority_baseline"])}</td>'
                    f'<td>{_fmt(q["alpha"])}</td><td>{_e(kept)}</td></tr>')
    return f"<table>{head}{''.join(rows)}</table>"


def _duplicates_chart(sizes: list[dict]) -> dict:
    return _base(sizes, width="container" if len(sizes) > 25 else {"step": 36}, height=160,
                 mark={"type": "bar"},
                 encoding={
                     "x": {"field": "size", "type": "ordinal",
                           "title": "comments in the cluster",
                           "axis": {"labelAngle": 0, "labelOverlap": True}},
                     "y": {"field": "clusters", "type": "quantitative",
                           "axis": _COUNT_AXIS},
                     "tooltip": [{"field": "size"}, {"field": "clusters"}]})


# ------------------------------------------------------------------------ the page


def render_html(report: ReportPage) -> str:
    """The page (one string)."""
    specs: dict[str, dict] = {}
    body: list[str] = []
    nav: list[tuple[str, str]] = []

    def chart(ident: str, spec: dict) -> str:
        specs[ident] = spec
        return f'<div class="chart" id="{ident}"></div>'

    def section(ident: str, title: str, content: list[str]) -> None:
        nav.append((ident, title))
        body.append(f'<section id="{ident}"><h2>{_e(title)}</h2>{"".join(content)}</section>')

    p = report.progress
    tiles = [(p.tasks, "tasks"), (p.complete, f"complete ({p.overlap}+ annotators)"),
             (p.partial, "partly annotated"), (p.not_started, "not started"),
             (p.submitted, "submitted annotations"), (len(report.annotators), "annotators"),
             (p.cancelled, "cancelled (skipped)"), (p.drafts, "drafts")]
    content = ['<div class="tiles">' + "".join(
        f'<div class="tile"><b>{n}</b><span>{_e(what)}</span></div>' for n, what in tiles)
        + "</div>", chart("chart-progress", _progress_chart(report))]
    if report.per_day:
        content += ["<h3>Submitted annotations per day</h3>",
                    chart("chart-per-day", _per_day_chart(report))]
    else:
        content.append('<p class="note">No annotation has a creation date (created_at).</p>')
    if report.annotators:
        content += ["<h3>Per annotator</h3>",
                    chart("chart-per-annotator", _per_annotator_chart(report))]
    section("progress", "Progress", content)

    content = [
        f'<p class="note">Agreement over {report.items_used} items with two or more '
        f"annotators ({report.items_left_out} left out with fewer), as "
        "<code>corpus agree</code> computes it; the 95% interval of alpha by bootstrap "
        f"({report.bootstrap_replicates} resamples of the items). Labels are shown as "
        "annotators saw them, with the stored value in brackets.</p>",
        _question_table(report),
    ]
    if any(q.alpha is not None for q in report.questions):
        content.append(chart("chart-alpha", _alpha_chart(report)))
    content.append('<div class="grid">')
    for q in report.questions:
        unresolved = (f"; {q.unresolved} items without an agreed label" if q.unresolved
                      else "")
        split_note = " (per split of the dataset)" if report.dataset else ""
        content.append(f"<div><h3>{_e(q.name)}: {_bdi(q.prompt)}</h3>"
                       f'<p class="note">{_e(q.kind)}, aggregated labels{split_note}'
                       f"{_e(unresolved)}</p>"
                       + chart(f"chart-dist-{q.name}", _distribution_chart(q)) + "</div>")
    content.append("</div>")
    if report.dataset:
        content.insert(0, f'<p class="note">Splits from the dataset folder '
                          f"<code>{_e(report.dataset)}</code>.</p>")
    section("questions", "Questions", content)

    content = [_annotator_table(report)]
    if report.pairs:
        content += ["<h3>Annotator x annotator agreement</h3>",
                    '<p class="note">Cohen\'s kappa on the items both annotated (span '
                    "questions: exact span F1); pick the question."
                    + (f" The {MAX_PAIR_ANNOTATORS} annotators with the most items are shown."
                       if len(report.annotators) > MAX_PAIR_ANNOTATORS else "") + "</p>",
                    chart("chart-pairs", _pairs_chart(report))]
    if report.confusion:
        content += ["<h3>Each annotator against the aggregated label</h3>",
                    '<p class="note">Items with an agreed label; rows: the annotator\'s '
                    "answer, columns: the aggregated label. Pick the annotator and the "
                    "question.</p>",
                    chart("chart-confusion", _confusion_chart(report))]
    content.append("<h3>Time per annotation</h3>")
    if any(a.lead_time_n for a in report.annotators):
        fast = [a.label for a in report.annotators if a.fast]
        content.append(f'<p class="note">{_e(report.fast_rule)}.'
                       + (f' <span class="fast">Suspiciously fast: '
                          f'{_e(", ".join(fast))}.</span>' if fast else " None is.")
                       + "</p>")
        content.append(chart("chart-lead-time", _lead_time_chart(report)))
    else:
        content.append(f'<p class="note">{_e(report.fast_rule)}: Label Studio records it '
                       "when an annotator submits in its editor.</p>")
    section("annotators", "Annotators", content)

    if report.model is not None:
        view = report.model
        content = [f'<p class="note">The baseline model <code>{_e(view.version)}</code> '
                   f"learned from {_e(view.training_items)} labelled items. Its accuracy is "
                   "cross-validated against the aggregated labels (no item's own label "
                   "feeds its prediction); a suggestion is kept when the annotator "
                   "submitted the model's answer unchanged (Label Studio marks each result "
                   "made from a suggestion).</p>", _model_table(view)]
        if view.curve:
            content += ["<h3>Learning curve</h3>",
                        chart("chart-learning", _learning_chart(view.curve))]
        section("model", "Model", content)

    if report.competence is not None:
        content = ['<p class="note">Each annotator\'s estimated competence.</p>']
        if report.competence:
            content.append(chart("chart-competence", _competence_chart(report.competence)))
        section("competence", "Competence", content)

    content = []
    if report.findings:
        rows = [{"what": f"{f.code} {f.name}" + (f" ({f.question})" if f.question else ""),
                 "n": f.count, "level": f.level} for f in report.findings]
        content += ["<h3>Validation findings by code</h3>",
                    chart("chart-findings", _codes_chart(rows, "findings"))]
    else:
        content.append('<p class="note">Validation found nothing.</p>')
    if report.rejected_reasons:
        rows = [{"what": f"{r.code}: {r.name}", "n": r.count, "level": "rejected"}
                for r in report.rejected_reasons]
        content += ["<h3>Rejected items by reason</h3>",
                    chart("chart-rejected", _codes_chart(rows, "items", legend=False))]
    if report.balance is not None:
        content += [f"<h3>Balance of the build</h3><p class=\"note\">"
                    f"{_e(report.balance.source)}.</p>",
                    chart("chart-balance", _balance_chart(report))]
    section("problems", "What went wrong", content)

    if report.near_duplicates is not None:
        nd = report.near_duplicates
        summary = (f'{_e(nd.get("clusters", 0))} clusters of near-duplicate comments, '
                   f'{_e(nd.get("members", 0))} comments in them')
        if nd.get("copies") is not None:
            summary += f' ({_e(nd["copies"])} copies marked <code>duplicate_of</code>)'
        if nd.get("across_articles") is not None:
            across = nd["across_articles"]
            summary += (f'; {_e(across)} {"cluster joins" if across == 1 else "clusters join"} '
                        "comments of several articles")
        summary += "."
        if nd.get("policy"):
            summary += (f' The schema\'s <code>annotation.near_duplicates</code> is '
                        f'<b>{_e(nd["policy"])}</b>.')
        content = [f'<p class="note">{summary}</p>']
        if nd.get("sizes"):
            content.append(chart("chart-near-duplicates", _duplicates_chart(nd["sizes"])))
        largest = nd.get("largest") or []
        if largest:
            content.append(
                "<h3>The largest clusters</h3><table><tr><th>comments</th><th>articles</th>"
                "<th>first comment of the cluster</th></tr>" + "".join(
                    f'<tr><td class="num">{_e(c.get("size"))}</td>'
                    f'<td class="num">{_e(c.get("articles", "-"))}</td>'
                    f'<td class="rtl" dir="auto">{_e(c.get("example", ""))}</td></tr>'
                    for c in largest[:20]) + "</table>")
        section("near-duplicates", "Near-duplicate clusters", content)

    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in report.notes)
    scripts = [_vendor(name) for name in VENDOR] + [_MAIN]
    csp = ("default-src 'none'; "
           + "script-src " + " ".join(f"'sha256-{_sha256(s)}'" for s in scripts) + "; "
           "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
           "base-uri 'none'; form-action 'none'")
    header = (f"<header><h1>{_bdi(report.title)}</h1><div class=\"meta\">schema "
              f"<b>{_e(report.schema_name)}</b> {_e(report.schema_version)} · snapshot "
              f"{_e(Path(report.snapshot).name)}"
              + (f" (pulled {_e(report.pulled_at)})" if report.pulled_at else "")
              + f" · report made {_e(report.generated_at)} by corpus-toolkit "
              f"{_e(report.toolkit_version)}</div></header>")
    navigation = "<nav>" + "".join(f'<a href="#{i}">{_e(t)}</a>' for i, t in nav) + "</nav>"
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp, quote=False)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(report.schema_name)}: project report</title>",
        f"<style>{_CSS}</style></head><body>",
        header, navigation, "<main>", notes, *body,
        '<p class="note">Charts: Vega, Vega-Lite, vega-embed (BSD-3-Clause, University of '
        "Washington Interactive Data Lab), inlined; this page loads nothing from the "
        "network.</p></main>",
        _json_script("report-specs", _chart_safe(specs)),
        *(f"<script>{s}</script>" for s in scripts),
        "</body></html>\n",
    ])


def _reading(value: str) -> str:
    return f'<span class="{_e(value)}">{_e(value)}</span>' if value != "-" else "-"


def _question_table(report: ReportPage) -> str:
    rows = []
    for q in report.questions:
        interval = ("-" if q.alpha_low is None
                    else f"{q.alpha_low:.3f} … {q.alpha_high:.3f}")
        f1 = f"{_fmt(q.span_f1_exact)}/{_fmt(q.span_f1_overlap)}" if q.span_f1 else "-"
        notes = "; ".join(q.notes)
        rows.append(
            f"<tr><td>{_e(q.name)}</td><td>{_e(q.kind)}</td><td class=\"num\">{q.items}</td>"
            f"<td class=\"num\">{_fmt(q.alpha)}</td><td class=\"num\">{interval}</td>"
            f"<td>{_reading(q.reading)}</td><td class=\"num\">{_fmt(q.fleiss_kappa)}</td>"
            f"<td class=\"num\">{_fmt(q.cohen_kappa_mean)}</td>"
            f"<td class=\"num\">{_fmt(q.full_agreement, 1)}</td><td class=\"num\">{f1}</td>"
            f"<td class=\"note\">{_e(notes)}</td></tr>")
    return ("<table><tr><th>question</th><th>kind</th><th>items</th><th>alpha</th>"
            "<th>95% interval</th><th>reading</th><th>Fleiss κ</th><th>Cohen κ mean</th>"
            "<th>full agr %</th><th>span F1 exact/overlap</th><th>notes</th></tr>"
            + "".join(rows) + "</table>")


def _annotator_table(report: ReportPage) -> str:
    rows = []
    for a in report.annotators:
        share = None if a.with_majority is None else 100 * a.with_majority
        median = "-" if a.lead_time_median is None else f"{a.lead_time_median:.1f}"
        flag = ' <span class="fast">suspiciously fast</span>' if a.fast else ""
        rows.append(
            f"<tr><td>{_bdi(a.label)}</td><td class=\"num\">{a.items}</td>"
            f"<td class=\"num\">{a.submitted}</td><td class=\"num\">{a.cancelled}</td>"
            f"<td class=\"num\">{_fmt(share, 1)}</td><td class=\"num\">{median}</td>"
            f"<td>{flag}</td></tr>")
    return ("<table><tr><th>annotator</th><th>items done</th><th>submitted</th>"
            "<th>cancelled</th><th>agree with majority %</th><th>median s per annotation</th>"
            "<th></th></tr>" + "".join(rows) + "</table>")


def write_html(report: ReportPage, path: str | Path) -> Path:
    """Write the page to ``path`` (folders created), whole or not at all: a failed
    write leaves the previous page as it was. Returns the path."""
    page = render_html(report)  # before the file is touched
    with replacing(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return Path(path)
