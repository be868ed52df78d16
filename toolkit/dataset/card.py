"""The dataset card: README.md with the YAML front matter the Hub and `datasets` read.

Everything in it comes from the build's inputs (schema, snapshot header and
hash, counts), never from the clock or the machine, so the same build gives
the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from datasets import DatasetInfo, Features, SplitDict, SplitInfo

from ..ingest.near_duplicates import DEFAULT_THRESHOLD
from ..rules import rule_of
from ..schema import Schema
from ..selection import Recorded
from .writer import SplitFiles

_SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
    (1_000_000_000_000, "1B<n<1T"),
]


@dataclass
class CardFacts:
    """What the card states; gathered by build."""

    schema: Schema
    features: Features
    splits: list[SplitFiles]
    groups_per_split: dict[str, int]
    label_distribution: dict[str, dict[str, dict[str, int]]]  # question -> split -> label -> n
    rejected: dict[str, int]  # reason code -> n
    balance_lines: list[str]
    agreement: dict[str, dict[str, Any]]
    snapshot_name: str
    snapshot_sha256: str
    snapshot_header: dict
    toolkit_version: str
    n_annotators: int
    n_sources: int
    with_context: bool
    keep_unresolved: bool
    keep_authors: bool
    annotations_creators: list[str] = field(default_factory=lambda: ["expert-generated"])
    # clusters, items_in_clusters, copies, joining_groups; None: built without the corpus
    near_duplicates: dict[str, int] | None = None
    # the sample the tasks were pushed from (`corpus push --budget`); None: every unit
    selection: Recorded | None = None
    # rule crowdlab: question -> the version of the model that voted
    model_versions: dict[str, str] = field(default_factory=dict)


def _model_text(facts: CardFacts) -> str:
    """The model that voted (rule crowdlab), by version, per question."""
    if not facts.model_versions:
        return ""
    return "; the model that voted: " + ", ".join(
        f"`{version}` ({question})" for question, version in facts.model_versions.items())


def _near_duplicates_text(facts: CardFacts) -> list[str]:
    """How near-duplicate comments were found and handled (both thresholds), with counts."""
    found = facts.near_duplicates
    if found is None:
        return ["Near-duplicate comments were not checked (built without the corpus file).",
                ""]
    group_by = facts.schema.dataset.group_by
    how = ("MinHash with locality-sensitive hashing over character 5-grams of a normalized "
           "form (exact match only for short comments)")
    parts = []
    if found.get("corpus", True):
        parts.append(
            "Near-duplicate comments (copies differing in diacritics, tatweel, stretched "
            "letters, hamza/alef, ya and ta marbuta spellings, punctuation, emoji, spacing or "
            f"a word) were found at ingest at Jaccard {DEFAULT_THRESHOLD} (strict: two "
            f"different comments are never joined), by {how}; each copy names its cluster's "
            "first comment (`duplicate_of` in the corpus), whose labels it may take.")
    else:
        parts.append("The corpus file was not given: no copy names its cluster's first "
                     "comment (`duplicate_of`).")
    threshold = found.get("split_threshold")
    if threshold is not None:
        parts.append(
            f"For the splits, items whose texts are near-duplicates at the looser Jaccard "
            f"{threshold} (recall first: a sentence or a few words added also count), and any "
            "chain of such pairs, were grouped too, by the same method.")
    parts.append(
        f"Split groups are the union of the `{group_by}` groups and these clusters, so "
        "no cluster straddles two splits. In this dataset: "
        f"{found['clusters']} clusters holding {found['items_in_clusters']} items "
        f"({found['copies']} copies); {found['joining_groups']} clusters join several "
        f"`{group_by}` groups, which were dealt as one. Copies are kept as rows.")
    return [" ".join(parts), ""]


def _sample_text(facts: CardFacts) -> list[str]:
    """The sampling frame: seed, strata, population and sample per stratum, probability."""
    recorded = facts.selection
    if recorded is None:
        return []
    unit = "comments" if facts.schema.unit == "comment" else "articles"
    by = ", ".join(f"`{d}`" for d in recorded.stratify_by) or "nothing (one stratum)"
    filters = "; ".join(f"{k} {v}" for k, v in recorded.filters.items() if v is not None)
    bands = (f" Length bands (characters): {', '.join(recorded.length_bands)}."
             if recorded.length_bands else "")
    out = [
        "## Sample",
        "",
        f"The items were chosen by stratified sampling, not taken whole: {recorded.sample} of "
        f"the {recorded.population} {unit} that could be sampled (budget {recorded.budget}, "
        f"seed {recorded.seed}), stratified by {by}, each stratum's share proportional to "
        "its size (within one unit), the units of a stratum ranked by a seeded hash of their "
        "id. Near-duplicate copies are not sampling units: each is labelled through its "
        f"cluster's first comment.{bands}"
        + (f" Filters: {filters}." if filters else ""),
        "",
        "Each row's `inclusion_probability` is its stratum's sample / population: weight a "
        "row by 1 / inclusion_probability to estimate figures of the whole corpus.",
        "",
    ]
    rows = []
    for stratum in recorded.strata:
        values = stratum.get("stratum") or {}
        label = ", ".join(f"{k}={v}" for k, v in values.items()) or "all"
        rows.append([label, stratum.get("population"), stratum.get("sample"),
                     f"{float(stratum.get('probability') or 0):.4g}"])
    return [*out, *_table(["stratum", "population", "sample", "probability"], rows), ""]


def size_category(n: int) -> str:
    for limit, name in _SIZE_CATEGORIES:
        if n < limit:
            return name
    return "n>1T"


def front_matter(facts: CardFacts) -> dict:
    schema = facts.schema
    split_dict = SplitDict()
    for split in facts.splits:
        split_dict.add(SplitInfo(name=split.name, num_bytes=split.num_bytes,
                                 num_examples=split.num_examples))
    info = DatasetInfo(
        features=facts.features,
        splits=split_dict,
        download_size=sum(s.file_bytes for s in facts.splits),
        dataset_size=sum(s.num_bytes for s in facts.splits),
    )._to_yaml_dict()
    total = sum(s.num_examples for s in facts.splits)
    return {
        "pretty_name": schema.title,
        "language": [schema.language],
        "license": schema.dataset.license,
        "task_categories": list(schema.dataset.task_categories),
        "size_categories": [size_category(total)],
        "annotations_creators": list(facts.annotations_creators),
        "language_creators": ["found"],
        "multilinguality": ["monolingual"],
        "source_datasets": ["original"],
        "configs": [
            {
                "config_name": "default",
                "data_files": [
                    {"split": s.name, "path": s.paths[0] if len(s.paths) == 1 else s.paths}
                    for s in facts.splits
                ],
            }
        ],
        "dataset_info": {"config_name": "default", **info},
    }


def render_card(facts: CardFacts) -> str:
    """README.md text: YAML front matter, then the human-readable card."""
    yaml_text = yaml.safe_dump(front_matter(facts), sort_keys=False, allow_unicode=True,
                               default_flow_style=False, width=10_000)
    body = "\n".join(_body(facts))
    return f"---\n{yaml_text}---\n\n{body}\n"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if value is None:
        return "–"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _body(facts: CardFacts) -> list[str]:
    schema = facts.schema
    header = facts.snapshot_header
    unit = "reader comment" if schema.unit == "comment" else "news article"
    split_names = [s.name for s in facts.splits]
    out = [f"# {schema.title}", ""]
    out += [
        f"Each row is one {unit} from Arabic news sites with the labels that "
        f"{facts.n_annotators} annotator(s) gave it in Label Studio under the annotation schema "
        f"`{schema.name}` (version {schema.version}), aggregated by the rule "
        f"`{schema.annotation.rule}` (at least {schema.annotation.min_annotations} "
        "annotation(s) per item)"
        + rule_of(schema.annotation.rule).card_text(schema)
        + _model_text(facts)
        + ". Every annotator's answers are kept, pseudonymized, in the "
        "`annotations` column so agreement can be recomputed.",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        'dataset = load_dataset("OWNER/NAME")  # or the path of this folder',
        "```",
        "",
        "## Splits",
        "",
        "Split fractions "
        + ", ".join(f"{n} {f:g}" for n, f in schema.dataset.splits.items())
        + f", seed {schema.dataset.seed}; grouped by `{schema.dataset.group_by}` so that all "
        "items of one group are in the same split.",
        "",
        "Splits are stable across versions of this dataset: `splits.json` records each "
        f"group's split (`{schema.dataset.group_by}` -> split), and a new build keeps every "
        "group recorded there in its split; only groups new to the dataset are dealt, toward "
        "the fractions. An item of the test split never moves to train in a later version.",
        "",
    ]
    out += _table(
        ["split", "rows", f"groups ({schema.dataset.group_by})"],
        [[s.name, s.num_examples, facts.groups_per_split.get(s.name, 0)] for s in facts.splits],
    )
    out += ["", *_near_duplicates_text(facts)]
    out += _sample_text(facts)
    out += ["", "## Labels", ""]
    for question in schema.questions:
        required = ", required" if question.required else ""
        out += [f"### `{question.name}` ({question.kind}{required})", ""]
        if question.title or question.description:
            out += [" ".join(t for t in (question.title, question.description) if t), ""]
        if question.labels:
            out += _table(["value", "shown to annotators", "description"],
                          [[lab.value, lab.display, lab.description] for lab in question.labels])
            out.append("")
        distribution = facts.label_distribution.get(question.name)
        if distribution:
            labels = _distribution_labels(question, distribution)
            out += ["Distribution of the aggregated label:", ""]
            out += _table(["label", *split_names],
                          [[label, *(distribution.get(s, {}).get(label, 0) for s in split_names)]
                           for label in labels])
            out.append("")
    out += ["## Columns", ""]
    out += _columns(facts)
    out += ["", "## Items left out", ""]
    out += [
        "Items whose labels could not be aggregated (ties, disagreement under a unanimous rule), "
        "that validation found invalid, or that had too few annotations are not in the splits"
        + (" (except unresolved items, kept with null labels at this build's request)"
           if facts.keep_unresolved else "")
        + "; they are listed with their reason in `rejected/rejected.jsonl`.",
        "",
    ]
    if facts.rejected:
        out += _table(["reason", "items"], [list(row) for row in sorted(facts.rejected.items())])
    else:
        out.append("No item was left out.")
    out += ["", "Balance of the build:", "", "```", *facts.balance_lines, "```", ""]
    out += ["## Agreement", ""]
    out += _agreement(facts.agreement)
    out += ["", "## How the data was collected", ""]
    out += [
        f"Articles and their reader comments were scraped from news sites ({facts.n_sources} "
        "source page(s) or files), read by corpus-toolkit's `corpus ingest`, and pushed as one "
        f"Label Studio task per {unit}"
        + (" with the article's title and body as read-only context" if schema.unit == "comment"
           else "")
        + f". Each item was shown to up to {schema.annotation.overlap} annotator(s). The "
        "annotations were pulled in one snapshot, validated against the schema, and aggregated.",
        "",
        "What ingest changed in the text, and only this: a byte-order mark removed; line ends "
        "made `\\n` (from CRLF or CR); on every line, leading and trailing spaces removed "
        "(indentation, trailing blanks); blank lines at the start and end dropped, and in page "
        "files runs of blank lines inside a text made one blank line; UTF-16 and windows-1256 "
        "files decoded to Unicode. No spelling, letter or Arabic normalization (diacritics, "
        "hamza, alef forms, tatweel, digits and emoji are as published). Span offsets index "
        "into the text as stored.",
        "",
        "## Annotation guidelines",
        "",
        schema.guidelines.strip() or "(none recorded in the schema)",
        "",
        "## Privacy",
        "",
    ]
    if facts.keep_authors:
        out.append("The commenters' display names are KEPT in the `author` column "
                   "(built with --keep-authors).")
    else:
        out.append("Commenters' display names are not included.")
    out += [
        "Annotators appear only as `annotator_1`, `annotator_2`, ... (numbered in order of "
        "first appearance in this dataset); no account ids or e-mail addresses are published.",
        "",
        "## Provenance",
        "",
    ]
    out += _table(["", ""], [
        ["schema", f"`{schema.name}` version {schema.version}"],
        ["schema hash", f"`{schema.content_hash}`"],
        ["snapshot", f"`{facts.snapshot_name}`"],
        ["snapshot sha256", f"`{facts.snapshot_sha256}`"],
        ["pulled at", header.get("pulled_at")],
        ["snapshot schema hash", header.get("schema_hash")],
        ["built by", f"corpus-toolkit {facts.toolkit_version}"],
    ])
    return out


def _distribution_labels(question, distribution: Mapping[str, Mapping[str, int]]) -> list[str]:
    seen = {label for per_split in distribution.values() for label in per_split}
    ordered = [v for v in question.label_values if v in seen]
    rest = seen - set(ordered) - {"(none)"}
    ordered += sorted(rest, key=lambda v: (len(v), v))  # ratings: 1 < 2 < 10
    return ordered + (["(none)"] if "(none)" in seen else [])


def _columns(facts: CardFacts) -> list[str]:
    described = {
        "comment_id": "the comment's stable id (from `corpus ingest`)",
        "article_id": "the article's stable id; all comments of an article share it",
        "source": "the page or file the article was read from",
        "position": "the comment's 1-based position under the article",
        "duplicate_of": "for a near-duplicate copy, the comment_id of its cluster's first "
        "comment (null otherwise); provenance `duplicate` means the labels are that "
        "comment's, the copy itself not annotated",
        "author": "the commenter's display name as published (kept with --keep-authors)",
        "text": "the item text exactly as published; span offsets index into it",
        "article_title": "the article's title (context shown to annotators)",
        "article_body": "the article's body (context shown to annotators)",
        "title": "the article's title",
        "body": "the article's body",
        "n_annotators": "how many annotators submitted an annotation",
        "inclusion_probability": "the probability that the sample `corpus push --budget` "
        "drew chose this item (its stratum's sample / population; see Sample); null when the "
        "items were not sampled",
        "annotations": "every annotator's answers: `annotator` (pseudonym) and one field per "
                       "question",
    }
    questions = set(facts.schema.question_names)
    rows = []
    for name in facts.features:
        if name in questions:
            text = "the aggregated label (null when unresolved or unanswered)"
        elif name.endswith("_provenance") and name[: -len("_provenance")] in questions:
            text = ("how the label was reached: unanimous, majority, dawid_skene, ground_truth "
                    "or unresolved")
        elif name.endswith("_confidence") and name[: -len("_confidence")] in questions:
            text = rule_of(facts.schema.annotation.rule).confidence_text()
        else:
            text = described.get(name, "")
        rows.append([f"`{name}`", text])
    return _table(["column", "meaning"], rows)


def _agreement(agreement: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One row per question; a column per figure that some question has."""
    if not agreement:
        return ["No agreement figures."]
    columns: list[str] = []
    for figures in agreement.values():
        for key, value in figures.items():
            if value is not None and key not in columns:
                columns.append(key)
    rows = [[f"`{name}`", *(figures.get(c) for c in columns)]
            for name, figures in agreement.items()]
    return _table(["question", *columns], rows) + [
        "",
        "Krippendorff's alpha: nominal for single choice and yes/no, ordinal for ratings "
        "(alpha_interval beside it), the mean of per-label binary alphas for multi choice; "
        "spans: pairwise F1 (exact, overlap). Items with fewer than two annotators are left "
        "out. Reading: reliable >= 0.80, tentative >= 0.667.",
    ]
