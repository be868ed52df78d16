"""`corpus publish`: upload a built dataset folder to the Hugging Face Hub.

The folder is already laid out as a Hub dataset repository (see
toolkit.dataset), so publishing is: check that it loads with
``datasets.load_dataset``, list its files, create the repo if needed and upload
the folder in one commit. The token comes from ``HF_TOKEN`` or the
huggingface_hub login (``hf auth login``) and is never printed.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, OptionError, PublishError, SetupError

REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")


@dataclass
class PublishResult:
    """What was (or, with dry_run, would be) uploaded."""

    folder: Path
    repo: str
    files: list[str]
    total_bytes: int
    splits: dict[str, int] = field(default_factory=dict)  # split -> rows, as load_dataset sees it
    dry_run: bool = True
    url: str | None = None  # what the Hub answered after an upload; None for a dry run

    @property
    def hub_url(self) -> str:
        """The dataset's page on the Hub: the uploaded repo's URL, else where it would be."""
        return self.url or f"https://huggingface.co/datasets/{self.repo}"


def dataset_files(folder: Path) -> list[str]:
    """The files to upload, relative POSIX paths, sorted; hidden files and folders left out."""
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            files.append(relative.as_posix())
    return files


def check_folder(folder: str | Path) -> dict[str, int]:
    """Load the folder with ``datasets.load_dataset``; split -> rows, or InputError naming why."""
    folder = Path(folder)
    if not (folder / "README.md").is_file() or not (folder / "data").is_dir():
        raise InputError(
            f"{folder}: not a dataset folder (no README.md or data/); build it with `corpus build`"
        )
    import datasets
    from datasets.exceptions import DatasetGenerationError

    bars_were_on = not datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    try:
        # A throw-away cache: the check reads the files as they are now, and leaves nothing.
        with tempfile.TemporaryDirectory(prefix="corpus-publish-check-") as cache:
            loaded = datasets.load_dataset(str(folder), cache_dir=cache)
            return {name: split.num_rows for name, split in loaded.items()}
    except (DatasetGenerationError, ValueError, FileNotFoundError, TypeError) as exc:
        raise InputError(
            f"{folder}: `datasets.load_dataset` cannot load it ({type(exc).__name__}: {exc}); "
            "rebuild it with `corpus build`"
        ) from exc
    finally:
        if bars_were_on:
            datasets.enable_progress_bars()


def resolve_token(token: str | None = None) -> str:
    """The Hub token: the one given, else HF_TOKEN, else the huggingface_hub login."""
    if token:
        return token
    from huggingface_hub import get_token

    found = get_token()
    if not found:
        raise SetupError(
            "no Hugging Face token: set HF_TOKEN or log in with `hf auth login`, then publish again"
        )
    return found


def publish_folder(
    folder: str | Path,
    repo: str,
    *,
    private: bool = False,
    dry_run: bool = False,
    token: str | None = None,
) -> PublishResult:
    """Check the folder loads, then (unless dry_run) upload it to the dataset repo ``repo``."""
    folder = Path(folder)
    if not REPO_ID.match(repo):
        raise OptionError(
            f"--repo {repo!r}: expected OWNER/NAME, e.g. my-lab/arabic-comment-stance"
        )
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder; build it first with `corpus build`")
    splits = check_folder(folder)
    files = dataset_files(folder)
    total = sum((folder / f).stat().st_size for f in files)
    result = PublishResult(folder, repo, files, total, splits, dry_run=dry_run)
    if dry_run:
        return result
    result.url = upload(folder, repo, files, private=private, token=resolve_token(token))
    return result


def upload(folder: Path, repo: str, files: list[str], *, private: bool, token: str) -> str:
    """The only network call: create the dataset repo if missing, upload ``files`` in one commit.

    Remote data files that are not in this build (e.g. shards of an older,
    larger build) are deleted in the same commit, so the repo matches the folder.
    Returns the repo's URL.
    """
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    # The HTTP client's base error (httpx or httpx2, depending on the huggingface_hub version).
    client_error: type[BaseException] = HfHubHTTPError.__mro__[1]
    api = HfApi(token=token)
    try:
        url = api.create_repo(repo, repo_type="dataset", private=private, exist_ok=True)
        api.upload_folder(
            folder_path=folder,
            repo_id=repo,
            repo_type="dataset",
            allow_patterns=files,
            delete_patterns=["data/*", "rejected/*"],
            commit_message="Dataset built by corpus-toolkit",
        )
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise PublishError(
            f"the Hub refused the upload to {repo} (HTTP {status}); check the token's write "
            "access and the repo name"
        ) from exc
    except (client_error, OSError) as exc:
        raise PublishError(
            f"cannot reach the Hugging Face Hub ({type(exc).__name__}); nothing was uploaded"
        ) from exc
    return str(url)
