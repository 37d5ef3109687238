"""The report's thresholds file, overrides and population files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.report.areas import LOCALITY, POSTCODE, PopulationError, load_population
from bot.report.config import (
    Basis,
    ReportConfigError,
    load_config,
    parse_threshold_override,
)
from tests.report.conftest import Region


def test_default_thresholds_are_the_issue_s() -> None:
    config = load_config()
    assert config.basis is Basis.ROAD
    assert [(g.id, g.categories, g.km) for g in config.groups] == [
        ("dagligvaror", ("dagligvaror",), 10.0),
        ("apotek", ("apotek", "apoteksombud"), 20.0),
        ("paketombud", ("paketombud",), 10.0),
        ("uttagsautomat", ("uttagsautomat",), 15.0),
        ("drivmedel", ("drivmedel",), 15.0),
    ]
    assert [g.id for g in config.groups_of("apoteksombud")] == ["apotek"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tjänster: []\n", "'tjänster' med en lista saknas"),
        (
            "tjänster:\n  - id: x\n    namn: X\n    kategorier: [godis]\n    km: 3\n",
            "okänd tjänstetyp godis",
        ),
        (
            "tjänster:\n  - id: x\n    namn: X\n    kategorier: [apotek]\n    km: -1\n",
            "km ska vara större än 0",
        ),
        (
            "tjänster:\n  - id: x\n    namn: X\n    kategorier: [apotek]\n    km: tio\n",
            "km ska vara ett tal",
        ),
        (
            "avstånd: bil\ntjänster:\n  - id: x\n    namn: X\n    kategorier: [apotek]\n    km: 1\n",
            "avstånd ska vara väg eller fågelväg",
        ),
        (
            "tjänster:\n  - id: x\n    namn: X\n    kategorier: [apotek]\n    km: 1\n"
            "  - id: x\n    namn: Y\n    kategorier: [apotek]\n    km: 2\n",
            "finns två gånger",
        ),
        ("tjänster: [\n", "Kan inte läsa"),
    ],
)
def test_a_bad_thresholds_file_is_named_in_swedish(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "gränser.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReportConfigError) as err:
        load_config(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_missing_thresholds_file(tmp_path: Path) -> None:
    with pytest.raises(ReportConfigError, match="saknas"):
        load_config(tmp_path / "nej.yml")


def test_overrides() -> None:
    assert parse_threshold_override("dagligvaror=8") == ("dagligvaror", 8.0)
    assert parse_threshold_override(" apotek = 12,5 km") == ("apotek", 12.5)
    for bad in ("dagligvaror", "dagligvaror=", "=5", "dagligvaror=0", "x=-2"):
        with pytest.raises(ReportConfigError):
            parse_threshold_override(bad)
    config = load_config().with_overrides({"apotek": 25.0}, Basis.CROW)
    assert config.group("apotek").km == 25.0
    assert config.group("dagligvaror").km == 10.0
    assert config.basis is Basis.CROW
    with pytest.raises(ReportConfigError, match="okänd tjänst 'godis'"):
        load_config().with_overrides({"godis": 3.0})


def test_population_by_postcode(region: Region, tmp_path: Path) -> None:
    csv = tmp_path / "pop.csv"
    csv.write_text(
        "\ufeffPostnummer,Befolkning\n370 10,1 234\n37099,56\n999 99,10\n370 10,6\n"
        "370 99,många\n",
        encoding="utf-8",
    )
    population = load_population(csv, region.areas)
    assert population.level == POSTCODE
    assert population.residents == {"postnr-37010": 1240, "postnr-37099": 56}
    assert [(s.line, "999 99" in s.reason) for s in population.skipped] == [
        (4, True),
        (6, False),
    ]
    assert "heltal" in population.skipped[1].reason


def test_population_by_locality_id_and_tab(region: Region, tmp_path: Path) -> None:
    csv = tmp_path / "pop.tsv"
    csv.write_text("id\tinvånare\nt-aby\t10\nt-eby\t3\n", encoding="utf-8")
    population = load_population(csv, region.areas)
    assert population.level == LOCALITY
    assert population.residents == {"t-aby": 10, "t-eby": 3}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "är tom"),
        ("namn_på_något;antal_katter\nx;1\n", "behöver en kolumn"),
        ("ort,invånare\nOkändby,5\n", "ingen användbar rad"),
        (
            "id,invånare\nt-aby,5\npostnr-37099,3\n",
            "blandar orter och postnummerområden",
        ),
    ],
)
def test_bad_population_files(
    region: Region, tmp_path: Path, text: str, message: str
) -> None:
    csv = tmp_path / "pop.csv"
    csv.write_text(text, encoding="utf-8")
    with pytest.raises(PopulationError, match=message):
        load_population(csv, region.areas)
    with pytest.raises(PopulationError, match="finns inte"):
        load_population(tmp_path / "saknas.csv", region.areas)
