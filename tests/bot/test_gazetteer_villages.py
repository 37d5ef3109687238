"""Every village: the committed gazetteer knows Blekinge's populated places.

Reads the COMMITTED data/gazetteer/places.json through `Gazetteer.load()`;
where ../shared/reference exists (development machines), it is cross-checked
against SCB's tätort points and the blekinge-orter files, so a rebuild that
loses a village or moves one fails here.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from bot.gazetteer import Gazetteer, default_gazetteer
from bot.geo import haversine_km

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = Path(
    os.environ.get("SERVICELOTSEN_REFERENCE_DIR", ROOT.parent / "shared" / "reference")
)
#: The GeoNames postal placeholder (blekinge-orter/PROVENANCE.txt).
PLACEHOLDER = (56.1833, 15.7667)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


@pytest.mark.parametrize(
    ("name", "kommun"),
    [
        ("Kristianopel", "Karlskrona"),
        ("Brömsebro", "Karlskrona"),
        ("Gammalstorp", "Sölvesborg"),
        ("Saxemara", "Ronneby"),
        ("Åryd", "Karlshamn"),
        ("Hällaryd", "Karlshamn"),
    ],
)
def test_named_villages_resolve_with_a_position(
    gaz: Gazetteer, name: str, kommun: str
) -> None:
    res = gaz.resolve(name)
    assert res.found, res
    assert res.place is not None
    assert res.place.municipality == kommun
    assert res.place.has_coordinates


def test_aryd_and_hallaryd_have_scbs_points(gaz: Gazetteer) -> None:
    # SCB's reference points (SWEREF 99 TM 500584.98,6229273.74 and
    # 496621.55,6228829.48), not a namesake's.
    aryd = gaz.resolve("Åryd").place
    hallaryd = gaz.resolve("Hällaryd").place
    assert aryd is not None and aryd.lat is not None and aryd.lon is not None
    assert (
        hallaryd is not None and hallaryd.lat is not None and hallaryd.lon is not None
    )
    assert haversine_km(aryd.lat, aryd.lon, 56.20839, 15.00943) < 0.1
    assert haversine_km(hallaryd.lat, hallaryd.lon, 56.20439, 14.94554) < 0.1
    assert not aryd.approximate and not hallaryd.approximate


@pytest.mark.parametrize("name", ["Senoren", "Tjurkö"])
def test_villages_without_a_source_position_are_known_but_not_placed(
    gaz: Gazetteer, name: str
) -> None:
    res = gaz.resolve(name)
    assert res.found and res.place is not None
    assert res.place.municipality == "Karlskrona"
    assert not res.place.has_coordinates  # never the GeoNames placeholder


def test_no_place_sits_on_the_geonames_placeholder(gaz: Gazetteer) -> None:
    for place in gaz.places:
        if place.lat is None or place.lon is None:
            continue
        assert (round(place.lat, 4), round(place.lon, 4)) != PLACEHOLDER, place.id


def test_geocoded_villages_are_marked_approximate(gaz: Gazetteer) -> None:
    kristianopel = gaz.resolve("Kristianopel").place
    assert kristianopel is not None and kristianopel.approximate
    assert "ungefärlig" in kristianopel.position_note


def _reference_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    scb = REFERENCE / "scb-tatorter-2020" / "blekinge_tatorter_2020_scb.csv"
    with scb.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append(row | {"file": scb.name})
    for file in ("blekinge_orter_open.csv", "blekinge_smaorter_wikipedia_geocoded.csv"):
        path = REFERENCE / "blekinge-orter" / file
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                rows.append(row | {"file": file})
    return rows


@pytest.mark.skipif(
    not (REFERENCE / "blekinge-orter").is_dir(),
    reason="../shared/reference finns inte här (bara på utvecklingsmaskiner)",
)
def test_every_reference_place_with_a_position_resolves_with_one(
    gaz: Gazetteer,
) -> None:
    missing: list[str] = []
    for row in _reference_rows():
        name = row["name"].strip()
        kommun = row["kommun"].strip()
        res = gaz.resolve(f"{name}, {kommun}")
        placed = bool(row["lat"].strip()) and "UNRELIABLE" not in row.get(
            "coord_note", ""
        )
        if not res.found or res.place is None:
            missing.append(f"{name} ({kommun}, {row['file']}): {res.status.value}")
        elif res.place.municipality != kommun:
            missing.append(f"{name}: kommun {res.place.municipality}, väntat {kommun}")
        elif placed and not res.place.has_coordinates:
            missing.append(f"{name} ({kommun}): saknar position")
        elif placed and res.place.lat is not None and res.place.lon is not None:
            km = haversine_km(
                res.place.lat, res.place.lon, float(row["lat"]), float(row["lon"])
            )
            # SCB's point is used where SCB gives one; otherwise the source's own.
            if km > 6.0:
                missing.append(f"{name} ({kommun}): {km:.1f} km från källans punkt")
    assert not missing, "\n".join(missing)


# -- a kommun means the whole kommun ------------------------------------------


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("Ronneby kommun", "Ronneby"),
        ("ronnebys kommun", "Ronneby"),
        ("i Karlshamns kommun", "Karlshamn"),
        ("kommunen Sölvesborg", "Sölvesborg"),
    ],
)
def test_a_kommun_name_is_the_kommun(gaz: Gazetteer, text: str, short: str) -> None:
    found = gaz.municipality(text)
    assert found is not None and found.short == short
    assert found.name.startswith(short) and found.name.endswith(" kommun")
    assert all(p.municipality == short for p in gaz.in_municipality(found))


@pytest.mark.parametrize("text", ["Ronneby", "Tingsryds kommun", "apotek", ""])
def test_a_town_or_a_neighbour_is_not_a_blekinge_kommun(
    gaz: Gazetteer, text: str
) -> None:
    assert gaz.municipality(text) is None
