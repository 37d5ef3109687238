"""Writes scripted conversations with Rasa's own SQL tracker store (run it with .venv-rasa).

The demand tests (test_demand.py) describe conversations as JSON: which
searches, unknown places, digital questions, in which month. This script
turns each into the events the real stack records (the shapes copied from
a conversation recorded through `make run`: the form, its slots, the
action, the bot's text and places payload, `last_search`), and saves them
with `SQLTrackerStore`, so the `events` table, its columns and every
event's JSON are exactly Rasa 3.6's. The end-to-end test
(test_demand_e2e.py) checks the same against the running stack.

    .venv-rasa/bin/python tests/report/rasa_demand_store.py STORE SPEC.json

STORE is `sqlite:///path`; SPEC a file with
{"conversations": [{"sender": ..., "sessions": [{"at": unix_time, "turns": [...]}]}]}.
With "reword": true in SPEC every answer is written in other words (and
its distances another way), as after an editor rewrote the answers or the
bot answered in English; the counts must not change.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.change_reports import REPORT_SLOT as CHANGE_SLOT  # noqa: E402
from bot.outcome import (  # noqa: E402  (plain Python, no Rasa: imports here too)
    OUTCOME_SLOT,
    SHARED_POSITION,
    Kind,
    Outcome,
    Question,
)

META = {"model_id": "0000testmodel", "assistant_id": "servicelotsen"}
#: Set from the spec: write every answer in other words.
REWORD = False


class Clock:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        self.at += 0.01
        return self.at


def _user(
    text: str, intent: str, entities: list[dict[str, Any]], t: Clock
) -> UserUttered:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities,
        "intent_ranking": [{"name": intent, "confidence": 1.0}],
        "message_id": uuid.uuid4().hex,
    }
    return UserUttered(
        text,
        intent=parse["intent"],
        entities=entities,
        parse_data=parse,
        timestamp=t(),
        input_channel="rest",
        message_id=parse["message_id"],
        metadata=META,
    )


def _act(name: str, t: Clock) -> ActionExecuted:
    return ActionExecuted(
        name, policy="RulePolicy", confidence=1.0, timestamp=t(), metadata=META
    )


def _slot(name: str, value: Any, t: Clock) -> SlotSet:
    return SlotSet(name, value, timestamp=t(), metadata=META)


def _outcome(t: Clock, kind: Kind, question: Question, **fields: Any) -> SlotSet:
    """The answer's outcome, as the actions record it (`bot.outcome`)."""
    return _slot(OUTCOME_SLOT, Outcome(kind, question, **fields).to_dict(), t)


def _km(distance: str) -> float:
    """ "4,1 km" / "70 m" -> km (the test's own numbers, never read back by the report)."""
    value, unit = distance.split()
    number = float(value.replace(",", "."))
    return number if unit == "km" else number / 1000


def _reworded(text: str) -> str:
    """Other words for an answer: English, distances in metres or miles."""
    words = {
        "Närmaste": "Closest",
        "från": "from",
        "Jag har tyvärr inga uppgifter om": "Sorry, there is nothing on file about",
        "Jag hittar ingen ort som heter": "No place is called",
        "Det finns inga fler ställen": "Nothing more to show",
        "Var är du?": "Where are you?",
        "Tack!": "Thanks!",
    }
    for swedish, english in words.items():
        text = text.replace(swedish, english)
    return f"(reworded) {text.upper()}"


def _bot(
    text: str | None,
    t: Clock,
    response: str | None = None,
    custom: dict[str, Any] | None = None,
) -> BotUttered:
    if REWORD:
        text = _reworded(text) if text else text
        if custom is not None:
            custom = json.loads(
                json.dumps(custom).replace(" km", " kilometres").replace(" m\"", " metres\"")
            )
    meta = dict(META)
    if response:
        meta["utter_action"] = response
    data = {
        "elements": None,
        "quick_replies": None,
        "buttons": None,
        "attachment": None,
        "image": None,
        "custom": custom,
    }
    return BotUttered(text, data=data, metadata=meta, timestamp=t())


def _entity(name: str, value: Any) -> dict[str, Any]:
    return {
        "entity": name,
        "start": 0,
        "end": 1,
        "value": value,
        "extractor": "DIETClassifier",
    }


def _places(first_id: str, distance: str) -> dict[str, Any]:
    return {
        "type": "places",
        "places": [
            {
                "number": 1,
                "id": first_id,
                "name": "Testställe",
                "address": "Testort",
                "distance": distance,
                "road_estimate": distance,
                "today": None,
                "status": None,
                "open_now": None,
                "phone": None,
                "website": None,
                "map_url": "https://www.openstreetmap.org/",
            }
        ],
        "freshness": "Uppgifterna är från januari 2026.",
    }


