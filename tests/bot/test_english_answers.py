"""English answers in English (issue #15 item 5): opening hours, days,
times, distances, lists, parcel points, old information, approximate
positions and what a report says, on the obviously fake test registries.

The Swedish texts are pinned by the other tests (test_opening_hours.py,
test_lotsen_answers.py, test_carrier_answers.py ...); here the same answers in
English must carry none of the Swedish words that used to leak.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.answers import (
    also_here,
    display_name,
    freshness,
    hours_answer,
    locality_answer,
    nearest_answer,
    places_payload,
)
from bot.carriers import load_carriers, parcel_label
from bot.change_reports import KINDS, SAID, said
from bot.freshness import check_advice, load_freshness, source_name
from bot.geo import format_distance_km
from bot.lotsen import Lotsen, Origin, municipality_label
from bot.messages import join_words, messages
from bot.opening_hours import (
    format_period,
    holiday_name,
    local_datetime,
    parse_opening_hours,
)
from bot.when import parse_when

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
E2E_REGISTRY = FIXTURES / "e2e" / "registry.geojson"
CARRIER_REGISTRY = FIXTURES / "carriers" / "registry.geojson"
TZ = ZoneInfo("Europe/Stockholm")
# Wednesday 2 December 2026, 14.00 in Sweden
AT = datetime.datetime(2026, 12, 2, 14, 0, tzinfo=TZ)

#: Swedish words that must not reach an English answer (place and shop names
#: and the fake registries' source names are left out before looking).
SWEDISH_MARKERS = (
    "öppet", "stängt", "stänger", "öppnar", " och ", "ungefärlig", "idag", "i dag",
    "i morgon", "km från", "kl.", "dygnet", "ombud", "paketskåp", "uppgift",
    "källa", "här finns", "närmaste", "från", "aviseringen", " ring ", "måndag",
    "söndag", "januari", "kommun ", "okänt", "osäkert", "eller",
)  # fmt: skip
#: What the checks leave out: names the bot keeps as they are written.
_KEPT = re.compile(
    r"Test[a-zåäö]+(?: [A-ZÅÄÖ][a-zåäö]+)*|testdata \(påhittad, för tester\)"
    r"|testkälla [a-z]+ \(påhittad\)|Exempelgatan|Jämjö|Rödeby|Kristianopel|Åryd"
)


def swedish_in(text: str) -> list[str]:
    """The Swedish markers in `text` (names kept as written are left out)."""
    plain = _KEPT.sub(" ", text).casefold()
    return [m for m in SWEDISH_MARKERS if m in plain]


@pytest.fixture(scope="module")
def lotsen() -> Lotsen:
    return Lotsen.load(E2E_REGISTRY)


@pytest.fixture(scope="module")
def carriers() -> Lotsen:
    return Lotsen.load(CARRIER_REGISTRY)


def origin_of(lotsen: Lotsen, name: str) -> Origin:
    place = lotsen.resolve(name).place
    assert place is not None
    origin = lotsen.origin_for_place(place)
    assert origin is not None
    return origin


# --- formats ---------------------------------------------------------------------


def test_distances_get_a_decimal_point_in_english_and_a_comma_in_swedish() -> None:
    assert format_distance_km(1.234, "en") == "1.2 km"
    assert format_distance_km(1.234) == "1,2 km"
    assert format_distance_km(0.85, "en") == "850 m"
    assert format_distance_km(14.2, "en") == "14 km"


def test_lists_are_joined_with_and_without_a_serial_comma() -> None:
    assert join_words(["a", "b", "c"], "en") == "a, b and c"
    assert join_words(["a", "b", "c"], "sv") == "a, b och c"
    assert join_words(["a", "b"], "en", conjunction="or") == "a or b"
    assert join_words(["a"], "en") == "a" and join_words([], "en") == ""


def test_english_times_are_24_hour_with_a_colon_and_minutes() -> None:
    day = datetime.date(2026, 12, 2)
    start, end = local_datetime(day, 9), local_datetime(day, 19)
    assert format_period(start, end, lang="en") == "9:00–19:00"
    assert format_period(start, end) == "9–19"
    half = local_datetime(day, 8, 30)
    assert format_period(half, end, lang="en") == "8:30–19:00"
    midnight = local_datetime(day + datetime.timedelta(days=1))
    assert format_period(local_datetime(day, 22), midnight, lang="en") == "22:00–24:00"
    assert format_period(local_datetime(day, 22), midnight) == "22–24"
    assert format_period(start, None, lang="en") == "from 9:00"


@pytest.mark.parametrize(
    ("hours", "at", "english", "swedish"),
    [
        ("Mo-Fr 09:00-18:00", AT, "open now, closes at 18:00", "öppet nu, stänger kl. 18"),
        (
            "Mo-Fr 09:00-18:00",
            AT.replace(hour=19),
            "closed now, opens tomorrow at 9:00",
            "stängt nu, öppnar i morgon kl. 9",
        ),
        (
            "Mo 09:30-18:00",
            AT,
            "closed now, opens on Monday at 9:30",
            "stängt nu, öppnar måndag kl. 9.30",
        ),
        ("24/7", AT, "open now", "öppet dygnet runt"),
        ("We 20:00-02:00", AT.replace(hour=21), "open now, closes at 2:00 tonight", None),
        ("We 20:00-24:00", AT.replace(hour=21), "open now, closes at midnight", None),
        ("Jan 10 09:00-17:00", AT, "closed now, opens on 10 January at 9:00", None),
        ("off", AT, "closed", "stängt"),
        ('Mo-Su 10:00-18:00 unknown "ring först"', AT, None, None),
    ],
)
def test_the_status_in_english(
    hours: str, at: datetime.datetime, english: str | None, swedish: str | None
) -> None:
    oh = parse_opening_hours(hours)
    text = oh.status_text(at, "en")
    if english is not None:
        assert text == english
    else:
        assert text.startswith("not sure whether it is open now")
    if swedish is not None:
        assert oh.status_text(at) == swedish
    assert swedish_in(text) == [] or "ring först" in text


def test_a_days_hours_in_english() -> None:
    oh = parse_opening_hours("Mo-Fr 08:00-12:00,13:00-17:00; Sa 10:00-14:00; Su off")
    assert oh.hours_text(datetime.date(2026, 12, 2), "en") == "8:00–12:00, 13:00–17:00"
    assert oh.hours_text(datetime.date(2026, 12, 2)) == "8–12, 13–17"
    assert oh.today_text(AT, "en") == "8:00–12:00, 13:00–17:00"
    assert oh.hours_text(datetime.date(2026, 12, 6), "en") == "closed"
    assert parse_opening_hours("24/7").today_text(AT, "en") == "open 24 hours"


def test_holidays_have_english_names() -> None:
    eve = datetime.date(2026, 12, 24)
    assert holiday_name(eve) == "Julafton"
    assert holiday_name(eve, "en") == "Christmas Eve"


# --- the day asked about -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "english", "swedish"),
    [
        ("is it open today?", "today", "i dag"),
        ("open tomorrow?", "tomorrow", "i morgon"),
        ("is Coop open on Sunday?", "on Sunday 6 December", "söndag 6 december"),
        ("open on sundays?", "on Sunday 6 December", "söndag 6 december"),
        ("har de öppet på söndag?", "on Sunday 6 December", "söndag 6 december"),
        ("open on Thursday?", "tomorrow (Thursday)", "i morgon (torsdag)"),
        ("open this weekend?", "on Saturday 5 December", "lördag 5 december"),
    ],
)
def test_the_day_is_named_in_the_answers_language(
    text: str, english: str, swedish: str
) -> None:
    when = parse_when(text, AT)
    assert not when.now
    assert when.label_in("en") == english
    assert when.label == swedish


def test_now_in_english() -> None:
    assert parse_when("is the ATM open now?", AT).now
    assert not parse_when("is it open today", AT).now


# --- the answers -------------------------------------------------------------------


def test_the_nearest_pharmacies_in_english(lotsen: Lotsen) -> None:
    origin = origin_of(lotsen, "Ronneby")
    answer = lotsen.nearest("apotek", origin, k=3)
    text = nearest_answer(
        answer,
        origin,
        lotsen.service_types["apotek"],
        lotsen.service_types,
        at=AT,
        lang="en",
    )
    assert text.startswith("Nearest pharmacies from Ronneby:")
    assert "Today 9:00–18:00, open now, closes at 18:00." in text
    assert re.search(r": \d+(\.\d)? k?m \(about \d+(\.\d)? k?m by road\)", text)
    assert "The information is from January 2026 (source: testdata" in text
    assert swedish_in(text) == []


def test_an_approximate_position_is_said_in_english(lotsen: Lotsen) -> None:
    origin = origin_of(lotsen, "Kristianopel")
    answer = lotsen.nearest("apotek", origin, k=1)
    text = nearest_answer(
        answer, origin, lotsen.service_types["apotek"], lotsen.service_types, at=AT, lang="en"
    )
    assert (
        "I only know roughly where Kristianopel is (approximate position), "
        "so the distances are approximate." in text
    )
    assert swedish_in(text) == []


def test_hours_on_a_day_in_english(lotsen: Lotsen) -> None:
    point = lotsen.registry.by_id("e2e-3")  # Testapotek Ronneby Centrum
    assert point is not None and point.name == "Testapotek Ronneby Centrum"
    sunday = hours_answer(point, parse_when("open on Sunday?", AT), at=AT, lang="en")
    assert sunday.startswith(
        "Testapotek Ronneby Centrum (Exempelgatan 3, Ronneby) is closed on Sunday 6 December."
    )
    saturday = hours_answer(point, parse_when("on saturday", AT), at=AT, lang="en")
    assert "is open on Saturday 5 December: 10:00–14:00." in saturday
    now = hours_answer(point, parse_when("open now?", AT), at=AT, lang="en")
    assert "open now, closes at 18:00. Opening hours today: 9:00–18:00." in now
    for text in (sunday, saturday, now):
        assert swedish_in(text) == []
    # Swedish unchanged
    assert "har stängt söndag 6 december." in hours_answer(
        point, parse_when("på söndag", AT), at=AT
    )


def test_parcel_points_and_lockers_in_english(carriers: Lotsen) -> None:
    jamjo = origin_of(carriers, "Jämjö")
    kinds = carriers.service_types
    answer = carriers.nearest("paketombud", jamjo, k=5)
    text = nearest_answer(answer, jamjo, kinds["paketombud"], kinds, at=AT, lang="en")
    assert "Parcel point for PostNord and DHL." in text
    assert "Parcel point for DB Schenker and Bring." in text
    assert "Instabox parcel locker, Testvägen 1, Jämjö" in text
    locker = carriers.nearest("paketombud", jamjo, k=5, carrier="instabox")
    text = nearest_answer(locker, jamjo, kinds["paketombud"], kinds, at=AT, lang="en")
    assert text.startswith("Nearest Instabox parcel lockers from Jämjö:")
    dhl = carriers.nearest("paketombud", jamjo, k=5, carrier="dhl")
    text = nearest_answer(dhl, jamjo, kinds["paketombud"], kinds, at=AT, lang="en")
    assert text.startswith("Nearest DHL parcel points from Jämjö:")
    assert "The information is from 2021 and may have changed." in text
    assert "The notice from DHL (text message, app or letter)" in text
    assert "You can also search on DHL's website." in text
    assert swedish_in(text) == []
    ups = carriers.nearest("paketombud", jamjo, k=5, carrier="ups")
    text = nearest_answer(ups, jamjo, kinds["paketombud"], kinds, at=AT, lang="en")
    assert text.startswith("Sorry, I have no information about where UPS hands out parcels.")
    assert "on UPS's website" in text and swedish_in(text) == []
    payload = places_payload(locker.results, at=AT, lang="en", category="paketombud")
    place = payload["places"][0]  # type: ignore[index]
    assert place["name"] == "Instabox parcel locker"
    assert place["carriers"] == "Instabox parcel locker"


def test_the_other_services_of_a_point_in_english(carriers: Lotsen) -> None:
    shop = carriers.registry.by_id("tc-1")
    assert shop is not None
    assert also_here(shop, "paketombud", lang="en") == (
        "Also here: grocery store and pharmacy agent."
    )
    assert also_here(shop, "dagligvaror", lang="en") == (
        "Also here: parcel point (PostNord and DHL) and pharmacy agent."
    )
    postnord_only = carriers.registry.by_id("tc-4")
    assert postnord_only is not None
    assert also_here(postnord_only, "drivmedel", lang="en") == (
        "Also here: PostNord parcel point."
    )
    assert parcel_label(shop, lang="en") == "parcel point for PostNord and DHL"
    assert parcel_label(shop) == "ombud för PostNord och DHL"
    locker = carriers.registry.by_id("tc-3")
    assert locker is not None and display_name(locker, "en") == "Instabox parcel locker"
    assert display_name(locker) == "Instabox paketskåp"


def test_what_is_in_a_place_in_english(carriers: Lotsen) -> None:
    jamjo = origin_of(carriers, "Jämjö")
    assert jamjo.place is not None
    text = locality_answer(
        "Jämjö", carriers.in_locality(jamjo.place), carriers.service_types, "en"
    )
    assert "Testhandel Jämjö (PostNord and DHL)" in text
    assert "Instabox parcel locker (Testvägen 1, Jämjö)" in text
    assert "Information from 2021 may have changed." in text
    assert swedish_in(text) == []


def test_old_information_advice_and_sources_in_english() -> None:
    rules = load_freshness()
    assert set(rules.check_en) == set(rules.check)  # every type has English advice
    assert check_advice(["apotek"], lang="en").startswith("Call the pharmacy")
    assert check_advice(["apotek"]).startswith("Ring apoteket")
    assert check_advice(["okänd"], lang="en") == rules.default_check_en
    advice = check_advice(["paketombud"], lang="en")
    assert "the carrier" in advice and "on the carrier's own website" in advice
    assert source_name("kedjans butikssök (insamlat 2023)", "en") == (
        "the chains' store finders (collected 2023)"
    )
    assert source_name("kedjans butikssök (insamlat 2023)") == "kedjans butikssök (insamlat 2023)"
    assert source_name("OpenStreetMap (ODbL)", "en") == "OpenStreetMap (ODbL)"


def test_every_carrier_says_where_to_search_in_english() -> None:
    for carrier in load_carriers().values():
        assert carrier.finder_in("en"), carrier.id
        assert swedish_in(carrier.finder_in("en")) == [], carrier.id
        assert carrier.finder_in("sv") == carrier.finder


def test_the_freshness_line_in_english(lotsen: Lotsen) -> None:
    point = lotsen.registry.by_id("e2e-3")
    assert point is not None
    text = freshness([point], lang="en")
    assert text.startswith("The information is from January 2026")
    assert "please call and ask before you go" in text


# --- reports and places ----------------------------------------------------------


def test_what_a_report_says_is_wrong_in_english() -> None:
    assert said("closed", "en") == "has closed or is no longer there"
    assert said("closed") == SAID["closed"] == "har stängt eller inte finns kvar"
    for kind in KINDS:
        assert swedish_in(said(kind, "en")) == [], kind


def test_a_kommun_is_named_in_english(lotsen: Lotsen) -> None:
    ryd = lotsen.resolve("Ryd").place
    assert ryd is not None
    assert municipality_label(ryd) == "Tingsryds kommun"
    assert municipality_label(ryd, "en") == "Tingsryd municipality"
    assert municipality_label(ryd, "en", county=True) == "Tingsryd municipality (Kronoberg)"


def test_every_message_has_english() -> None:
    found = messages()
    missing = [key for key in found.ids if not found.has(key, "en")]
    assert missing == []
    for key in found.ids:
        english = found.template(key, "en")
        assert swedish_in(english) == [] or key == "municipality_in_county", key


# --- knowledge: digital alternatives, home delivery, a kommun's contact -------------


def test_every_knowledge_entry_and_kommun_has_english() -> None:
    from bot.knowledge import (
        format_contact,
        format_entry,
        format_home_delivery,
        load_knowledge,
    )

    knowledge = load_knowledge()
    assert knowledge.entries
    for entry in knowledge.entries:
        assert entry.title_en and entry.text_en, entry.id
        english = format_entry(entry, "en")
        assert swedish_in(english) == [], (entry.id, english)
        assert "The information was checked on " in english
        assert format_entry(entry).startswith(entry.text)  # Swedish unchanged
    for kommun in knowledge.municipalities:
        delivery = format_home_delivery(kommun, "en")
        contact = format_contact(kommun, "en")
        assert f"{kommun.name} municipality" in delivery + contact
        for text in (delivery, contact):
            assert swedish_in(text) == [], (kommun.name, text)
        assert kommun.full_name in format_home_delivery(kommun) + format_contact(kommun)


def test_a_place_without_a_position_and_a_whole_kommun_in_english() -> None:
    from bot.lotsen import (
        get_lotsen,
        municipality_question,
        place_without_position_text,
    )

    lotsen = get_lotsen()
    tjurko = lotsen.resolve("Tjurkö").place
    assert tjurko is not None
    english = place_without_position_text(tjurko, "en")
    assert "Tjurkö is in Karlskrona municipality" in english
    assert 'You can also write "Karlskrona municipality"' in english
    assert "Karlskrona kommun" in place_without_position_text(tjurko)
    # what the English answer tells the resident to write is understood
    kommun = lotsen.gazetteer.municipality("Karlskrona municipality")
    assert kommun is not None and kommun.name == "Karlskrona kommun"
    question = municipality_question(kommun, ["Jämjö", "Lyckeby"], "en")
    assert question.startswith("Karlskrona municipality is a whole municipality.")
    assert municipality_question(kommun, ["Jämjö"]).startswith("Karlskrona kommun är en hel")
