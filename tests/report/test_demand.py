"""Demand from conversations: a tracker store written by Rasa's own SQL store.

`rasa_demand_store.py` (run with .venv-rasa) saves the scripted
conversations below with `SQLTrackerStore`, in the event shapes the real
stack records. The expected counts are worked out by hand here, including
which cells are hidden (fewer than 5 conversations) and which are hidden
as well so that a hidden one cannot be worked out from a total.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.gazetteer import Gazetteer
from bot.inbox import TIMEZONE, read_events
from bot.knowledge import Knowledge, format_entry
from bot.registry import load_registry
from bot.report import demand as dm
from bot.report.build import build_report
from bot.report.config import load_config
from bot.report.demand import HIDDEN, Outcome

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
HELPER = Path(__file__).resolve().parent / "rasa_demand_store.py"
REGISTRY = ROOT / "tests" / "fixtures" / "e2e" / "registry.geojson"
SEPTEMBER = datetime.datetime(2026, 9, 15, 12, 0, tzinfo=TIMEZONE).timestamp()
OCTOBER = datetime.datetime(2026, 10, 3, 9, 30, tzinfo=TIMEZONE).timestamp()
SECRET_POSITION = (56.23456, 15.34567)


def _jamjo_postcode() -> str:
    gaz = Gazetteer.load()
    return next(
        p.id
        for p in gaz.places
        if p.locality_id == "1080-jamjo" and p.kind == "postnummerområde"
    )


def _kyrkhult(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "search",
        "service_type": "dagligvaror",
        "location_name": "Kyrkhult",
        "place_id": "1060-kyrkhult",
        "first_id": "e2e-9",
        "distance": "70 m",
        **extra,
    }


def _spec() -> dict[str, Any]:
    answer = format_entry(Knowledge.load().entry("handla-mat-pa-natet"))
    jamjo = _jamjo_postcode()
    conversations: list[dict[str, Any]] = []

    def add(sender: str, turns: list[dict[str, Any]], at: float = SEPTEMBER) -> None:
        at += len(conversations) * 60
        conversations.append(
            {"sender": sender, "sessions": [{"at": at, "turns": turns}]}
        )

    # September ------------------------------------------------------------
    for i in range(6):  # Kyrkhult: a shop 70 m away, within 10 km
        add(f"kyrkhult-{i}", [_kyrkhult(), *([{"kind": "more"}] if i == 0 else [])])
    for i in range(5):  # Jämjö (by postcode): the ATM is 80 km away
        add(
            f"jamjo-{i}",
            [
                {
                    "kind": "search",
                    "service_type": "uttagsautomat",
                    "location_name": "Jämjö",
                    "place_id": jamjo,
                    "first_id": "e2e-8",
                    "distance": "80 km",
                }
            ],
        )
    for i in range(3):  # Ronneby, only three: hidden
        add(
            f"ronneby-{i}",
            [
                {
                    "kind": "search",
                    "service_type": "apotek",
                    "location_name": "Ronneby",
                    "place_id": "postnr-37230",
                    "first_id": "e2e-3",
                    "distance": "80 m",
                }
            ],
        )
    for i in range(5):  # apoteksombud: no data (the nearest apotek is listed)
        add(
            f"tving-{i}",
            [
                {
                    "kind": "search",
                    "service_type": "apoteksombud",
                    "location_name": "Tving",
                    "place_id": "1080-tving",
                    "first_id": "e2e-4",
                    "distance": "13 km",
                    "no_data": True,
                }
            ],
        )
    for i in range(5):  # an unknown place, asking for apotek
        add(f"okand-{i}", [{"kind": "unknown_place", "service_type": "apotek"}])
    for i in range(2):  # outside the area
        add(f"malmo-{i}", [{"kind": "outside_area", "service_type": "drivmedel"}])
    add(
        "position-0",
        [
            {
                "kind": "position_search",
                "service_type": "drivmedel",
                "position": list(SECRET_POSITION),
                "first_id": "e2e-10",
                "distance": "27 km",
            }
        ],
    )
    add("bara-typ", [{"kind": "ask_location", "service_type": "apotek"}])
    for i in range(6):
        add(
            f"digital-{i}",
            [{"kind": "digital", "answer": answer, "topic": "handla-mat-pa-natet"}],
        )
    for i in range(2):
        add(f"hem-{i}", [{"kind": "home_delivery"}])

    # October: Kyrkhult again; kyrkhult-0 comes back in a new session ---------
    conversations[0]["sessions"].append({"at": OCTOBER, "turns": [_kyrkhult()]})
    for i in range(3):
        add(f"oktober-{i}", [_kyrkhult()], at=OCTOBER)
    add("oktober-twice", [_kyrkhult(), _kyrkhult()], at=OCTOBER)
    return {"conversations": conversations}


def _write_store(tmp_path_factory: pytest.TempPathFactory, *, reword: bool) -> str:
    if not RASA_PYTHON.is_file():
        pytest.fail(f"{RASA_PYTHON} missing: run `make setup` (make test does).")
    folder = tmp_path_factory.mktemp("demand")
    spec = folder / "spec.json"
    written = {**_spec(), "reword": reword}
    spec.write_text(json.dumps(written, ensure_ascii=False), encoding="utf-8")
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
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite tracker store with the scripted conversations, written by Rasa."""
    return _write_store(tmp_path_factory, reword=False)


