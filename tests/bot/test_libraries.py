"""Library facts: stated with source and date, never placed on the map."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.libraries import library_answer, library_facts, load_libraries
from bot.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]


def test_every_kommun_has_facts_with_source_and_date() -> None:
    facts = load_libraries()
    assert set(facts) == {
        "Karlshamn",
        "Karlskrona",
        "Olofström",
        "Ronneby",
        "Sölvesborg",
    }
    for items in facts.values():
        for f in items:
            assert f.source.startswith("https://") and f.date and f.text


def test_solvesborg_branches_are_stated() -> None:
    names = {f.name for f in library_facts("Sölvesborgs kommun")}
    assert {"Hällevik bibliotek (filial)", "Mjällby bibliotek (filial)"} <= names
    answer = library_answer("Sölvesborg")
    assert answer is not None
    assert "dropastory.se" in answer and "kan ha ändrats" in answer
    assert library_answer("Lund") is None


def test_no_library_gets_a_position() -> None:
    registry = load_registry(ROOT / "data" / "service_points")
    assert registry.in_category("bibliotek") == ()


def test_a_fact_without_source_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "b.yml"
    bad.write_text(
        "bibliotek:\n- kommun: Testby\n  uppgifter:\n  - namn: Testbiblioteket\n"
        "    ort: Testby\n    uppgift: finns\n    källa: ''\n    datum: 2020\n"
        "    säkerhet: låg\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="saknar källa"):
        load_libraries(bad)


def test_the_documented_csv_import_works(tmp_path: Path) -> None:
    """docs/bibliotek-import.md: the mapping reads the template's columns."""
    from bot.importers.csv import import_csv

    template = (ROOT / "docs" / "bibliotek-mall.csv").read_text(encoding="utf-8")
    sample = ROOT / "tests" / "fixtures" / "import" / "bibliotek_test.csv"
    assert sample.read_text(encoding="utf-8").splitlines()[0] == template.strip()
    out = tmp_path / "bibliotek.geojson"
    report = import_csv(
        sample, ROOT / "data" / "importers" / "bibliotek.yml", out, use_gazetteer=False
    )
    assert report.by_category == {"bibliotek": 2}
    assert [s.reason for s in report.skipped] == [
        "koordinaterna saknas eller är inga tal"
    ]
    registry = load_registry(out)
    assert {p.id for p in registry.points} == {"bibliotek-test-1", "bibliotek-test-3"}
    point = registry.by_id("bibliotek-test-1")
    assert point is not None and point.opening_hours == "Mo-Fr 10:00-18:00"


REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.mark.skipif(
    not (REFERENCE / "bibliotek-leads").is_dir(),
    reason="reference data (../shared/reference) not on this machine",
)
def test_committed_library_facts_are_what_the_script_builds() -> None:
    from scripts.build_libraries import main

    assert main(["--reference", str(REFERENCE), "--check"]) == 0
