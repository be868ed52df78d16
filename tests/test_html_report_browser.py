"""The report page in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven
by playwright, every network request but the page's own file refused.

Asserts the page loads with no console error and no page error, asks for nothing but
itself, draws every chart (an SVG in each chart's box), and shows the Arabic labels.
`make test` installs Chromium (apt-get, as root) and playwright (the dev extra). In CI
(CI=true, as for the integration tests) a missing browser fails the test; elsewhere it skips.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from dataset_fixture import make_inputs
from report_simulation import SCHEMA, simulate_snapshot

from toolkit.dataset import build_dataset
from toolkit.html_report import gather_report, write_html
from toolkit.schema import load_schema

CHROMIUM = os.environ.get("CORPUS_CHROMIUM", "/usr/bin/chromium")


def _need_browser():
    missing = []
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        missing.append(f"{CHROMIUM} (Debian: apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[dev]')")
    if missing:
        message = "the browser test needs " + " and ".join(missing)
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):  # as conftest: CI=true
            pytest.fail(message + "; `make test` installs both", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def _wait_until_charts_settle(page, timeout: float = 30.0) -> None:
    """Poll with page.evaluate: wait_for_function evaluates its predicate with eval(), which
    the page's policy refuses (no 'unsafe-eval'; Chromium 156 + playwright 1.65)."""
    import time

    deadline = time.monotonic() + timeout
    settled = ("() => Array.from(document.querySelectorAll('.chart'))"
               ".every(e => e.getAttribute('data-drawn') || e.textContent.includes('could not'))")
    while not page.evaluate(settled):
        if time.monotonic() > deadline:
            pytest.fail(f"charts still not drawn after {timeout:.0f} s")
        page.wait_for_timeout(100)


