"""`bot.outcome`: the record every answer leaves, to and from the tracker's JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.outcome import (
    OUTCOME_SLOT,
    SHARED_POSITION,
    Kind,
    Outcome,
    Question,
    outcome_of_event,
)


def test_an_outcome_survives_the_tracker_store() -> None:
    answer = Outcome(
        Kind.FOUND,
        Question.NEAREST,
        service_type="paketombud",
        carrier="postnord",
        place="1080-jamjo",
        distance_km=4.123456,
        language="en",
    )
    stored = json.loads(json.dumps(answer.to_dict()))
    assert stored == {
        "v": 1,
        "kind": "found",
        "question": "nearest",
        "service_type": "paketombud",
        "carrier": "postnord",
        "place": "1080-jamjo",
        "distance_km": 4.123,
        "language": "en",
        "topic": None,
    }
    back = Outcome.from_dict(stored)
    assert back is not None
    assert back.distance_km == 4.123
    assert back.to_dict() == stored


def test_a_shared_position_is_only_named() -> None:
    answer = Outcome(Kind.FOUND, Question.NEAREST, place=SHARED_POSITION)
    assert answer.from_position
    assert not Outcome(Kind.FOUND, Question.NEAREST, place="1080-jamjo").from_position


@pytest.mark.parametrize(
    "value",
    [
        None,
        "found",
        {"kind": "found", "question": "nearest"},  # no version
        {"v": 2, "kind": "found", "question": "nearest"},  # a version we do not know
        {"v": 1, "kind": "happy", "question": "nearest"},
        {"v": 1, "kind": "found", "question": "weather"},
    ],
)
def test_what_is_no_outcome_is_skipped(value: Any) -> None:
    assert Outcome.from_dict(value) is None


@pytest.mark.parametrize("distance", ["4,1 km", -1, float("nan"), True])
def test_a_damaged_distance_is_dropped(distance: Any) -> None:
    answer = Outcome.from_dict(
        {"v": 1, "kind": "found", "question": "nearest", "distance_km": distance}
    )
    assert answer is not None and answer.distance_km is None


def test_only_the_outcome_slot_event_is_an_outcome() -> None:
    value = Outcome(Kind.NO_DATA, Question.NEAREST).to_dict()
    assert outcome_of_event({"event": "slot", "name": OUTCOME_SLOT, "value": value})
    assert (
        outcome_of_event({"event": "slot", "name": "last_search", "value": value})
        is None
    )
    assert (
        outcome_of_event({"event": "bot", "name": OUTCOME_SLOT, "value": value}) is None
    )


def test_a_residents_report_is_an_outcome_like_any_answer() -> None:
    answer = Outcome(Kind.FOUND, Question.REPORT, service_type="paketombud")
    stored = json.loads(json.dumps(answer.to_dict()))
    assert stored["question"] == "report" and stored["place"] is None
    assert Outcome.from_dict(stored) == answer
    assert Outcome.from_dict({**stored, "kind": "no_data"}) == Outcome(
        Kind.NO_DATA, Question.REPORT, service_type="paketombud"
    )
