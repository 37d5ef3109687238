"""Importer presets: Pipos Serviceanalys exports and carriers' agent lists.

Fixtures in tests/fixtures/import/ use the real column layouts of
../shared/reference (pipos-apoteksvaror-2025, paketombud-2021) with
obviously fake shops, and rows that are broken in the ways real exports are.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import ImportFailed
from bot.importers.presets import (
    import_carriers,
    import_pipos,
    sweref99tm_to_wgs84_proj,
)
from bot.registry import Carrier, load_registry

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "import"
PIPOS = FIXTURES / "pipos_apoteksvaror_2025-11-12.csv"
CARRIERS = FIXTURES / "paketombud_2021.csv"


def _features(path: Path) -> dict[str, dict[str, object]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["name"]: f for f in data["features"]}


# ---------------------------------------------------------------- pipos


@pytest.fixture
def pipos(tmp_path: Path) -> tuple[object, dict[str, dict[str, object]]]:
    out = tmp_path / "pipos.geojson"
    report = import_pipos(PIPOS, out, use_gazetteer=False)
    return report, _features(out)


def test_pipos_reads_the_export(pipos: tuple[object, dict[str, dict]]) -> None:
    report, features = pipos
    assert report.source_date == datetime.date(2025, 11, 12)  # from the file name
    assert report.by_category["apoteksombud"] == 3
    assert report.by_category["apotek"] == 2
    props = features["ICA Nära Testbyn"]["properties"]  # "09-1234" removed
    assert props["categories"] == ["apoteksombud", "dagligvaror"]
    assert props["source"] == (
        "Tillväxtverket Pipos Serviceanalys (Läkemedelsverket, Apoteket AB)"
    )
    assert props["source_date"] == "2025-11-12"
    assert props["locality"] == "Testby" and props["municipality"] == "Testby"
    assert props["postcode"] == "370 10"
    assert props["id"] == "pipos-test-b-001"
    # the grocery category comes from the chain table, and says so
    [derived] = [e for e in props["sources"] if e["category"] == "dagligvaror"]
    assert "ICA är en dagligvarukedja" in derived["note"]
    # a shop not of a grocery chain is no grocery store
    assert features["Testbutik Norr"]["properties"]["categories"] == ["apoteksombud"]
    # a bare chain name gets its place; the pharmacy its chain
    assert "Matöppet Söderby" in features
    assert features["Kronans Apotek Testapoteket Centrum"]["properties"]["brand"] == (
        "Kronans Apotek"
    )


def test_pipos_positions_are_converted_with_pyproj(
    pipos: tuple[object, dict[str, dict]],
) -> None:
    _, features = pipos
    lon, lat = features["ICA Nära Testbyn"]["geometry"]["coordinates"]
    assert (round(lat, 5), round(lon, 5)) == (56.26278, 14.77108)
    assert sweref99tm_to_wgs84_proj(485820, 6235351) == pytest.approx(
        (56.2627847, 14.7710832), abs=1e-6
    )
    # swapped X/Y are recognised (SWEREF's ranges do not overlap) and noted
    lon, lat = features["Apoteket Testhjärtat"]["geometry"]["coordinates"]
    assert abs(lat - 56.16278) < 1e-4 and abs(lon - 15.585202) < 1e-4


def test_pipos_reports_what_it_left_out(pipos: tuple[object, dict[str, dict]]) -> None:
    report, features = pipos
    reasons = {s.ref.split(":")[0]: s.reason for s in report.skipped}
    assert "okänd typ 'Apoteksdepå'" in reasons["pipos rad 7"]
    assert "pipos.yml" in reasons["pipos rad 7"]  # where to add it
    assert "saknas" in reasons["pipos rad 8"]
    assert "SWEREF 99 TM" in reasons["pipos rad 9"]
    assert reasons["pipos rad 10"] == "namn saknas"
    assert "Testdepån" not in features
    notes = " ".join(n.reason for n in report.notes)
    assert "internnummer" in notes and "omkastade" in notes


def test_pipos_reads_its_own_xlsx_download(tmp_path: Path) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    sheet.append(["Serviceanalys – Apoteksvaror"])  # Pipos puts a title first
    sheet.append([])
    sheet.append(
        ["Serviceform", "Huvudman", "Namn", "Adress", "Postnummer", "Postort",
         "Kommun", "Län", "X", "Y"]
    )  # fmt: skip
    sheet.append(
        ["Apoteksombud", "Apoteket", "Testbutik Öst", "Östvägen 1", "37010",
         "TESTBY", "Testby kommun", "Blekinge län", 485820, 6235351]
    )  # fmt: skip
    sheet.append(
        ["Apotekshylla", "Apoteket", "Testhyllan", "Hyllvägen 1", "37010",
         "TESTBY", "Testby kommun", "Blekinge län", 485900, 6235400]
    )  # fmt: skip
    xlsx = tmp_path / "pipos_apoteksvaror_2026-01-15.xlsx"
    book.save(xlsx)
    out = tmp_path / "x.geojson"
    report = import_pipos(xlsx, out, use_gazetteer=False)
    assert report.source_date == datetime.date(2026, 1, 15)
    assert report.imported == 1
    assert "okänd typ 'Apotekshylla'" in report.skipped[0].reason
    props = _features(out)["Testbutik Öst"]["properties"]
    assert props["categories"] == ["apoteksombud"]


def test_pipos_without_a_date_or_columns_fails_and_writes_nothing(
    tmp_path: Path,
) -> None:
    undated = tmp_path / "pipos.csv"
    undated.write_text(PIPOS.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out.geojson"
    with pytest.raises(ImportFailed, match="--source-date"):
        import_pipos(undated, out, use_gazetteer=False)
    report = import_pipos(
        undated, out, use_gazetteer=False, source_date=datetime.date(2025, 1, 1)
    )
    assert report.source_date == datetime.date(2025, 1, 1)
    wrong = tmp_path / "wrong_2025-01-01.csv"
    wrong.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    before = out.read_bytes()
    with pytest.raises(ImportFailed, match="kolumner saknas"):
        import_pipos(wrong, out, use_gazetteer=False)
    assert out.read_bytes() == before


# ---------------------------------------------------------------- carriers


@pytest.fixture
def carriers(tmp_path: Path) -> tuple[object, dict[str, dict[str, object]], Path]:
    out = tmp_path / "ombud.geojson"
    report = import_carriers(CARRIERS, out, use_gazetteer=False)
    return report, _features(out), out


def test_one_shop_under_four_carriers_is_one_point(
    carriers: tuple[object, dict[str, dict], Path],
) -> None:
    _, features, out = carriers
    shop = [f for n, f in features.items() if "Testbyn" in n and "paketskåp" not in n]
    assert len(shop) == 1
    props = shop[0]["properties"]
    assert props["name"] == "ICA Nära Testbyn"  # the mixed-case spelling wins
    assert {c["id"] for c in props["carriers"]} == {"postnord", "dhl", "bring"}
    assert all(c["kind"] == "ombud" for c in props["carriers"])
    assert props["categories"] == ["paketombud", "dagligvaror"]
    assert props["source_date"] == "2021-04-28"  # the preset's date, noted
    registry = load_registry(out)  # the registry accepts what the import wrote
    assert registry.rejected == ()
    point = next(p for p in registry.points if p.name == "ICA Nära Testbyn")
    assert point.serves("dhl") and not point.serves("ups")


def test_lockers_are_named_as_lockers(
    carriers: tuple[object, dict[str, dict], Path],
) -> None:
    _, features, out = carriers
    assert "Instabox paketskåp, Testby" in features  # never "VX901"
    assert not [n for n in features if "VX901" in n]
    locker = features["Instabox paketskåp, Testby"]["properties"]
    assert locker["carriers"] == [{"id": "instabox", "kind": "paketskåp"}]
    assert locker["categories"] == ["paketombud"]  # a locker sells no groceries
    assert "DHL paketskåp, Testbutik Norr" in features
    registry = load_registry(out)
    lockers = [p for p in registry.points if p.carrier_ids("paketskåp")]
    assert {p.carriers[0] for p in lockers} == {
        Carrier("instabox", "paketskåp"),
        Carrier("dhl", "paketskåp"),
    }


def test_carriers_report_unknown_values_and_business_counters(
    carriers: tuple[object, dict[str, dict], Path],
) -> None:
    report, features, _ = carriers
    reasons = {s.ref.split(":")[0]: s.reason for s in report.skipped}
    assert "företagscenter" in reasons["ombudslista rad 7"]
    assert "okänt transportföretag 'Budbeee'" in reasons["ombudslista rad 8"]
    assert "okänt slag 'Brevlåda'" in reasons["ombudslista rad 9"]
    assert "koordinaterna" in reasons["ombudslista rad 10"]
    assert not [n for n in features if n.startswith("PostNord")]


def test_two_shops_at_one_address_stay_two(
    carriers: tuple[object, dict[str, dict], Path],
) -> None:
    report, features, _ = carriers
    assert "Testtobak" in features and "Testfärg och Kakel" in features
    near = [n.reason for n in report.notes if n.ref == "nästan samma"]
    assert any(
        "Testtobak" in r and "samma adress men inget gemensamt" in r for r in near
    )


def test_chain_spellings_merge(carriers: tuple[object, dict[str, dict], Path]) -> None:
    _, features, _ = carriers
    okq8 = [n for n in features if "Q8" in n]
    assert okq8 == ["OKQ8 Testby"]
    carriers_at = {c["id"] for c in features["OKQ8 Testby"]["properties"]["carriers"]}
    assert carriers_at == {"postnord", "schenker"}
    # a fuel station is no grocery store
    assert features["OKQ8 Testby"]["properties"]["categories"] == ["paketombud"]


def test_cli_check_only_prints_and_writes_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "import", "carriers", str(CARRIERS),
         "--no-gazetteer", "--source-date", "2021-04-28"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr  # rows would be skipped: exit 3
    assert "Import (carriers)" in done.stdout
    assert "hoppade över: 4" in done.stdout
    assert "ingen fil skrevs" in done.stdout
    assert list(tmp_path.iterdir()) == []
