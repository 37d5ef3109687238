"""Tests for bot.importers: OSM (XML, PBF, Overpass), GeoJSON and CSV imports.

The fixtures under tests/fixtures/import/ are our own files in the real
formats, with obviously fake names. Every importer is also fed broken input,
and the registry file must survive every failure byte for byte.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

import osmium
import pytest

from bot.errors import ImportFailed
from bot.importers import import_csv, import_geojson, import_osm
from bot.importers.__main__ import main as cli_main
from bot.importers.base import (
    ImportReport,
    PointBuilder,
    normalise_postcode,
    polygon_centroid,
    slugify,
    unique_id,
    write_import,
)
from bot.importers.csv import load_mapping, parse_number, sweref99tm_to_wgs84
from bot.importers.osm import (
    DEFAULT_TAG_TABLE,
    OSM_SOURCE,
    load_tag_table,
    read_overpass_json,
)
from bot.registry import ServicePoint, load_registry, write_registry
from bot.service_types import load_service_types

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
OSM_DATE = datetime.date(2026, 3, 1)


def fake_locator(lat: float, lon: float) -> tuple[str | None, str | None]:
    """Stands in for the gazetteer: every point lies in Testorten."""
    return "Testorten", "Testkommun"


def features_by_id(path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f for f in data["features"]}


def point(point_id: str, name: str = "Testbutik Gammal") -> ServicePoint:
    return ServicePoint(
        id=point_id,
        name=name,
        categories=("dagligvaror",),
        lat=56.2,
        lon=15.6,
        locality="Testby",
        municipality="Testkommun",
        source="Testkällan",
        source_date=datetime.date(2025, 1, 1),
    )


@pytest.fixture
def old_registry(tmp_path: Path) -> tuple[Path, bytes]:
    """A registry file that a failed import must leave exactly as it is."""
    path = tmp_path / "registry.geojson"
    write_registry([point("test-old-1")], path)
    return path, path.read_bytes()


@pytest.fixture
def sample_pbf(tmp_path: Path) -> Path:
    """sample.osm converted to .osm.pbf by pyosmium, with a header timestamp."""
    header = osmium.io.Header()
    header.set("osmosis_replication_timestamp", "2026-03-01T06:00:00Z")
    pbf = tmp_path / "sample.osm.pbf"
    with osmium.SimpleWriter(str(pbf), header=header, overwrite=True) as writer:
        for obj in osmium.FileProcessor(str(FIXTURES / "sample.osm")):
            writer.add(obj)
    return pbf


@pytest.fixture
def osm_result(tmp_path: Path) -> tuple[ImportReport, dict[str, dict[str, Any]]]:
    out = tmp_path / "osm.geojson"
    report = import_osm(FIXTURES / "sample.osm", out, locator=fake_locator)
    return report, features_by_id(out)


# ---------------------------------------------------------------- OSM


@pytest.mark.parametrize(
    ("osm_id", "categories"),
    [
        ("osm-node-1001", ["dagligvaror"]),
        ("osm-node-1002", ["uttagsautomat"]),
        ("osm-node-1003", ["apotek"]),
        ("osm-node-1004", ["dagligvaror", "apoteksombud", "paketombud"]),
        ("osm-node-1007", ["vårdcentral"]),
        ("osm-node-1008", ["paketombud"]),
        ("osm-node-1010", ["dagligvaror"]),
        ("osm-way-2001", ["drivmedel", "uttagsautomat"]),
        ("osm-relation-3001", ["bibliotek"]),
    ],
)
def test_osm_objects_get_categories_from_the_tag_table(
    osm_result: tuple[ImportReport, dict[str, dict[str, Any]]],
    osm_id: str,
    categories: list[str],
) -> None:
    _, features = osm_result
    assert features[osm_id]["properties"]["categories"] == categories


def test_osm_import_counts_and_ignores_unrelated_objects(
    osm_result: tuple[ImportReport, dict[str, dict[str, Any]]],
) -> None:
    report, features = osm_result
    assert report.imported == len(features) == 9
    assert report.by_category["dagligvaror"] == 3
    assert report.written and report.source_date == OSM_DATE
    # the bakery matches no rule: neither imported nor reported as skipped
    assert "osm-node-1006" not in features
    assert all("1006" not in s.ref for s in report.skipped)


@pytest.mark.parametrize(
    ("ref", "reason_part"),
    [
        ("node 1005", "access=private"),
        ("node 1009", "utanför Sverige"),
        ("way 2003", "saknar position"),
    ],
)
def test_osm_skips_unusable_objects_with_a_swedish_reason(
    osm_result: tuple[ImportReport, dict[str, dict[str, Any]]],
    ref: str,
    reason_part: str,
) -> None:
    report, _ = osm_result
    reasons = {s.ref: s.reason for s in report.skipped}
    assert reason_part in reasons[ref]


@pytest.mark.parametrize(
    ("osm_id", "lat", "lon"),
    [
        ("osm-node-1001", 56.3, 15.3),
        ("osm-way-2001", 56.311, 15.311),  # square's centroid
        ("osm-relation-3001", 56.321, 15.322),  # multipolygon's centroid
    ],
)
def test_osm_positions_nodes_and_area_centroids(
    osm_result: tuple[ImportReport, dict[str, dict[str, Any]]],
    osm_id: str,
    lat: float,
    lon: float,
) -> None:
    _, features = osm_result
    got_lon, got_lat = features[osm_id]["geometry"]["coordinates"]
    assert got_lat == pytest.approx(lat, abs=1e-6)
    assert got_lon == pytest.approx(lon, abs=1e-6)


def test_osm_copies_address_contact_and_hours(
    osm_result: tuple[ImportReport, dict[str, dict[str, Any]]],
) -> None:
    _, features = osm_result
    props = features["osm-node-1001"]["properties"]
    assert props["name"] == "Testbutik Norr"
    assert props["address"] == "Provgatan 1"
    assert props["postcode"] == "999 99"
    assert props["locality"] == "Testby"  # addr:city wins over the locator
    assert props["municipality"] == "Testkommun"
    assert props["opening_hours"] == "Mo-Fr 08:00-20:00; Sa 09:00-16:00"
    assert props["brand"] == "Testkedjan"
    assert props["source"] == OSM_SOURCE == "OpenStreetMap (ODbL)"
    assert props["source_date"] == "2026-03-01"


def test_osm_unnamed_objects_are_named_by_kind_and_owner(
    osm_result: tuple[ImportReport, dict[str, dict[str, Any]]],
) -> None:
    _, features = osm_result
    assert (
        features["osm-node-1002"]["properties"]["name"] == "Uttagsautomat (Testbanken)"
    )
    assert features["osm-node-1008"]["properties"]["name"] == "Paketombud (Testboxen)"


def test_osm_bad_opening_hours_are_dropped_not_the_shop(
    osm_result: tuple[ImportReport, dict[str, dict[str, Any]]],
) -> None:
    report, features = osm_result
    assert "opening_hours" not in features["osm-node-1010"]["properties"]
    assert any(n.ref == "node 1010" and "öppettider" in n.reason for n in report.notes)


def test_osm_locator_fills_missing_place(
    osm_result: tuple[ImportReport, dict[str, dict[str, Any]]],
) -> None:
    _, features = osm_result
    props = features["osm-node-1003"]["properties"]
    assert (props["locality"], props["municipality"]) == ("Testorten", "Testkommun")


def test_osm_without_locator_skips_records_without_kommun(tmp_path: Path) -> None:
    report = import_osm(
        FIXTURES / "sample.osm", tmp_path / "o.geojson", use_gazetteer=False
    )
    reasons = {s.ref: s.reason for s in report.skipped}
    assert "saknar ort" in reasons["node 1003"]
    assert "kommun" in reasons["node 1004"]  # has addr:city only
    assert report.imported == 1  # only node 1001 has addr:city and addr:municipality


def test_osm_pbf_gives_the_same_registry_as_xml(
    tmp_path: Path, sample_pbf: Path
) -> None:
    from_xml, from_pbf = tmp_path / "xml.geojson", tmp_path / "pbf.geojson"
    import_osm(FIXTURES / "sample.osm", from_xml, locator=fake_locator)
    report = import_osm(sample_pbf, from_pbf, locator=fake_locator)
    assert report.source_date == OSM_DATE  # from the PBF header
    assert from_pbf.read_bytes() == from_xml.read_bytes()


def test_osm_file_without_date_uses_the_import_date(tmp_path: Path) -> None:
    text = (FIXTURES / "sample.osm").read_text(encoding="utf-8")
    undated = tmp_path / "undated.osm"
    undated.write_text(text.replace('timestamp="2026-03-01T06:00:00Z"', ""))
    today = datetime.date(2026, 11, 2)
    report = import_osm(
        undated, tmp_path / "o.geojson", locator=fake_locator, today=today
    )
    assert report.source_date == today
    assert (
        features_by_id(tmp_path / "o.geojson")["osm-node-1001"]["properties"][
            "source_date"
        ]
        == today.isoformat()
    )


def test_overpass_json_positions_and_reasons(tmp_path: Path) -> None:
    out = tmp_path / "overpass.geojson"
    report = import_osm(FIXTURES / "overpass.json", out, locator=fake_locator)
    features = features_by_id(out)
    assert report.source_date == datetime.date(2026, 2, 15)
    assert features["osm-node-5002"]["properties"]["categories"] == ["uttagsautomat"]
    assert features["osm-relation-9001"]["properties"]["categories"] == ["vårdcentral"]
    assert features["osm-way-6001"]["geometry"]["coordinates"] == [15.252, 56.252]
    lon, lat = features["osm-way-6002"]["geometry"]["coordinates"]  # out geom
    assert (lat, lon) == pytest.approx((56.261, 15.261))
    lon, lat = features["osm-way-6003"]["geometry"]["coordinates"]  # node list
    assert (lat, lon) == pytest.approx((56.270667, 15.271333), abs=1e-6)
    reasons = {s.ref: s.reason for s in report.skipped}
    assert "saknar position" in reasons["way 6004"]
    assert "access=no" in reasons["node 5003"]
    assert "osm-node-5004" not in features  # a kiosk is not a grocery store


def test_overpass_reader_keeps_only_tagged_elements() -> None:
    objects, _ = read_overpass_json(FIXTURES / "overpass.json")
    assert {o.ref for o in objects} >= {"node 5001", "way 6003", "relation 9001"}
    assert "node 7001" not in {o.ref for o in objects}  # geometry node


@pytest.mark.parametrize(
    ("tags", "categories"),
    [
        ({"shop": "supermarket;bakery"}, ("dagligvaror",)),
        ({"shop": "kiosk"}, ()),
        ({"amenity": "pharmacy", "name": "Testapoteket"}, ("apotek",)),
        ({"amenity": "pharmacy", "name": "Apoteksombud Testby"}, ("apoteksombud",)),
        ({"amenity": "bank"}, ()),
        ({"amenity": "bank", "atm": "yes"}, ("uttagsautomat",)),
        ({"amenity": "bank", "atm": "no"}, ()),
        ({"amenity": "fuel", "atm": "yes"}, ("drivmedel", "uttagsautomat")),
        ({"amenity": "parcel_locker"}, ("paketombud",)),
        ({"shop": "convenience", "post_office": "post_partner"},
         ("dagligvaror", "paketombud")),
        ({"amenity": "doctors", "healthcare:speciality": "general;paediatrics"},
         ("vårdcentral",)),
        ({"amenity": "clinic", "name": "Testtandvården"}, ()),
        ({"amenity": "clinic", "name": "Vårdcentralen Testby"}, ("vårdcentral",)),
        ({"amenity": "library"}, ("bibliotek",)),
    ],
)  # fmt: skip
def test_tag_table_classifies(
    tags: dict[str, str], categories: tuple[str, ...]
) -> None:
    table = load_tag_table()
    assert table.classify(tags) == (categories, None)


def test_tag_table_excludes_private_objects() -> None:
    cats, reason = load_tag_table().classify({"amenity": "atm", "access": "private"})
    assert cats == ("uttagsautomat",)
    assert reason is not None and "access=private" in reason


def test_default_tag_table_uses_known_categories_only() -> None:
    table = load_tag_table(DEFAULT_TAG_TABLE)
    known = set(load_service_types())
    assert {r.category for r in table.rules} == known
    assert {"shop", "amenity", "atm"} <= table.keys


def test_tag_table_with_unknown_category_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "tags.yml"
    bad.write_text("rules:\n  - category: frisör\n    tags: {shop: hairdresser}\n")
    with pytest.raises(ImportFailed, match="okänd kategori"):
        load_tag_table(bad)


# ---------------------------------------------------------------- GeoJSON


def test_geojson_import_validates_each_feature(tmp_path: Path) -> None:
    out = tmp_path / "g.geojson"
    report = import_geojson(
        FIXTURES / "extra.geojson",
        out,
        locator=fake_locator,
        default_source="Testfilen",
        default_source_date=datetime.date(2026, 1, 2),
    )
    features = features_by_id(out)
    assert set(features) == {"test-extra-1", "test-extra-2", "test-extra-3"}
    one, two = (
        features["test-extra-1"]["properties"],
        features["test-extra-2"]["properties"],
    )
    assert one["source"] == "Testregionen"  # its own source is kept
    assert "okänt_fält" not in one
    assert (two["source"], two["source_date"]) == ("Testfilen", "2026-01-02")
    assert two["categories"] == ["apotek", "apoteksombud"]
    lon, lat = features["test-extra-3"]["geometry"]["coordinates"]
    assert (lat, lon) == pytest.approx((56.23, 15.63))
    reasons = {s.ref: s.reason for s in report.skipped}
    assert "omkastade" in reasons["test-extra-4"]
    assert "okänd kategori: frisör" in reasons["test-extra-5"]
    assert "geometri" in reasons["test-extra-6"]
    assert "finns redan" in reasons["test-extra-1"]
    assert "ingen GeoJSON Feature" in reasons["post 8"]


def test_geojson_without_defaults_skips_records_without_source(tmp_path: Path) -> None:
    report = import_geojson(
        FIXTURES / "extra.geojson", tmp_path / "g.geojson", locator=fake_locator
    )
    reasons = {s.ref: s.reason for s in report.skipped}
    assert "källa" in reasons["test-extra-2"]


# ---------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("northing", "easting", "lat", "lon"),
    [  # reference values computed with PROJ (pyproj, EPSG:4326 -> EPSG:3006)
        (6228451.893, 531022.525, 56.2, 15.5),
        (6224203.969, 536242.988, 56.161467, 15.583556),
        (6580743.008, 674571.866, 59.3293, 18.0686),
        (7551319.729, 708833.062, 68.0, 20.0),
        (6141124.335, 373347.956, 55.4, 13.0),
    ],
)
def test_sweref99tm_to_wgs84_matches_proj(
    northing: float, easting: float, lat: float, lon: float
) -> None:
    got_lat, got_lon = sweref99tm_to_wgs84(northing, easting)
    assert got_lat == pytest.approx(lat, abs=1e-7)  # about 1 cm
    assert got_lon == pytest.approx(lon, abs=1e-7)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("56,2034", 56.2034),
        ("15.5", 15.5),
        ("6 228 451", 6228451.0),
        ("6\u00a0228\u00a0451,5", 6228451.5),
        ("", None),
        ("abc", None),
        ("nan", None),
    ],
)
def test_parse_number(text: str, number: float | None) -> None:
    assert parse_number(text) == number


def test_csv_sweref_import(tmp_path: Path) -> None:
    out = tmp_path / "c.geojson"
    report = import_csv(
        FIXTURES / "sweref.csv",
        FIXTURES / "sweref_mapping.yml",
        out,
        locator=fake_locator,
    )
    features = features_by_id(out)
    assert set(features) == {"test-lv-T-001", "test-lv-T-002", "test-lv-T-003"}
    first = features["test-lv-T-001"]
    lon, lat = first["geometry"]["coordinates"]
    assert (lat, lon) == pytest.approx((56.21, 15.51), abs=1e-6)
    props = first["properties"]
    assert props["categories"] == ["apotek"]
    assert props["postcode"] == "999 99"
    assert props["source"] == "Testlistan över apotek och apoteksombud"
    assert props["source_date"] == "2026-01-15"
    assert features["test-lv-T-002"]["properties"]["categories"] == ["apoteksombud"]
    lon, lat = features["test-lv-T-003"]["geometry"]["coordinates"]  # swapped N/E
    assert (lat, lon) == pytest.approx((56.23, 15.53), abs=1e-6)
    assert any(n.ref == "rad 4" and "omkastade" in n.reason for n in report.notes)
    reasons = {s.ref: s.reason for s in report.skipped}
    assert "'Dosapotek'" in reasons["rad 5"]
    assert "koordinaterna saknas" in reasons["rad 6"]
    assert "koordinaterna saknas" in reasons["rad 7"]
    assert "namn" in reasons["rad 8"]
    assert "SWEREF 99 TM" in reasons["rad 9"]


def test_csv_wgs84_import_with_decimal_comma_and_defaults(tmp_path: Path) -> None:
    out = tmp_path / "c.geojson"
    report = import_csv(
        FIXTURES / "wgs84.csv", FIXTURES / "wgs84_mapping.yml", out, use_gazetteer=False
    )
    features = list(features_by_id(out).values())
    assert report.imported == 2
    by_name = {f["properties"]["name"]: f for f in features}
    north = by_name["Testmacken Norr"]
    assert north["geometry"]["coordinates"] == [15.5, 56.2]
    assert north["properties"]["municipality"] == "Testkommun"
    assert north["properties"]["opening_hours"] == "Mo-Su 06:00-22:00"
    assert by_name["Testmacken Syd"]["geometry"]["coordinates"] == [15.4, 56.1]
    assert all(f["properties"]["categories"] == ["drivmedel"] for f in features)
    assert "ligger inte i Sverige" in report.skipped[0].reason


def test_csv_missing_columns_are_named(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as info:
        import_csv(
            FIXTURES / "wgs84.csv",
            FIXTURES / "missing_column_mapping.yml",
            tmp_path / "c.geojson",
        )
    assert "Butiksnamn" in str(info.value) and "Latitud" in str(info.value)
    assert not (tmp_path / "c.geojson").exists()


@pytest.mark.parametrize(
    ("yaml_text", "reason_part"),
    [
        ("fields: {name: n}\n", "'source' saknas"),
        ("source: x\nfields: {name: n}\n", "source_date"),
        ("source: x\nsource_date: 2026-01-01\n", "'fields'"),
        ("source: x\nsource_date: 2026-01-01\nfields: {name: n, farg: f}\n", "okända fält"),
        ("source: x\nsource_date: 2026-01-01\nfields: {name: n}\n", "'coordinates'"),
        ("source: x\nsource_date: 2026-01-01\nfields: {name: n}\n"
         "coordinates: {lat: a, lon: b}\n", "'categories'"),
        ("source: x\nsource_date: 2026-01-01\nfields: {name: n}\n"
         "coordinates: {lat: a, lon: b}\ncategories: {column: t}\n", "values"),
        ("source: x\nsource_date: 2026-13-01\nfields: {name: n}\n", "datum"),
    ],
)  # fmt: skip
def test_csv_mapping_errors(tmp_path: Path, yaml_text: str, reason_part: str) -> None:
    mapping = tmp_path / "m.yml"
    mapping.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ImportFailed, match="mappningsfilen") as info:
        load_mapping(mapping)
    assert reason_part in str(info.value)


# ---------------------------------------------------------------- broken input


@pytest.mark.parametrize(
    ("run", "message_part"),
    [
        (lambda out: import_osm(FIXTURES / "broken.osm", out), "trasig"),
        (lambda out: import_osm(FIXTURES / "overpass_broken.json", out), "JSON"),
        (lambda out: import_osm(FIXTURES / "overpass_not_overpass.json", out), "elements"),
        (lambda out: import_osm(FIXTURES / "saknas.osm.pbf", out), "finns inte"),
        (lambda out: import_geojson(FIXTURES / "broken.geojson", out), "JSON"),
        (lambda out: import_geojson(FIXTURES / "overpass.json", out), "FeatureCollection"),
        (lambda out: import_csv(FIXTURES / "wgs84.csv", FIXTURES / "broken_mapping.yml",
                                out), "mappningsfilen"),
        (lambda out: import_csv(FIXTURES / "bad_rows.csv", FIXTURES / "wgs84_mapping.yml",
                                out, use_gazetteer=False), "inga giltiga poster"),
        (lambda out: import_csv(FIXTURES / "saknas.csv", FIXTURES / "wgs84_mapping.yml",
                                out), "finns inte"),
    ],
)  # fmt: skip
def test_broken_input_fails_and_leaves_registry_untouched(
    old_registry: tuple[Path, bytes], run: Any, message_part: str
) -> None:
    path, before = old_registry
    with pytest.raises(ImportFailed) as info:
        run(path)
    assert message_part in str(info.value)
    assert path.read_bytes() == before


def test_truncated_pbf_fails_and_leaves_registry_untouched(
    old_registry: tuple[Path, bytes], sample_pbf: Path, tmp_path: Path
) -> None:
    path, before = old_registry
    data = sample_pbf.read_bytes()
    truncated = tmp_path / "truncated.osm.pbf"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFailed, match="trasig"):
        import_osm(truncated, path, locator=fake_locator)
    assert path.read_bytes() == before


def test_empty_csv_fails(tmp_path: Path, old_registry: tuple[Path, bytes]) -> None:
    path, before = old_registry
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ImportFailed, match="tom"):
        import_csv(empty, FIXTURES / "wgs84_mapping.yml", path)
    assert path.read_bytes() == before


# ---------------------------------------------------------------- atomic writes


def test_failure_while_writing_leaves_old_file_and_no_temp_files(
    old_registry: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, before = old_registry

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(ImportFailed, match="kunde inte skriva"):
        import_osm(FIXTURES / "sample.osm", path, locator=fake_locator)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_replace_mode_drops_old_records(old_registry: tuple[Path, bytes]) -> None:
    path, _ = old_registry
    report = import_osm(FIXTURES / "sample.osm", path, locator=fake_locator)
    ids = set(features_by_id(path))
    assert "test-old-1" not in ids and len(ids) == report.imported


def test_merge_mode_keeps_other_records_and_replaces_same_ids(tmp_path: Path) -> None:
    path = tmp_path / "registry.geojson"
    write_registry(
        [point("test-old-1"), point("osm-node-1001", "Testbutik Gammalt Namn")], path
    )
    report = import_osm(FIXTURES / "sample.osm", path, merge=True, locator=fake_locator)
    features = features_by_id(path)
    assert (report.kept, report.replaced) == (1, 1)
    assert "test-old-1" in features
    assert features["osm-node-1001"]["properties"]["name"] == "Testbutik Norr"
    registry = load_registry(path)
    assert not registry.rejected and len(registry) == report.imported + 1


def test_merge_into_unreadable_file_fails_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "registry.geojson"
    path.write_text("{inte json", encoding="utf-8")
    with pytest.raises(ImportFailed, match="befintliga filen"):
        import_osm(FIXTURES / "sample.osm", path, merge=True, locator=fake_locator)
    assert path.read_text(encoding="utf-8") == "{inte json"


def test_write_import_refuses_a_folder(tmp_path: Path) -> None:
    report = ImportReport(importer="test", input="x")
    with pytest.raises(ImportFailed, match="mapp"):
        write_import([point("test-1")], tmp_path, report)


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [("sample.osm", "osm"), ("overpass.json", "osm"), ("extra.geojson", "geojson")],
)
def test_written_files_load_without_rejections(
    tmp_path: Path, fixture: str, kind: str
) -> None:
    out = tmp_path / "r.geojson"
    if kind == "osm":
        import_osm(FIXTURES / fixture, out, locator=fake_locator)
    else:
        import_geojson(
            FIXTURES / fixture,
            out,
            locator=fake_locator,
            default_source="Testfilen",
            default_source_date=datetime.date(2026, 1, 2),
        )
    registry = load_registry(out)
    assert registry.rejected == () and len(registry) > 0


# ---------------------------------------------------------------- helpers and CLI


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Nättraby Idrottsvägen", "nattraby-idrottsvagen"),
        ("ICA Nära Träffen, Jämshög", "ica-nara-traffen-jamshog"),
        ("  X:-TRA  ", "x-tra"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_unique_id_adds_a_counter() -> None:
    taken: set[str] = set()
    assert [unique_id("a", taken) for _ in range(3)] == ["a", "a-2", "a-3"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("37130", "371 30"),
        ("371 30", "371 30"),
        ("SE-371 30", "371 30"),
        ("okänt", "okänt"),
    ],
)
def test_normalise_postcode(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


def test_polygon_centroid_of_an_l_shape_is_not_the_vertex_mean() -> None:
    ring = [(0.0, 0.0), (0.0, 2.0), (1.0, 2.0), (1.0, 1.0), (2.0, 1.0), (2.0, 0.0)]
    lat, lon = polygon_centroid(ring)
    assert (lat, lon) == pytest.approx((5 / 6, 5 / 6))


def test_point_builder_rejects_duplicate_ids() -> None:
    report = ImportReport(importer="test", input="x")
    builder = PointBuilder(report, known_categories=["dagligvaror"])
    props = {
        "id": "test-1",
        "name": "Testbutik",
        "categories": ["dagligvaror"],
        "locality": "Testby",
        "municipality": "Testkommun",
        "source": "Test",
        "source_date": datetime.date(2026, 1, 1),
    }
    assert builder.add("a", props, 56.2, 15.6) is not None
    assert builder.add("b", props, 56.2, 15.6) is None
    assert builder.finish() and report.imported == 1
    assert "finns redan" in report.skipped[0].reason


def test_cli_writes_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.geojson"
    code = cli_main(
        ["csv", str(FIXTURES / "wgs84.csv"), "--mapping",
         str(FIXTURES / "wgs84_mapping.yml"), "--out", str(out), "--no-gazetteer"]
    )  # fmt: skip
    # written, but a row was skipped: exit 3 and a closing summary
    assert code == 3 and out.exists()
    printed = capsys.readouterr().out
    assert "importerade: 2" in printed and "hoppade över: 1" in printed
    assert printed.rstrip().splitlines()[-1].startswith(
        "Sammanfattning: 2 av 3 poster importerades, 1 hoppades över"
    )


def test_cli_failure_exit_code_and_message(
    old_registry: tuple[Path, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    path, before = old_registry
    code = cli_main(["osm", str(FIXTURES / "broken.osm"), "--out", str(path)])
    assert code == 1
    assert "oförändrat" in capsys.readouterr().err
    assert path.read_bytes() == before


# -- the likely cause of a bad position (issue 17) ------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "words"),
    [
        ("6228451", "533375", "ser ut som SWEREF 99 TM"),
        ("533375", "6228451", "ser ut som SWEREF 99 TM"),
        ("15.84", "56.19", "verkar omkastade"),
        ("56", "2034", "decimalkomma"),
        ("1.234,5", "15", "både punkt och komma"),
        ("40.7", "-74.0", "ligger inte i Sverige"),
        ("", "", "saknas"),
    ],
)
def test_csv_coordinate_problems_name_the_likely_cause(
    tmp_path: Path, lat: str, lon: str, words: str
) -> None:
    csv_file = tmp_path / "lista.csv"
    csv_file.write_text(
        "namn;lat;lon;ort\nBra butik;56,2;15,5;Testby\n"
        f"Fel butik;{lat};{lon};Testby\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "mappning.yml"
    mapping.write_text(
        "source: Testlistan\nsource_date: 2026-01-01\ndelimiter: \";\"\n"
        "fields: {name: namn, locality: ort}\ndefaults: {municipality: Testkommun}\n"
        "coordinates: {lat: lat, lon: lon}\ncategories: {fixed: [dagligvaror]}\n",
        encoding="utf-8",
    )
    report = import_csv(csv_file, mapping, tmp_path / "ut.geojson", use_gazetteer=False)
    assert report.imported == 1
    [skipped] = report.skipped
    assert skipped.ref == "rad 3" and words in skipped.reason
    assert "kommun" not in skipped.reason.split(":")[0]  # not "saknar kommun"
    assert "[lon, lat]" not in skipped.reason  # no GeoJSON hint for a CSV row


def test_cli_json_before_and_after_the_import_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["csv", str(FIXTURES / "wgs84.csv"), "--mapping",
            str(FIXTURES / "wgs84_mapping.yml"), "--no-gazetteer"]  # fmt: skip
    for argv in (
        ["--json", *args, "--out", str(tmp_path / "a.geojson")],
        [*args, "--out", str(tmp_path / "b.geojson"), "--json"],
    ):
        code = cli_main(argv)
        data = json.loads(capsys.readouterr().out)
        assert code == 3 and data["ok"] is False and data["imported"] == 2
        assert [s["ref"] for s in data["skipped"]] == ["rad 4"]
