"""`actions/places.py`: "vad finns i Kyrkhult?" and opening hours.

"Now" is Wednesday 25 November 2026 at 12:00 (conftest), so "på söndag" is
söndag 29 november and "i morgon" is a Thursday.
"""

from __future__ import annotations

from typing import Any

import pytest
from action_support import FRESH, ent, make_tracker, run_action

from actions.places import ActionListServices, ActionOpeningHours


def place_slots(name: str, place_id: str) -> dict[str, Any]:
    return {"location": name, "place_id": place_id, "latitude": None, "longitude": None}


def hours(
    text: str, entities: list[dict[str, Any]], slots: dict[str, Any] | None = None
) -> Any:
    tracker = make_tracker(
        text, intent="ask_opening_hours", entities=entities, slots=slots
    )
    return run_action(ActionOpeningHours(), tracker)


def listing(
    text: str, entities: list[dict[str, Any]], slots: dict[str, Any] | None = None
) -> Any:
    tracker = make_tracker(
        text, intent="list_services_in_place", entities=entities, slots=slots
    )
    return run_action(ActionListServices(), tracker)


# --- list services ----------------------------------------------------------------


def test_list_services_of_a_place() -> None:
    text = "vad finns i Kyrkhult?"
    reply = listing(text, [ent("location", "Kyrkhult", text)])
    assert reply.texts == [
        "Det här finns i Kyrkhult enligt mina uppgifter:\n"
        "- Matbutiker: Testbutik Kyrkhult\n"
        "- Uttagsautomater: Testautomat Kyrkhult\n"
        f"{FRESH} De kan ha ändrats: ring gärna och fråga innan du åker."
    ]
    assert reply.slots == place_slots("Kyrkhult", "1060-kyrkhult")


def test_list_services_of_a_whole_kommun() -> None:
    # "Ronneby kommun" is the whole kommun, not the town (issue 17)
    text = "vad finns i Olofströms kommun?"
    reply = listing(text, [ent("location", "Olofströms kommun", text)])
    assert reply.text.startswith(
        "Det här finns i Olofströms kommun enligt mina uppgifter:"
    )
    assert "Testbutik Kyrkhult" in reply.text  # Kyrkhult lies in Olofström kommun
    assert reply.slots.get("place_id") is None


def test_list_services_reads_the_place_as_written() -> None:
    text = "vad finns det i jamjo"
    # a synonym in the NLU data could change the value; the text span counts
    reply = listing(text, [ent("location", "Jämjö", text, written="jamjo")])
    assert reply.text.startswith(
        "Det här finns i Jämjö enligt mina uppgifter:\n"
        "- Matbutiker: Testbutik Jämjö\n"
        "- Paketombud: Testbutik Jämjö\n"
    )
    assert reply.slots["place_id"] == "1080-jamjo"


def test_list_services_of_the_conversations_place() -> None:
    reply = listing(
        "vad finns där?", [], slots={"location": "Tving", "place_id": "1080-tving"}
    )
    lines = reply.text.splitlines()
    assert lines[:3] == [
        "Det här finns i Tving enligt mina uppgifter:",
        "- Matbutiker: Testbutik Tving",
        "- Bensinstationer: Testmack Tving",
    ]


def test_list_services_of_a_place_without_points() -> None:
    text = "vad finns i Ryd"
    reply = listing(text, [ent("location", "Ryd", text)])
    assert reply.text == (
        "Jag har inga uppgifter om service i Ryd. Fråga gärna efter något "
        'särskilt, så letar jag upp det närmaste, till exempel "närmaste '
        'matbutik från Ryd".'
    )
    assert reply.slots == place_slots("Ryd", "0763-ryd")


def test_list_services_without_a_place_asks_which() -> None:
    reply = listing("vad finns det här?", [])
    assert reply.responses == ["utter_ask_location_for_list"]
    assert reply.events == []


@pytest.mark.parametrize(
    ("place", "response"),
    [
        ("Xyzzyköping", "utter_unknown_place"),
        ("Malmö", "utter_place_outside_area"),
        ("Jämjö eller Lyckeby", "utter_ambiguous_place"),
    ],
)
def test_list_services_of_a_place_we_cannot_use(place: str, response: str) -> None:
    text = f"vad finns i {place}"
    reply = listing(
        text,
        [ent("location", place, text)],
        slots={"location": "Tving", "place_id": "1080-tving"},
    )
    assert reply.responses == [response]  # said why, and nothing else
    assert place in reply.text
    assert reply.events == []


# --- opening hours: a point by name ------------------------------------------------


def test_hours_by_point_name_as_written_not_the_synonym_value() -> None:
    text = "Har Coop öppet på söndag?"
    # Rasa's synonym mapping turns "Coop" into "dagligvaror" in the value
    reply = hours(text, [ent("point_name", "dagligvaror", text, written="Coop")])
    assert reply.texts == [
        "Testbutik Coop Mjällby (Prövogatan 7, Mjällby) har öppet söndag "
        f"29 november: 11–16.\n{FRESH} De kan ha ändrats: ring gärna och fråga "
        "innan du åker."
    ]
    assert reply.events == []


def test_point_name_without_a_span_falls_back_to_the_value() -> None:
    text = "Har Coop öppet på söndag?"
    reply = hours(text, [ent("point_name", "dagligvaror")])  # no start/end
    assert reply.responses == ["utter_point_not_found"]
    assert '"dagligvaror"' in reply.text


