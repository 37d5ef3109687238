"""Tests for bot.cli (`python -m bot ...`): every command, its JSON shape, and bad input.

Most tests run `main([...])` in-process against the test registry
tests/fixtures/e2e/registry.geojson (obviously fake points); a few run the
real `python -m bot` in a subprocess against the default data, as staff do.
Times are fixed with `--at` so opening-hours answers do not depend on today.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.answers import freshness
from bot.cli import main
from bot.geo import ROAD_DETOUR_FACTOR, haversine_km
from bot.registry import ENV_REGISTRY, ServicePoint, load_registry, write_registry

ROOT = Path(__file__).resolve().parents[2]
E2E = ROOT / "tests" / "fixtures" / "e2e" / "registry.geojson"
FOLDER_WITH_DUPLICATE = ROOT / "tests" / "fixtures" / "registry" / "folder"
EXTRA_GEOJSON = ROOT / "tests" / "fixtures" / "import" / "extra.geojson"

TVING = (56.30253, 15.47033)  # the gazetteer's Tving (SCB's point)
MONDAY_10 = "2026-01-19 10:00"
SUNDAY_12 = "2026-01-18 12:00"

NEAREST_KEYS = {
    "command", "ok", "origin", "categories", "k", "radius_km", "open_now", "at",
    "no_data", "results", "related", "road_estimate_factor", "freshness",
}  # fmt: skip
HIT_KEYS = {
    "point", "distance_km", "distance_text", "road_estimate_km",
    "road_estimate_text", "today",
}  # fmt: skip
POINT_KEYS = {
    "id", "name", "categories", "lat", "lon", "address", "postcode", "locality",
    "municipality", "opening_hours", "phone", "website", "brand", "operator",
    "source", "source_date",
}  # fmt: skip
PLACE_KEYS = {
    "id", "name", "kind", "municipality", "municipality_name",
    "municipality_code", "county", "lat", "lon", "postcodes", "aliases", "notes",
    "approximate", "position_note",
}  # fmt: skip


@pytest.fixture(autouse=True)
def e2e_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_REGISTRY, str(E2E))


@pytest.fixture(scope="module")
def e2e_points() -> dict[str, ServicePoint]:
    return {p.id: p for p in load_registry(E2E).points}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code, out, _err = run(capsys, *args, "--json")
    return code, json.loads(out)


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


def nearest_by_hand(
    points: dict[str, ServicePoint], category: str, lat: float, lon: float
) -> list[str]:
    """Ids of a category's points by distance, computed without the index."""
    members = [p for p in points.values() if category in p.categories]
    members.sort(key=lambda p: haversine_km(lat, lon, p.lat, p.lon))
    return [p.id for p in members]


def write_geojson(path: Path, features: list[dict[str, Any]]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}),
        encoding="utf-8",
    )
    return path


def feature(
    props: dict[str, Any], coordinates: list[float] | None = None
) -> dict[str, Any]:
    base = {
        "id": "ok-1",
        "name": "Testbutik Giltig",
        "categories": ["dagligvaror"],
        "locality": "Jämjö",
        "municipality": "Karlskrona",
        "source": "testdata",
        "source_date": "2026-01-15",
    }
    base.update(props)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": coordinates or [15.84, 56.19]},
        "properties": {k: v for k, v in base.items() if v is not None},
    }


# ---------------------------------------------------------------- validate


def test_validate_counts_per_category_and_kommun(
    capsys: pytest.CaptureFixture[str], e2e_points: dict[str, ServicePoint]
) -> None:
    code, data = run_json(capsys, "validate")
    assert code == 0
    assert data["ok"] is True
    assert data["points"] == len(e2e_points) == 14
    expected = {
        c: sum(c in p.categories for p in e2e_points.values())
        for c in data["by_category"]
    }
    assert data["by_category"] == expected
    assert data["by_category"]["dagligvaror"] == 9
    assert data["by_category"]["apoteksombud"] == 0  # listed even without data
    assert sum(data["by_municipality"].values()) == 14
    assert data["by_municipality"]["Ronneby"] == 4
    assert data["rejected"] == []
    assert data["files"] == ["tests/fixtures/e2e/registry.geojson"] or data[
        "files"
    ] == [str(E2E)]

    code, out, _ = run(capsys, "validate")
    assert code == 0
    assert "Giltiga servicepunkter: 14. Utelämnade poster: 0." in out
    assert "apoteksombud" in out and "(inga uppgifter)" in out
    assert "Karlskrona" in out
    assert last_line(out) == "Resultat: registret är i ordning."


