"""Adding newly ingested articles to an existing corpus (what `corpus sync` does).

`corpus ingest` writes a corpus from its inputs alone. A team lead's daily run
brings only new pages, and the corpus must keep what it had: merging is an
upsert by article id. An article met again under its id replaces the stored one
(a re-scraped page with more comments; comment ids are content-based, so the
comments already pushed keep theirs); an article met again under another id
(same normalized title + body, e.g. through another format) is kept once, as
stored, and reported; new articles are appended in input order.
"""

from __future__ import annotations

from pathlib import Path

from ..corpus import Article, read_corpus, write_corpus
from ..report import Report
from ._common import dedupe_key


def merge_corpus(existing: Path | str, new: Path | str, *, out: Path | str,
                 report: Report | None = None) -> Report:
    """Write ``out`` = ``existing`` upserted with the articles of ``new``.

    Memory holds the new articles (a day's batch) and one key per stored article.
    Counts ``merge_updated``, ``merge_added`` and ``duplicates`` in the report.
    """
    report = report if report is not None else Report()
    fresh: dict[str, Article] = {a.id: a for a in read_corpus(new)}
    fresh_keys = {dedupe_key(a.title, a.body): a.id for a in fresh.values()}
    placed: set[str] = set()

    def merged():
        for article in read_corpus(existing):
            replacement = fresh.get(article.id)
            if replacement is not None:
                placed.add(article.id)
                report.counts["merge_updated"] += replacement != article
                yield replacement
                continue
            twin = fresh_keys.get(dedupe_key(article.title, article.body))
            if twin is not None and twin not in placed:
                placed.add(twin)
                report.counts["duplicates"] += 1
                report.info("I007", twin, f"same article as {article.id} already in the "
                            "corpus", "kept the stored one")
            yield article
        for article_id, article in fresh.items():
            if article_id not in placed:
                report.counts["merge_added"] += 1
                yield article

    write_corpus(Path(out), merged())
    return report
