"""Text pages in the seed's layout: the seed itself and the bundled samples."""

from __future__ import annotations

from pathlib import Path

from toolkit.corpus import read_corpus
from toolkit.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SEED = SAMPLES / "000_dab86e570d492265.txt"

SEED_AUTHORS = [
    "ياشباب النصرة أبتعدوا عن راية القاعدة رحمة بمحبيكم",
    "علي علاو",
    "غرباء...مسافر غريب ..عين الصقر",
    "ستتحول روسيا صديق للسورين في حال طرد المليشيات الأرهابية الشيعية",
    "وائل",
]
CHROME = ["الأكثر قراءة", "أهم المواضيع", "أهم التصنيفات", "💡", "✨"]


def _ingest(tmp_path: Path, *inputs: Path, **options):
    out = tmp_path / "corpus.jsonl"
    result = ingest(list(inputs), out=out, **options)
    return result, list(read_corpus(out))


def test_seed_page_article_and_its_five_comments(tmp_path):
    result, articles = _ingest(tmp_path, SEED)
    assert result.report.findings == []
    [article] = articles
    seed_lines = SEED.read_text(encoding="utf-8").split("\n")
    assert article.id == "dab86e570d492265"
    assert article.title == 'واشنطن بوست: اتفاق أمريكي روسي جديد في سوريا و"النصرة" هدف مشترك'
    assert article.comment_count_declared == 5
    # Body: lines 4..20 (trailing spaces removed), sub-heading included, joined by a blank line.
    assert article.body == "\n\n".join(seed_lines[i].strip() for i in range(3, 20, 2))
    assert article.body.startswith("كشفت صحيفة")
    assert "\n\nخطوات حاسمة\n\n" in article.body
    assert article.title not in article.body
    for chrome in CHROME + ["التعليقات"]:
        assert chrome not in article.title and chrome not in article.body

    comments = article.comments
    assert [c.author for c in comments] == SEED_AUTHORS
    assert [c.text for c in comments] == [seed_lines[i].strip() for i in (26, 31, 36, 41, 46)]
    assert comments[-1].text.endswith("سوف يتغير كل شي.")
    assert [c.position for c in comments] == [1, 2, 3, 4, 5]
    assert {c.time_raw for c in comments} == {"منذ 7 سنوات 8 أشهر"}
    assert {c.age_days for c in comments} == {2800}  # 7 years 8 months
    assert all(c.article_id == "dab86e570d492265" for c in comments)
    assert len({c.id for c in comments}) == 5
    assert all(c.id.startswith("dab86e570d492265-") for c in comments)


def test_crawled_at_gives_each_comment_an_estimated_date(tmp_path):
    from datetime import date

    _, [article] = _ingest(tmp_path, SEED, crawled_at=date(2024, 3, 1))
    assert {c.time_estimated for c in article.comments} == {"2016-07-01"}


def test_samples_cover_the_layout_cases(tmp_path):
    result, articles = _ingest(tmp_path, SAMPLES)
    # samples/ ingests cleanly; other stages' files lying there (demo annotations) are info.
    assert [f.line() for f in result.report.findings if f.level != "info"] == []
    by_id = {a.id: a for a in articles}
    assert result.articles == 9 and result.comments == 22

    library = by_id["4f2c9a7e1b3d5068"]
    assert [c.author for c in library.comments] == [
        "أم يوسف 🌸", "د. سامر الخطيب", "🇯🇴 ابن البلد 🇯🇴", "قارئ",
    ]
    assert library.comments[1].text == (
        "أرجو ألا تتحول إلى مبنى جميل بلا رواد كما حدث مع مكتبات أخرى.\n\n"
        "المهم هو البرامج والاستمرارية، لا الافتتاح والصور.\n\n"
        "وتمويل شراء الكتب الجديدة سنوياً يجب أن يكون واضحاً في الميزانية."
    )
    assert [c.age_days for c in library.comments] == [730, 11, 3, 0]
    assert library.comments[3].text == "متى أوقات الدوام يوم الجمعة؟"  # the stray "3" is chrome
    assert "\n\nأنشطة للأطفال\n\n" in library.body

    zero = by_id["9b1e0d44c2a7f315"]
    assert zero.comment_count_declared == 0 and zero.comments == ()
    none = by_id["c7d85f210ab96e43"]
    assert none.comment_count_declared is None and none.comments == ()
    assert none.body.endswith("نصف النهائي الثانية.")

    vaccine = by_id["e02b6f9d37a1c584"]
    assert [c.author for c in vaccine.comments] == [None, "محمود ✌️", None, "نور الهدى", "فاطمة"]
    assert [c.time_raw for c in vaccine.comments] == [
        "منذ شهر وأسبوعين", "منذ يومين", "منذ ٥ ساعات", "منذ دقيقتين", "منذ دقيقة",
    ]
    assert vaccine.comments[3].text == "منذ سنوات ونحن ننتظر حملة منظمة بهذا الشكل 🙏"

    solar = by_id["jsonl-7f3a21"]
    assert [c.id for c in solar.comments] == [f"jsonl-7f3a21-c{n}" for n in (1, 2, 3)]
    assert solar.comments[1].reply_to == "jsonl-7f3a21-c1"
    assert solar.url == "https://news.example/ar/2024/03/solar-farm"
    assert [c.author for c in by_id["csv-201"].comments] == ["ريم 📚", "ولي أمر"]
    assert by_id["csv-202"].comments[0].time_raw == "منذ ٦ ساعات"


def test_same_inputs_give_byte_identical_output(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    ingest([SAMPLES], out=first)
    ingest([SAMPLES], out=second)
    assert first.read_bytes() == second.read_bytes()


def test_comment_ids_survive_a_new_comment(tmp_path):
    """A re-scrape with one more comment on top keeps the older comments' ids."""
    text = SEED.read_text(encoding="utf-8")
    newer = text.replace(
        "التعليقات (5)\n\n",
        "التعليقات (6)\n\n    قارئ جديد\n\n    ·منذ يوم\n    تعليق جديد\n\n",
    )
    page = tmp_path / "000_dab86e570d492265.txt"
    page.write_text(newer, encoding="utf-8")
    _, [old] = _ingest(tmp_path, SEED)
    _, [new] = _ingest(tmp_path, page)
    assert [c.author for c in new.comments][0] == "قارئ جديد"
    assert [c.id for c in new.comments][1:] == [c.id for c in old.comments]


def test_exact_repeats_get_distinct_ids(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text(
        "عنوان\n\nعنوان\nنص.\n\nالتعليقات (2)\n\n    سامي\n\n    ·منذ يوم\n    مكرر\n\n"
        "    سامي\n\n    ·منذ يوم\n    مكرر\n",
        encoding="utf-8",
    )
    _, [article] = _ingest(tmp_path, page)
    first, second = (c.id for c in article.comments)
    assert second == first + "-2"
    assert len(article.id) == 16  # no hash in the file name: a content hash


def test_crlf_bom_and_indentation_are_removed(tmp_path):
    page = tmp_path / "crlf.txt"
    text = SEED.read_text(encoding="utf-8")
    page.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "  \r\n").encode("utf-8"))
    _, [a] = _ingest(tmp_path, page)
    _, [b] = _ingest(tmp_path, SEED)
    assert (a.title, a.body, [c.text for c in a.comments]) == (
        b.title, b.body, [c.text for c in b.comments],
    )