def test_validate_path_argument_wins_over_env_and_reports_rejected(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "validate", str(FOLDER_WITH_DUPLICATE))
    assert code == 1
    assert "id test-1 i " in out and "b.geojson: dubblett" in out
    assert last_line(out) == "Resultat: registret behöver rättas."


@pytest.mark.parametrize(
    ("props", "coordinates", "reason"),
    [
        ({"id": "bad-date", "source_date": None}, None, "saknar källdatum"),
        ({"id": "bad-cat", "categories": ["flygplats"]}, None, "okänd kategori"),
        ({"id": "bad-swap"}, [56.19, 15.84], "omkastade"),
        ({"id": "bad-hours", "opening_hours": "mån-fre 8-17"}, None, "öppettider"),
        ({"id": None}, None, "saknar id"),
    ],
)
def test_validate_lists_each_rejected_record_with_id_file_and_reason(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    props: dict[str, Any],
    coordinates: list[float] | None,
    reason: str,
) -> None:
    file = write_geojson(
        tmp_path / "reg.geojson", [feature({}), feature(props, coordinates)]
    )
    code, data = run_json(capsys, "validate", str(file))
    assert code == 1
    assert data["ok"] is False
    assert data["points"] == 1
    [rejected] = data["rejected"]
    assert rejected["id"] == props["id"]
    assert rejected["file"].endswith("reg.geojson")
    assert reason in rejected["reason"]

    code, out, _ = run(capsys, "validate", str(file))
    assert code == 1
    who = f"id {props['id']}" if props["id"] else "(utan id)"
    line = next(ln for ln in out.splitlines() if ln.strip().startswith(who))
    assert "reg.geojson" in line and reason in line


def test_validate_uses_env_and_registry_option(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_REGISTRY, str(FOLDER_WITH_DUPLICATE))
    assert run(capsys, "validate")[0] == 1
    assert run(capsys, "validate", "--registry", str(E2E))[0] == 0
    assert run(capsys, "--registry", str(E2E), "validate")[0] == 0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "saknas.geojson", "finns inte"),
        (lambda d: d, "innehåller inga .geojson-filer"),
        (lambda d: _write(d / "trasig.geojson", "{inte json"), "inte giltig JSON"),
        (
            lambda d: _write(d / "lista.geojson", "[]"),
            "ingen GeoJSON FeatureCollection",
        ),
    ],
)
def test_validate_unusable_registry_is_a_clear_swedish_error(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    make: Any,
    message: str,
) -> None:
    path = make(tmp_path)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1
    assert out == ""
    assert err.startswith("Fel: ") and message in err
    code, data = run_json(capsys, "validate", str(path))
    assert code == 1
    assert data["ok"] is False
    assert data["error"]["code"] == "RegistryError"
    assert message in data["error"]["message"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_empty_registry_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = write_geojson(tmp_path / "tom.geojson", [])
    code, out, _ = run(capsys, "validate", str(file))
    assert code == 1
    assert "inga giltiga servicepunkter" in out


# ---------------------------------------------------------------- import


def test_import_delegates_to_the_importers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "importerad.geojson"
    code, out, _ = run(
        capsys,
        "import",
        "geojson",
        str(EXTRA_GEOJSON),
        "--out",
        str(out_file),
        "--no-gazetteer",
        "--source",
        "Testregionen",
        "--source-date",
        "2026-01-01",
    )
    assert code == 3  # written, but the fixture's bad records were skipped
    assert "Import (geojson)" in out and f"skrev {out_file}" in out
    assert "av 8 poster importerades" in out.splitlines()[-1]
    ids = {p.id for p in load_registry(out_file).points}
    assert "test-extra-1" in ids
    # the file the CLI wrote passes its own validation
    assert run(capsys, "validate", str(out_file))[0] == 0


def test_import_failure_and_usage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _out, err = run(
        capsys, "import", "geojson", str(tmp_path / "nej.geojson"), "--out",
        str(tmp_path / "ut.geojson"),
    )  # fmt: skip
    assert code == 1
    assert err.startswith("Fel: importen misslyckades")
    assert not (tmp_path / "ut.geojson").exists()
    assert run(capsys, "import")[0] == 2
    code, out, _ = run(capsys, "import", "--help")
    assert code == 0 and "osm" in out and "csv" in out
    # Swedish help for every importer editors use
    for kind in ("osm", "geojson", "csv", "pipos", "carriers"):
        code, out, _ = run(capsys, "import", kind, "--help")
        assert code == 0, kind
        assert out.startswith("användning: .venv-actions/bin/python -m bot import")
        assert "flaggor" in out and "visa den här hjälpen" in out
        assert "usage:" not in out and "show this help" not in out


# ---------------------------------------------------------------- resolve


@pytest.mark.parametrize(
    ("text", "name", "kommun", "method"),
    [
        ("jamjo", "Jämjö", "Karlskrona", "exact"),
        ("Jämjö", "Jämjö", "Karlskrona", "exact"),
        ("kalinge", "Kallinge", "Ronneby", "fuzzy"),
        ("Karlshamns", "Karlshamn", "Karlshamn", "inflection"),
        ("372 30", "Ronneby", "Ronneby", "postcode"),
    ],
)
def test_resolve_found(
    capsys: pytest.CaptureFixture[str],
    text: str,
    name: str,
    kommun: str,
    method: str,
) -> None:
    code, data = run_json(capsys, "resolve", text)
    assert code == 0
    assert data["status"] == "found"
    assert data["method"] == method
    place = data["place"]
    assert set(place) == PLACE_KEYS
    assert place["name"] == name
    assert place["municipality"] == kommun
    assert place["county"] == "Blekinge"
    assert place["postcodes"]
    assert 55.9 < place["lat"] < 56.5 and 14.3 < place["lon"] < 16.0
    assert [c["id"] for c in data["candidates"]] == [place["id"]]


def test_resolve_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "resolve", "jamjo")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Jämjö: tätort i Karlskrona kommun, Blekinge län"
    assert 'Tolkning: "jamjo" -> Jämjö' in out
    assert "Position: 56.19374,15.83653 (lat,lon)" in lines
    assert any(ln.startswith("Postnummer: 373 00, ") for ln in lines)
    # words without quotes join into one text
    assert run(capsys, "resolve", "Ryd,", "Tingsryd")[0] == 0


