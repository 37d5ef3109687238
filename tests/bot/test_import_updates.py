"""An import whose ids already exist elsewhere in the registry folder updates them.

The documented OSM import writes data/service_points/osm.geojson, while
blekinge.geojson already holds osm-node-* records from 2020: the newer record
must win (reported as an update), not be rejected as a duplicate.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from bot.importers.geojson import import_geojson
from bot.registry import load_registry


def _collection(path: Path, day: str, name: str, pid: str = "osm-node-42") -> Path:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [15.6, 56.2]},
        "properties": {
            "id": pid,
            "name": name,
            "categories": ["apotek"],
            "locality": "Karlskrona",
            "municipality": "Karlskrona",
            "source": "OpenStreetMap (ODbL)",
            "source_date": day,
        },
    }
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]}),
        encoding="utf-8",
    )
    return path


def test_a_newer_import_updates_the_older_record(tmp_path: Path) -> None:
    folder = tmp_path / "service_points"
    folder.mkdir()
    _collection(folder / "blekinge.geojson", "2020-09-04", "Apoteket 2020")
    source = _collection(tmp_path / "extract.geojson", "2026-11-30", "Apoteket 2026")
    report = import_geojson(source, folder / "osm.geojson", use_gazetteer=False)
    assert report.updated == 1
    assert "uppdaterade: 1" in report.summary()
    registry = load_registry(folder)
    assert registry.rejected == ()
    point = registry.by_id("osm-node-42")
    assert point is not None and point.name == "Apoteket 2026"
    assert point.source_date == datetime.date(2026, 11, 30)
    assert [r.source_file for r in registry.superseded] == [
        str(folder / "blekinge.geojson")
    ]


def test_an_older_import_does_not_replace_the_newer_record(tmp_path: Path) -> None:
    folder = tmp_path / "service_points"
    folder.mkdir()
    _collection(folder / "blekinge.geojson", "2026-11-30", "Apoteket 2026")
    source = _collection(tmp_path / "old.geojson", "2020-09-04", "Apoteket 2020")
    report = import_geojson(source, folder / "osm.geojson", use_gazetteer=False)
    assert report.updated == 0
    assert any("den posten används" in n.reason for n in report.notes)
    point = load_registry(folder).by_id("osm-node-42")
    assert point is not None and point.name == "Apoteket 2026"


def test_the_same_id_twice_in_one_file_is_still_a_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "one.geojson"
    first = json.loads(_collection(path, "2020-01-01", "A").read_text())["features"][0]
    second = json.loads(json.dumps(first))
    second["properties"]["source_date"] = "2026-01-01"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [first, second]}),
        encoding="utf-8",
    )
    registry = load_registry(path)
    assert [r.reason.split(":")[0] for r in registry.rejected] == ["dubblett"]
