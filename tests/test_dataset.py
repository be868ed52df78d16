"""corpus build (library): a snapshot in Label Studio's export shape -> a dataset folder
that `datasets.load_dataset` loads, with the expected splits, features and values."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
import yaml
from dataset_fixture import AUTHORS, EMAILS, make_inputs

from toolkit.dataset import build_dataset
from toolkit.errors import OptionError, SnapshotError

RESOLVED = {"a1-1", "a1-2", "a1-3", "a2-1", "a2-3", "a3-1", "a4-2", "a5-1", "a6-1"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return make_inputs(tmp_path_factory.mktemp("inputs"))


@pytest.fixture(scope="module")
def built(inputs, tmp_path_factory):
    schema, corpus, snapshot = inputs
    out = tmp_path_factory.mktemp("build") / "dataset"
    result = build_dataset(snapshot, schema, out=out, corpus=corpus)
    return result, datasets.load_dataset(str(out))


def rows_by_id(dataset_dict) -> dict[str, tuple[str, dict]]:
    return {row["comment_id"]: (name, row) for name, split in dataset_dict.items()
            for row in split}


def test_loads_with_the_schema_splits_and_features(built):
    _, ds = built
    assert list(ds) == ["train", "validation", "test"]
    features = ds["train"].features
    assert features["stance"].names == ["agree", "disagree", "neutral", "unrelated"]
    assert features["offensive"].feature.names == ["insult", "profanity", "hate_speech", "threat"]
    assert features["targets"].feature["label"].names == ["person", "organization", "place",
                                                          "group"]
    assert features["sarcasm"] == datasets.Value("bool")
    assert features["annotations"].feature["stance"].names == features["stance"].names
    assert "author" not in features and "article_body" not in features


def test_rows_hold_the_aggregated_labels_and_every_annotation(built):
    _, ds = built
    rows = rows_by_id(ds)
    assert set(rows) == RESOLVED
    _, row = rows["a1-1"]
    stance = ds["train"].features["stance"]
    assert row["text"] == "هذا كلام صحيح 👍 والوزير محمد صادق"
    assert row["article_id"] == "a1" and row["article_title"] == "عنوان المقال a1"
    assert stance.int2str(row["stance"]) == "agree" and row["stance_provenance"] == "unanimous"
    assert row["intensity"] == 3 and row["intensity_provenance"] == "majority"
    assert row["targets"] == [{"start": 24, "end": 33, "label": 0, "text": "محمد صادق"}]
    assert row["text"][24:33] == "محمد صادق"
    assert row["offensive"] == [] and row["offensive_provenance"] == "unanimous"
    assert row["n_annotators"] == 3
    assert [a["annotator"] for a in row["annotations"]] == [
        "annotator_1", "annotator_2", "annotator_3"]
    assert [a["intensity"] for a in row["annotations"]] == [3, 3, 2]
    assert row["annotations"][0]["note"] == "واضح"

    _, row = rows["a2-1"]
    assert stance.int2str(row["stance"]) == "disagree"
    assert row["offensive"] == [0] and row["offensive_provenance"] == "majority"
    assert row["sarcasm"] is True and row["sarcasm_provenance"] == "majority"
    assert [a["offensive"] for a in row["annotations"]] == [[0], [0, 1], [0]]

    _, row = rows["a2-3"]  # two annotators suffice (min_annotations 2)
    assert stance.int2str(row["stance"]) == "unrelated" and row["n_annotators"] == 2


def test_no_article_in_two_splits(built):
    _, ds = built
    seen: dict[str, str] = {}
    for name, split in ds.items():
        for article in split["article_id"]:
            assert seen.setdefault(article, name) == name, f"{article} in two splits"
    assert len(seen) == 6


def test_balance_adds_up_over_the_corpus(built):
    result, ds = built
    balance = result.balance
    assert balance.corpus_units == 15 and balance.not_pushed == 2
    assert balance.snapshot_tasks == 13
    assert sum(balance.in_splits.values()) == 9 == sum(s.num_rows for s in ds.values())
    assert balance.rejected == {"invalid": 1, "too_few_annotations": 1, "unresolved": 1}
    assert balance.not_annotated == 1
    assert balance.adds_up
    assert balance.lines()[0] == "corpus units: 15 = 13 pushed + 2 not pushed"


def test_rejected_file_names_each_item_and_reason(built):
    result, _ = built
    rows = [json.loads(line) for line in result.rejected_file.read_text().splitlines()]
    by_id = {r["unit_id"]: r for r in rows}
    assert set(by_id) == {"a2-2", "a3-2", "a4-1"}
    assert by_id["a2-2"]["code"] == "invalid" and "'maybe'" in by_id["a2-2"]["reason"]
    assert by_id["a3-2"]["code"] == "too_few_annotations"
    assert by_id["a4-1"]["code"] == "unresolved" and "stance" in by_id["a4-1"]["reason"]


def test_card_front_matter_and_facts(built, inputs):
    result, _ = built
    text = (result.folder / "README.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["language"] == ["ar"] and meta["license"] == "cc-by-4.0"
    assert meta["size_categories"] == ["n<1K"]
    assert meta["task_categories"] == ["text-classification"]
    assert meta["annotations_creators"] == ["expert-generated"]
    splits = {s["name"]: s["num_examples"] for s in meta["dataset_info"]["splits"]}
    assert splits == result.balance.in_splits
    paths = {f["split"]: f["path"] for f in meta["configs"][0]["data_files"]}
    assert paths["train"] == "data/train-00000-of-00001.parquet"
    assert "`sha256:71e95a5493dcd26c`" in text  # schema hash
    assert "2025-03-02T08:00:00Z" in text  # pulled_at
    from toolkit.dataset.build import file_sha256

    assert file_sha256(inputs[2]) in text
    assert "Read the article, then the comment." in text  # guidelines
    assert "| agree | موافق | supports the article's claim |" in text
    assert "| unresolved | 1 |" in text
    assert "| `stance` | alpha nominal | 11 |" in text  # agreement, from toolkit.review.agreement


def test_two_builds_are_byte_identical(inputs, tmp_path):
    schema, corpus, snapshot = inputs
    first = build_dataset(snapshot, schema, out=tmp_path / "one", corpus=corpus).folder
    second = build_dataset(snapshot, schema, out=tmp_path / "two", corpus=corpus).folder
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert len(files) == 6  # README.md, three splits, rejected.jsonl, splits.json
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # Rebuilding into the same folder replaces it, with the same bytes.
    again = build_dataset(snapshot, schema, out=first, corpus=corpus).folder
    assert (again / "README.md").read_bytes() == (second / "README.md").read_bytes()


def test_one_pass_agreement_and_rejections_equal_the_separate_stages(inputs, tmp_path):
    """Build reads the snapshot once; its card's agreement figures and its rejected file
    equal what the stages give when each reads the snapshot on its own, and a build
    from a review the caller made (sync's) equals one from the file."""
    from toolkit.dataset._sources import agreement_figures
    from toolkit.review import agreement_for_snapshot, review_snapshot
    from toolkit.schema import load_schema
    from toolkit.studio.snapshot import open_snapshot

    schema, corpus, snapshot = inputs
    built = build_dataset(snapshot, schema, out=tmp_path / "one", corpus=corpus)
    one = built.folder
    review = review_snapshot(open_snapshot(snapshot), load_schema(schema), corpus=Path(corpus))
    separate = build_dataset(review, schema, out=tmp_path / "two", corpus=corpus).folder
    # the caller's review lists the unresolved item (`corpus agree --unresolved`); build's
    # own read, which does not show them, keeps no list (memory), and writes the same files
    assert [row["corpus_key"] for row in review.agreement.unresolved] == [
        "comment_stance:a4-1"]
    assert built.review.agreement.unresolved == []
    assert (one / "README.md").read_bytes() == (separate / "README.md").read_bytes()
    figures = agreement_figures(agreement_for_snapshot(snapshot, load_schema(schema)))
    alpha = figures["stance"]["alpha"]
    assert alpha is not None and f"{alpha:.3f}" in (one / "README.md").read_text(encoding="utf-8")
    assert "alpha" in (one / "README.md").read_text(encoding="utf-8")
    invalid = review_snapshot(open_snapshot(snapshot), load_schema(schema), corpus=Path(corpus),
                              aggregate=False, agreement=False).invalid
    rejected = [json.loads(line) for line in
                (one / "rejected" / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert invalid  # the fixture has invalid tasks, each rejected with its first error
    assert {r["task_id"]: r["reason"] for r in rejected if r["code"] == "invalid"} == invalid


def _everything_written(folder: Path) -> str:
    """Every file's text; Parquet decoded (its pages are compressed), metadata included."""
    parts = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            parts.append(json.dumps(table.to_pylist(), ensure_ascii=False))
            parts.append(str(table.schema.metadata))
        else:
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def test_privacy_no_commenter_names_or_annotator_identities(built):
    result, _ = built
    written = _everything_written(result.folder)
    for author in AUTHORS:
        assert author not in written
    for email in EMAILS.values():
        assert email not in written
        assert email.split("@")[0] not in written
    assert "completed_by" not in written


def test_keep_authors_keeps_them_with_a_warning(inputs, tmp_path):
    schema, corpus, snapshot = inputs
    result = build_dataset(snapshot, schema, out=tmp_path / "ds", keep_authors=True,
                           with_context=True)
    assert [f.code for f in result.report.warnings] == ["B001"]
    rows = rows_by_id(datasets.load_dataset(str(result.folder)))
    _, row = rows["a1-1"]
    assert row["author"] == AUTHORS[0]
    assert row["article_body"] == "نص المقال a1\n\nفقرة ثانية"
    for email in EMAILS.values():  # annotators stay pseudonymous
        assert email not in _everything_written(result.folder)


def test_keep_unresolved_puts_them_in_the_splits_with_null_labels(inputs, tmp_path):
    schema, _, snapshot = inputs
    result = build_dataset(snapshot, schema, out=tmp_path / "ds", keep_unresolved=True)
    assert result.balance.rejected == {"invalid": 1, "too_few_annotations": 1}
    assert result.balance.corpus_units is None and result.balance.adds_up
    _, row = rows_by_id(datasets.load_dataset(str(result.folder)))["a4-1"]
    assert row["stance"] is None and row["stance_provenance"] == "unresolved"
    assert [a["stance"] for a in row["annotations"]] == [0, 2, 1]


def test_large_splits_are_sharded(inputs, tmp_path):
    schema, _, snapshot = inputs
    result = build_dataset(snapshot, schema, out=tmp_path / "ds", max_shard_bytes=1000)
    train = next(s for s in result.splits if s.name == "train")
    assert len(train.paths) > 1
    n = len(train.paths)
    assert train.paths[-1] == f"data/train-{n - 1:05d}-of-{n:05d}.parquet"
    ds = datasets.load_dataset(str(result.folder))
    assert ds["train"].num_rows == train.num_examples


def test_refuses_a_folder_holding_other_files(inputs, tmp_path):
    schema, _, snapshot = inputs
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "notes.txt").write_text("mine")
    with pytest.raises(OptionError, match="notes.txt"):
        build_dataset(snapshot, schema, out=tmp_path / "ds")
    assert (tmp_path / "ds" / "notes.txt").read_text() == "mine"


def test_refuses_a_snapshot_of_another_schema(inputs, tmp_path):
    from toolkit.studio.snapshot import open_snapshot, write_snapshot

    schema, _, snapshot = inputs
    snap = open_snapshot(snapshot)
    other = tmp_path / "other.json"
    write_snapshot(other, {**snap.header, "schema_name": "article_entities"}, snap.tasks())
    with pytest.raises(SnapshotError, match="pulled for schema 'article_entities'"):
        build_dataset(other, schema, out=tmp_path / "ds")
    older = tmp_path / "older.json"
    write_snapshot(older, {**snap.header, "schema_hash": "sha256:0000000000000000"},
                   snap.tasks())
    result = build_dataset(older, schema, out=tmp_path / "ds")
    assert [(f.code, f.level) for f in result.report.findings] == [("V020", "warning")]
    assert "sha256:0000000000000000" in result.report.findings[0].message


def test_only_unusable_items_are_rejected_as_invalid(inputs, tmp_path):
    """One annotator leaving required `stance` unanswered (V004) or submitting twice
    (V013) does not reject an item the others agree on; a span not matching its text
    (V007) does. The validate actions say the same."""
    from toolkit.review import validate_snapshot
    from toolkit.schema import load_schema
    from toolkit.studio.snapshot import open_snapshot, write_snapshot

    schema_path, _, snapshot = inputs
    snap = open_snapshot(snapshot)
    tasks = {t["data"]["unit_id"]: t for t in snap.tasks()}
    a13 = tasks["a1-3"]["annotations"]  # A, A, A: annotator 13 now leaves stance out
    a13[2]["result"] = [r for r in a13[2]["result"] if r["from_name"] != "stance"]
    a51 = tasks["a5-1"]["annotations"]  # neutral, neutral, agree: annotator 11 again
    a51.append({**a51[0], "id": 900, "result": list(a51[0]["result"])})
    a31 = tasks["a3-1"]["annotations"]  # the span "الشرطة" recorded with another text
    span = next(r for r in a31[0]["result"] if r["from_name"] == "targets")
    span["value"] = {**span["value"], "text": "الشرطي"}
    changed = tmp_path / "changed.json"
    write_snapshot(changed, snap.header, tasks.values())

    report = validate_snapshot(changed, load_schema(schema_path))
    actions = {f.code: f.action for f in report.findings if f.level == "error"}
    assert actions["V004"].startswith("the item is kept: this annotator's missing answer")
    assert actions["V013"].startswith("only the latest is used")
    assert actions["V007"].startswith("build leaves the item out (rejected/)")

    result = build_dataset(changed, schema_path, out=tmp_path / "ds")
    rejected = {json.loads(line)["unit_id"]: json.loads(line) for line in
                result.rejected_file.read_text(encoding="utf-8").splitlines()}
    assert {k: r["code"] for k, r in rejected.items()} == {
        "a2-2": "invalid", "a3-1": "invalid", "a3-2": "too_few_annotations",
        "a4-1": "unresolved"}
    assert rejected["a3-1"]["reason"].startswith("V007 span-text-mismatch:")
    loaded = datasets.load_dataset(str(result.folder))
    rows, stance = rows_by_id(loaded), loaded["train"].features["stance"]
    _, row = rows["a1-3"]
    assert stance.int2str(row["stance"]) == "agree" and row["stance_provenance"] == "majority"
    assert [a["stance"] for a in row["annotations"]] == [0, 0, None]
    _, row = rows["a5-1"]
    assert stance.int2str(row["stance"]) == "neutral" and row["n_annotators"] == 3
    assert row["stance_provenance"] == "majority"


def test_size_categories_follow_the_hub_up_to_a_trillion():
    from toolkit.dataset.card import size_category

    assert [size_category(n) for n in (999, 1_000, 99_999_999, 100_000_000, 999_999_999,
                                       1_000_000_000, 999_999_999_999, 10**12)] == [
        "n<1K", "1K<n<10K", "10M<n<100M", "100M<n<1B", "100M<n<1B", "1B<n<1T", "1B<n<1T",
        "n>1T"]


def test_card_says_exactly_what_ingest_changed_in_the_text(built):
    result, _ = built
    text = (result.folder / "README.md").read_text(encoding="utf-8")
    assert "text kept as published" not in text
    assert ("on every line, leading and trailing spaces removed (indentation, trailing "
            "blanks)") in text
    assert "No spelling, letter or Arabic normalization" in text


def _split_of_articles(folder: Path) -> dict[str, str]:
    ds = datasets.load_dataset(str(folder))
    return {article: name for name, split in ds.items() for article in split["article_id"]}


WORDS = ["الحكومة", "الوزير", "القاهرة", "الشعب", "كلام", "صحيح", "مقال", "ممتاز", "أبدا",
         "الشرطة", "جماعة", "المدرسة", "الطريق", "السوق", "الاسعار", "الكهرباء", "المستشفى",
         "الجامعة", "الرياضة", "المنتخب", "البرلمان", "الانتخابات", "الميزانية", "الضرائب"]


def test_a_rebuild_with_more_articles_keeps_every_earlier_article_in_its_split(tmp_path):
    """Version 1 from 8 articles, version 2 (same folder) from 40: no article of version 1
    changes split, the new ones fill toward 60/20/20, and splits.json records all."""

    from dataset_fixture import SCHEMA_PATH, tasks

    from toolkit.schema import load_schema
    from toolkit.studio.snapshot import write_snapshot

    schema = load_schema(SCHEMA_PATH)
    template = [t for t in tasks(schema) if t["data"]["unit_id"] == "a1-3"][0]  # agreed: A,A,A
    stances = ["agree", "disagree", "neutral"]

    def snapshot(n_articles: int, name: str) -> Path:
        out = []
        for i in range(n_articles):
            for c in range(1 + i % 3):
                task = json.loads(json.dumps(template))
                task["id"] = 100 * i + c
                task["data"].update(article_id=f"art{i:02d}", unit_id=f"art{i:02d}-{c}",
                                    comment_id=f"art{i:02d}-{c}", position=c + 1,
                                    corpus_key=f"{schema.name}:art{i:02d}-{c}")
                # a text of its own (the same text everywhere would be one near-duplicate
                # group, dealt to one split)
                words = random.Random(100 * i + c).sample(WORDS, 10)
                task["data"]["text"] += " " + " ".join(words)
                stance = stances[(i * 7 + c) % 3]
                for annotation in task["annotations"]:
                    for result in annotation["result"]:
                        if result["from_name"] == "stance":
                            result["value"]["choices"] = [stance]
                out.append(task)
        path = tmp_path / name
        header = {"schema_name": schema.name, "schema_hash": schema.content_hash}
        write_snapshot(path, header, out)
        return path

    out = tmp_path / "ds"
    build_dataset(snapshot(8, "v1.json"), SCHEMA_PATH, out=out)
    first = _split_of_articles(out)
    assert len(first) == 8
    build_dataset(snapshot(40, "v2.json"), SCHEMA_PATH, out=out)
    second = _split_of_articles(out)
    assert len(second) == 40
    assert {a: second[a] for a in first} == first  # no earlier article moved
    rows: dict[str, int] = {}
    for name, split in datasets.load_dataset(str(out)).items():
        rows[name] = split.num_rows
    total = sum(rows.values())
    assert abs(rows["train"] / total - 0.6) < 0.05
    assert abs(rows["validation"] / total - 0.2) < 0.05 and abs(rows["test"] / total - 0.2) < 0.05
    saved = json.loads((out / "splits.json").read_text(encoding="utf-8"))
    assert saved == {"group_by": "article_id", "splits": dict(sorted(second.items()))}
    # deterministic: the same snapshot over the same previous folder gives the same bytes
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    build_dataset(tmp_path / "v2.json", SCHEMA_PATH, out=out)
    build_dataset(tmp_path / "v2.json", SCHEMA_PATH, out=copy)
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        assert path.read_bytes() == (copy / path.relative_to(out)).read_bytes(), path


def test_rows_table_equals_from_pylist(inputs):
    """rows_table's column-wise assembly gives the table pyarrow builds from dict rows."""
    import pyarrow as pa

    from toolkit.dataset._sources import item_of, question_features
    from toolkit.dataset.rows import RowEncoder, row_features, rows_table
    from toolkit.review import review_snapshot
    from toolkit.schema import load_schema
    from toolkit.studio.snapshot import open_snapshot

    schema_path, _, snapshot = inputs
    schema = load_schema(schema_path)
    features = row_features(schema, question_features(schema), with_context=True,
                            keep_authors=True)
    encoder = RowEncoder(schema, features, with_context=True, keep_authors=True)
    rows = []
    one_pass = review_snapshot(open_snapshot(snapshot), schema, agreement=False, item=item_of)
    items = [item for item in one_pass.items if item.status == "ok"]
    rows = [encoder.encode(item) for item in items if item.task_id not in one_pass.invalid]
    assert len(rows) == 9
    table = rows_table(rows, features)
    names = list(features)
    expected = pa.Table.from_pylist([dict(zip(names, row, strict=True)) for row in rows],
                                    schema=features.arrow_schema)
    assert table.equals(expected)
    assert table.schema == expected.schema and table.schema.metadata == expected.schema.metadata
    assert rows_table([], features).equals(
        pa.Table.from_pylist([], schema=features.arrow_schema))