def test_resolve_ambiguous_lists_candidates(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "resolve", "Jämjö eller Lyckeby")
    assert code == 0
    assert data["status"] == "ambiguous"
    assert data["place"] is None
    assert {c["name"] for c in data["candidates"]} == {"Jämjö", "Lyckeby"}
    code, out, _ = run(capsys, "resolve", "Jämjö eller Lyckeby")
    assert "kan betyda flera orter" in out
    assert (
        "- Jämjö (Karlskrona kommun)" in out and "- Lyckeby (Karlskrona kommun)" in out
    )


@pytest.mark.parametrize(
    ("text", "reason", "words"),
    [
        ("xyzzy", "no_match", "inget ortnamn"),
        ("Malmö", "outside_area", "utanför Blekinge"),
        ("999 99", "postcode_unknown", "postnumret finns inte"),
    ],
)
def test_resolve_unknown(
    capsys: pytest.CaptureFixture[str], text: str, reason: str, words: str
) -> None:
    code, out, _ = run(capsys, "resolve", text)
    assert code == 1
    assert out.lower().startswith("okänd ort")
    assert words in out
    code, data = run_json(capsys, "resolve", text)
    assert code == 1
    assert data["ok"] is False
    assert (data["status"], data["reason"]) == ("unknown", reason)
    assert data["place"] is None and data["candidates"] == []


def test_resolve_needs_no_registry(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENV_REGISTRY, str(tmp_path / "saknas"))
    assert run(capsys, "resolve", "Tving")[0] == 0


# ---------------------------------------------------------------- nearest


def test_nearest_text(
    capsys: pytest.CaptureFixture[str], e2e_points: dict[str, ServicePoint]
) -> None:
    code, out, err = run(
        capsys, "nearest", "--near", "Tving", "--category", "affär", "--at", MONDAY_10
    )
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Närmaste matbutiker från Tving (Karlskrona kommun):"
    assert lines[1] == "1. Testbutik Tving [e2e-11]"
    assert lines[2] == "   Adress: Tving"
    assert lines[3].startswith("   Avstånd: ") and "fågelvägen, cirka " in lines[3]
    assert lines[3].endswith("på väg (uppskattning)")
    assert lines[4] == "   I dag: 9–18, öppet nu, stänger kl. 18"
    assert sum(ln[:1].isdigit() for ln in lines) == 3  # k = 3 by default
    assert any("uppskattning (fågelvägen × 1,3)" in ln for ln in lines)
    expected = nearest_by_hand(e2e_points, "dagligvaror", *TVING)[:3]
    assert last_line(out) == freshness([e2e_points[i] for i in expected])


