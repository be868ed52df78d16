"""Ingest never crashes on page-shaped garbage: every input becomes articles or findings."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from toolkit.corpus import read_corpus
from toolkit.ingest import ingest

LINES = st.one_of(
    st.sampled_from([
        "", "    ", "التعليقات (5)", "التعليقات (0)", "التعليقات", "    ·منذ 7 سنوات 8 أشهر",
        "·منذ سنتين", "·منذ ٣ أيام", "    علي علاو", "5", "الأكثر قراءة", "💡 أهم المواضيع",
        "✨ أهم التصنيفات", "خطوات حاسمة", "\ufeffعنوان", "عنوان\r", "\t\t", "·منذ",
    ]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=30), st.sampled_from(["txt", "jsonl", "csv"]))
@example(lines=["", ""], fmt="jsonl")  # found by hypothesis: blank lines only, no finding
def test_any_page_is_ingested_or_reported_never_a_crash(lines, fmt):
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / f"page_0123456789abcdef.{fmt}"
        page.write_text("\n".join(lines), encoding="utf-8")
        out = Path(folder) / "corpus.jsonl"
        result = ingest([page], out=out)
        articles = list(read_corpus(out))
        counts = result.report.counts
        assert counts["articles"] == len(articles)
        assert counts["comments"] == sum(len(a.comments) for a in articles)
        # nothing dropped without a record: no article means a finding says why
        assert articles or result.report.findings
        for article in articles:
            assert [c.position for c in article.comments] == list(
                range(1, len(article.comments) + 1))
            assert len({c.id for c in article.comments}) == len(article.comments)
