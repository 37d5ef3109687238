"""Parcel points by carrier, the age line and "Här finns också" on a fake registry.

tests/fixtures/carriers/registry.geojson is obviously test data ("Testhandel",
"testkälla … (påhittad)"): a merged shop in Jämjö with its own source per
category, a kiosk with two other carriers, an Instabox locker named by its
code, and a PostNord agent at a filling station in Lyckeby.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.answers import (
    also_here,
    display_name,
    freshness,
    locality_answer,
    nearest_answer,
    places_payload,
)
from bot.carriers import carrier_id, carriers_of, is_locker, parcel_label
from bot.freshness import dated_sources, is_old, load_freshness
from bot.lotsen import Lotsen, Origin
from bot.registry import load_registry

REGISTRY = Path(__file__).resolve().parents[1] / "fixtures" / "carriers" / "registry.geojson"
AT = datetime.datetime(2026, 12, 2, 14, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
TODAY = AT.date()


@pytest.fixture(scope="module")
def lotsen() -> Lotsen:
    return Lotsen.load(REGISTRY)


@pytest.fixture(scope="module")
def jamjo(lotsen: Lotsen) -> Origin:
    place = lotsen.resolve("Jämjö").place
    assert place is not None
    origin = lotsen.origin_for_place(place)
    assert origin is not None
    return origin


def _answer(lotsen: Lotsen, origin: Origin, carrier: str | None) -> tuple[list[str], str]:
    answer = lotsen.nearest("paketombud", origin, k=5, carrier=carrier)
    text = nearest_answer(
        answer, origin, lotsen.service_types["paketombud"], lotsen.service_types, at=AT
    )
    return [hit.point.id for hit in answer.results], text


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("PostNord", "postnord"),
        ("postnord-ombud", "postnord"),
        ("DHL_Express", "dhl"),
        ("DB Schenker", "schenker"),
        ("instabox", "instabox"),
        ("Instabox-skåp", "instabox"),
        ("Bussgods", "bussgods"),
        ("ICA", None),
        ("", None),
    ],
)
def test_carrier_words_to_ids(word: str, expected: str | None) -> None:
    assert carrier_id(word) == expected


def test_registry_keeps_carriers_and_sources() -> None:
    registry = load_registry(REGISTRY)
    assert not registry.rejected
    shop = registry.by_id("tc-1")
    assert shop is not None
    assert [c.id for c in carriers_of(shop)] == ["postnord", "dhl"]
    assert dated_sources(shop, "paketombud") == [
        ("testkälla ombud (påhittad)", datetime.date(2021, 4, 28))
    ]
    assert dated_sources(shop, "dagligvaror")[0][1] == datetime.date(2026, 1, 15)
    locker = registry.by_id("tc-3")
    assert locker is not None and is_locker(locker)
    assert parcel_label(shop) == "ombud för PostNord och DHL"


def test_a_carrier_lists_only_its_own_points(lotsen: Lotsen, jamjo: Origin) -> None:
    ids, text = _answer(lotsen, jamjo, "postnord")
    assert ids == ["tc-1", "tc-4"]
    assert text.startswith("Närmaste PostNord-ombud från Jämjö:")
    assert "Testkiosk" not in text and "Instabox" not in text


def test_without_a_carrier_every_parcel_point_with_its_carriers(
    lotsen: Lotsen, jamjo: Origin
) -> None:
    ids, text = _answer(lotsen, jamjo, None)
    assert ids == ["tc-1", "tc-3", "tc-2", "tc-4"]
    assert "Testhandel Jämjö, Jämjö: 100 m" in text
    assert "Ombud för PostNord och DHL." in text
    assert "Ombud för DB Schenker och Bring." in text


def test_a_locker_is_named_as_a_locker_never_by_its_code(
    lotsen: Lotsen, jamjo: Origin
) -> None:
    ids, text = _answer(lotsen, jamjo, "instabox")
    assert ids == ["tc-3"]
    assert text.startswith("Närmaste Instabox paketskåp från Jämjö:")
    assert "1. Instabox paketskåp, Testvägen 1, Jämjö:" in text
    assert "TX001" not in text
    payload = places_payload(
        lotsen.nearest("paketombud", jamjo, k=1, carrier="instabox").results, at=AT
    )
    place = payload["places"][0]  # type: ignore[index]
    assert place["name"] == "Instabox paketskåp" and place["id"] == "tc-3"


def test_a_carrier_without_points_says_so_and_where_to_look(
    lotsen: Lotsen, jamjo: Origin
) -> None:
    ids, text = _answer(lotsen, jamjo, "ups")
    assert ids == []
    assert text.startswith("Jag har tyvärr inga uppgifter om var UPS lämnar ut paket.")
    assert "Aviseringen från UPS" in text
    assert "Testhandel" not in text  # never another carrier's point


def test_old_parcel_data_gets_the_age_line_and_the_notice_advice(
    lotsen: Lotsen, jamjo: Origin
) -> None:
    _ids, text = _answer(lotsen, jamjo, "dhl")
    assert "Uppgiften är från 2021 och kan ha ändrats." in text
    assert "Aviseringen från DHL (sms, app eller brev) säger var ditt paket finns." in text
    assert "Du kan också söka på DHL:s webbplats." in text


def test_the_category_asked_decides_the_date_of_a_merged_point(
    lotsen: Lotsen, jamjo: Origin
) -> None:
    answer = lotsen.nearest("dagligvaror", jamjo, k=1)
    text = nearest_answer(
        answer, jamjo, lotsen.service_types["dagligvaror"], lotsen.service_types, at=AT
    )
    assert "Uppgifterna är från januari 2026 (källa: testdata" in text
    assert "kan ha ändrats." not in text.split("De kan ha ändrats")[0]
    assert "2021" not in text


def test_fresh_information_has_no_age_line(lotsen: Lotsen) -> None:
    shop = lotsen.registry.by_id("tc-1")
    assert shop is not None
    text = freshness([shop], "apoteksombud", today=TODAY)
    assert text.startswith("Uppgifterna är från november 2025 (källa: testkälla apotek")
    assert "Uppgiften är från" not in text


def test_the_threshold_is_data() -> None:
    rules = load_freshness()
    assert rules.max_age_years == 3
    assert is_old(datetime.date(2021, 4, 28), TODAY, 3)
    assert not is_old(datetime.date(2024, 1, 1), TODAY, 3)
    assert not is_old(datetime.date(2023, 12, 3), TODAY, 3)
    assert is_old(datetime.date(2023, 12, 1), TODAY, 3)


def test_a_point_with_more_services_says_so_in_one_line(
    lotsen: Lotsen, jamjo: Origin
) -> None:
    shop = lotsen.registry.by_id("tc-1")
    assert shop is not None
    assert also_here(shop, "paketombud") == "Här finns också matbutik och apoteksombud."
    assert (
        also_here(shop, "dagligvaror")
        == "Här finns också paketombud (PostNord och DHL) och apoteksombud."
    )
    postnord_only = lotsen.registry.by_id("tc-4")
    assert postnord_only is not None
    assert also_here(postnord_only, "drivmedel") == "Här finns också PostNord-ombud."
    assert also_here(postnord_only, "paketombud") == "Här finns också bensinstation."
    kiosk = lotsen.registry.by_id("tc-2")
    assert kiosk is not None and also_here(kiosk, "paketombud") == ""


def test_what_is_in_a_place_names_pharmacy_agents_and_carriers(
    lotsen: Lotsen, jamjo: Origin
) -> None:
    assert jamjo.place is not None
    text = locality_answer("Jämjö", lotsen.in_locality(jamjo.place), lotsen.service_types)
    assert "- Apoteksombud: Testhandel Jämjö" in text
    assert "Testhandel Jämjö (PostNord och DHL)" in text
    assert "Testkiosk Jämjö (DB Schenker och Bring)" in text
    assert "Instabox paketskåp (Testvägen 1, Jämjö)" in text
    assert "Uppgifter från 2021 kan ha ändrats." in text


def test_display_name_of_an_ordinary_point(lotsen: Lotsen) -> None:
    shop = lotsen.registry.by_id("tc-5")
    assert shop is not None and display_name(shop) == "Testbutik Rödeby"
