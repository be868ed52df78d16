"""`corpus schema check | config`: validate schema files, print the Label Studio config."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from ..errors import SchemaError
from ..rules.label_model import min_confidence_warning
from ..schema import Schema, load_schema
from ..studio.labelconfig import label_config
from .output import err_console, out_console

schema_app = typer.Typer(
    name="schema",
    help="Annotation schemas (YAML): check them, print the Label Studio config they generate.",
    no_args_is_help=True,
)


def summary_line(path: Path, schema: Schema) -> str:
    """``OK FILE: name vVERSION sha256:... (unit comment; 6 questions: ...; 21 labels)``."""
    kinds = Counter(q.kind for q in schema.questions)
    by_kind = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    labels = sum(len(q.label_values) for q in schema.questions)
    return (
        f"OK {path}: {schema.name} v{schema.version} {schema.content_hash} "
        f"(unit {schema.unit}, {schema.direction}; {len(schema.questions)} questions: "
        f"{by_kind}; {labels} labels)"
    )


@schema_app.command("check")
def check(
    files: list[Path] = typer.Argument(..., help="Schema YAML files to check."),
) -> None:
    """Check schema files: one OK line each, or one line per problem (FILE:LINE:COL).

    Every file is checked; exit status 2 when any of them is invalid.

    Example: corpus schema check schemas/*.yaml
    """
    failed = 0
    for path in files:
        try:
            schema = load_schema(path)
        except SchemaError as exc:
            failed += 1
            for line in str(exc).splitlines():
                err_console.print(f"Error: {line}", markup=False)
            continue
        out_console.print(summary_line(path, schema), markup=False)
        caution = min_confidence_warning(schema)
        if caution:
            err_console.print(f"Warning: {path}: {caution}", markup=False)
    if failed:
        raise typer.Exit(2)


@schema_app.command("config")
def config(
    file: Path = typer.Argument(..., help="The schema YAML file."),
) -> None:
    """Print the Label Studio labeling config (XML) the schema generates.

    Example: corpus schema config schemas/comment_stance.yaml > config.xml
    """
    typer.echo(label_config(load_schema(file)))


def register(app: typer.Typer) -> None:
    app.add_typer(schema_app, name="schema")
