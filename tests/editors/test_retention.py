"""The retention purge on conversations Rasa itself wrote, in SQLite and PostgreSQL.

tests/editors/rasa_store.py (run with .venv-rasa) saves four made-up
conversations through Rasa's own SQLTrackerStore, dated from NOW:

* "gammalt-samtal": 40 days old, deleted by a 30-day retention;
* "delad-position": a session three hours ago that shared OLD_POSITION,
  then a session still going on that shared NEW_POSITION;
* "pagaende": shared NEW_POSITION five minutes ago;
* "bara-ort": two hours idle, named a place only.

After the purge, OLD_POSITION and the distances computed from it are gone,
the live sessions still have theirs, and Rasa still reads every conversation.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import inbox, retention
from bot.cli import main as cli_main
from bot.errors import TrackerStoreError
from bot.retention import DISTANCE_PLACEHOLDER, purge, scrub_event
from scripts.stack import ROOT, stack_env

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
HELPER = Path(__file__).resolve().parent / "rasa_store.py"
NOW = 1_800_000_000.0  # 2027-01-15
OLD = ("56.16789", "15.58642")
NEW = ("56.20417", "15.27753")
#: Events of "gammalt-samtal" (session start 3 + one turn 4).
OLD_CONVERSATION_EVENTS = 7
#: In the ended session of "delad-position": the payload message, four slot
#: events, the answer's text, its places and its outcome's distance, and the
#: later "80 m" answer.
SCRUBBED = 9


def rasa(*args: str) -> str:
    result = subprocess.run(
        [str(RASA_PYTHON), str(HELPER), *args],
        cwd=ROOT,
        env=stack_env({"PYTHONWARNINGS": "ignore"}),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def rasa_reads(url: str, sender: str) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(rasa("read", url, sender).strip().splitlines()[-1])
    return out


@pytest.fixture()
def sqlite_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    rasa("write", url, str(NOW))
    return url


@pytest.fixture()
def postgres_store() -> Iterator[str]:
    import psycopg2

    name = f"servicelotsen_purge_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    except psycopg2.OperationalError as err:
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is needed for this test: {err}")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        rasa("write", url, str(NOW))
        yield url
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def all_data(url: str) -> str:
    """Every row of the events table as one text (to search for coordinates)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split(":///", 1)[1]) as conn:
            rows = conn.execute("SELECT sender_id, data FROM events ORDER BY id").fetchall()
    else:
        import psycopg2

        conn = psycopg2.connect(url)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT sender_id, data FROM events ORDER BY id")
                rows = cur.fetchall()
        finally:
            conn.close()
    return "\n".join(f"{sender} {data}" for sender, data in rows)


def rows_of(url: str, sender: str) -> list[str]:
    return [line for line in all_data(url).splitlines() if line.startswith(sender + " ")]


def check_purged(url: str) -> None:
    report = purge(url, older_than_days=30, session_minutes_=60, now=NOW)
    assert report.deleted_events == OLD_CONVERSATION_EVENTS
    assert report.deleted_conversations == 1
    assert report.scrubbed_events == SCRUBBED
    assert report.scrubbed_conversations == 1

    data = all_data(url)
    assert "gammalt-samtal" not in data
    for value in OLD:
        assert value not in data  # the ended session's position is gone...
    ended = "\n".join(rows_of(url, "delad-position")[:16])
    assert "1,2 km" not in ended and "80 m" not in ended  # ...and the distances from it
    assert DISTANCE_PLACEHOLDER in ended
    assert "1.234" not in ended and '"distance_km": null' in ended  # the outcome's
    assert '"kind": "found"' in ended  # ... while what was answered stays countable
    assert "1.234" in "\n".join(rows_of(url, "pagaende"))  # live: kept
    assert "Testapotek Karlskrona" in ended  # what was answered stays readable
    for sender in ("pagaende", "delad-position"):  # live sessions keep theirs
        assert NEW[0] in "\n".join(rows_of(url, sender))
    assert "80 m" in "\n".join(rows_of(url, "bara-ort"))  # no position: untouched

    # Rasa still reads every conversation, with the live positions in the slots
    live = rasa_reads(url, "delad-position")
    assert live["slots"]["latitude"] == float(NEW[0])
    shared = [e for e in live["events"] if e["event"] == "user"]
    assert shared[0]["text"] == "/share_location"
    assert shared[0]["parse_data"]["entities"] == []
    assert shared[-1]["parse_data"]["entities"][0]["value"] == float(NEW[0])
    assert rasa_reads(url, "gammalt-samtal")["events"] == []

    again = purge(url, older_than_days=30, session_minutes_=60, now=NOW)
    assert (again.deleted_events, again.scrubbed_events) == (0, 0)  # idempotent

    # an hour later the live conversations have ended too
    later = purge(url, older_than_days=30, session_minutes_=60, now=NOW + 3600)
    assert later.scrubbed_conversations == 2
    for value in NEW:
        assert value not in all_data(url)