def _form_done(turn: dict[str, Any], t: Clock) -> list[Event]:
    """The form validated the place and completed (as the recording shows)."""
    return [
        _act("find_service_form", t),
        ActiveLoop("find_service_form", timestamp=t(), metadata=META),
        _slot("service_type", turn["service_type"], t),
        _slot("location", turn.get("location_name"), t),
        _slot("place_id", turn.get("place_id"), t),
        _slot("latitude", None, t),
        _slot("longitude", None, t),
        _slot("requested_slot", None, t),
        ActiveLoop(None, timestamp=t(), metadata=META),
    ]


def _turn(turn: dict[str, Any], t: Clock) -> list[Event]:
    kind = turn["kind"]
    text = turn.get("text", "Hemligtext från en invånare")
    if kind == "search":
        events: list[Event] = [
            _user(
                text,
                "find_service",
                [
                    _entity("service_type", turn["service_type"]),
                    _entity("location", turn["location_name"]),
                ],
                t,
            ),
            _slot("service_type", turn["service_type"], t),
            _slot("location", turn["location_name"], t),
            *_form_done(turn, t),
            _act("action_find_service", t),
        ]
        if turn.get("no_data"):
            events.append(
                _bot(
                    f"Jag har tyvärr inga uppgifter om {turn['service_type']} "
                    "ännu, så jag kan inte säga var närmaste finns.",
                    t,
                )
            )
        else:
            events.append(_bot("Närmaste ställen från orten:\n1. Testställe", t))
        events += [
            _bot(None, t, custom=_places(turn["first_id"], turn["distance"])),
            _slot(
                "last_search",
                {"category": turn["service_type"], "place_id": turn.get("place_id")},
                t,
            ),
            _slot("results_shown", 1.0, t),
            _outcome(
                t,
                Kind.NO_DATA if turn.get("no_data") else Kind.FOUND,
                Question.NEAREST,
                service_type=turn["service_type"],
                place=turn.get("place_id"),
                distance_km=None if turn.get("no_data") else _km(turn["distance"]),
            ),
            _act("action_listen", t),
        ]
        return events
    if kind == "position_search":
        lat, lon = turn["position"]
        share = f'/share_location{{"latitude": {lat}, "longitude": {lon}}}'
        return [
            _user(
                share,
                "share_location",
                [_entity("latitude", lat), _entity("longitude", lon)],
                t,
            ),
            _slot("latitude", lat, t),
            _slot("longitude", lon, t),
            _act("action_share_location", t),
            _bot(
                "Tack! Jag använder din position bara för att söka i det här samtalet.",
                t,
                response="utter_position_received",
            ),
            _slot("location", None, t),
            _slot("place_id", None, t),
            _outcome(t, Kind.ASKED, Question.POSITION, place=SHARED_POSITION),
            _act("action_listen", t),
            _user(
                text, "find_service", [_entity("service_type", turn["service_type"])], t
            ),
            _slot("service_type", turn["service_type"], t),
            _act("find_service_form", t),
            ActiveLoop("find_service_form", timestamp=t(), metadata=META),
            _slot("service_type", turn["service_type"], t),
            _slot("requested_slot", None, t),
            ActiveLoop(None, timestamp=t(), metadata=META),
            _act("action_find_service", t),
            _bot("Närmaste från dig:\n1. Testställe", t),
            _bot(None, t, custom=_places(turn["first_id"], turn["distance"])),
            _slot(
                "last_search", {"category": turn["service_type"], "place_id": None}, t
            ),
            _slot("results_shown", 1.0, t),
            _outcome(
                t,
                Kind.FOUND,
                Question.NEAREST,
                service_type=turn["service_type"],
                place=SHARED_POSITION,
                distance_km=_km(turn["distance"]),
            ),
            _act("action_listen", t),
        ]
    if kind in ("unknown_place", "outside_area"):
        response = (
            "utter_unknown_place"
            if kind == "unknown_place"
            else "utter_place_outside_area"
        )
        return [
            _user(
                text,
                "find_service",
                [
                    _entity("service_type", turn["service_type"]),
                    _entity("location", "Åkerby"),
                ],
                t,
            ),
            _slot("service_type", turn["service_type"], t),
            _slot("location", "Åkerby", t),
            _act("find_service_form", t),
            ActiveLoop("find_service_form", timestamp=t(), metadata=META),
            _bot('Jag hittar ingen ort som heter "Åkerby".', t, response=response),
            _slot("service_type", turn["service_type"], t),
            _slot("location", None, t),
            _slot("place_id", None, t),
            _outcome(
                t,
                Kind.UNKNOWN_PLACE if kind == "unknown_place" else Kind.OUTSIDE_AREA,
                Question.NEAREST,
                service_type=turn["service_type"],
            ),
            _slot("requested_slot", "location", t),
            _bot("Var är du?", t, response="utter_ask_location"),
            _act("action_listen", t),
        ]
    if kind == "ask_location":  # only the type: the form asks where
        return [
            _user(
                text, "find_service", [_entity("service_type", turn["service_type"])], t
            ),
            _slot("service_type", turn["service_type"], t),
            _act("find_service_form", t),
            ActiveLoop("find_service_form", timestamp=t(), metadata=META),
            _slot("service_type", turn["service_type"], t),
            _slot("requested_slot", "location", t),
            _bot("Var är du?", t, response="utter_ask_location"),
            _act("action_listen", t),
        ]
    if kind == "more":
        return [
            _user("visa fler", "ask_more_results", [], t),
            _act("action_more_results", t),
            _bot(
                "Det finns inga fler ställen att visa för den sökningen.",
                t,
                response="utter_no_more_results",
            ),
            _outcome(t, Kind.NONE_WITHIN_LIMIT, Question.MORE),
            _act("action_listen", t),
        ]
    if kind == "digital":
        return [
            _user(text, "ask_digital_alternative", [], t),
            _act("action_digital_alternative", t),
            _bot(turn["answer"], t),
            _outcome(t, Kind.FOUND, Question.DIGITAL, topic=turn["topic"]),
            _act("action_listen", t),
        ]
    if kind == "home_delivery":
        return [
            _user(text, "ask_home_delivery", [], t),
            _act("action_home_delivery", t),
            _bot("Det beror på var du bor. Vilken kommun gäller det?", t),
            _outcome(t, Kind.ASKED, Question.HOME_DELIVERY),
            _act("action_listen", t),
        ]
    if kind == "report":  # a resident's report, as actions/report_change.py stores it
        point = turn["point_id"]
        return [
            _user(text, "report_change", [_entity("point_name", point)], t),
            _act("report_change_form", t),
            ActiveLoop("report_change_form", timestamp=t(), metadata=META),
            _slot("report_point", point, t),
            _slot("report_problem", turn.get("problem", "closed"), t),
            _slot("report_note", text, t),
            _slot("requested_slot", None, t),
            ActiveLoop(None, timestamp=t(), metadata=META),
            _act("action_report_change", t),
            _bot("Tack! Jag har antecknat det.", t, response="utter_report_thanks"),
            _slot(
                CHANGE_SLOT,
                turn.get("value")
                or {
                    "point_id": point,
                    "point_name": "Testställe",
                    "kind": turn.get("problem", "closed"),
                    "category": turn.get("category"),
                    "date": "2026-09-15",
                    "text": text,
                    "channel": "chat",
                },
                t,
            ),
            _slot("reports_sent", 1.0, t),
            _slot("report_point", None, t),
            _slot("report_problem", None, t),
            _slot("report_note", None, t),
            _outcome(t, Kind.FOUND, Question.REPORT, service_type=turn.get("category")),
            _act("action_listen", t),
        ]
    if kind == "report_unknown":  # a point the registry does not have: nothing stored
        return [
            _user(text, "report_change", [], t),
            _act("report_change_form", t),
            _bot("Jag hittar inte det stället.", t, response="utter_report_point_unknown"),
            _act("action_report_change", t),
            _outcome(t, Kind.NO_DATA, Question.REPORT),
            _act("action_listen", t),
        ]
    raise ValueError(f"unknown turn kind {kind!r}")


def events_of(conversation: dict[str, Any]) -> list[Event]:
    events: list[Event] = []
    for session in conversation["sessions"]:
        t = Clock(float(session["at"]))
        events += [
            ActionExecuted("action_session_start", timestamp=t(), metadata=META),
            SessionStarted(timestamp=t(), metadata=META),
            ActionExecuted("action_listen", timestamp=t(), metadata=META),
        ]
        for turn in session["turns"]:
            events += _turn(turn, t)
    return events


async def write(url: str, spec: dict[str, Any]) -> None:
    domain = Domain.load(str(ROOT / "domain.yml"))
    store = SQLTrackerStore(domain, dialect="sqlite", db=url.split(":///", 1)[1])
    for conversation in spec["conversations"]:
        tracker = DialogueStateTracker.from_events(
            conversation["sender"], events_of(conversation), slots=domain.slots
        )
        await store.save(tracker)


def main() -> None:
    global REWORD
    url, spec_file = sys.argv[1:3]
    spec = json.loads(Path(spec_file).read_text(encoding="utf-8"))
    REWORD = bool(spec.get("reword"))
    asyncio.run(write(url, spec))


if __name__ == "__main__":
    main()
