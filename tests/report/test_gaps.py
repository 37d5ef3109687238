"""Service gaps on the synthetic region: every figure computed by hand (synthetic.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.report.areas import LOCALITY, POSTCODE, load_population
from bot.report.config import Basis
from tests.report.conftest import Region
from tests.report.synthetic import ROAD, km


def _by_place(rows: list, name: str):  # type: ignore[no-untyped-def,type-arg]
    found = [r for r in rows if r.place.name == name]
    assert len(found) == 1, (name, found)
    return found[0]


def test_areas_are_the_county_s_located_localities_and_postcodes(
    region: Region,
) -> None:
    assert [p.name for p in region.areas.localities] == [
        "Aby",
        "Bby",
        "Cby",
        "Dby",
        "Eby",
    ]
    assert [p.postcodes for p in region.areas.postcodes] == [("370 10",), ("370 99",)]
    assert [p.name for p in region.areas.unlocated] == ["Gby"]  # listed, not measured
    assert "Hby" not in {p.name for p in region.areas.all}  # Skåne: not the county


def test_nearest_distances_crow_and_road(region: Region) -> None:
    analysis = region.analyse()
    daily = region.config.group("dagligvaror")
    rows = analysis.rows_for(daily, LOCALITY)
    expected = {  # name: (nearest id, crow km, second id, second crow km)
        "Aby": ("S1", 0.0, "S2", km(0.20)),
        "Bby": ("S1", km(0.05), "S2", km(0.15)),
        "Cby": ("S1", km(0.08), "S2", km(0.12)),
        "Dby": ("S2", 0.0, "O1", km(0.10)),
        "Eby": ("O1", km(0.10), "S2", km(0.20)),
    }
    for name, (near_id, near_km, second_id, second_km) in expected.items():
        row = _by_place(rows, name)
        assert row.nearest is not None and row.second is not None
        assert row.nearest.point.id == near_id, name
        assert row.nearest.crow_km == pytest.approx(near_km, abs=1e-6)
        assert row.nearest.road_km == pytest.approx(near_km * ROAD, abs=1e-6)
        assert row.nearest.basis_km == pytest.approx(near_km * ROAD, abs=1e-6)
        assert row.second.point.id == second_id, name
        assert row.second.crow_km == pytest.approx(second_km, abs=1e-6)


def test_gaps_beyond_the_threshold_by_road_estimate(region: Region) -> None:
    analysis = region.analyse()
    daily = region.config.group("dagligvaror")
    gaps = analysis.gaps(daily)
    assert [r.place.name for r in gaps] == ["Eby", "Cby"]  # farthest beyond first
    assert gaps[0].excess_km == pytest.approx(km(0.10) * ROAD - 10, abs=1e-6)  # 4.455
    assert gaps[1].excess_km == pytest.approx(km(0.08) * ROAD - 10, abs=1e-6)  # 1.564
    assert [r.place.postcodes for r in analysis.gaps(daily, POSTCODE)] == [("370 99",)]
    # apotek or apoteksombud: the village shop's ombud serves Dby and Eby within 20 km
    pharmacy = region.config.group("apotek")
    assert analysis.gaps(pharmacy) == []
    eby = _by_place(analysis.rows_for(pharmacy, LOCALITY), "Eby")
    assert eby.nearest is not None and eby.nearest.point.id == "O1"


def test_crow_flies_basis_changes_which_are_gaps(region: Region) -> None:
    analysis = region.analyse(region.config.with_overrides(basis=Basis.CROW))
    daily = region.config.group("dagligvaror")
    assert [r.place.name for r in analysis.gaps(daily)] == ["Eby"]  # Cby: 8.9 < 10
    eby = analysis.gaps(daily)[0]
    assert eby.nearest is not None
    assert eby.nearest.basis_km == pytest.approx(km(0.10), abs=1e-6)
    assert eby.nearest.road_km == pytest.approx(km(0.10) * ROAD, abs=1e-6)


def test_threshold_override(region: Region) -> None:
    config = region.config.with_overrides({"dagligvaror": 12.0})
    gaps = region.analyse(config).gaps(config.group("dagligvaror"))
    assert [r.place.name for r in gaps] == ["Eby"]  # Cby's 11.56 km is now within


def test_a_category_without_data_is_no_gap(region: Region) -> None:
    analysis = region.analyse()
    parcels = region.config.group("paketombud")
    assert not analysis.data(parcels).has_data
    rows = analysis.rows_for(parcels)
    assert rows and all(r.nearest is None and not r.beyond for r in rows)
    assert all(c.localities_beyond == 0 for c in analysis.counts(parcels))


def test_largest_gaps_over_all_services(region: Region) -> None:
    largest = region.analyse().largest(5)
    assert [(r.place.name, r.group.id) for r in largest] == [
        ("Eby", "dagligvaror"),
        ("Cby", "dagligvaror"),
    ]


def test_counts_per_municipality_unweighted(region: Region) -> None:
    analysis = region.analyse()
    counts = {
        c.municipality: c for c in analysis.counts(region.config.group("dagligvaror"))
    }
    assert set(counts) == {"Norrby", "Söderby"}
    norr, soder = counts["Norrby"], counts["Söderby"]
    assert (norr.localities, norr.localities_beyond) == (3, 1)  # Cby
    assert (norr.postcodes, norr.postcodes_beyond) == (1, 0)
    assert (soder.localities, soder.localities_beyond) == (2, 1)  # Eby
    assert (soder.postcodes, soder.postcodes_beyond) == (1, 1)
    assert norr.residents is None and norr.residents_beyond is None
    assert not analysis.weighted


def test_counts_weighted_by_residents_per_locality(
    region: Region, tmp_path: Path
) -> None:
    csv = tmp_path / "invanare.csv"
    csv.write_text(
        "ort;kommun;invånare\nAby;Norrby;1 000\nBby;Norrby;200\nCby;;50\n"
        "Dby;Söderby;5000\nEby;Söderby;20\nOkändby;Norrby;7\n",
        encoding="utf-8",
    )
    population = load_population(csv, region.areas)
    analysis = region.analyse(population=population)
    counts = {
        c.municipality: c for c in analysis.counts(region.config.group("dagligvaror"))
    }
    assert (counts["Norrby"].residents, counts["Norrby"].residents_beyond) == (1250, 50)
    assert (counts["Söderby"].residents, counts["Söderby"].residents_beyond) == (
        5020,
        20,
    )
    assert analysis.weighted
