"""The written report: page, maps, CSV files and the command line.

On the synthetic region (synthetic.py) the figures are known; on the
default Blekinge data the report must simply be complete and quick.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from bot.report.build import build_report
from bot.report.config import load_config
from tests.report.conftest import Region

ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "storsta_glapp.csv",
    "avstand_orter.csv",
    "avstand_postnummer.csv",
    "glapp_per_kommun.csv",
    "stangning_rangordning.csv",
    "stangning_paverkan.csv",
    "orter_utan_position.csv",
    "efterfragan_per_manad.csv",
    "efterfragan_per_ort.csv",
    "digitala_alternativ.csv",
    "rapporterade_andringar.csv",
    "invanare_per_kommun.csv",
    "dataalder_per_kategori.csv",
}
GAP_RED = (192, 22, 29)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _red_pixels(path: Path) -> int:
    image = Image.open(path).convert("RGB")
    return sum(
        1
        for r, g, b in image.getdata()
        if abs(r - GAP_RED[0]) < 12
        and abs(g - GAP_RED[1]) < 12
        and abs(b - GAP_RED[2]) < 12
    )


def _population(folder: Path) -> Path:
    path = folder / "invanare.csv"
    path.write_text(
        "ort,invånare\nAby,1000\nBby,200\nCby,50\nDby,5000\nEby,20\n", "utf-8"
    )
    return path


@pytest.fixture
def written(region: Region, tmp_path: Path) -> Path:
    out = tmp_path / "rapport"
    build_report(
        out,
        registry_path=region.registry_path,
        gazetteer_path=region.places_path,
        config=region.config,
        population_path=_population(tmp_path),
        demand=False,
    )
    return out


def test_every_table_is_a_csv_with_the_known_figures(written: Path) -> None:
    assert {p.name for p in written.glob("*.csv")} == TABLES
    largest = _rows(written / "storsta_glapp.csv")
    assert [(r["ort"], r["tjanst"], r["narmaste_id"]) for r in largest] == [
        ("Eby", "dagligvaror", "O1"),
        ("Cby", "dagligvaror", "S1"),
    ]
    assert largest[0]["fagelvag_km"] == "11.12"
    assert largest[0]["vag_uppskattning_km"] == "14.46"
    assert largest[0]["over_grans_km"] == "4.46"
    assert largest[0]["invanare"] == "20"
    distances = _rows(written / "avstand_orter.csv")
    assert len(distances) == 5 * 3  # localities x services
    parcels = [r for r in distances if r["tjanst"] == "paketombud"]
    assert {r["status"] for r in parcels} == {"inga uppgifter"}
    assert all(r["narmaste_id"] == "" for r in parcels)
    ranking = [
        r
        for r in _rows(written / "stangning_rangordning.csv")
        if r["tjanst"] == "dagligvaror"
    ]
    # weighted: Dby's 5 000 residents make S2 the shop that matters most
    assert [
        (r["id"], r["nya_glapp_orter"], r["invanare_nya_glapp"]) for r in ranking
    ] == [
        ("S2", "1", "5000"),
        ("S1", "2", "1200"),
        ("O1", "0", "0"),
    ]
    per_kommun = {
        (r["kommun"], r["tjanst"]): r for r in _rows(written / "glapp_per_kommun.csv")
    }
    assert per_kommun[("Norrby", "dagligvaror")]["invanare_utanfor"] == "50"
    assert (
        per_kommun[("Söderby", "paketombud")]["orter_utanfor"] == ""
    )  # no data, no count
    unlocated = _rows(written / "orter_utan_position.csv")
    assert [r["namn"] for r in unlocated] == ["Gby"]
    assert (
        _rows(written / "efterfragan_per_ort.csv") == []
    )  # demand left out: empty, not stale


def test_the_page_is_self_contained_swedish_and_printable(written: Path) -> None:
    html = (written / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="sv">' in html
    assert html.count('src="data:image/png;base64,') == 3  # a map per service
    assert "<script" not in html and 'src="http' not in html and "<link" not in html
    assert "@media print" in html and "@page" in html
    assert "Viktad med invånare per ort" in html
    assert "De fem största glappen" in html and "Eby" in html
    assert "uppskattning" in html and "× 1,3" in html  # what the road estimate is
    assert "Paketombud" in html and "inga uppgifter" in html
    assert "Efterfrågan togs inte med" in html


def test_maps_highlight_the_gap_localities(written: Path) -> None:
    maps = written / "kartor"
    assert sorted(p.name for p in maps.glob("*.png")) == [
        "karta-apotek.png",
        "karta-dagligvaror.png",
        "karta-paketombud.png",
    ]
    with Image.open(maps / "karta-dagligvaror.png") as image:
        assert image.size == (1575, 1050)
    legend_only = _red_pixels(maps / "karta-apotek.png")  # no gap: the legend's dot
    assert 0 < legend_only < 300
    # Cby and Eby: two red dots with red labels
    assert _red_pixels(maps / "karta-dagligvaror.png") > legend_only + 400
    assert _red_pixels(maps / "karta-paketombud.png") == 0  # no data: no gaps, no key


def test_text_from_files_is_escaped_on_the_page(region: Region, tmp_path: Path) -> None:
    """The page is an autoescaped template: a file name with markup in it is shown,
    never run."""
    population = _population(tmp_path).rename(tmp_path / "<i>invånare&.csv")
    result = build_report(
        tmp_path / "r",
        registry_path=region.registry_path,
        gazetteer_path=region.places_path,
        config=region.config,
        population_path=population,
        demand=False,
    )
    page = result.html.read_text(encoding="utf-8")
    assert "<code>&lt;i&gt;invånare&amp;.csv</code>" in page
    assert "<i>invånare" not in page


def test_unweighted_report_says_so(region: Region, tmp_path: Path) -> None:
    result = build_report(
        tmp_path / "r",
        registry_path=region.registry_path,
        gazetteer_path=region.places_path,
        config=region.config,
        demand=False,
    )
    assert "Rapporten är oviktad" in result.html.read_text(encoding="utf-8")


def test_default_blekinge_data(tmp_path: Path) -> None:
    start = time.perf_counter()
    result = build_report(tmp_path / "blekinge", demand=False)
    elapsed = time.perf_counter() - start
    assert elapsed < 60, elapsed
    config = load_config()
    assert set(result.maps) == {g.id for g in config.groups}
    largest = result.analysis.largest(5)
    assert len(largest) == 5
    excess = [r.excess_km for r in largest]
    assert excess == sorted(excess, reverse=True) and excess[-1] > 0
    assert len(result.analysis.areas.localities) > 40
    no_data = [d.group.id for d in result.analysis.groups if not d.has_data]
    assert no_data == []  # parcel points and apoteksombud are reported now
    assert {p.name for p in result.out_dir.glob("*.csv")} == TABLES
    # weighted by SCB's tätorter 2020 by default: every resident of a tätort
    # counted once, the rest stated per kommun as not placed
    population = result.analysis.population
    assert population is not None and "SCB" in population.source
    assert sum(population.residents.values()) == 132_691
    assert result.weighting is not None
    not_placed = {k.kommun: k.outside for k in result.weighting.kommuner}
    assert not_placed["Karlskrona"] == 10_574 and not_placed["Karlshamn"] == 4_864
    html = result.html.read_text(encoding="utf-8")
    assert "De är inte placerade" in html
    assert "Bearbetning av data från SCB (Statistiska tätorter 2020)" in html
    for gap in result.resident_gaps:
        assert 0 <= gap.beyond <= gap.residents
    placed = {g.kommun: g.residents for g in result.resident_gaps}
    assert sum(placed.values()) == 132_691
    ages = {a.category: a for a in result.ages}
    assert ages["paketombud"].oldest == datetime.date(2021, 4, 28)
    assert ages["apoteksombud"].newest == datetime.date(2025, 11, 12)
    assert ages["bibliotek"].points == 0


def test_default_blekinge_data_population_flag_overrides(tmp_path: Path) -> None:
    own = tmp_path / "invanare.csv"
    own.write_text("ort,kommun,invånare\nTving,Karlskrona,1000\n", encoding="utf-8")
    result = build_report(tmp_path / "r", population_path=own, demand=False)
    assert result.weighting is None
    assert result.analysis.population is not None
    assert sum(result.analysis.population.residents.values()) == 1000


def _cli(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=300,
        env=env or {**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _region_flags(region: Region) -> list[str]:
    return [
        "--registry",
        str(region.registry_path),
        "--gazetteer",
        str(region.places_path),
        "--thresholds",
        str(region.thresholds_path),
    ]


def test_cli_report_and_closure(region: Region, tmp_path: Path) -> None:
    result = _cli(
        "report",
        "--out",
        str(tmp_path / "cli"),
        "--no-demand",
        "--json",
        *_region_flags(region),
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [(g["place"], g["service"]) for g in summary["largest_gaps"]] == [
        ("Eby", "dagligvaror"),
        ("Cby", "dagligvaror"),
    ]
    assert summary["weighted"] is False and summary["no_data"] == ["paketombud"]

    text = _cli(
        "report",
        "--out",
        str(tmp_path / "cli2"),
        "--no-demand",
        "--threshold",
        "dagligvaror=12",
        *_region_flags(region),
    )
    assert text.returncode == 0, text.stderr
    assert "1. Eby (Söderby): dagligvaror 14,5 km på väg" in text.stdout
    assert "Cby" not in text.stdout  # 11,6 km is within 12 km

    closure = _cli("closure", "Testbutik Aby", "--json", *_region_flags(region))
    assert closure.returncode == 0, closure.stderr
    impact = json.loads(closure.stdout)["impacts"][0]
    assert impact["point_id"] == "S1" and impact["new_gap_localities"] == 2
    # text and JSON agree: every area the JSON counts is listed in the text
    text_closure = _cli("closure", "Testbutik Aby", *_region_flags(region))
    assert text_closure.returncode == 0, text_closure.stderr
    listed = [ln for ln in text_closure.stdout.splitlines() if ": nu " in ln]
    assert len(listed) == len(impact["effects"])
    assert len(listed) == impact["nearest_for_localities"] + impact[
        "nearest_for_postcodes"
    ]
    if impact["nearest_for_postcodes"]:
        assert "  Postnummerområden:" in text_closure.stdout
    ranked = _cli("closure", "--rank", "apotek", *_region_flags(region))
    assert ranked.returncode == 0, ranked.stderr
    assert (
        "1. Testapotek Aby (Aby) [A1]: närmast för 3 orter; nya glapp 3 orter"
        in ranked.stdout
    )


def test_cli_errors_are_swedish(region: Region, tmp_path: Path) -> None:
    missing = _cli(
        "report",
        "--out",
        str(tmp_path / "x"),
        "--population",
        str(tmp_path / "saknas.csv"),
        *_region_flags(region),
    )
    assert missing.returncode == 1
    assert "Fel: befolkningsfilen" in missing.stderr and "finns inte" in missing.stderr
    named = _cli(
        "report",
        "--out",
        str(tmp_path / "y"),
        "--tracker",
        f"sqlite:///{tmp_path / 'ingen.db'}",
        *_region_flags(region),
    )
    assert named.returncode == 1 and "samtalsdatabasen finns inte" in named.stderr
    unknown = _cli("closure", "Finns Inte Alls", *_region_flags(region))
    assert unknown.returncode == 1 and "Ingen servicepunkt heter" in unknown.stderr
    usage = _cli("closure", *_region_flags(region))
    assert usage.returncode == 2 and "--rank" in usage.stderr


def test_default_store_missing_is_a_note_not_an_error(
    region: Region, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SERVICELOTSEN_TRACKER_URL"}
    env["SERVICELOTSEN_TRACKER_DB"] = str(tmp_path / "inte-startad.db")
    env["PYTHONPATH"] = str(ROOT)
    result = _cli(
        "report", "--out", str(tmp_path / "z"), *_region_flags(region), env=env
    )
    assert result.returncode == 0, result.stderr
    assert "Ingen samtalsdatabas hittades" in result.stdout
    html = (tmp_path / "z" / "report.html").read_text(encoding="utf-8")
    assert "Ingen samtalsdatabas hittades" in html
