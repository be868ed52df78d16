"""`corpus push --budget` against the real Label Studio: the sample's units become tasks;
raising the budget imports only the further units a fresh run chooses (none taken back);
the frame is recorded beside the ledger, where build finds it."""

from __future__ import annotations

import secrets
from pathlib import Path

import orjson

from toolkit.cli import main
from toolkit.schema import parse_schema
from toolkit.selection import Design, Frame, select
from toolkit.studio.ledger import Ledger, ledger_path
from toolkit.studio.push import push

ROOT = Path(__file__).resolve().parent.parent
STANCE = ROOT / "schemas" / "comment_stance.yaml"


def test_push_a_budget_then_a_larger_one(studio, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(ROOT / "samples"), "--out", str(corpus)]) == 0
    name = f"sampled_{secrets.token_hex(3)}"
    text = STANCE.read_text(encoding="utf-8").replace("name: comment_stance", f"name: {name}", 1)
    text = text.replace('title: "Reader comments: stance, tone and targets"',
                        f'title: "Test {name}"', 1)
    schema = parse_schema(text + "selection: {budget: 3, stratify_by: [site]}\n", "x.yaml")
    ledger_dir = tmp_path / "ledger"
    first = push(schema, corpus, studio.connection, ledger_dir=ledger_dir)
    assert first.created == 3 and first.not_sampled == 19
    ledger_file = ledger_path(ledger_dir, studio.url, schema.name)
    three = set(Ledger.load(ledger_file, studio.url, schema.name).ids)
    manifest = orjson.loads(ledger_file.with_name(f"{schema.name}.selection.json").read_bytes())
    assert {u["corpus_key"] for u in manifest["units"]} == three

    grown = push(schema, corpus, studio.connection, ledger_dir=ledger_dir, budget=8)
    assert (grown.created, grown.already_present, grown.not_sampled) == (5, 3, 14)
    eight = set(Ledger.load(ledger_file, studio.url, schema.name).ids)
    fresh = select(corpus, Design(8, Frame("comment", ("site",)), 0))
    assert three < eight == {f"{schema.name}:{uid}" for uid in fresh.chosen}
    tasks = studio.client.tasks.list(project=grown.project_id)
    assert {t.data["corpus_key"] for t in tasks} == eight