def test_nearest_json_shape_and_order(
    capsys: pytest.CaptureFixture[str], e2e_points: dict[str, ServicePoint]
) -> None:
    code, data = run_json(
        capsys, "nearest", "--near", "Tving", "--category", "dagligvaror",
        "-k", "9", "--at", MONDAY_10,
    )  # fmt: skip
    assert code == 0
    assert set(data) == NEAREST_KEYS
    assert data["ok"] is True
    assert data["categories"] == ["dagligvaror"]
    assert data["origin"]["label"] == "Tving (Karlskrona kommun)"
    assert data["origin"]["place"]["id"] == "1080-tving"
    assert data["at"] == "2026-01-19T10:00+01:00"
    assert data["no_data"] == [] and data["related"] == []
    hits = data["results"]
    assert [h["point"]["id"] for h in hits] == nearest_by_hand(
        e2e_points, "dagligvaror", *TVING
    )  # all nine, the one without hours included
    for hit in hits:
        assert set(hit) == HIT_KEYS
        assert set(hit["point"]) == POINT_KEYS
        p = e2e_points[hit["point"]["id"]]
        km = haversine_km(*TVING, p.lat, p.lon)
        assert hit["distance_km"] == pytest.approx(km, abs=1e-3)
        assert hit["road_estimate_km"] == pytest.approx(
            km * ROAD_DETOUR_FACTOR, abs=1e-3
        )
        assert hit["distance_text"].endswith((" km", " m"))
        assert "." not in hit["distance_text"]  # "1,2 km", never "1.2 km"
    distances = [h["distance_km"] for h in hits]
    assert distances == sorted(distances)
    tving = hits[0]
    assert tving["today"] == {
        "date": "2026-01-19",
        "hours": "9–18",
        "status": "öppet nu, stänger kl. 18",
        "open": True,
    }
    no_hours = next(h for h in hits if h["point"]["opening_hours"] is None)
    assert no_hours["today"]["hours"] is None and no_hours["today"]["open"] is None
    assert data["freshness"] == freshness([e2e_points[h["point"]["id"]] for h in hits])


def test_nearest_without_data_shows_related(
    capsys: pytest.CaptureFixture[str], e2e_points: dict[str, ServicePoint]
) -> None:
    apotek = nearest_by_hand(e2e_points, "apotek", *TVING)
    code, data = run_json(
        capsys, "nearest", "--near", "Tving", "--category", "apoteksombud"
    )
    assert code == 0
    assert data["no_data"] == ["apoteksombud"]
    assert data["results"] == []
    [related] = data["related"]
    assert related["category"] == "apotek"
    assert [h["point"]["id"] for h in related["results"]] == apotek[:3]

    code, out, _ = run(
        capsys, "nearest", "--near", "Tving", "--category", "apoteksombud"
    )
    assert code == 0
    assert "Registret har inga uppgifter om apoteksombud" in out
    assert "Närmaste apotek i stället:" in out
    assert f"1. {e2e_points[apotek[0]].name} [{apotek[0]}]" in out
    assert last_line(out) == freshness([e2e_points[i] for i in apotek[:3]])


def test_nearest_several_categories(
    capsys: pytest.CaptureFixture[str], e2e_points: dict[str, ServicePoint]
) -> None:
    code, data = run_json(
        capsys, "nearest", "--near", "Tving", "--category", "apoteksombud",
        "--category", "apotek", "--category", "medicin", "-k", "2",
    )  # fmt: skip
    assert code == 0
    assert data["categories"] == ["apoteksombud", "apotek"]  # synonym deduplicated
    assert data["no_data"] == ["apoteksombud"]
    assert data["related"] == []
    assert [h["point"]["id"] for h in data["results"]] == nearest_by_hand(
        e2e_points, "apotek", *TVING
    )[:2]


