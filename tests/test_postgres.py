"""The toolkit, unchanged, against a Label Studio that runs on PostgreSQL (a team's shared
server does): ingest -> push twice -> two annotators -> pull -> change one annotation ->
incremental pull -> validate -> build -> `datasets.load_dataset`.

Opt-in: it needs PostgreSQL's server binaries and about two minutes (a throwaway
cluster, then `label-studio init` runs its migrations on it), so the default `make
test` skips it. Run it with `make test-postgres` (installs Debian's `postgresql`
when missing and root) or `CORPUS_TEST_POSTGRES=1 pytest tests/test_postgres.py`.

The cluster lives in a temporary folder on a free loopback port (no system service is
touched) and is stopped at the end. When run as root, PostgreSQL refuses to run as
root, so its commands run as the `postgres` user (runuser). Label Studio is started
through ``toolkit.studio.server.up`` with DJANGO_DB=default and the POSTGRE_* variables
in the environment, the way a user points `corpus studio up` at PostgreSQL.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import datasets
import pytest

from toolkit.corpus import read_corpus
from toolkit.dataset import build_dataset
from toolkit.ingest import ingest
from toolkit.review import validate_snapshot
from toolkit.schema import load_schema
from toolkit.studio import server
from toolkit.studio.annotate import ensure_annotator, submit_annotation
from toolkit.studio.connection import Studio, connect
from toolkit.studio.ledger import Ledger, ledger_path
from toolkit.studio.pull import CURSOR_MARGIN, pull
from toolkit.studio.push import push
from toolkit.studio.results import build_result
from toolkit.studio.snapshot import open_snapshot

integration = pytest.mark.integration

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
ENABLE = "CORPUS_TEST_POSTGRES"
SEED = "dab86e570d492265"  # the seed page samples/000_dab86e570d492265.txt
PG_USER = "corpus"
PG_DB = "corpus_label_studio"


def _pg_bin(name: str) -> str | None:
    """A PostgreSQL server program: on PATH, else Debian's /usr/lib/postgresql/<v>/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return versions[-1] if versions else None


def _as_owner(cmd: list[str]) -> list[str]:
    """PostgreSQL will not run as root: as root, run its programs as `postgres`."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str], what: str) -> str:
    done = subprocess.run(_as_owner(cmd), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()}")
    return done.stdout


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster: its folder, port, and the database Label Studio uses."""

    folder: Path
    port: int
    password: str
    bindir: Path

    def sql(self, statement: str, database: str = PG_DB) -> str:
        """Run one statement as the cluster's superuser over its Unix socket; stdout."""
        return _run([str(self.bindir / "psql"), "-h", str(self.folder), "-p", str(self.port),
                     "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", statement],
                    f"psql {statement!r}").strip()

    def stop(self) -> None:
        subprocess.run(_as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"),
                                  "-m", "fast", "-w", "stop"]),
                       capture_output=True, check=False)


