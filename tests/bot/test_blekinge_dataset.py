"""Tests for the default Blekinge dataset and the script that builds it.

The dataset is what residents act on, so these check the promises of the
data policy on the committed file itself: every record has a source and a
date, nothing is invented (no opening hours, no apoteksombud or paketombud),
known source errors are repaired or left out, duplicates are merged.
"""

from __future__ import annotations

import datetime
import importlib
import itertools
import re
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from bot.geo import haversine_km
from bot.registry import Registry, load_registry, write_registry
from scripts import reference_data

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "data" / "service_points" / "blekinge.geojson"
MUNICIPALITIES = {"Karlskrona", "Ronneby", "Karlshamn", "Olofström", "Sölvesborg"}
SOURCES = {"kedjans butikssök (insamlat 2023)", "OpenStreetMap (ODbL)"}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(DATASET)


@pytest.fixture(scope="module")
def build_dataset() -> ModuleType:
    return importlib.import_module("scripts.build_dataset")


def by_name(registry: Registry, name: str) -> list[str]:
    return [p.locality for p in registry.points if p.name == name]


def test_dataset_loads_without_rejections(registry: Registry) -> None:
    assert registry.rejected == ()
    assert len(registry) > 100


@pytest.mark.parametrize(
    "category", ["dagligvaror", "apotek", "uttagsautomat", "drivmedel", "vårdcentral"]
)
def test_categories_with_sources_have_records(
    registry: Registry, category: str
) -> None:
    assert registry.in_category(category)


@pytest.mark.parametrize("category", ["apoteksombud", "paketombud", "bibliotek"])
def test_categories_without_an_open_source_stay_empty(
    registry: Registry, category: str
) -> None:
    assert registry.in_category(category) == ()


def test_every_record_names_a_known_source_and_a_plausible_date(
    registry: Registry,
) -> None:
    for p in registry.points:
        assert p.source in SOURCES, p.id
        assert datetime.date(2020, 1, 1) <= p.source_date <= datetime.date(2025, 12, 31)
        if p.source == "OpenStreetMap (ODbL)":
            assert p.id.startswith("osm-node-")
            assert p.source_date == datetime.date(2020, 9, 4)
        else:
            assert p.id.startswith("sepoi-")


def test_nothing_is_invented(registry: Registry) -> None:
    for p in registry.points:
        assert p.opening_hours is None, p.id  # no source states opening hours
        assert p.phone is None and p.website is None, p.id


def test_ids_are_stable_slugs(registry: Registry) -> None:
    for p in registry.points:
        assert re.fullmatch(r"(sepoi|osm-node)-[a-z0-9-]+", p.id), p.id


def test_municipalities_are_blekinges(registry: Registry) -> None:
    assert {p.municipality for p in registry.points} == MUNICIPALITIES


def test_no_mojibake_left(registry: Registry) -> None:
    for p in registry.points:
        for text in (p.name, p.locality, p.address or "", p.brand or ""):
            assert not re.search(r"[ÃãÂ�?]", text), (p.id, text)


@pytest.mark.parametrize(
    ("name", "locality"),
    [
        ("Coop Nättraby", "Nättraby"),  # "Nã?Ttraby" in the source
        ("ICA Nära Torhallen", "Torhamn"),  # ICA gives only the kommun
        ("ICA Nära Träffpunkten", "Backaryd"),
        ("ICA Nära Träffen, Jämshög", "Jämshög"),
        ("ICA Kvantum Karlshamn", "Karlshamn"),  # the town's own outskirts
        ("St1 Bräkne Hoby", "Bräkne-Hoby"),  # "Bräkne-hoby" spelled as the gazetteer
        ("Kungsmarkens vårdcentral", "Karlskrona"),
    ],
)
def test_localities(registry: Registry, name: str, locality: str) -> None:
    assert by_name(registry, name) == [locality]


@pytest.mark.parametrize(
    "pattern",
    [
        r"Direkten|Tobak|Nöje",
        r"Pressbyrån",
        r"^OKQ8 Tvätt",
        r"Truck Diesel",
        r"Välkommen in",
    ],
)
def test_left_out_records_are_absent(registry: Registry, pattern: str) -> None:
    assert not [p.name for p in registry.points if re.search(pattern, p.name)]


def test_duplicates_are_merged(registry: Registry) -> None:
    names = Counter(p.name for p in registry.points)
    assert names["Bankomat Wachtmeister galleria"] == 1  # listed three times
    assert names["Shell Listerby"] == 1
    for a, b in itertools.combinations(registry.points, 2):
        if a.categories != b.categories:
            continue
        metres = 1000 * haversine_km(a.lat, a.lon, b.lat, b.lon)
        if a.brand and a.brand == b.brand:
            assert metres > 100, (a.id, b.id)
        assert metres > 5, (a.id, b.id)  # nothing listed twice on one spot


def test_osm_pharmacy_kept_only_where_the_chain_confirms_it(registry: Registry) -> None:
    osm_pharmacies = [
        p
        for p in registry.in_category("apotek")
        if p.source.startswith("OpenStreetMap")
    ]
    assert [(p.name, p.locality) for p in osm_pharmacies] == [
        ("Kronans Apotek", "Kallinge")
    ]


@pytest.mark.parametrize(
    ("text", "known", "expected"),
    [
        ("Nã?Ttraby", {"Nättraby"}, "Nättraby"),
        ("NÃ¤ttraby", set(), "Nättraby"),  # both bytes kept: decodable
        ("Rã?Deby", {"Rödeby"}, "Rödeby"),
        ("Sã?Lvesborg", {"Nättraby"}, None),  # no known name fits: not guessed
        ("Jämjö", set(), "Jämjö"),
    ],
)
def test_repair_mojibake(
    build_dataset: ModuleType, text: str, known: set[str], expected: str | None
) -> None:
    assert build_dataset.repair_mojibake(text, known) == expected


def test_committed_dataset_is_what_the_script_builds(
    build_dataset: ModuleType, tmp_path: Path
) -> None:
    """With the reference data (../shared/reference or SERVICELOTSEN_REFERENCE_DIR):
    the builder rebuilds the committed file byte for byte. Without it (a fresh
    clone): every record loads and writing them again gives the same bytes, so
    the file is the script's output, not edited by hand."""
    reference = reference_data.default_reference()
    if (reference / "se-poi" / "blekinge_se_poi.csv").is_file():
        assert (
            build_dataset.main(["--reference", str(reference), "--check", "--quiet"])
            == 0
        )
        return
    registry = load_registry(DATASET)
    assert not registry.rejected
    written = tmp_path / "blekinge.geojson"
    write_registry(registry.points, written)
    assert written.read_bytes() == DATASET.read_bytes()