def test_nearest_radius(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(
        capsys, "nearest", "--near", "Karlskrona", "--category", "dagligvaror",
        "-k", "10", "--radius", "5",
    )  # fmt: skip
    assert code == 0
    assert data["radius_km"] == 5
    assert data["results"] and all(h["distance_km"] <= 5 for h in data["results"])
    assert len(data["results"]) < 9  # the far ones are left out

    code, out, _ = run(
        capsys, "nearest", "--near", "Tving", "--category", "apotek", "--radius", "1,5"
    )
    assert code == 1
    assert "Bara ställen inom 1,5 km fågelvägen." in out
    assert "Hittar inga apotek med de här villkoren." in out
    # the related fallback ignores the radius, and says so
    code, out, _ = run(
        capsys,
        "nearest",
        "--near",
        "Tving",
        "--category",
        "apoteksombud",
        "--radius",
        "1",
    )
    assert code == 0
    assert "Närmaste apotek i stället (utan avståndsgräns):" in out


def test_nearest_open_now(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("nearest", "--near", "Jämjö", "--category", "dagligvaror", "-k", "3")
    code, data = run_json(capsys, *args, "--open-now", "--at", SUNDAY_12)
    assert code == 0
    ids = [h["point"]["id"] for h in data["results"]]
    assert "e2e-2" not in ids  # Testbutik Jämjö: Su off
    assert all(h["today"]["open"] is True for h in data["results"])
    code, data = run_json(capsys, *args, "--open-now", "--at", MONDAY_10)
    assert data["results"][0]["point"]["id"] == "e2e-2"
    code, out, _ = run(capsys, *args, "--open-now", "--at", SUNDAY_12)
    assert "med öppet söndag 18/1 kl. 12.00" in out
    assert "Testbutik Jämjö" not in out


@pytest.mark.parametrize("position", ["56.19,15.84", "56.19, 15.84", "56,19 15,84"])
def test_nearest_from_position(
    capsys: pytest.CaptureFixture[str], position: str
) -> None:
    code, data = run_json(
        capsys, "nearest", "--position", position, "--category", "paket", "-k", "1"
    )
    assert code == 0
    assert data["origin"]["place"] is None
    assert data["origin"]["lat"] == 56.19 and data["origin"]["lon"] == 15.84
    assert data["origin"]["label"].startswith("position 56.19000,15.84000")
    assert data["categories"] == ["paketombud"]
    assert data["results"][0]["point"]["id"] == "e2e-2"


@pytest.mark.parametrize(
    ("position", "code_word", "words"),
    [
        ("abc", "invalid_position", "Ogiltig position"),
        ("56.2", "invalid_position", "Ogiltig position"),
        ("56.2,15.8,3", "invalid_position", "Ogiltig position"),
        ("95,15", "invalid_position", "latitud ska vara -90..90"),
        ("nan,15", "invalid_position", "latitud ska vara"),
        ("55.60,13.00", "position_outside_area", "utanför området"),
        ("15.84,56.19", "position_outside_area", "verkar omkastade"),
    ],
)
def test_nearest_bad_position(
    capsys: pytest.CaptureFixture[str], position: str, code_word: str, words: str
) -> None:
    code, out, err = run(
        capsys, "nearest", "--position", position, "--category", "apotek"
    )
    assert code == 1
    assert out == ""
    assert err.startswith("Fel: ") and words in err
    code, data = run_json(
        capsys, "nearest", "--position", position, "--category", "apotek"
    )
    assert code == 1 and data["ok"] is False
    assert data["error"]["code"] == code_word


@pytest.mark.parametrize(
    ("near", "code_word", "words"),
    [
        ("xyzzy", "unknown_place", 'Okänd ort: "xyzzy"'),
        ("Malmö", "unknown_place", "utanför Blekinge"),
        ("Jämjö eller Lyckeby", "ambiguous_place", "kan betyda flera orter"),
        ("Tjurkö", "place_without_position", "men inte exakt var"),
        ("373 63", "place_without_position", "Dela din position"),
    ],
)
def test_nearest_place_problems(
    capsys: pytest.CaptureFixture[str], near: str, code_word: str, words: str
) -> None:
    code, _out, err = run(capsys, "nearest", "--near", near, "--category", "apotek")
    assert code == 1
    assert words in err
    code, data = run_json(capsys, "nearest", "--near", near, "--category", "apotek")
    assert code == 1
    assert data["error"]["code"] == code_word
    assert data["resolution"]["query"] == near
    if code_word == "ambiguous_place":
        assert len(data["resolution"]["candidates"]) == 2


def test_nearest_unknown_category(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "nearest", "--near", "Tving", "--category", "flygplats"
    )
    assert code == 1 and out == ""
    assert 'Okänd kategori "flygplats"' in err
    assert "apoteksombud" in err  # the known ones are listed
    code, data = run_json(
        capsys, "nearest", "--near", "Tving", "--category", "flygplats"
    )
    assert data["error"]["code"] == "unknown_category"
    assert "dagligvaror" in data["known"]


@pytest.mark.parametrize("word", ["macka", "bensin", "tanka"])
def test_nearest_synonyms(capsys: pytest.CaptureFixture[str], word: str) -> None:
    code, data = run_json(capsys, "nearest", "--near", "Tving", "--category", word)
    assert code == 0
    assert data["categories"] == ["drivmedel"]
    assert data["results"][0]["point"]["id"] == "e2e-10"


def test_nearest_missing_registry(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENV_REGISTRY, str(tmp_path / "finns-inte.geojson"))
    code, out, err = run(capsys, "nearest", "--near", "Tving", "--category", "apotek")
    assert code == 1 and out == ""
    assert err.startswith("Fel: Registret ") and "finns inte" in err


def test_rejected_records_are_mentioned_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_REGISTRY, str(FOLDER_WITH_DUPLICATE))
    code, out, err = run(capsys, "places", "Testby", "--json")
    assert "1 poster i registret är ogiltiga" in err
    assert code == 1  # Testby is no place in the gazetteer
    assert json.loads(out)["error"]["code"] == "unknown_place"


# ---------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "de här argumenten saknas"),
        (["flyg"], "ogiltigt val: 'flyg'"),
        (["nearest", "--near", "Tving"], "de här argumenten saknas: --category"),
        (
            ["nearest", "--category", "apotek"],
            "ett av argumenten --near --position krävs",
        ),
        (
            [
                "nearest",
                "--near",
                "Tving",
                "--position",
                "56,15",
                "--category",
                "apotek",
            ],
            "får inte användas tillsammans med --near",
        ),
        (["nearest", "--near", "Tving", "--category", "apotek", "-k", "0"], "minst 1"),
        (
            ["nearest", "--near", "Tving", "--category", "apotek", "-k", "tre"],
            "inget heltal",
        ),
        (
            ["nearest", "--near", "Tving", "--category", "apotek", "--radius", "-2"],
            "större än 0",
        ),
        (
            ["nearest", "--near", "Tving", "--category", "apotek", "--at", "i morgon"],
            "ingen tid",
        ),
        (["resolve"], "de här argumenten saknas"),
        (["resolve", "jamjo", "--bogus"], "okända argument: --bogus"),
        (["info"], "de här argumenten saknas"),
    ],
)
def test_usage_errors_exit_2_in_swedish(
    capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert "användning: .venv-actions/bin/python -m bot" in err
    # one stream, one prefix: every error line on stderr starts "Fel: "
    assert "\nFel: " in err and words in err
    assert "--help`" in err  # a command that works


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("användning: .venv-actions/bin/python -m bot")
    for command in ("validate", "import", "resolve", "nearest", "info", "places"):
        assert command in out
    code, out, _ = run(capsys, "nearest", "--help")
    assert code == 0 and "--open-now" in out and "gemensamma flaggor" in out


# ---------------------------------------------------------------- info


def test_info_one_point_with_all_fields(
    capsys: pytest.CaptureFixture[str], e2e_points: dict[str, ServicePoint]
) -> None:
    p = e2e_points["e2e-7"]
    code, out, _ = run(capsys, "info", "Coop Mjällby", "--at", "2026-01-05 10:00")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Testbutik Coop Mjällby [e2e-7]"
    for expected in (
        "Kategorier: matbutik (dagligvaror)",
        f"Adress: {p.address}",
        "Postnummer: saknas",
        "Ort: Mjällby",
        "Kommun: Sölvesborg",
        f"Position: {p.lat:.5f},{p.lon:.5f} (lat,lon)",
        "Telefon: saknas",
        f"Öppettider (OSM-format): {p.opening_hours}",
        "måndag 5/1 kl. 10.00: öppet nu, stänger kl. 20",
        "  tisdag 6/1 (Trettondedag jul): 8–20",
        "  lördag 10/1: 9–17",
        "  söndag 11/1: 11–16",
        "Källa: testdata (påhittad, för tester), 2026-01-15",
    ):
        assert expected in lines, expected
    assert last_line(out) == freshness([p])


def test_info_json(
    capsys: pytest.CaptureFixture[str], e2e_points: dict[str, ServicePoint]
) -> None:
    code, data = run_json(capsys, "info", "e2e-2", "--at", SUNDAY_12)
    assert code == 0
    assert data["status"] == "found"
    assert set(data["point"]) == POINT_KEYS
    assert data["point"]["id"] == "e2e-2"
    assert data["point"]["categories"] == ["dagligvaror", "paketombud"]
    assert data["status_now"] == "stängt nu, öppnar i morgon kl. 8"
    assert [d["weekday"] for d in data["week"]][:2] == ["söndag", "måndag"]
    assert [d["hours"] for d in data["week"]][:2] == ["stängt", "8–21"]
    assert len(data["week"]) == 7
    assert data["freshness"] == freshness([e2e_points["e2e-2"]])


def test_info_point_without_hours(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "info", "Testbutik Kyrkhult")
    assert code == 0
    assert data["point"]["id"] == "e2e-9"
    assert data["week"] == [] and data["status_now"] is None
    code, out, _ = run(capsys, "info", "Testbutik Kyrkhult")
    assert "Öppettider (OSM-format): saknas" in out
    assert "sju dagar" not in out


def test_info_several_candidates(
    capsys: pytest.CaptureFixture[str], e2e_points: dict[str, ServicePoint]
) -> None:
    code, data = run_json(capsys, "info", "Testapotek")
    assert code == 0
    assert data["status"] == "ambiguous" and data["point"] is None
    ids = {c["id"] for c in data["candidates"]}
    assert ids == {"e2e-3", "e2e-4", "e2e-5"}
    code, out, _ = run(capsys, "info", "Testapotek")
    assert "Flera ställen passar" in out
    assert "- Testapotek Kallinge [e2e-4], Kallinge (apotek)" in out
    assert last_line(out) == freshness([e2e_points[i] for i in sorted(ids)])


def test_info_category_filter(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "info", "Kyrkhult", "--category", "bankomat")
    assert code == 0
    assert data["point"]["id"] == "e2e-8"


def test_info_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "info", "Finnsinte Alls")
    assert code == 1 and out == ""
    assert 'Hittar inget ställe som heter "Finnsinte Alls"' in err
    code, data = run_json(capsys, "info", "Finnsinte Alls")
    assert data["error"]["code"] == "point_not_found"


