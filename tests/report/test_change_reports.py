"""The report counts residents' reported changes per service.

The conversations are written by Rasa's own SQL tracker store (through
rasa_demand_store.py, as in test_demand.py): each report is a
`change_report` slot event and an outcome of the question "report", as
actions/report_change.py returns them. The report reads them back from that
SQLite file with the same reader as the demand.
"""

from __future__ import annotations

import csv
import datetime
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.change_reports import ChangeReport
from bot.gazetteer import Gazetteer
from bot.inbox import TIMEZONE, read_events
from bot.registry import Registry, load_registry
from bot.report import demand as dm
from bot.report.build import build_report
from bot.report.config import load_config
from bot.report.demand import HIDDEN

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
HELPER = Path(__file__).resolve().parent / "rasa_demand_store.py"
REGISTRY = ROOT / "tests" / "fixtures" / "e2e" / "registry.geojson"
SEPTEMBER = datetime.datetime(2026, 9, 15, 12, 0, tzinfo=TIMEZONE).timestamp()


def _spec() -> dict[str, Any]:
    conversations: list[dict[str, Any]] = []

    def add(sender: str, turns: list[dict[str, Any]]) -> None:
        at = SEPTEMBER + len(conversations) * 60
        conversations.append(
            {"sender": sender, "sessions": [{"at": at, "turns": turns}]}
        )

    def report(point_id: str, **extra: Any) -> dict[str, Any]:
        return {"kind": "report", "point_id": point_id, **extra}

    # Testbutik Jämjö (dagligvaror, paketombud): the whole shop, 6 times
    for i in range(6):
        add(f"jamjo-{i}", [report("e2e-2", text="Hemligtext Jämjö har stängt")])
    # Testombud Eringsboda: only its parcel agency, 3 times
    for i in range(3):
        add(f"ombud-{i}", [report("e2e-6", problem="service", category="paketombud")])
    # Testbutik Rödeby, closed in the registry since: still counted, 5 times
    for i in range(5):
        add(f"rodeby-{i}", [report("e2e-1")])
    # small counts: apotek twice, drivmedel once
    add("apotek-0", [report("e2e-3", problem="hours")])
    add("apotek-1", [report("e2e-3", problem="hours")])
    add("mack-0", [report("e2e-10", problem="phone")])
    # not counted: a point in neither part of the registry, a damaged value,
    # a point the bot did not know (nothing stored, an outcome only)
    add("okand-0", [report("e2e-404")])
    add(
        "trasig-0",
        [report("e2e-7", value={"point_id": "<b>e2e-7</b>", "kind": "weather"})],
    )
    add(
        "okand-1",
        [{"kind": "report_unknown", "text": "Hemligtext Affären i Ingenstans"}],
    )
    # one search, with a report in the same conversation
    add(
        "sok-0",
        [
            {
                "kind": "search",
                "service_type": "dagligvaror",
                "location_name": "Kyrkhult",
                "place_id": "1060-kyrkhult",
                "first_id": "e2e-9",
                "distance": "70 m",
            },
            report("e2e-9", problem="hours"),
        ],
    )
    return {"conversations": conversations}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite tracker store with the scripted conversations, written by Rasa."""
    if not RASA_PYTHON.is_file():
        pytest.fail(f"{RASA_PYTHON} missing: run `make setup` (make test does).")
    folder = tmp_path_factory.mktemp("changes")
    spec = folder / "spec.json"
    spec.write_text(json.dumps(_spec(), ensure_ascii=False), encoding="utf-8")
    url = f"sqlite:///{folder / 'tracker.db'}"
    result = subprocess.run(
        [str(RASA_PYTHON), str(HELPER), url, str(spec)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={
            "PATH": "/usr/bin:/bin",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return url


@pytest.fixture(scope="module")
def registry_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The e2e registry with Testbutik Rödeby (e2e-1) marked closed."""
    data = json.loads(REGISTRY.read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"]["id"] == "e2e-1":
            feature["properties"].update(
                status="closed",
                closed_date="2026-10-01",
                closed_reason="Butiken har stängt (testdata)",
                closed_source="testdata",
            )
    path = tmp_path_factory.mktemp("registry") / "registry.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def registry(registry_path: Path) -> Registry:
    found = load_registry(registry_path)
    assert [p.id for p in found.closed] == ["e2e-1"]
    return found


def _demand(url: str, registry: Registry) -> dm.DemandReport:
    return dm.collect_demand(Gazetteer.load(), registry, load_config(), url=url)


def test_the_stored_reports_are_read_back_checked(store: str) -> None:
    reports = dm.extract_change_reports(read_events(store, 0.0, types=dm.EVENT_TYPES))
    ids = [r.point_id for r in reports]
    # 6 + 3 + 5 + 2 + 1 + the unknown id + Kyrkhult; the damaged value is skipped
    assert len(reports) == 19
    assert ids.count("e2e-2") == 6 and "e2e-404" in ids
    assert not any("<" in i for i in ids)


def test_reported_changes_are_counted_per_service_with_small_counts_hidden(
    store: str, registry: Registry
) -> None:
    report = _demand(store, registry)
    changes = {r.service_type: r.reports for r in report.changes}
    assert changes == {
        # Jämjö 6, Rödeby (closed) 5, Kyrkhult 1
        "dagligvaror": 12,
        # Jämjö 6, Eringsboda's agency 3 (not its groceries)
        "paketombud": 9,
        "apotek": HIDDEN,
        "drivmedel": HIDDEN,
    }
    assert report.hidden_changes == 2
    assert report.change_reports == 18  # the unknown point is left out
    # a report's outcome is no search: one search in one conversation
    assert (report.searches, report.conversations) == (1, 1)


def test_one_small_count_hides_the_next_smallest_too(registry: Registry) -> None:
    day = datetime.date(2026, 9, 1)
    reports = [ChangeReport("e2e-2", "Testbutik Jämjö", "closed", day)] * 7
    reports += [
        ChangeReport("e2e-6", "Testombud", "service", day, category="paketombud")
    ] * 3
    reports += [ChangeReport("e2e-3", "Testapotek", "hours", day)] * 2
    rows, hidden, total = dm.count_changes(reports, registry)
    assert {r.service_type: r.reports for r in rows} == {
        "apotek": HIDDEN,
        "dagligvaror": HIDDEN,  # 7: else apotek = total - the others
        "paketombud": 10,
    }
    assert (hidden, total) == (2, 12)
    assert dm.count_changes(reports[:1], registry)[2] == HIDDEN
    assert dm.count_changes([], registry) == ((), 0, 0)


def test_the_report_writes_the_table_and_its_csv(
    store: str, registry_path: Path, tmp_path: Path
) -> None:
    result = build_report(tmp_path / "out", registry_path=registry_path, tracker=store)
    assert result.demand is not None
    path = tmp_path / "out" / "rapporterade_andringar.csv"
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["tjanst", "rapporter"]
    assert sorted(rows[1:]) == sorted(
        [
            ["dagligvaror", "12"],
            ["paketombud", "9"],
            ["apotek", ".."],
            ["drivmedel", ".."],
        ]
    )
    html = result.html.read_text(encoding="utf-8")
    assert "Rapporterade ändringar per tjänst" in html
    assert "rapporterat 18 ändringar" in html
    for text in (html, path.read_text(encoding="utf-8-sig")):
        assert "Hemligtext" not in text and "jamjo-0" not in text


def test_without_reports_the_table_is_written_empty(tmp_path: Path) -> None:
    result = build_report(tmp_path / "out", registry_path=REGISTRY, demand=False)
    assert result.demand is None
    path = tmp_path / "out" / "rapporterade_andringar.csv"
    assert path.read_text(encoding="utf-8-sig").splitlines() == ["tjanst,rapporter"]