def _open(browser, page_path: Path, screenshot: Path | None = None) -> dict:
    """Open the file with every other request refused; what happened, for the asserts."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = {"console": [], "errors": [], "requests": [], "refused": []}
    own = page_path.resolve().as_uri()

    def route(request_route):
        url = request_route.request.url
        seen["requests"].append(url)
        if url == own:
            request_route.continue_()
        else:
            seen["refused"].append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: seen["console"].append((m.type, m.text)))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(own)
    _wait_until_charts_settle(page)
    seen["charts"] = page.evaluate(
        "Array.from(document.querySelectorAll('.chart')).map(e => [e.id, "
        "e.querySelectorAll('svg').length, e.querySelectorAll('svg path, svg rect, "
        "svg line').length])")
    seen["svg_text"] = page.evaluate(
        "Array.from(document.querySelectorAll('.chart svg text')).map(t => t.textContent)")
    seen["visible_arabic"] = page.evaluate(
        "Array.from(document.querySelectorAll('#chart-dist-stance svg text'))"
        ".filter(t => t.textContent.includes('موافق'))"
        ".map(t => { const r = t.getBoundingClientRect(); return [r.width, r.height]; })")
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    return seen


def _check(seen: dict) -> None:
    errors = [text for kind, text in seen["console"] if kind == "error"]
    assert errors == [] and seen["errors"] == []
    assert seen["refused"] == [] and len(seen["requests"]) == 1
    assert seen["charts"], "no chart on the page"
    for ident, svgs, marks in seen["charts"]:
        assert svgs == 1, f"{ident} was not drawn"
        assert marks > 0, f"{ident} has no marks"


def test_fixture_report_draws_every_chart_offline_with_arabic_labels(browser, tmp_path):
    schema_path, corpus, snapshot = make_inputs(tmp_path)
    schema = load_schema(schema_path)
    build_dataset(snapshot, schema, out=tmp_path / "dataset", corpus=corpus)
    page = write_html(gather_report(snapshot, schema, corpus=corpus,
                                    dataset=tmp_path / "dataset"), tmp_path / "report.html")
    seen = _open(browser, page, tmp_path / "report.png")
    _check(seen)
    ids = {ident for ident, _, _ in seen["charts"]}
    assert {"chart-progress", "chart-per-day", "chart-alpha", "chart-dist-stance",
            "chart-pairs", "chart-confusion", "chart-lead-time", "chart-findings",
            "chart-rejected", "chart-balance"} <= ids
    # the stance labels as annotators saw them, stored value beside, drawn with a size
    assert "موافق (agree)" in seen["svg_text"] and "معارض (disagree)" in seen["svg_text"]
    assert seen["visible_arabic"] and all(w > 0 and h > 0 for w, h in seen["visible_arabic"])


def test_thirty_annotators_report_draws_and_marks_the_fast_ones(browser, tmp_path):
    snapshot = simulate_snapshot(tmp_path / "snapshot.json", tasks=600, annotators=30)
    report = gather_report(snapshot, load_schema(SCHEMA), replicates=200)
    page = write_html(report, tmp_path / "report.html")
    seen = _open(browser, page)
    _check(seen)
    assert sorted(a.label for a in report.annotators if a.fast) == ["29", "30"]
    assert "suspiciously fast" in seen["svg_text"]  # the lead time chart's legend


def _hostile_inputs(tmp_path: Path) -> tuple:
    """The fixture with `<!--`, `<script>` and U+2028 in a label's text and annotators' names."""
    from toolkit.studio.snapshot import open_snapshot, write_snapshot

    shipped, corpus, snapshot = make_inputs(tmp_path)
    text = shipped.read_text(encoding="utf-8")
    hostile_label = '"موافق<!--<script>\\u2028x"'
    schema_path = tmp_path / "schema.yaml"  # make_inputs gives the fixture's own file
    schema_path.write_text(text.replace("{text: موافق,", "{text: " + hostile_label + ","),
                           encoding="utf-8")
    snap = open_snapshot(snapshot)
    names = {"11": "Huda <!--", "12": "Omar\u2028Kamal", "13": "Lina <!--<script>"}
    tasks = []
    for task in snap.tasks():
        for annotation in task.get("annotations") or ():
            annotation["completed_by"] = annotation["completed_by"]["id"]
            annotation.pop("created_username", None)
        tasks.append(task)
    hostile = tmp_path / "hostile.json"
    write_snapshot(hostile, dict(snap.header, annotators=names), tasks)
    return load_schema(schema_path), corpus, hostile


def test_comment_markers_and_line_separators_in_names_and_labels_draw(browser, tmp_path):
    """Issue 17 item 13: `<!--` in a name blanked every chart (`<\\!--` is not JSON);
    U+2028 in a label broke three charts. Every chart draws, the strings shown as text."""
    schema, corpus, snapshot = _hostile_inputs(tmp_path)
    report = gather_report(snapshot, schema, corpus=corpus)
    assert "11 (Huda <!--)" in {a.label for a in report.annotators}
    page = write_html(report, tmp_path / "report.html")
    seen = _open(browser, page, tmp_path / "report.png")
    _check(seen)
    assert len(seen["charts"]) >= 10
    shown = " ".join(seen["svg_text"])
    assert "Huda <!--" in shown and "Lina <!--<script>" in shown
    assert any(t.startswith("موافق<!--<script>") for t in seen["svg_text"]), seen["svg_text"]


def test_model_section_draws_its_learning_curve(browser, tmp_path, monkeypatch):
    """The model section (issue 19 item 6): its table and the learning curve over two
    trained models draw offline, nothing else breaks."""
    from model_fixture import project

    from toolkit.workflows.learn import learn

    monkeypatch.chdir(tmp_path)
    schema, corpus, snapshot = project(tmp_path)
    learn(schema, snapshot)
    learn(schema, snapshot)  # a second point on the curve (the same data: the same figures)
    report = gather_report(snapshot, schema, corpus=corpus)
    assert report.model is not None and len(report.model.curve) >= 2
    page = write_html(report, tmp_path / "report.html")
    seen = _open(browser, page, tmp_path / "report-model.png")
    _check(seen)
    assert "chart-learning" in {ident for ident, _, _ in seen["charts"]}
    assert "labelled items the model learned from" in seen["svg_text"]
