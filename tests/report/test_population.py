"""The report's default weighting (SCB tätorter 2020) and data age, unit level."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from bot.gazetteer import Gazetteer
from bot.registry import load_registry
from bot.report.areas import report_areas
from bot.report.population import (
    ResidentGap,
    category_ages,
    load_tatorter,
    sentence,
)

ROOT = Path(__file__).resolve().parents[2]


def test_sentence_is_the_issues_form() -> None:
    gap = ResidentGap(
        "Sölvesborg", "dagligvaror", "Dagligvaror", 10.0, 14621, 886, 2854, True
    )
    assert sentence(gap) == (
        "886 invånare (6,1 % av tätortsborna) i Sölvesborgs kommun bor längre än "
        "10 km (på väg, uppskattat) från dagligvaror."
    )
    assert "(fågelvägen)" in sentence(gap, road=False)


def test_every_tatort_is_placed_once_and_nobody_else() -> None:
    areas = report_areas(Gazetteer.load())
    weighting = load_tatorter(areas)
    residents = weighting.population.residents
    assert sum(residents.values()) == 132_691  # SCB: Blekinge's tätorter 2020
    ids = {p.id for p in weighting.areas.localities}
    assert set(residents) <= ids
    # the gazetteer now has every tätort with SCB's point (issue 17): none is
    # added from SCB's file alone, and Hällaryd and Ljungaviken are placed
    extra = [p for p in weighting.areas.localities if p.id.startswith("scb-")]
    assert extra == []
    placed = {p.name: p for p in weighting.areas.localities}
    assert placed["Hällaryd"].has_coordinates and placed["Ljungaviken"].has_coordinates
    # residents outside tätorter are stated per kommun, never placed
    outside = {k.kommun: (k.outside, k.outside_rough) for k in weighting.kommuner}
    assert outside["Karlskrona"] == (10_574, False)
    assert outside["Olofström"][1] is True  # 2023 total minus 2020 tätorter


def test_category_ages_use_each_categorys_own_source() -> None:
    registry = load_registry(ROOT / "data" / "service_points")
    ages = {
        a.category: a
        for a in category_ages(
            registry,
            ["apoteksombud", "paketombud", "bibliotek"],
            today=datetime.date(2026, 12, 6),
        )
    }
    assert ages["apoteksombud"].oldest == datetime.date(2025, 11, 12)
    assert ages["apoteksombud"].older_than_limit == 0
    assert ages["paketombud"].older_than_limit == ages["paketombud"].points
    assert ages["bibliotek"].points == 0 and ages["bibliotek"].oldest is None


REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.mark.skipif(
    not (REFERENCE / "scb-tatorter-2020").is_dir(),
    reason="reference data (../shared/reference) not on this machine",
)
def test_committed_population_files_are_what_the_script_builds() -> None:
    from scripts.build_population import main

    assert main(["--reference", str(REFERENCE), "--check"]) == 0