# ---------------------------------------------------------------- places


def test_places(
    capsys: pytest.CaptureFixture[str], e2e_points: dict[str, ServicePoint]
) -> None:
    code, out, _ = run(capsys, "places", "Kyrkhult", "--at", MONDAY_10)
    assert code == 0
    assert out.splitlines()[:5] == [
        "Servicepunkter i Kyrkhult (Olofströms kommun): 2",
        "Matbutiker:",
        "  - Testbutik Kyrkhult [e2e-9], Kyrkhult. I dag: öppettider saknas i registret",
        "Uttagsautomater:",
        "  - Testautomat Kyrkhult [e2e-8], Kyrkhult. I dag: öppet dygnet runt",
    ]
    assert last_line(out) == freshness([e2e_points["e2e-8"], e2e_points["e2e-9"]])

    code, data = run_json(capsys, "places", "kyrkhult")
    assert code == 0
    assert data["place"]["name"] == "Kyrkhult"
    assert data["by_category"] == {"dagligvaror": ["e2e-9"], "uttagsautomat": ["e2e-8"]}
    assert {e["point"]["id"] for e in data["points"]} == {"e2e-8", "e2e-9"}
    assert all(set(e["point"]) == POINT_KEYS for e in data["points"])


def test_places_several_categories_and_typo(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "places", "Jamjo")
    assert code == 0
    assert data["by_category"] == {"dagligvaror": ["e2e-2"], "paketombud": ["e2e-2"]}
    code, out, _ = run(capsys, "places", "Mjälby")
    assert code == 0
    assert (
        "Servicepunkter i Mjällby (Sölvesborgs kommun) (tolkat som Mjällby): 1" in out
    )


