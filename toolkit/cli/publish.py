"""`corpus publish`: upload a built dataset folder to the Hugging Face Hub."""

from __future__ import annotations

from pathlib import Path

import typer

from ..publish import publish_folder
from .output import err_console, out_console


def publish(
    folder: Path = typer.Argument(..., help="A dataset folder written by `corpus build`."),
    repo: str = typer.Option(..., "--repo", help="The Hub dataset repository, OWNER/NAME."),
    private: bool = typer.Option(False, "--private", help="Create the repository private."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check the folder and list what would be uploaded; upload "
        "nothing."),
) -> None:
    """Upload a dataset folder to the Hugging Face Hub (after checking that it loads).

    The token comes from HF_TOKEN or `hf auth login` and is never printed.
    Both modes first load the folder with `datasets.load_dataset`.

    Example: corpus publish exports/comment_stance/dataset --repo my-lab/comments --dry-run
    """
    err_console.print(f"Checking that {folder} loads with datasets.load_dataset ...",
                      markup=False)
    result = publish_folder(folder, repo, private=private, dry_run=dry_run)
    splits = ", ".join(f"{name} {rows}" for name, rows in result.splits.items())
    out_console.print(f"Loads: {splits} rows", markup=False)
    for name in result.files:
        size = (result.folder / name).stat().st_size
        out_console.print(f"  {name}  ({size:,} bytes)", markup=False)
    if dry_run:
        out_console.print(f"Dry run: would upload {len(result.files)} files "
                          f"({result.total_bytes:,} bytes) to {result.hub_url}; nothing "
                          "uploaded.", markup=False)
    else:
        out_console.print(f"Uploaded {len(result.files)} files to {result.hub_url}",
                          markup=False)


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
