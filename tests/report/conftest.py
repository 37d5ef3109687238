"""The synthetic region (tests/report/synthetic.py), loaded the way the report loads data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.gazetteer import Gazetteer
from bot.registry import Registry, load_registry
from bot.report.areas import Areas, Population, report_areas
from bot.report.config import ReportConfig, load_config
from bot.report.gaps import GapAnalysis, analyse_gaps
from tests.report.synthetic import write_region


@dataclass
class Region:
    folder: Path
    registry_path: Path
    places_path: Path
    thresholds_path: Path
    registry: Registry
    gazetteer: Gazetteer
    areas: Areas
    config: ReportConfig

    def analyse(
        self, config: ReportConfig | None = None, population: Population | None = None
    ) -> GapAnalysis:
        return analyse_gaps(
            self.registry, self.areas, config or self.config, population
        )


@pytest.fixture
def region(tmp_path: Path) -> Region:
    registry_path, places_path, thresholds_path = write_region(tmp_path / "region")
    registry = load_registry(registry_path)
    assert not registry.rejected, registry.rejected
    gazetteer = Gazetteer.load(places_path)
    return Region(
        tmp_path / "region",
        registry_path,
        places_path,
        thresholds_path,
        registry,
        gazetteer,
        report_areas(gazetteer),
        load_config(thresholds_path),
    )
