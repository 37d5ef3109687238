"""Closure impact on the synthetic region: the answers worked out in synthetic.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.report.areas import load_population
from bot.report.closure import closure_impact, point_closures, rank_closures
from tests.report.conftest import Region
from tests.report.synthetic import ROAD, km


def test_closing_the_main_shop_creates_two_new_gaps(region: Region) -> None:
    analysis = region.analyse()
    s1 = region.registry.by_id("S1")
    assert s1 is not None
    impact = closure_impact(analysis, s1, region.config.group("dagligvaror"))
    assert [e.row.place.name for e in impact.localities] == ["Aby", "Bby", "Cby"]
    assert [e.row.place.name for e in impact.new_gap_localities] == ["Aby", "Bby"]
    by_name = {e.row.place.name: e for e in impact.localities}
    assert by_name["Aby"].next is not None and by_name["Aby"].next.point.id == "S2"
    assert by_name["Aby"].next.basis_km == pytest.approx(km(0.20) * ROAD, abs=1e-6)
    assert by_name["Bby"].next is not None
    assert by_name["Bby"].next.basis_km == pytest.approx(km(0.15) * ROAD, abs=1e-6)
    # Cby was beyond already: it gets farther, but it is no *new* gap
    assert not by_name["Cby"].new_gap and by_name["Cby"].now_beyond
    assert by_name["Cby"].added_km == pytest.approx(
        (km(0.12) - km(0.08)) * ROAD, abs=1e-6
    )
    assert [e.row.place.postcodes for e in impact.new_gap_postcodes] == [("370 10",)]
    assert impact.residents_new_gap is None  # no population figures


def test_a_village_shop_that_is_also_pharmacy_agent(region: Region) -> None:
    analysis = region.analyse()
    o1 = region.registry.by_id("O1")
    assert o1 is not None
    impacts = {i.group.id: i for i in point_closures(analysis, o1)}
    assert set(impacts) == {"dagligvaror", "apotek"}
    daily = impacts["dagligvaror"]
    assert [e.row.place.name for e in daily.localities] == ["Eby"]
    assert daily.new_gap_localities == []  # Eby had no shop within 10 km before either
    pharmacy = impacts["apotek"]
    assert [e.row.place.name for e in pharmacy.new_gap_localities] == ["Eby", "Dby"]
    eby, dby = pharmacy.new_gap_localities
    assert eby.next is not None and eby.next.point.id == "A1"
    assert eby.next.basis_km == pytest.approx(km(0.40) * ROAD, abs=1e-6)
    assert dby.next is not None
    assert dby.next.basis_km == pytest.approx(km(0.20) * ROAD, abs=1e-6)
    assert [e.row.place.postcodes for e in pharmacy.new_gap_postcodes] == [("370 99",)]


def test_ranking_all_shops_unweighted(region: Region) -> None:
    ranked = rank_closures(region.analyse(), region.config.group("dagligvaror"))
    assert [i.point.id for i in ranked] == ["S1", "S2", "O1"]
    assert [len(i.new_gap_localities) for i in ranked] == [2, 1, 0]
    s2 = ranked[1]
    assert [e.row.place.name for e in s2.new_gap_localities] == ["Dby"]
    assert s2.new_gap_localities[0].next is not None
    assert s2.new_gap_localities[0].next.point.id == "O1"


def test_ranking_weighted_by_residents(region: Region, tmp_path: Path) -> None:
    csv = tmp_path / "invanare.csv"
    csv.write_text(
        "ort,invånare\nAby,1000\nBby,200\nCby,50\nDby,5000\nEby,20\n", encoding="utf-8"
    )
    analysis = region.analyse(population=load_population(csv, region.areas))
    ranked = rank_closures(analysis, region.config.group("dagligvaror"))
    # Dby's 5 000 residents lose their only shop within 10 km when S2 closes
    assert [i.point.id for i in ranked] == ["S2", "S1", "O1"]
    assert [i.residents_new_gap for i in ranked] == [5000, 1200, 0]


def test_a_point_outside_the_report_s_services(region: Region) -> None:
    a1 = region.registry.by_id("A1")
    assert a1 is not None
    impacts = point_closures(region.analyse(), a1)
    assert [i.group.id for i in impacts] == ["apotek"]
    assert [e.row.place.name for e in impacts[0].new_gap_localities] == [
        "Aby",
        "Bby",
        "Cby",
    ]
    # nothing else left within 20 km: the next is O1 at 56.30
    assert all(
        e.next is not None and e.next.point.id == "O1" for e in impacts[0].effects
    )
