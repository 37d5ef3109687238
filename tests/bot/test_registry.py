"""Tests for bot.registry: every rejection reason, files vs folders, writing."""

from __future__ import annotations

import copy
import datetime
import json
import os
from pathlib import Path
from typing import Any

import pytest

from bot import registry as registry_module
from bot.registry import (
    ENV_REGISTRY,
    InvalidRecord,
    Registry,
    RegistryError,
    ServicePoint,
    load_registry,
    parse_feature,
    point_to_feature,
    write_registry,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "registry"


def feature(**props: Any) -> dict[str, Any]:
    """A valid, obviously fake feature; keyword args override properties."""
    coords = props.pop("coordinates", [15.58, 56.16])
    base: dict[str, Any] = {
        "id": "test-1",
        "name": "Testbutik 1",
        "categories": ["dagligvaror"],
        "locality": "Testby",
        "municipality": "Karlskrona",
        "source": "testdata",
        "source_date": "2024-05-01",
    }
    base.update(props)
    for key, value in list(base.items()):
        if value is _DROP:
            del base[key]
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": coords},
        "properties": base,
    }


_DROP = object()


def write_collection(path: Path, features: list[Any]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}),
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------- parse_feature


def test_parse_valid_feature_with_optionals() -> None:
    p = parse_feature(
        feature(
            address="Testvägen 1",
            postcode=37000,
            opening_hours="  Mo-Fr 08:00-17:00 ",
            phone="",
            categories=["dagligvaror", "paketombud", "dagligvaror"],
        )
    )
    assert p.id == "test-1"
    assert (p.lat, p.lon) == (56.16, 15.58)
    assert p.categories == ("dagligvaror", "paketombud")  # duplicates dropped
    assert p.source_date == datetime.date(2024, 5, 1)
    assert p.postcode == "37000"  # a number read from a spreadsheet becomes text
    assert p.opening_hours == "Mo-Fr 08:00-17:00"
    assert p.phone is None  # empty optional is "not known"


def _geometry(geom: Any) -> dict[str, Any]:
    f = feature()
    f["geometry"] = geom
    return f


def _bad_date(value: Any) -> dict[str, Any]:
    return feature(source_date=value)


TOMORROW_PLUS = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()

REJECTIONS: list[tuple[str, Any, str]] = [
    ("not a feature", {"type": "Point", "coordinates": [15.0, 56.0]}, "ingen GeoJSON"),
    ("no properties", {"type": "Feature", "geometry": None}, "saknar properties"),
    ("missing id", feature(id=_DROP), "saknar id"),
    ("blank id", feature(id="  "), "saknar id"),
    ("missing name", feature(name=_DROP), "saknar namn"),
    ("missing locality", feature(locality=""), "saknar ort"),
    ("missing municipality", feature(municipality=_DROP), "saknar kommun"),
    ("missing source", feature(source=_DROP), "saknar källa"),
    ("name not text", feature(name=["Testbutik"]), "ska vara text"),
    ("missing categories", feature(categories=_DROP), "saknar kategori"),
    ("empty categories", feature(categories=[]), "saknar kategori"),
    ("categories not a list", feature(categories="dagligvaror"), "ska vara en lista"),
    (
        "unknown category",
        feature(categories=["dagligvaror", "frisör"]),
        "okänd kategori: frisör",
    ),
    ("synonym is not an id", feature(categories=["ICA"]), "okänd kategori: ICA"),
    ("no geometry", _geometry(None), "saknar koordinater"),
    (
        "empty coordinates",
        _geometry({"type": "Point", "coordinates": []}),
        "saknar koordinater",
    ),
    (
        "not a point",
        _geometry({"type": "LineString", "coordinates": [[15, 56], [15.1, 56.1]]}),
        "ska vara en punkt",
    ),
    (
        "text coordinates",
        _geometry({"type": "Point", "coordinates": ["15.5", "56.1"]}),
        "ogiltiga koordinater",
    ),
    (
        "boolean coordinates",
        _geometry({"type": "Point", "coordinates": [True, 56.1]}),
        "ogiltiga koordinater",
    ),
    (
        "one coordinate",
        _geometry({"type": "Point", "coordinates": [15.5]}),
        "ogiltiga koordinater",
    ),
    (
        "nan coordinate",
        _geometry({"type": "Point", "coordinates": [float("nan"), 56.1]}),
        "ogiltiga koordinater",
    ),
    ("outside Sweden", feature(coordinates=[2.35, 48.85]), "utanför Sverige"),
    ("null island", feature(coordinates=[0.0, 0.0]), "utanför Sverige"),
    ("swapped lat/lon", feature(coordinates=[56.16, 15.58]), "omkastade"),
    ("missing source_date", feature(source_date=_DROP), "saknar källdatum"),
    ("bad month", _bad_date("2024-13-01"), "ogiltigt källdatum"),
    ("no zero padding", _bad_date("2024-5-1"), "ogiltigt källdatum"),
    ("swedish order", _bad_date("01/05/2024"), "ogiltigt källdatum"),
    ("datetime not date", _bad_date("2024-05-01T10:00"), "ogiltigt källdatum"),
    ("number date", _bad_date(20240501), "ogiltigt källdatum"),
    ("future date", _bad_date(TOMORROW_PLUS), "i framtiden"),
    ("bad opening hours", feature(opening_hours="Mo-Fr 8-17"), "ogiltiga öppettider"),
    ("swedish weekdays", feature(opening_hours="Må-Fr 08:00-17:00"), "engelska"),
    ("opening hours not text", feature(opening_hours=["Mo-Fr"]), "ska vara text"),
]