def _start_cluster() -> Cluster:
    initdb = _pg_bin("initdb")
    if initdb is None or _pg_bin("pg_ctl") is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's "
                    "`postgresql` (apt-get install -y postgresql) or run `make test-postgres`")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root needs `runuser` to start PostgreSQL as user postgres")
    bindir = Path(initdb).resolve().parent
    # Not under pytest's tmp folder: that one is private to us, and the postgres user
    # must be able to reach its data folder.
    folder = Path(tempfile.mkdtemp(prefix="corpus-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, server.free_port(), secrets.token_urlsafe(16), bindir)
    _run([str(bindir / "initdb"), "-D", str(folder / "data"), "-E", "UTF8", "--no-locale",
          "--auth-local=trust", "--auth-host=scram-sha-256"], "initdb")
    options = f"-h 127.0.0.1 -p {cluster.port} -k {folder} -c fsync=off"
    try:
        _run([str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"),
              "-o", options, "-w", "-t", "60", "start"], "pg_ctl start")
        cluster.sql(f"CREATE ROLE {PG_USER} LOGIN PASSWORD '{cluster.password}'", "postgres")
        cluster.sql(f"CREATE DATABASE {PG_DB} OWNER {PG_USER} ENCODING 'UTF8'", "postgres")
    except BaseException:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return cluster


@dataclass
class PgStudio:
    cluster: Cluster
    connection: Studio
    data_dir: Path
    started_seconds: float


@pytest.fixture(scope="module")
def pg_studio(tmp_path_factory: pytest.TempPathFactory):
    """Label Studio on a throwaway PostgreSQL cluster, started through server.up."""
    if os.environ.get(ENABLE) != "1":
        pytest.skip(f"Label Studio on PostgreSQL is opt-in: set {ENABLE}=1 "
                    "or run `make test-postgres`")
    cluster = _start_cluster()
    home = tmp_path_factory.mktemp("pg-studio")
    data_dir = home / "label-studio"
    try:
        started = time.perf_counter()
        with pytest.MonkeyPatch.context() as env:
            env.setenv("DJANGO_DB", "default")
            env.setenv("POSTGRE_NAME", PG_DB)
            env.setenv("POSTGRE_USER", PG_USER)
            env.setenv("POSTGRE_PASSWORD", cluster.password)
            env.setenv("POSTGRE_HOST", "127.0.0.1")
            env.setenv("POSTGRE_PORT", str(cluster.port))
            status = server.up(port=server.free_port(), data_dir=data_dir,
                               credentials_path=home / "credentials")
        seconds = time.perf_counter() - started
        creds = server.read_credentials(home / "credentials")
        assert creds is not None
        connection = connect(url=status.url, api_key=creds.api_key)
        try:
            yield PgStudio(cluster, connection, data_dir, seconds)
        finally:
            connection.close()
    finally:
        server.down(data_dir=data_dir)
        cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)


def test_server_env_passes_the_callers_database_through(monkeypatch, tmp_path):
    """Runs always (no server): what `corpus studio up` hands label-studio and gunicorn."""
    monkeypatch.delenv("DJANGO_DB", raising=False)
    assert server._server_env(tmp_path)["DJANGO_DB"] == "sqlite"
    monkeypatch.setenv("DJANGO_DB", "default")
    monkeypatch.setenv("POSTGRE_HOST", "db.example.org")
    monkeypatch.setenv("POSTGRE_PASSWORD", "s3cret")
    env = server._server_env(tmp_path)
    assert env["DJANGO_DB"] == "default"
    assert env["POSTGRE_HOST"] == "db.example.org" and env["POSTGRE_PASSWORD"] == "s3cret"
    assert env["LABEL_STUDIO_BASE_DATA_DIR"] == str(tmp_path)


def _tasks(path: Path) -> dict[int, dict]:
    return {task["id"]: task for task in open_snapshot(path).tasks()}


def _stance(annotation: dict) -> str:
    return next(r["value"]["choices"][0] for r in annotation["result"]
                if r["from_name"] == "stance")


# Three comments of the seed page, each answered by two annotators.
ANSWERS = {
    f"{SEED}-985a2393149e": {  # "لايوجد اتفاق ... اوباما ... بوتن ..."
        "pg_alice": {"stance": "disagree", "sarcasm": True,
                     "targets": [{"label": "person", "text": "اوباما"}]},
        "pg_bob": {"stance": "disagree", "sarcasm": True,
                   "targets": [{"label": "person", "text": "اوباما"}]},
    },
    f"{SEED}-6e78ba05d5f3": {  # "... القاعدة ... الجيش الحر ..."
        "pg_alice": {"stance": "agree", "offensive": ["insult"]},
        "pg_bob": {"stance": "agree", "offensive": ["insult"]},
    },
}


@pytest.fixture(scope="module")
def run(pg_studio, tmp_path_factory):
    """The whole path on PostgreSQL; returns what each stage gave, for the tests below."""
    work = tmp_path_factory.mktemp("pg-run")
    studio = pg_studio.connection
    ledger = work / "ledger"
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    corpus = work / "corpus.jsonl"
    ingested = ingest([SAMPLES], out=corpus)
    schema = load_schema(REPO / "schemas" / "comment_stance.yaml")
    schema = schema.model_copy(update={"name": "comment_stance_pg"})
    first = push(schema, corpus, studio, ledger_dir=ledger)
    second = push(schema, corpus, studio, ledger_dir=ledger)
    timings["push x2"] = time.perf_counter() - clock

    ids = Ledger.load(ledger_path(ledger, studio.url, schema.name), studio.url, schema.name).ids
    comments = {c.id: c for a in read_corpus(corpus) for c in a.comments}
    third = next(c for c in comments if c.startswith(SEED) and c not in ANSWERS)
    answers = {**ANSWERS, third: {"pg_alice": {"stance": "neutral"},
                                  "pg_bob": {"stance": "unrelated"}}}
    users = {name: ensure_annotator(studio, name) for name in ("pg_alice", "pg_bob")}
    made: dict[tuple[str, str], int] = {}
    for comment_id, by_user in answers.items():
        task_id = ids[f"{schema.name}:{comment_id}"]
        for name, given in by_user.items():
            result = build_result(schema, given, texts={"text": comments[comment_id].text})
            made[comment_id, name] = submit_annotation(studio, task_id, result,
                                                       user_id=users[name])

    # Earlier changes fall out of the cursor's margin: the incremental pull then reads
    # exactly the task changed after the full one.
    time.sleep(CURSOR_MARGIN.total_seconds() + 2)
    clock = time.perf_counter()
    snapshots = work / "snapshots"
    full = pull(schema, studio, out_dir=snapshots, ledger_dir=ledger)
    timings["pull full"] = time.perf_counter() - clock

    # bob changes his mind on the third comment: unrelated -> neutral (now a tie no more).
    changed = ids[f"{schema.name}:{third}"]
    result = build_result(schema, {"stance": "neutral"}, texts={"text": comments[third].text})
    studio.client.annotations.update(id=made[third, "pg_bob"], result=result)
    clock = time.perf_counter()
    step = pull(schema, studio, out_dir=snapshots, ledger_dir=ledger)
    timings["pull incremental"] = time.perf_counter() - clock
    whole = pull(schema, studio, out_dir=work / "full", full=True, ledger_dir=ledger)

    clock = time.perf_counter()
    report = validate_snapshot(step.path, schema, corpus=corpus)
    built = build_dataset(step.path, schema, out=work / "dataset", corpus=corpus)
    loaded = datasets.load_dataset(str(built.folder))
    timings["validate+build+load"] = time.perf_counter() - clock
    print(f"\nPostgreSQL run: studio up {pg_studio.started_seconds:.1f} s; "
          + "; ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    return {
        "ingested": ingested, "schema": schema, "first": first, "second": second, "ids": ids,
        "third": third, "changed": changed, "full": full, "step": step, "whole": whole,
        "report": report, "built": built, "loaded": loaded, "users": users,
    }


@integration
def test_label_studio_keeps_its_data_in_postgresql(pg_studio, run):
    """Not SQLite in disguise: the tasks and annotations are rows in the cluster."""
    assert not list(pg_studio.data_dir.glob("*.sqlite3"))
    cluster = pg_studio.cluster
    project = run["first"].project_id
    assert cluster.sql(f"SELECT count(*) FROM task WHERE project_id = {project}") == "22"
    assert cluster.sql(
        "SELECT count(*) FROM task_completion c JOIN task t ON t.id = c.task_id "
        f"WHERE t.project_id = {project}") == "6"
    assert cluster.sql(f"SELECT title FROM project WHERE id = {project}") == run[
        "first"].project_title


@integration
def test_ingest_and_push_twice_make_no_duplicates(run):
    assert run["ingested"].articles == 9 and run["ingested"].comments == 22
    assert run["first"].created == 22 and run["first"].project_created
    assert run["second"].created == 0 and run["second"].already_present == 22
    assert run["full"].counts == {"tasks": 22, "annotations": 6, "cancelled": 0, "drafts": 0}


@integration
def test_incremental_pull_equals_a_full_pull_task_by_task(run):
    step, whole = run["step"], run["whole"]
    assert step.mode == "incremental", step.notes
    assert step.header["base"] == run["full"].path.name
    assert step.fetched == 1  # the Data Manager's updated_at filter found just that task
    merged, fresh = _tasks(step.path), _tasks(whole.path)
    assert sorted(merged) == sorted(fresh) == sorted(run["ids"].values())
    for task_id in fresh:
        assert merged[task_id] == fresh[task_id], task_id
    stances = sorted(_stance(a) for a in merged[run["changed"]]["annotations"])
    assert stances == ["neutral", "neutral"]
    before = sorted(_stance(a) for a in _tasks(run["full"].path)[run["changed"]]["annotations"])
    assert before == ["neutral", "unrelated"]


@integration
def test_validate_finds_no_errors(run):
    report = run["report"]
    assert report.exit_code == 0
    assert [f for f in report.findings if f.level == "error"] == []
    assert report.counts["annotations"] == 6


@integration
def test_dataset_holds_the_seed_comments_as_annotated(run):
    loaded = run["loaded"]
    rows = {row["comment_id"]: row for name in loaded for row in loaded[name]}
    assert sorted(rows) == sorted([*ANSWERS, run["third"]])
    features = next(iter(loaded.values())).features
    obama = rows[f"{SEED}-985a2393149e"]
    assert obama["text"].startswith("لايوجد اتفاق و الموضوع هدنه صغيره")
    assert features["stance"].int2str(obama["stance"]) == "disagree"
    assert obama["sarcasm"] is True and obama["n_annotators"] == 2
    span = obama["targets"][0]
    assert obama["text"][span["start"]:span["end"]] == "اوباما"
    qaeda = rows[f"{SEED}-6e78ba05d5f3"]
    assert "راية القاعدة" in qaeda["text"]
    assert [features["offensive"].feature.int2str(v) for v in qaeda["offensive"]] == ["insult"]
    changed = rows[run["third"]]
    assert features["stance"].int2str(changed["stance"]) == "neutral"
    assert changed["stance_provenance"] == "unanimous"
