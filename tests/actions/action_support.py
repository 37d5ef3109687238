"""Helpers to run Servicelotsen's actions against real Rasa SDK trackers.

Every action gets a real `rasa_sdk.Tracker` (built by `make_tracker`, the way
the action server builds one from Rasa's request) and a real
`CollectingDispatcher`. The library reads the obviously fake registry
`tests/fixtures/e2e/registry.geojson`, so the answers are known.

`Reply.texts` shows what the resident reads: plain texts as sent, and domain
responses (`utter_*`) filled in from `domain.yml` with the action's values.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.outcome import OUTCOME_SLOT, Outcome

REPO = Path(__file__).resolve().parents[2]
REGISTRY = REPO / "tests" / "fixtures" / "e2e" / "registry.geojson"
DOMAIN_PATH = REPO / "domain.yml"
FRESH = "Uppgifterna är från januari 2026 (källa: testdata (påhittad, för tester))."

with DOMAIN_PATH.open(encoding="utf-8") as _file:
    DOMAIN: dict[str, Any] = yaml.safe_load(_file)

#: Every slot of the domain with its initial value, plus the form's bookkeeping.
INITIAL_SLOTS: dict[str, Any] = {
    name: spec.get("initial_value") for name, spec in DOMAIN["slots"].items()
} | {"requested_slot": None}


# --- building trackers ----------------------------------------------------------


def ent(
    name: str,
    value: Any,
    text: str | None = None,
    *,
    written: str | None = None,
) -> dict[str, Any]:
    """An NLU entity; with `text`, start/end point at `written` (default: value).

    `written` is the span as the resident typed it, for entities that Rasa's
    synonym mapping has changed ("Coop" arrives with value "dagligvaror").
    """
    entity: dict[str, Any] = {
        "entity": name,
        "value": value,
        "extractor": "DIETClassifier",
        "confidence_entity": 0.99,
    }
    if text is not None:
        span = written if written is not None else str(value)
        start = text.find(span)
        assert start >= 0, f"{span!r} is not in {text!r}"
        entity["start"], entity["end"] = start, start + len(span)
    return entity


def make_tracker(
    text: str = "",
    *,
    intent: str | None = None,
    entities: Sequence[dict[str, Any]] = (),
    slots: dict[str, Any] | None = None,
    slot_candidates: dict[str, Any] | None = None,
    active_loop: str | None = None,
    intent_ranking: Sequence[tuple[str, float]] | None = None,
    latest_action_name: str = "action_listen",
    sender_id: str = "test-resident",
) -> Tracker:
    """A tracker as the action server gets it after the resident's message.

    Args:
        text: the resident's message.
        intent: the NLU's intent (confidence 0.95), or None.
        entities: the NLU's entities (see `ent`).
        slots: slot values before this action (others keep their initial value).
        slot_candidates: slots Rasa set from this message, appended as SlotSet
            events after the user event (what a form validator validates).
        active_loop: the active form's name.
        intent_ranking: (intent, confidence) pairs, best first.
        latest_action_name: the action that ran last.
        sender_id: the conversation id.
    """
    parse_data: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95} if intent else {},
        "entities": [dict(e) for e in entities],
        "intent_ranking": [
            {"name": name, "confidence": confidence}
            for name, confidence in (intent_ranking or [])
        ],
    }
    all_slots = dict(INITIAL_SLOTS)
    all_slots.update(slots or {})
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": parse_data},
    ]
    for name, value in (slot_candidates or {}).items():
        all_slots[name] = value
        events.append({"event": "slot", "name": name, "value": value})
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message=parse_data,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name=latest_action_name,
    )


# --- running actions --------------------------------------------------------------


_FIELD = re.compile(r"\{(\w+)\}")


def render(message: dict[str, Any]) -> str:
    """The text a resident reads for one dispatched message."""
    if message.get("text"):
        return str(message["text"])
    response = message.get("response")
    if not response:
        return ""
    variants = DOMAIN["responses"][response]
    template = str(variants[0]["text"])

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        assert key in message, f"{response} needs {{{key}}}, the action gave none"
        return str(message[key])

    return _FIELD.sub(fill, template)


def _is_outcome(event: dict[str, Any]) -> bool:
    return event.get("event") == "slot" and event.get("name") == OUTCOME_SLOT


@dataclass
class Reply:
    """What one action did: its events and the messages it dispatched.

    `events` are the conversation's state (slots); the answer's outcome
    records (`bot.outcome`) are kept apart in `outcomes`.
    """

    all_events: list[dict[str, Any]]
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [e for e in self.all_events if not _is_outcome(e)]

    @property
    def outcomes(self) -> list[Outcome]:
        """The outcomes recorded, each checked against the schema."""
        found = []
        for event in self.all_events:
            if _is_outcome(event):
                parsed = Outcome.from_dict(event["value"])
                assert parsed is not None, f"not an outcome: {event['value']!r}"
                assert parsed.to_dict() == event["value"]
                found.append(parsed)
        return found

    @property
    def outcome(self) -> Outcome:
        """The one outcome of this answer."""
        assert len(self.outcomes) == 1, self.outcomes
        return self.outcomes[0]

    @property
    def responses(self) -> list[str | None]:
        """The domain response of each message (None for a plain text)."""
        return [m.get("response") for m in self.messages]

    @property
    def texts(self) -> list[str]:
        return [render(m) for m in self.messages]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [b for m in self.messages for b in m.get("buttons") or []]

    @property
    def slots(self) -> dict[str, Any]:
        """The SlotSet events as a dict (the last value of each slot wins)."""
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}


def run_action(action: Action, tracker: Tracker) -> Reply:
    """Run an action's `run()` as the action server does, with the real domain."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return Reply(list(events), dispatcher.messages)


def call(coroutine_or_value: Any) -> Any:
    """The value of a validator method, awaited when it is a coroutine."""
    if asyncio.iscoroutine(coroutine_or_value):
        return asyncio.run(coroutine_or_value)
    return coroutine_or_value