@pytest.mark.parametrize(
    ("case", "record", "reason"), REJECTIONS, ids=[r[0] for r in REJECTIONS]
)
def test_parse_feature_rejects(case: str, record: Any, reason: str) -> None:
    with pytest.raises(InvalidRecord) as exc:
        parse_feature(record)
    assert reason in exc.value.reason, f"{case}: {exc.value.reason!r}"


def test_rejection_carries_the_record_id() -> None:
    with pytest.raises(InvalidRecord) as exc:
        parse_feature(feature(id="test-42", coordinates=[0.0, 0.0]))
    assert exc.value.record_id == "test-42"


def test_point_feature_round_trip() -> None:
    original = feature(
        opening_hours="24/7", brand="Testkedjan", website="https://example.invalid"
    )
    point = parse_feature(original)
    again = parse_feature(point_to_feature(point))
    assert again == point
    props = point_to_feature(point)["properties"]
    assert "address" not in props  # unknown optionals are left out, not null
    assert props["source_date"] == "2024-05-01"
    assert point_to_feature(point)["geometry"]["coordinates"] == [15.58, 56.16]


# ---------------------------------------------------------------- load_registry


def test_load_file_reports_every_bad_record_and_keeps_the_rest(tmp_path: Path) -> None:
    bad = [record for _case, record, _reason in REJECTIONS]
    good = [feature(id=f"ok-{i}", name=f"Testbutik {i}") for i in range(3)]
    path = write_collection(tmp_path / "mixed.geojson", [good[0], *bad, *good[1:]])
    reg = load_registry(path)
    assert [p.id for p in reg.points] == ["ok-0", "ok-1", "ok-2"]
    assert len(reg.rejected) == len(bad)
    assert all(r.source_file == str(path) for r in reg.rejected)
    for (case, _record, reason), rejected in zip(REJECTIONS, reg.rejected, strict=True):
        assert reason in rejected.reason, case
    assert reg.files == (path,)


def test_duplicate_id_in_one_file_keeps_the_first(tmp_path: Path) -> None:
    path = write_collection(
        tmp_path / "dup.geojson",
        [feature(name="Testbutik först"), feature(name="Testbutik sedan")],
    )
    reg = load_registry(path)
    assert [p.name for p in reg.points] == ["Testbutik först"]
    assert len(reg.rejected) == 1
    assert reg.rejected[0].id == "test-1"
    assert "dubblett" in reg.rejected[0].reason


def test_folder_reads_every_geojson_in_name_order() -> None:
    reg = load_registry(FIXTURES / "folder")
    assert [f.name for f in reg.files] == [
        "a.geojson",
        "b.geojson",
    ]  # README.txt ignored
    assert len(reg.points) == 8
    assert [r.id for r in reg.rejected] == ["test-1"]
    assert "a.geojson" in reg.rejected[0].reason  # says where the first one is
    assert reg.rejected[0].source_file.endswith("b.geojson")
    assert reg.by_id("test-1") is not None
    assert reg.by_id("test-1").name == "Testbutik ICA"  # type: ignore[union-attr]


def test_file_and_folder_give_the_same_points() -> None:
    single = load_registry(FIXTURES / "small.geojson")
    folder = load_registry(FIXTURES / "folder")
    assert sorted(single.points, key=lambda p: p.id) == sorted(
        folder.points, key=lambda p: p.id
    )


