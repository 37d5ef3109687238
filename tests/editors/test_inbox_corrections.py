"""Residents' reports in the editors' inbox (`make inbox`: registerrättelser).

The tracker store is built here with Rasa's schema; the reports are
`change_report` slot events as actions/report_change.py returns them.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml

from bot import inbox
from tests.editors.test_inbox import DAY, SINCE, Store


def report(store: Store, sender: str, value: Any, at: float = DAY) -> None:
    store._add(sender, "slot", {"name": "change_report", "value": value}, at)


def good(point: str, kind: str = "closed", text: str = "", day: str = "2026-11-10") -> dict[str, Any]:
    return {"point_id": point, "point_name": f"Namn {point}", "kind": kind,
            "category": None, "date": day, "text": text, "channel": "chat"}  # fmt: skip


def test_reports_are_listed_as_registry_corrections(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    store = Store(path)
    store.user("a", "Coop Hasslö har stängt", "report_change", 0.97)
    report(store, "a", good("osm-1", text="Coop Hasslö har stängt"))
    report(store, "b", good("osm-1", text="den har stängt nu", day="2026-11-12"))
    report(store, "b", good("osm-2", kind="hours"))
    # what no action of ours writes: left out
    report(store, "c", {"point_id": "osm-3", "kind": "delete everything"})
    report(store, "c", "<script>")
    report(store, "c", good("osm-4", text="<b>x</b> ring 070-123 45 67"))
    # before the date: left out
    report(store, "d", good("osm-5"), at=inbox.since_timestamp(SINCE) - 3600)
    store.close()

    result = inbox.collect(SINCE, url=f"sqlite:///{path}", created=datetime.date(2026, 11, 29))
    found = [(c.point_id, c.kind, c.count) for c in result.corrections]
    assert found == [("osm-1", "closed", 2), ("osm-2", "hours", 1), ("osm-4", "closed", 1)]
    first = result.corrections[0]
    assert first.texts == ["Coop Hasslö har stängt", "den har stängt nu"]
    assert (first.first, first.last) == (datetime.date(2026, 11, 10), datetime.date(2026, 11, 12))
    masked = result.corrections[2].texts[0]
    assert "<b>" not in masked and "070" not in masked and "<telefonnummer>" in masked
    # a report is no badly handled message: the inbox's own groups are untouched
    assert result.messages == 0

    document = yaml.safe_load(inbox.render_inbox(result))
    assert document["registerrättelser"][0] == {
        "punkt": "osm-1", "namn": "Namn osm-1", "vad": "har stängt eller finns inte kvar",
        "tjänst": None, "antal": 2, "först": "2026-11-10", "senast": "2026-11-12",
        "texter": ["Coop Hasslö har stängt", "den har stängt nu"],
    }  # fmt: skip
    assert "python -m bot registry close" in inbox.render_inbox(result)


def test_no_reports_gives_an_empty_list(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    store = Store(path)
    store.user("a", "hej", "greet", 0.99)
    store.close()
    result = inbox.collect(SINCE, url=f"sqlite:///{path}")
    assert result.corrections == []
    assert yaml.safe_load(inbox.render_inbox(result))["registerrättelser"] == []
