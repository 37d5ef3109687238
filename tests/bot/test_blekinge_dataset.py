"""Tests for the default Blekinge dataset and the script that builds it.

The dataset is what residents act on, so these check the promises of the
data policy on the committed file itself: every record has a source and a
date, nothing is invented (no opening hours, no library positions), known
source errors are repaired or left out, duplicates are merged, and one shop
is one point with each category's own source and date.
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
PIPOS = "Tillväxtverket Pipos Serviceanalys (Läkemedelsverket, Apoteket AB)"
CARRIERS = "transportföretagens ombudslistor (sammanställda 2021)"
VARD = (
    "1177 Vårdguiden (Region Blekinge), sammanställt av Jag vill ha vaccin "
    "(civictechsweden/JagVillHaVaccin)"
)
SOURCES = {
    "kedjans butikssök (insamlat 2023)",
    "OpenStreetMap (ODbL)",
    PIPOS,
    CARRIERS,
    VARD,
}


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
    ("category", "at_least"),
    [
        ("dagligvaror", 48),
        ("apotek", 23),
        ("apoteksombud", 15),
        ("paketombud", 75),
        ("uttagsautomat", 39),
        ("drivmedel", 48),
        ("vårdcentral", 17),
    ],
)
def test_categories_have_their_records(
    registry: Registry, category: str, at_least: int
) -> None:
    assert len(registry.in_category(category)) >= at_least


def test_libraries_have_no_invented_position(registry: Registry) -> None:
    assert registry.in_category("bibliotek") == ()


def test_every_parcel_point_knows_its_carriers(registry: Registry) -> None:
    parcel = registry.in_category("paketombud")
    assert all(p.carriers for p in parcel)
    assert len(parcel) >= 75


def test_every_record_names_a_known_source_and_a_plausible_date(
    registry: Registry,
) -> None:
    for p in registry.points:
        for category in p.categories:
            entry = p.source_for(category)
            assert entry.source in SOURCES, (p.id, category)
            assert (
                datetime.date(2020, 1, 1)
                <= entry.source_date
                <= datetime.date(2025, 12, 31)
            )
        assert p.source in SOURCES, p.id
        # the point's own date is never newer than any of its categories'
        assert p.source_date == min(p.source_for(c).source_date for c in p.categories)
        if p.source == "OpenStreetMap (ODbL)":
            assert p.source_date == datetime.date(2020, 9, 4)


def test_nothing_is_invented(registry: Registry) -> None:
    for p in registry.points:
        assert p.opening_hours is None, p.id  # no source states opening hours
        if p.phone or p.website:  # the 1177 contact cards state them
            assert p.categories == ("vårdcentral",), p.id
            assert p.website and p.website.startswith("https://www.1177.se/")


def test_ids_are_stable_slugs(registry: Registry) -> None:
    for p in registry.points:
        assert re.fullmatch(
            r"(sepoi|osm-node|pipos|ombud|paketskap|vc)-[a-z0-9-]+", p.id
        ), p.id


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
        ("Tving Supermarket", "Tving"),
        ("Handlarn Eringsboda", "Eringsboda"),
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
    # kiosks and tobacconists may be parcel agents, but never grocery stores
    grocery = registry.in_category("dagligvaror")
    assert not [p.name for p in grocery if re.search(pattern, p.name)]
    assert not [
        p.name
        for p in registry.points
        if re.search(pattern, p.name) and "paketombud" not in p.categories
    ]


def test_business_counters_are_left_out(registry: Registry) -> None:
    assert not [p for p in registry.points if p.name.startswith("PostNord ")]


def test_nattraby_health_centre_is_not_placed_at_the_hospital(
    registry: Registry,
) -> None:
    assert not [p for p in registry.points if "Nättraby vårdcentral" in p.name]


def test_lockers_are_named_as_lockers(registry: Registry) -> None:
    lockers = [
        p for p in registry.points if any(c.kind == "paketskåp" for c in p.carriers)
    ]
    assert len(lockers) >= 8
    for p in lockers:
        assert " paketskåp, " in p.name, p.name
        assert not re.search(r"\bVX\d+", p.name), p.name
    assert "Instabox paketskåp, Mörrum" in {p.name for p in lockers}


def test_one_shop_one_point_nattraby(registry: Registry) -> None:
    """ICA Nära Nättran: grocery (chain list 2023), apoteksombud (Pipos 2025)
    and PostNord agent (2021) in one point, each with its own source and date."""
    (p,) = [p for p in registry.points if p.name == "ICA Nära Nättran"]
    assert set(p.categories) == {"dagligvaror", "apoteksombud", "paketombud"}
    assert p.source_for("apoteksombud").source == PIPOS
    assert p.source_for("apoteksombud").source_date == datetime.date(2025, 11, 12)
    assert p.source_for("paketombud").source == CARRIERS
    assert p.source_for("dagligvaror").source == "kedjans butikssök (insamlat 2023)"
    assert p.carrier_ids() == ("postnord",)
    assert p.source_date == datetime.date(2021, 4, 28)  # the oldest category's


def test_grocery_from_the_chain_table_says_so(registry: Registry) -> None:
    derived = [
        (p, e)
        for p in registry.points
        for e in p.sources
        if e.category == "dagligvaror" and e.note
    ]
    assert derived  # carriers-only grocery chain shops (Tving? no: Coop Österport)
    for p, e in derived:
        assert "dagligvarukedja" in e.note and "chains.yml" in e.note, p.id
        # a derived fact never stands beside a source stating it outright
        assert not [
            x for x in p.sources if x.category == "dagligvaror" and x.note is None
        ]


def test_pharmacies_are_the_2025_list(registry: Registry) -> None:
    pharmacies = registry.in_category("apotek")
    assert len(pharmacies) == 23
    for p in pharmacies:
        assert p.source_for("apotek").source == PIPOS, p.id
    # the older sources stay in the record's provenance
    (kallinge,) = [p for p in pharmacies if p.locality == "Kallinge"]
    older = {e.source for e in kallinge.sources if e.category == "apotek"}
    assert "OpenStreetMap (ODbL)" in older


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