def test_registry_helpers() -> None:
    reg = load_registry(FIXTURES / "small.geojson")
    assert len(reg) == 8
    assert reg.by_id("nope") is None
    assert "apotek" in reg.categories_with_data()
    assert "apoteksombud" in reg.categories_with_data()
    assert (
        reg.newest_source_date()
        == reg.oldest_source_date()
        == datetime.date(2024, 5, 1)
    )
    assert [p.id for p in reg.in_category("apotek")] == ["test-4", "test-5"]
    empty = Registry(points=())
    assert empty.newest_source_date() is None
    assert empty.categories_with_data() == set()


def test_env_var_selects_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_REGISTRY, str(FIXTURES / "small.geojson"))
    reg = load_registry()
    assert reg.files == (FIXTURES / "small.geojson",)


def test_relative_env_path_resolves_from_repo_root(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ENV_REGISTRY, "tests/fixtures/registry/small.geojson")
    assert len(load_registry()) == 8


def test_default_path_is_data_service_points(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_REGISTRY, raising=False)
    assert registry_module.registry_path() == registry_module.DEFAULT_REGISTRY_PATH
    assert registry_module.DEFAULT_REGISTRY_PATH.parts[-2:] == (
        "data",
        "service_points",
    )


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "finns inte"),
        ("empty_folder", "inga .geojson-filer"),
        ("not_json", "inte giltig JSON"),
        ("not_collection", "ingen GeoJSON FeatureCollection"),
        ("no_features", "saknar listan 'features'"),
    ],
)
def test_unusable_registry_raises_one_clear_error(
    tmp_path: Path, setup: str, message: str
) -> None:
    target = tmp_path / "register.geojson"
    if setup == "empty_folder":
        target = tmp_path / "tom"
        target.mkdir()
    elif setup == "not_json":
        target.write_text(
            '{"type": "FeatureCollection", "features": [', encoding="utf-8"
        )
    elif setup == "not_collection":
        target.write_text(json.dumps(feature()), encoding="utf-8")
    elif setup == "no_features":
        target.write_text('{"type": "FeatureCollection"}', encoding="utf-8")
    with pytest.raises(RegistryError) as exc:
        load_registry(target)
    text = str(exc.value)
    assert message in text
    assert str(target) in text  # names the path the operator must look at


def test_missing_registry_message_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match=ENV_REGISTRY):
        load_registry(tmp_path / "saknas")


# ---------------------------------------------------------------- write_registry


def _points() -> list[ServicePoint]:
    return list(load_registry(FIXTURES / "small.geojson").points)


def test_write_then_load_round_trip_sorted_and_stable(tmp_path: Path) -> None:
    points = _points()
    out = tmp_path / "ut" / "register.geojson"
    write_registry(reversed(points), out)
    first = out.read_bytes()
    write_registry(points, out)
    assert out.read_bytes() == first  # same input, same bytes: clean diffs
    reg = load_registry(out)
    assert reg.rejected == ()
    assert [p.id for p in reg.points] == sorted(p.id for p in points)
    assert set(reg.points) == set(points)
    text = first.decode("utf-8")
    assert "Jämjö" in text  # UTF-8, not \u escapes
    assert text.count("\n") == len(points) + 2  # one feature per line
    assert oct(out.stat().st_mode & 0o777) != oct(
        0o600
    )  # readable like other data files


def test_write_empty_registry(tmp_path: Path) -> None:
    out = tmp_path / "tom.geojson"
    write_registry([], out)
    assert json.loads(out.read_text()) == {"type": "FeatureCollection", "features": []}
    assert len(load_registry(out)) == 0


def test_write_refuses_duplicate_ids_and_keeps_old_file(tmp_path: Path) -> None:
    out = tmp_path / "register.geojson"
    write_registry(_points(), out)
    before = out.read_bytes()
    points = _points()
    with pytest.raises(ValueError, match="test-1"):
        write_registry([*points, copy.copy(points[0])], out)
    assert out.read_bytes() == before


def test_write_is_atomic_when_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "register.geojson"
    write_registry(_points()[:2], out)
    before = out.read_bytes()
    seen: list[str] = []

    def failing_replace(src: str, dst: str) -> None:
        seen.append(src)
        # the new content is complete in a temp file next to the target
        assert Path(src).parent == out.parent
        assert len(load_registry(Path(src)).points) == 8
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="simulated"):
        write_registry(_points(), out)
    assert seen, "write_registry must go through os.replace"
    assert out.read_bytes() == before  # old registry untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "register.geojson"
    ]  # no temp left
