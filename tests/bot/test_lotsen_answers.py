"""`bot.lotsen` and `bot.answers` on the obviously fake test registry."""

from __future__ import annotations

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.answers import freshness, hours_answer, locality_answer, nearest_answer
from bot.lotsen import Lotsen, PositionProblem
from bot.when import parse_when

REGISTRY = Path(__file__).resolve().parents[1] / "fixtures" / "e2e" / "registry.geojson"
# Wednesday 2 December 2026, 14.00 in Sweden
AT = datetime.datetime(2026, 12, 2, 14, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture(scope="module")
def lotsen() -> Lotsen:
    return Lotsen.load(REGISTRY)


def test_nearest_pharmacy_from_ronneby(lotsen: Lotsen) -> None:
    place = lotsen.resolve("i ronneby").place
    assert place is not None
    origin = lotsen.origin_for_place(place)
    assert origin is not None
    answer = lotsen.nearest("apotek", origin, k=3)
    names = [hit.point.name for hit in answer.results]
    assert names[0] == "Testapotek Ronneby Centrum"
    distances = [hit.distance_km for hit in answer.results]
    assert len(distances) >= 2 and distances == sorted(distances)  # nearest first
    text = nearest_answer(
        answer, origin, lotsen.service_types["apotek"], lotsen.service_types, at=AT
    )
    assert text.startswith("Närmaste apotek från Ronneby:")
    assert "1. Testapotek Ronneby Centrum, Exempelgatan 3, Ronneby:" in text
    assert "km" in text or " m " in text
    assert "I dag 9–18, öppet nu, stänger kl. 18." in text
    assert "Uppgifterna är från januari 2026 (källa: testdata" in text
    assert "på väg" in text and "uppskattning" in text


@pytest.mark.parametrize(
    ("name", "approximate"), [("Kristianopel", True), ("Åryd", False)]
)
def test_an_approximate_village_position_is_said(
    lotsen: Lotsen, name: str, approximate: bool
) -> None:
    place = lotsen.resolve(name).place
    assert place is not None
    origin = lotsen.origin_for_place(place)
    assert origin is not None
    answer = lotsen.nearest("apotek", origin, k=1)
    text = nearest_answer(
        answer, origin, lotsen.service_types["apotek"], lotsen.service_types, at=AT
    )
    said = f"Jag vet bara ungefär var {name} ligger (ungefärlig position)" in text
    assert said is approximate


def test_category_without_data_offers_related_and_says_so(lotsen: Lotsen) -> None:
    place = lotsen.resolve("Tving").place
    assert place is not None
    origin = lotsen.origin_for_place(place)
    assert origin is not None
    answer = lotsen.nearest("apoteksombud", origin, k=3)
    assert not answer.has_data
    text = nearest_answer(
        answer,
        origin,
        lotsen.service_types["apoteksombud"],
        lotsen.service_types,
        at=AT,
    )
    assert "inga uppgifter om apoteksombud" in text
    assert "Närmaste apotek jag känner till från Tving" in text
    assert "Uppgifterna är från" in text


def test_pages_never_repeat(lotsen: Lotsen) -> None:
    place = lotsen.resolve("Karlskrona").place
    assert place is not None
    origin = lotsen.origin_for_place(place)
    assert origin is not None
    first = lotsen.nearest("dagligvaror", origin, k=3)
    second = lotsen.nearest("dagligvaror", origin, k=3, offset=3)
    ids_first = {h.point.id for h in first.results}
    ids_second = {h.point.id for h in second.results}
    assert ids_first and ids_second
    assert not ids_first & ids_second
    distances = [h.distance_km for h in (*first.results, *second.results)]
    assert distances == sorted(distances)


@pytest.mark.parametrize(
    ("lat", "lon", "reason"),
    [
        ("abc", 15.0, "invalid"),
        (None, 15.0, "invalid"),
        (95.0, 15.0, "invalid"),
        (56.2, 200.0, "invalid"),
        (float("nan"), 15.0, "invalid"),
        (59.33, 18.06, "outside"),  # Stockholm
        (0.0, 0.0, "outside"),
    ],
)
def test_bad_positions(lotsen: Lotsen, lat: object, lon: object, reason: str) -> None:
    with pytest.raises(PositionProblem) as problem:
        lotsen.origin_for_position(lat, lon)
    assert problem.value.reason == reason


def test_position_in_blekinge(lotsen: Lotsen) -> None:
    origin = lotsen.origin_for_position("56.26", "15.62")
    assert origin.is_position
    assert origin.municipality == "Karlskrona"


def test_locality_answer_lists_by_type(lotsen: Lotsen) -> None:
    place = lotsen.resolve("Kyrkhult").place
    assert place is not None
    text = locality_answer(place.name, lotsen.in_locality(place), lotsen.service_types)
    assert text.startswith("Det här finns i Kyrkhult")
    assert "- Matbutiker: Testbutik Kyrkhult" in text
    assert "- Uttagsautomater: Testautomat Kyrkhult" in text
    assert "Uppgifterna är från" in text


def test_locality_without_points(lotsen: Lotsen) -> None:
    text = locality_answer("Hasslö", [], lotsen.service_types)
    assert "inga uppgifter om service i Hasslö" in text


def test_hours_on_sunday(lotsen: Lotsen) -> None:
    place = lotsen.resolve("Mjällby").place
    matches = lotsen.point_by_name("Coop", place)
    assert [p.name for p in matches] == ["Testbutik Coop Mjällby"]
    text = hours_answer(matches[0], parse_when("öppet på söndag?", AT), AT)
    assert "har öppet söndag 6 december: 11–16." in text
    assert "Uppgifterna är från" in text


def test_hours_closed_day_and_now(lotsen: Lotsen) -> None:
    jamjo = lotsen.point_by_name("Testbutik Jämjö")[0]
    closed = hours_answer(jamjo, parse_when("på söndag", AT), AT)
    assert "har stängt söndag 6 december" in closed
    now = hours_answer(jamjo, parse_when("är den öppen nu", AT), AT)
    assert "öppet nu, stänger kl. 21" in now


def test_hours_missing() -> None:
    lotsen = Lotsen.load(REGISTRY)
    kyrkhult = lotsen.point_by_name("Testbutik Kyrkhult")[0]
    text = hours_answer(kyrkhult, parse_when("öppet?", AT), AT)
    assert "inga öppettider" in text


def test_freshness_spans_months(lotsen: Lotsen) -> None:
    import dataclasses

    a = lotsen.registry.points[0]
    b = dataclasses.replace(
        a,
        source_date=datetime.date(2023, 2, 16),
        source="kedjans butikssök (insamlat 2023)",
    )
    text = freshness([a, b])
    # each source with its own date: never "från februari 2023 till januari
    # 2026 (källa: … insamlat 2023 …)", which contradicts itself
    assert "till januari 2026" not in text
    assert text.startswith(
        "Uppgifterna är från februari 2023 (källa: kedjans butikssök (insamlat 2023)) "
        "och januari 2026 (källa: testdata"
    )
    c = dataclasses.replace(a, source_date=datetime.date(2026, 3, 1))
    assert "januari 2026 till mars 2026 (källa: testdata" in freshness([a, c])
