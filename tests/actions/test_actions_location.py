"""`actions/location.py`: the widget's "dela min position" button."""

from __future__ import annotations

from typing import Any

import pytest
from action_support import FRESH, ent, make_tracker, run_action

from actions.location import ActionShareLocation

#: In Jämjö, about 0,1 km from the fake "Testbutik Jämjö".
JAMJO_LAT, JAMJO_LON = 56.1915, 15.8405
FORGET = {"latitude": None, "longitude": None}
USE_POSITION = {
    "latitude": JAMJO_LAT,
    "longitude": JAMJO_LON,
    "location": None,
    "place_id": None,
}


def share(
    lat: Any = JAMJO_LAT,
    lon: Any = JAMJO_LON,
    *,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
) -> Any:
    """Run the action on the widget's `/share_location{...}` message."""
    entities = []
    if lat is not None:
        entities.append(ent("latitude", lat))
    if lon is not None:
        entities.append(ent("longitude", lon))
    text = f'/share_location{{"latitude": {lat}, "longitude": {lon}}}'
    tracker = make_tracker(
        text,
        intent="share_location",
        entities=entities,
        slots=slots,
        active_loop=active_loop,
    )
    return run_action(ActionShareLocation(), tracker)


def test_position_without_a_question_is_kept_and_acknowledged() -> None:
    reply = share(slots={"location": "Ronneby", "place_id": "1081-ronneby"})
    assert reply.slots == USE_POSITION
    assert reply.responses == ["utter_position_received"]
    assert reply.text == (
        "Tack! Jag använder din position bara för att söka i det här samtalet. "
        "Vad letar du efter?"
    )


def test_position_as_strings_is_read_as_numbers() -> None:
    reply = share(str(JAMJO_LAT), str(JAMJO_LON))
    assert reply.slots == USE_POSITION
    assert isinstance(reply.slots["latitude"], float)


def test_position_answers_the_earlier_question_at_once() -> None:
    reply = share(slots={"service_type": "dagligvaror"})
    assert reply.slots == {
        **USE_POSITION,
        "last_search": {"category": "dagligvaror", "place_id": None},
        "results_shown": 3.0,
    }
    assert reply.text.startswith(
        "Närmaste matbutiker från dig:\n1. Testbutik Jämjö, Provvägen 2, Jämjö: 50 m "
    )
    assert FRESH in reply.text


def test_position_inside_the_form_lets_the_form_answer() -> None:
    reply = share(
        slots={"service_type": "apotek", "requested_slot": "location"},
        active_loop="find_service_form",
    )
    assert reply.slots == USE_POSITION
    assert reply.texts == ["Tack! Jag söker från din position."]
    assert "last_search" not in reply.slots


def test_unvalidated_service_type_list_is_read_like_the_other_actions() -> None:
    """Two service_type entities outside the form leave a list in the slot.

    Regression: the action passed the list to `Lotsen.service_type`, which
    raised TypeError (unhashable list), so the resident got no answer at all.
    """
    reply = share(slots={"service_type": ["apotek", "dagligvaror"]})
    assert reply.text.startswith("Närmaste matbutiker från dig:")


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        ("abc", JAMJO_LON),
        (JAMJO_LAT, "öster"),
        (95.0, JAMJO_LON),
        (JAMJO_LAT, 200.0),
        (float("nan"), JAMJO_LON),
        (None, JAMJO_LON),
        (JAMJO_LAT, None),
        (None, None),
    ],
    ids=[
        "text-lat",
        "text-lon",
        "lat-range",
        "lon-range",
        "nan",
        "no-lat",
        "no-lon",
        "none",
    ],
)
def test_unreadable_position_is_forgotten(lat: Any, lon: Any) -> None:
    reply = share(lat, lon, slots={"latitude": 56.0, "longitude": 15.0})
    assert reply.slots == FORGET
    assert reply.responses == ["utter_invalid_position"]
    assert reply.text.startswith("Jag kunde inte läsa din position.")


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(55.605, 13.0), (59.33, 18.07), (52.52, 13.40)],
    ids=["malmo", "stockholm", "berlin"],
)
def test_position_outside_the_area_is_forgotten(lat: float, lon: float) -> None:
    reply = share(lat, lon, slots={"service_type": "apotek"})
    assert reply.slots == FORGET
    assert reply.responses == ["utter_position_outside_area"]
    assert reply.text.startswith("Din position ligger utanför området")


@pytest.mark.usefixtures("registry_missing")
def test_registry_unavailable_forgets_the_position() -> None:
    reply = share(slots={"service_type": "apotek"})
    assert reply.slots == FORGET
    assert reply.responses == ["utter_registry_unavailable"]