@pytest.fixture(scope="module")
def reworded_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same conversations, every answer in other words (and English)."""
    return _write_store(tmp_path_factory, reword=True)


def _demand(url: str) -> dm.DemandReport:
    registry = load_registry(REGISTRY)
    return dm.collect_demand(
        Gazetteer.load(),
        registry,
        load_config(),
        url=url,
        entries=Knowledge.load().entries,
    )


def test_each_search_gets_its_place_type_and_outcome(store: str) -> None:
    events = read_events(store, 0.0, types=dm.EVENT_TYPES)
    searches, digital = dm.extract(
        events,
        Gazetteer.load(),
        load_registry(REGISTRY),
        load_config(),
    )
    seen = {
        (s.conversation.split("#")[0], s.month, s.locality, s.service_type, s.outcome)
        for s in searches
    }
    assert ("kyrkhult-0", "2026-09", "Kyrkhult", "dagligvaror", Outcome.WITHIN) in seen
    assert ("kyrkhult-0", "2026-10", "Kyrkhult", "dagligvaror", Outcome.WITHIN) in seen
    # a postcode area counts for its ort; the ATM 80 km away is beyond 15 km
    assert ("jamjo-0", "2026-09", "Jämjö", "uttagsautomat", Outcome.BEYOND) in seen
    assert ("ronneby-0", "2026-09", "Ronneby", "apotek", Outcome.WITHIN) in seen
    assert ("tving-0", "2026-09", "Tving", "apoteksombud", Outcome.NO_DATA) in seen
    assert (
        "okand-0",
        "2026-09",
        dm.UNKNOWN_PLACE,
        "apotek",
        Outcome.UNKNOWN_PLACE,
    ) in seen
    assert (
        "malmo-0",
        "2026-09",
        dm.OUTSIDE_AREA,
        "drivmedel",
        Outcome.OUTSIDE_AREA,
    ) in seen
    # a shared position: never read; 27 km as the bot wrote it, beyond 15 km
    assert (
        "position-0",
        "2026-09",
        dm.SHARED_POSITION,
        "drivmedel",
        Outcome.BEYOND,
    ) in seen
    assert not any(s.conversation.startswith("bara-typ") for s in searches)
    assert (
        len(searches) == 6 + 5 + 3 + 5 + 5 + 2 + 1 + 1 + 3 + 2
    )  # "visa fler" is no search
    assert sorted({d.topic for d in digital}) == ["handla-mat-pa-natet", "hemsändning"]
    # kyrkhult-0's two sessions are two conversations
    assert (
        len(
            {
                s.conversation
                for s in searches
                if s.conversation.startswith("kyrkhult-0")
            }
        )
        == 2
    )


def test_counts_per_month_and_type_with_hidden_cells(store: str) -> None:
    report = _demand(store)
    assert report.months == ("2026-09", "2026-10")
    assert report.conversations == 27 + 5
    assert report.searches == 27 + 6
    rows = {(r.month, r.service_type): r for r in report.by_type}
    # September: drivmedel (3) is hidden, and with it the smallest other type
    # (apoteksombud, 5), or drivmedel could be worked out from the total
    assert set(rows) == {
        ("2026-09", "alla"),
        ("2026-09", "apotek"),
        ("2026-09", "dagligvaror"),
        ("2026-09", "uttagsautomat"),
        ("2026-10", "alla"),
        ("2026-10", "dagligvaror"),
    }
    assert report.hidden_type_rows == 2
    sept = rows[("2026-09", "alla")]
    assert sept.conversations == 27
    assert sept.outcomes == {
        Outcome.WITHIN: 9,
        Outcome.BEYOND: 6,
        Outcome.NO_DATA: HIDDEN,
        Outcome.UNKNOWN_PLACE: 5,
        Outcome.OUTSIDE_AREA: HIDDEN,
        Outcome.ANSWERED: 0,
        Outcome.UNKNOWN_DISTANCE: 0,
    }
    apotek = rows[("2026-09", "apotek")]
    assert apotek.conversations == 8
    assert apotek.outcomes[Outcome.WITHIN] == HIDDEN  # 3 (Ronneby)
    assert apotek.outcomes[Outcome.UNKNOWN_PLACE] == HIDDEN  # 5, hidden with it
    oct_ = rows[("2026-10", "dagligvaror")]
    assert (oct_.conversations, oct_.outcomes[Outcome.WITHIN]) == (5, 5)


def test_counts_per_place_with_small_rows_left_out(store: str) -> None:
    report = _demand(store)
    rows = {(r.month, r.locality, r.service_type): r for r in report.by_place}
    assert set(rows) == {
        ("2026-09", "Jämjö", "uttagsautomat"),
        ("2026-09", "Kyrkhult", "dagligvaror"),
        ("2026-09", "Tving", "apoteksombud"),
        ("2026-10", "Kyrkhult", "dagligvaror"),
    }
    # Ronneby (3) is left out, and "(okänd ort)" (5) with it: the September
    # apotek total would give Ronneby away; drivmedel's two rows are both small
    assert report.hidden_rows == 4
    assert rows[("2026-09", "Kyrkhult", "dagligvaror")].conversations == 6
    assert rows[("2026-09", "Jämjö", "uttagsautomat")].outcomes[Outcome.BEYOND] == 5
    assert rows[("2026-09", "Jämjö", "uttagsautomat")].municipality == "Karlskrona"
    assert rows[("2026-09", "Tving", "apoteksombud")].outcomes[Outcome.NO_DATA] == 5
    assert rows[("2026-10", "Kyrkhult", "dagligvaror")].conversations == 5
    assert [(d.month, d.topic, d.conversations) for d in report.digital] == [
        ("2026-09", "handla-mat-pa-natet", 6)
    ]
    assert report.hidden_digital == 1  # hemsändning, 2


def test_rewording_every_answer_changes_no_count(
    store: str, reworded_store: str
) -> None:
    texts = {
        url: [
            str(row[0])
            for row in sqlite3.connect(url.split(":///", 1)[1]).execute(
                "SELECT data FROM events WHERE type_name = 'bot'"
            )
        ]
        for url in (store, reworded_store)
    }
    # the reworded store really says everything differently ...
    assert len(texts[store]) == len(texts[reworded_store]) > 50
    assert not set(texts[store]) & set(texts[reworded_store])
    assert not any("Jag har tyvärr inga uppgifter" in t for t in texts[reworded_store])
    assert any(" kilometres" in t for t in texts[reworded_store])
    # ... and the report counts the same
    before, after = _demand(store), _demand(reworded_store)
    assert before.searches == 33
    assert dataclasses.replace(after, source=before.source) == before


def test_since_leaves_earlier_months_out(store: str) -> None:
    report = dm.collect_demand(
        Gazetteer.load(),
        load_registry(REGISTRY),
        load_config(),
        url=store,
        since=datetime.date(2026, 10, 1),
    )
    assert report.months == ("2026-10",)
    assert report.conversations == 5


def test_the_written_report_holds_no_text_sender_or_position(
    store: str, tmp_path: Path
) -> None:
    result = build_report(tmp_path / "out", registry_path=REGISTRY, tracker=store)
    assert result.demand is not None
    csv = (tmp_path / "out" / "efterfragan_per_ort.csv").read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].startswith("manad,ort,kommun,tjanst,samtal,inom_gransen")
    assert "2026-09,Kyrkhult,Olofström,dagligvaror,6,6," in csv
    html = result.html.read_text(encoding="utf-8")
    assert (
        "Kyrkhult" in html and "september 2026" in html and "<td>Matbutik</td>" in html
    )
    outputs = [
        p.read_text(encoding="utf-8-sig") for p in (tmp_path / "out").glob("*.csv")
    ]
    outputs.append(html)
    for text in outputs:
        assert "Hemligtext" not in text
        for sender in ("kyrkhult-0", "jamjo-0", "position-0", "oktober-twice"):
            assert sender not in text
        assert (
            str(SECRET_POSITION[0]) not in text and str(SECRET_POSITION[1]) not in text
        )


@pytest.mark.parametrize(
    ("values", "hidden"),
    [
        ([6, 5, 0], [False, False, False]),
        ([6, 3, 0], [True, True, False]),  # one small: the smallest other goes too
        ([6, 3, 2], [False, True, True]),  # two small: they protect each other
        ([4], [True]),
        ([0, 0], [False, False]),  # zero identifies nobody
        ([9, 5, 5, 1], [False, True, False, True]),  # a tie: the first of the smallest
    ],
)
def test_suppression_rule(values: list[int], hidden: list[bool]) -> None:
    assert dm._suppress(values) == hidden
