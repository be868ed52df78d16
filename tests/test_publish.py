"""`corpus publish`: the checks and the dry run (the Hub itself is never contacted)."""

from __future__ import annotations

import huggingface_hub.constants
import pytest
from dataset_fixture import make_inputs

from toolkit.cli import main
from toolkit.dataset import build_dataset
from toolkit.errors import InputError, OptionError, PublishError
from toolkit.publish import publish_folder

FILES = [
    "README.md",
    "data/test-00000-of-00001.parquet",
    "data/train-00000-of-00001.parquet",
    "data/validation-00000-of-00001.parquet",
    "rejected/rejected.jsonl",
    "splits.json",  # build's group -> split record, uploaded so a later build keeps splits
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("publish")
    schema, corpus, snapshot = make_inputs(root)
    return build_dataset(snapshot, schema, out=root / "dataset", corpus=corpus).folder


@pytest.fixture
def no_token(monkeypatch, tmp_path):
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_OIDC_RESOURCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))


def test_dry_run_lists_files_and_checks_loading(folder):
    result = publish_folder(folder, "my-lab/comments", dry_run=True)
    assert result.files == FILES
    assert result.splits == {"train": 6, "validation": 2, "test": 1}
    assert result.total_bytes == sum((folder / f).stat().st_size for f in FILES)
    assert result.url is None


def test_dry_run_cli_needs_no_token(folder, no_token, capsys):
    code = main(["publish", str(folder), "--repo", "my-lab/comments", "--dry-run"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Loads: train 6, validation 2, test 1 rows" in captured.out
    assert "  data/train-00000-of-00001.parquet" in captured.out
    assert "Dry run: would upload 6 files" in captured.out
    assert "https://huggingface.co/datasets/my-lab/comments" in captured.out


def test_missing_token_is_one_clear_line(folder, no_token, capsys):
    code = main(["publish", str(folder), "--repo", "my-lab/comments"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[-1] == (
        "Error: no Hugging Face token: set HF_TOKEN or log in with `hf auth login`, "
        "then publish again"
    )
    assert "Traceback" not in err


FAKE_TOKEN = "hf_FAKEtokenForTest0123456789abcdef"


def test_token_is_never_printed_in_a_dry_run(folder, monkeypatch, capsys):
    monkeypatch.setenv("HF_TOKEN", FAKE_TOKEN)
    code = main(["publish", str(folder), "--repo", "my-lab/comments", "--dry-run"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Dry run: would upload 6 files" in captured.out
    assert FAKE_TOKEN not in captured.out and FAKE_TOKEN not in captured.err


def test_upload_failure_is_one_line_without_the_token(folder, monkeypatch, capsys):
    """The Hub is a closed loopback port: the upload fails for real, no network needed."""
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("HF_TOKEN", FAKE_TOKEN)
    with pytest.raises(PublishError) as caught:
        publish_folder(folder, "my-lab/comments")
    assert FAKE_TOKEN not in str(caught.value)
    assert str(caught.value).startswith("cannot reach the Hugging Face Hub (")
    code = main(["publish", str(folder), "--repo", "my-lab/comments"])
    captured = capsys.readouterr()
    assert code == PublishError.exit_code
    assert captured.err.splitlines()[-1].startswith("Error: cannot reach the Hugging Face Hub")
    assert FAKE_TOKEN not in captured.out and FAKE_TOKEN not in captured.err


def test_hub_url_is_in_the_result(folder):
    result = publish_folder(folder, "my-lab/comments", dry_run=True)
    assert result.hub_url == "https://huggingface.co/datasets/my-lab/comments"


def test_a_folder_that_does_not_load_is_refused_before_upload(folder, tmp_path, no_token):
    broken = tmp_path / "broken"
    (broken / "data").mkdir(parents=True)
    (broken / "README.md").write_text((folder / "README.md").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    (broken / "data" / "train-00000-of-00001.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputError, match="cannot load it"):
        publish_folder(broken, "my-lab/comments")


def test_not_a_dataset_folder_and_bad_repo_names(tmp_path, folder):
    with pytest.raises(InputError, match="not a dataset folder"):
        publish_folder(tmp_path, "my-lab/comments", dry_run=True)
    with pytest.raises(OptionError, match="OWNER/NAME"):
        publish_folder(folder, "just-a-name", dry_run=True)