@pytest.mark.slow
def test_purge_sqlite_store_written_by_rasa(sqlite_store: str) -> None:
    check_purged(sqlite_store)


@pytest.mark.slow
def test_purge_postgresql_store_written_by_rasa(postgres_store: str) -> None:
    check_purged(postgres_store)


@pytest.mark.slow
def test_dry_run_counts_and_changes_nothing(sqlite_store: str) -> None:
    before = all_data(sqlite_store)
    report = purge(sqlite_store, older_than_days=30, session_minutes_=60, now=NOW, dry_run=True)
    assert (report.deleted_events, report.scrubbed_events) == (
        OLD_CONVERSATION_EVENTS,
        SCRUBBED,
    )
    assert all_data(sqlite_store) == before
    assert "Provkörning" in "\n".join(report.lines())


@pytest.mark.slow
def test_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    rasa("write", url, str(time.time()))
    monkeypatch.setenv(retention.ENV_RETENTION_DAYS, "45")
    assert cli_main(["privacy", "purge", "--store", url, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["retention_days"] == 45
    assert body["deleted_events"] == 0  # 40 days old is within 45 days
    assert body["scrubbed_conversations"] == 1

    assert cli_main(["privacy", "purge", "--store", url, "--older-than", "30d"]) == 0
    out = capsys.readouterr().out
    assert "Lagringstid: 30 dagar" in out
    assert f"Raderat: {OLD_CONVERSATION_EVENTS} händelser; 1 samtal helt borta." in out


def test_a_missing_store_is_a_clear_error_and_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nej.db"
    with pytest.raises(TrackerStoreError, match="samtalsdatabasen finns inte"):
        purge(f"sqlite:///{missing}")
    assert cli_main(["privacy", "purge", "--store", f"sqlite:///{missing}"]) == 1
    assert "samtalsdatabasen finns inte" in capsys.readouterr().err
    assert not missing.exists()


def test_an_unreachable_postgresql_names_the_store_without_password() -> None:
    with pytest.raises(TrackerStoreError) as err:
        purge("postgresql://bot:hemligt@127.0.0.1:1/rasa")
    assert "hemligt" not in str(err.value)
    assert "kan inte rensas" in str(err.value)


def test_a_store_rasa_has_not_written_yet_is_empty(tmp_path: Path) -> None:
    db = tmp_path / "tom.db"
    sqlite3.connect(db).close()
    report = purge(f"sqlite:///{db}", now=NOW)
    assert (report.deleted_events, report.scrubbed_events) == (0, 0)


@pytest.mark.parametrize(
    ("text", "days"),
    [("30d", 30), ("30", 30), ("7 dagar", 7), ("12h", 0.5), ("90min", 90 / 1440), ("1,5d", 1.5)],
)
def test_parse_duration(text: str, days: float) -> None:
    assert retention.parse_duration(text) == pytest.approx(days)


@pytest.mark.parametrize("text", ["", "trettio", "30 veckor", "-1d"])
def test_a_bad_duration_is_refused(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="ingen tid"):
        retention.parse_duration(text)
    assert cli_main(["privacy", "purge", "--older-than", text]) == 2


def test_retention_from_the_environment() -> None:
    assert retention.retention_days({}) == 30
    assert retention.retention_days({"SERVICELOTSEN_RETENTION_DAYS": "90"}) == 90
    with pytest.raises(ValueError, match="SERVICELOTSEN_RETENTION_DAYS"):
        retention.retention_days({"SERVICELOTSEN_RETENTION_DAYS": "länge"})


def test_the_session_expiration_comes_from_the_domain() -> None:
    assert retention.session_minutes() == 60
    assert retention.session_minutes(Path("/finns/inte.yml")) == 60


def test_scrub_event_leaves_typed_text_and_other_slots_alone() -> None:
    typed = {"event": "user", "text": "apotek i Ronneby", "parse_data": {"entities": []}}
    assert scrub_event(typed, after_position=True) == (False, False)
    place = {"event": "slot", "name": "location", "value": "Ronneby"}
    assert scrub_event(place, after_position=True) == (False, False)
    answer = {"event": "bot", "text": "Närmaste apotek från Ronneby: 80 m."}
    assert scrub_event(answer, after_position=False) == (False, False)
    assert scrub_event(answer, after_position=True) == (True, False)
    assert answer["text"] == f"Närmaste apotek från Ronneby: {DISTANCE_PLACEHOLDER}."
    numbers = {"event": "bot", "text": "Öppet 8–21. Ring 0455-123 45. Postnummer 371 30."}
    assert scrub_event(numbers, after_position=True) == (False, False)


def test_the_store_of_a_deployment_from_its_postgresql_settings() -> None:
    env = {
        "SERVICELOTSEN_PG_HOST": "10.0.0.30",
        "SERVICELOTSEN_PG_PORT": "5432",
        "SERVICELOTSEN_PG_DB": "servicelotsen",
        "SERVICELOTSEN_PG_USER": "servicelotsen",
        "SERVICELOTSEN_PG_PASSWORD": "p@ss/word",
    }
    url = retention.store_url(None, env)
    assert url == "postgresql+psycopg2://servicelotsen:p%40ss%2Fword@10.0.0.30:5432/servicelotsen"
    assert retention.store_url(None, {**env, "SERVICELOTSEN_TRACKER_URL": "sqlite:///x.db"}) == (
        "sqlite:///x.db"
    )
    assert retention.store_url("sqlite:///y.db", env) == "sqlite:///y.db"


def _example_settings() -> dict[str, str]:
    """deploy/servicelotsen.env.example, as systemd's EnvironmentFile reads it."""
    settings = {}
    example = ROOT / "deploy" / "servicelotsen.env.example"
    for line in example.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            key, value = line.split("=", 1)
            settings[key.strip()] = value.strip()
    return settings


def test_inbox_report_and_purge_agree_on_a_deployments_store() -> None:
    """A deployment configured from the example file: `make inbox`, `make report`
    and `make purge` all work on its PostgreSQL (the inbox and the report used
    to ignore SERVICELOTSEN_PG_* and read the local SQLite file)."""
    env = _example_settings()
    assert "SERVICELOTSEN_TRACKER_URL" not in env and env["SERVICELOTSEN_PG_HOST"]
    url = inbox.tracker_url(None, env)  # the inbox and the report (bot.report.build)
    assert url.startswith("postgresql+psycopg2://")
    assert f"@{env['SERVICELOTSEN_PG_HOST']}:{env['SERVICELOTSEN_PG_PORT']}/" in url
    assert url == retention.store_url(None, env)


@pytest.mark.slow
def test_the_inbox_reads_postgresql_from_the_deployment_settings(
    postgres_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = postgres_store.rsplit("/", 1)[1]
    monkeypatch.delenv("SERVICELOTSEN_TRACKER_URL", raising=False)
    monkeypatch.setenv("SERVICELOTSEN_TRACKER_DB", "/does/not/exist.db")
    for key, value in {
        "SERVICELOTSEN_PG_HOST": "127.0.0.1",
        "SERVICELOTSEN_PG_PORT": "5432",
        "SERVICELOTSEN_PG_DB": database,
        "SERVICELOTSEN_PG_USER": "postgres",
    }.items():
        monkeypatch.setenv(key, value)
    rows = inbox.read_events(inbox.tracker_url(), since=0.0)
    assert rows and database in inbox.tracker_url()


@pytest.mark.slow
def test_purge_finds_postgresql_from_the_deployment_settings(
    postgres_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = postgres_store.rsplit("/", 1)[1]
    monkeypatch.delenv("SERVICELOTSEN_TRACKER_URL", raising=False)
    for key, value in {
        "SERVICELOTSEN_PG_HOST": "127.0.0.1",
        "SERVICELOTSEN_PG_PORT": "5432",
        "SERVICELOTSEN_PG_DB": database,
        "SERVICELOTSEN_PG_USER": "postgres",
    }.items():
        monkeypatch.setenv(key, value)
    report = purge(older_than_days=30, session_minutes_=60, now=NOW)
    assert report.deleted_events == OLD_CONVERSATION_EVENTS
    assert database in report.store