def test_hours_now_by_name_and_place() -> None:
    text = "har Testbutik Jämjö i jamjo öppet nu"
    reply = hours(
        text,
        [
            ent("point_name", "Testbutik Jämjö", text),
            ent("location", "Jämjö", text, written="jamjo"),
        ],
    )
    assert reply.text.startswith(
        "Testbutik Jämjö (Provvägen 2, Jämjö): öppet nu, stänger kl. 21. "
        "Öppettider i dag: 8–21.\n"
    )
    assert reply.slots == place_slots("Jämjö", "1080-jamjo")


def test_point_name_not_in_the_named_place_is_looked_up_everywhere() -> None:
    text = "har Coop i Jämjö öppet i morgon"
    reply = hours(
        text,
        [
            ent("point_name", "dagligvaror", text, written="Coop"),
            ent("location", "Jämjö", text),
        ],
    )
    assert reply.text.startswith(
        "Testbutik Coop Mjällby (Prövogatan 7, Mjällby) har öppet i morgon: 8–20."
    )
    assert reply.slots == place_slots("Jämjö", "1080-jamjo")


def test_hours_on_a_closed_day() -> None:
    text = "har Testbutik Jämjö öppet på söndag"
    reply = hours(text, [ent("point_name", "Testbutik Jämjö", text)])
    assert reply.text.startswith(
        "Testbutik Jämjö (Provvägen 2, Jämjö) har stängt söndag 29 november.\n"
    )


def test_point_without_opening_hours_says_so() -> None:
    text = "när har Testbutik Kyrkhult öppet"
    reply = hours(text, [ent("point_name", "Testbutik Kyrkhult", text)])
    assert reply.texts == [
        f"Jag har inga öppettider för Testbutik Kyrkhult (Kyrkhult).\n{FRESH} "
        "De kan ha ändrats: ring gärna och fråga innan du åker."
    ]


def test_point_name_matching_several_asks_which() -> None:
    text = "har Testbutik Karlskrona öppet"
    reply = hours(text, [ent("point_name", "Testbutik Karlskrona", text)])
    assert reply.text.startswith("Jag hittar flera som heter så: Testbutik Karlskrona ")
    assert "Testbutik Karlskrona Nord (Karlskrona)" in reply.text
    assert "Testbutik Karlskrona Syd (Karlskrona)" in reply.text
    assert reply.text.endswith("Vilken menar du? Skriv namnet och orten.")


def test_unknown_point_is_named_back() -> None:
    text = "har Glassbaren öppet idag"
    reply = hours(text, [ent("point_name", "Glassbaren", text)])
    assert reply.responses == ["utter_point_not_found"]
    assert reply.text.startswith(
        'Jag hittar inget ställe som heter "Glassbaren" i mina uppgifter.'
    )
    assert reply.events == []


# --- opening hours: the nearest of a type ----------------------------------------


def test_hours_by_type_and_place() -> None:
    text = "har affären i Tving öppet idag"
    reply = hours(
        text,
        [
            ent("service_type", "dagligvaror", text, written="affären"),
            ent("location", "Tving", text),
        ],
    )
    assert reply.texts == [
        f"Testbutik Tving (Tving) har öppet i dag: 9–18.\n{FRESH} "
        "De kan ha ändrats: ring gärna och fråga innan du åker."
    ]
    assert reply.slots == place_slots("Tving", "1080-tving")


def test_hours_by_type_from_the_conversations_place() -> None:
    text = "har apoteket öppet i morgon"
    reply = hours(
        text,
        [ent("service_type", "apotek", text, written="apoteket")],
        slots={"location": "Kallinge", "place_id": "1081-kallinge"},
    )
    assert reply.text.startswith(
        "Testapotek Kallinge (Kallinge) har öppet i morgon: 9–17.\n"
    )


def test_hours_by_type_from_a_shared_position() -> None:
    text = "har macken öppet på söndag"
    reply = hours(
        text,
        [ent("service_type", "drivmedel", text, written="macken")],
        slots={"latitude": 56.1915, "longitude": 15.8405},
    )
    assert reply.text.startswith("Testmack Tving (Tving) har öppet söndag 29 november")
    assert reply.events == []  # the position stays


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("har apoteket öppet", [ent("service_type", "apotek")]),
        ("har de öppet på söndag", []),
        ("har frisören öppet", [ent("service_type", "frisör")]),
    ],
    ids=["type-without-place", "nothing", "unknown-type"],
)
def test_hours_without_a_point_asks_which(
    text: str, entities: list[dict[str, Any]]
) -> None:
    reply = hours(text, entities)
    assert reply.responses == ["utter_ask_point_for_hours"]
    assert reply.text.startswith("Vilket ställe vill du veta öppettiderna för?")


def test_hours_in_an_unknown_place_says_only_that() -> None:
    text = "har Coop i Xyzzyköping öppet"
    reply = hours(
        text,
        [
            ent("point_name", "dagligvaror", text, written="Coop"),
            ent("location", "Xyzzyköping", text),
        ],
    )
    assert reply.responses == ["utter_unknown_place"]
    assert reply.events == []


# --- no registry ------------------------------------------------------------------


@pytest.mark.usefixtures("registry_missing")
@pytest.mark.parametrize(
    "action", [ActionListServices(), ActionOpeningHours()], ids=["list", "hours"]
)
def test_registry_unavailable_apologises(action: Any) -> None:
    text = "har Coop i Kyrkhult öppet"
    tracker = make_tracker(
        text,
        entities=[
            ent("point_name", "dagligvaror", text, written="Coop"),
            ent("location", "Kyrkhult", text),
        ],
    )
    reply = run_action(action, tracker)
    assert reply.responses == ["utter_registry_unavailable"]
    assert reply.events == []
