"""Writes and reads conversations with Rasa's own SQL tracker store (run it with .venv-rasa).

The retention tests (test_retention.py) use it so the events table, its
columns and every event's JSON are exactly what Rasa 3.6 writes, and so
they can check that Rasa still reads a conversation after the purge.

    .venv-rasa/bin/python tests/editors/rasa_store.py write STORE NOW
    .venv-rasa/bin/python tests/editors/rasa_store.py read STORE SENDER

STORE is `sqlite:///path` or `postgresql://user@host:port/db`; NOW a Unix
time the made-up conversations are dated from. `read` prints the tracker's
events and slots as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.outcome import (  # noqa: E402  (plain Python, no Rasa: imports here too)
    OUTCOME_SLOT,
    SHARED_POSITION,
    Kind,
    Outcome,
    Question,
)

#: The outcome of the answer from a shared position (its distance goes too).
POSITION_OUTCOME = Outcome(
    Kind.FOUND,
    Question.NEAREST,
    service_type="apotek",
    place=SHARED_POSITION,
    distance_km=1.2345,
).to_dict()
#: Distinctive coordinates: found nowhere else in the repository.
OLD_POSITION = (56.16789, 15.58642)
NEW_POSITION = (56.20417, 15.27753)
PLACES = {
    "type": "places",
    "places": [
        {
            "number": 1,
            "name": "Testapotek Karlskrona",
            "distance": "1,2 km",
            "road_estimate": "cirka 1,6 km",
            "map_url": "https://www.openstreetmap.org/?mlat=56.16&mlon=15.59",
        }
    ],
    "freshness": "Uppgifterna är från januari 2026.",
}


def _share(lat: float, lon: float, ts: float) -> list[Event]:
    text = f'/share_location{{"latitude": {lat}, "longitude": {lon}}}'
    entities = [
        {"entity": "latitude", "value": lat, "start": 15, "end": 40},
        {"entity": "longitude", "value": lon, "start": 42, "end": 65},
    ]
    parse = {
        "text": text,
        "intent": {"name": "share_location", "confidence": 1.0},
        "entities": entities,
        "intent_ranking": [{"name": "share_location", "confidence": 1.0}],
    }
    return [
        UserUttered(
            text,
            intent=parse["intent"],
            entities=entities,
            parse_data=parse,
            timestamp=ts,
            input_channel="rest",
        ),
        SlotSet("latitude", lat, timestamp=ts + 0.1),
        SlotSet("longitude", lon, timestamp=ts + 0.1),
        ActionExecuted("action_share_location", timestamp=ts + 0.2),
        SlotSet("latitude", lat, timestamp=ts + 0.3),
        SlotSet("longitude", lon, timestamp=ts + 0.3),
        BotUttered(
            "Närmaste apotek från dig:\n1. Testapotek Karlskrona: 1,2 km "
            "(cirka 1,6 km på väg).",
            timestamp=ts + 0.4,
        ),
        BotUttered(data={"custom": PLACES}, timestamp=ts + 0.5),
        SlotSet(OUTCOME_SLOT, POSITION_OUTCOME, timestamp=ts + 0.55),
        ActionExecuted("action_listen", timestamp=ts + 0.6),
    ]


def _typed(text: str, answer: str, ts: float) -> list[Event]:
    parse = {
        "text": text,
        "intent": {"name": "find_service", "confidence": 0.93},
        "entities": [],
        "intent_ranking": [{"name": "find_service", "confidence": 0.93}],
    }
    return [
        UserUttered(text, intent=parse["intent"], parse_data=parse, timestamp=ts),
        ActionExecuted("action_find_service", timestamp=ts + 0.1),
        BotUttered(answer, timestamp=ts + 0.2),
        ActionExecuted("action_listen", timestamp=ts + 0.3),
    ]


def _session(ts: float) -> list[Event]:
    return [
        ActionExecuted("action_session_start", timestamp=ts),
        SessionStarted(timestamp=ts + 0.01),
        ActionExecuted("action_listen", timestamp=ts + 0.02),
    ]


def conversations(now: float) -> dict[str, list[Event]]:
    day, hour, minute = 86400.0, 3600.0, 60.0
    return {
        # 40 days ago: older than the retention
        "gammalt-samtal": _session(now - 40 * day)
        + _typed("hej", "Hej! Vad letar du efter?", now - 40 * day + 5),
        # an old session with a position, then a new one still going on
        "delad-position": _session(now - 3 * hour)
        + _share(*OLD_POSITION, now - 3 * hour + 10)
        + _typed("tack", "Varsågod! Det var 80 m dit.", now - 3 * hour + 30)
        + _session(now - 10 * minute)
        + _share(*NEW_POSITION, now - 10 * minute + 5),
        # shared a position five minutes ago: still in use
        "pagaende": _session(now - 5 * minute) + _share(*NEW_POSITION, now - 5 * minute + 3),
        # two hours idle, a typed place only: nothing to remove
        "bara-ort": _session(now - 2 * hour)
        + _typed("apotek i Ronneby", "Närmaste apotek från Ronneby: 80 m.", now - 2 * hour + 3),
    }


def store(url: str, domain: Domain) -> SQLTrackerStore:
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        return SQLTrackerStore(domain, dialect="sqlite", db=url.split(":///", 1)[1])
    return SQLTrackerStore(
        domain,
        dialect="postgresql",
        host=parts.hostname,
        port=parts.port,
        db=parts.path.lstrip("/"),
        username=parts.username,
        password=parts.password,
    )


async def write(url: str, now: float) -> None:
    domain = Domain.load(str(ROOT / "domain.yml"))
    target = store(url, domain)
    for sender, events in conversations(now).items():
        tracker = DialogueStateTracker.from_events(sender, events, slots=domain.slots)
        await target.save(tracker)


async def read(url: str, sender: str) -> dict[str, Any]:
    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = await store(url, domain).retrieve_full_tracker(sender)
    if tracker is None:
        return {"events": [], "slots": {}}
    state = tracker.current_state(EventVerbosity.ALL)
    return {"events": state["events"], "slots": state["slots"]}


def main() -> None:
    action, url, arg = sys.argv[1:4]
    if action == "write":
        asyncio.run(write(url, float(arg)))
    else:
        print(json.dumps(asyncio.run(read(url, arg)), ensure_ascii=False))


if __name__ == "__main__":
    main()