@pytest.mark.parametrize(
    ("place", "words"),
    [
        ("Hallabro", "Registret har inga servicepunkter i Hallabro"),
        ("xyzzy", "Okänd ort"),
        ("Jämjö eller Lyckeby", "kan betyda flera orter"),
    ],
)
def test_places_nothing(
    capsys: pytest.CaptureFixture[str], place: str, words: str
) -> None:
    code, out, err = run(capsys, "places", place)
    assert code == 1
    assert words in out + err


# ---------------------------------------------------------------- real runs


def _python_m_bot(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ...` from the repository root with the default data."""
    env = {k: v for k, v in os.environ.items() if k != ENV_REGISTRY}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_subprocess_resolve_jamjo() -> None:
    done = _python_m_bot("resolve", "jamjo")
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.splitlines()[0] == "Jämjö: tätort i Karlskrona kommun, Blekinge län"
    )
    assert "Postnummer: 373 00" in done.stdout
    assert done.stderr == ""


def test_subprocess_nearest_apoteksombud_in_the_default_data() -> None:
    """Pipos 2025 lists apoteksombud; the nearest to Tving comes first."""
    done = _python_m_bot(
        "nearest", "--near", "Tving", "--category", "apoteksombud", "--json"
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["no_data"] == []
    default = load_registry(ROOT / "data" / "service_points")
    ombud = sorted(
        (p for p in default.points if "apoteksombud" in p.categories),
        key=lambda p: haversine_km(*TVING, p.lat, p.lon),
    )
    hits = data["results"]
    assert hits and hits[0]["point"]["id"] == ombud[0].id


def test_subprocess_nearest_without_data_names_the_nearest_apotek(
    tmp_path: Path,
) -> None:
    """A registry without apoteksombud: no data, and the nearest apotek instead."""
    default = load_registry(ROOT / "data" / "service_points")
    kept = [p for p in default.points if "apoteksombud" not in p.categories]
    registry = tmp_path / "utan-ombud.geojson"
    write_registry(kept, registry)
    done = _python_m_bot(
        "nearest", "--near", "Tving", "--category", "apoteksombud", "--json",
        "--registry", str(registry),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    assert data["no_data"] == ["apoteksombud"]
    assert data["results"] == []
    [related] = data["related"]
    assert related["category"] == "apotek"
    apotek = sorted(
        (p for p in kept if "apotek" in p.categories),
        key=lambda p: haversine_km(*TVING, p.lat, p.lon),
    )
    hits = related["results"]
    assert [h["point"]["id"] for h in hits] == [p.id for p in apotek[: len(hits)]]
    assert len(hits) == 3
    assert all("apotek" in h["point"]["categories"] for h in hits)
    assert math.isclose(
        hits[0]["distance_km"], haversine_km(*TVING, apotek[0].lat, apotek[0].lon),
        abs_tol=1e-3,
    )  # fmt: skip
    assert data["freshness"].startswith("Uppgifterna är från ")


def test_subprocess_bad_input_has_no_traceback(tmp_path: Path) -> None:
    done = _python_m_bot("validate", str(tmp_path / "saknas"))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("Fel: Registret ") and "Traceback" not in done.stderr
    done = _python_m_bot("nearest", "--near", "Tving")
    assert done.returncode == 2
    assert "de här argumenten saknas: --category" in done.stderr


# -- every village, a kommun, no dead end (issue 17) ----------------------------


def test_places_in_a_whole_kommun(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "places", "Ronneby kommun")
    assert code == 0
    assert data["municipality"]["name"] == "Ronneby kommun"
    municipalities = {entry["point"]["municipality"] for entry in data["points"]}
    assert municipalities == {"Ronneby"}
    code, out, _ = run(capsys, "places", "Ronneby kommun")
    assert out.startswith(
        f"Servicepunkter i hela Ronneby kommun: {len(data['points'])}"
    )


def test_nearest_from_a_whole_kommun_lists_the_kommun(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, data = run_json(
        capsys, "nearest", "--near", "Karlskrona kommun", "--category", "dagligvaror"
    )
    assert code in (0, 1)
    assert data["municipality"]["short"] == "Karlskrona"
    assert all(r["point"]["municipality"] == "Karlskrona" for r in data["results"])


@pytest.mark.parametrize(
    "name", ["Kristianopel", "Brömsebro", "Gammalstorp", "Saxemara", "Åryd", "Hällaryd"]
)
def test_resolve_knows_the_villages(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, data = run_json(capsys, "resolve", name)
    assert code == 0 and data["status"] == "found"
    assert data["place"]["lat"] is not None and data["place"]["lon"] is not None


def test_resolve_place_without_position_moves_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "resolve", "Senoren")
    assert code == 0
    assert "Position: saknas i ortregistret" in out
    assert "Dela din position" in out
    assert "Anmärkning" not in out  # the build's remarks stay out of answers
