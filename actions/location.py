"""`action_share_location`: the widget's "dela min position" button."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions.common import language, lotsen_or_apologise, outcome, record, slot_text
from actions.find_service import search_and_answer
from bot.lotsen import PositionProblem
from bot.messages import say
from bot.outcome import SHARED_POSITION, Kind, Outcome, Question

if TYPE_CHECKING:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    from rasa_sdk.types import DomainDict

FORM = "find_service_form"


def _entity(tracker: Tracker, name: str) -> Any:
    for entity in tracker.latest_message.get("entities", []) or []:
        if entity.get("entity") == name:
            return entity.get("value")
    return None


class ActionShareLocation(Action):
    """Checks the shared position and uses it for this conversation only.

    The position replaces a place named earlier. It lives in the conversation's
    slots (never in a log) and is not carried into a new session.
    """

    def name(self) -> str:
        return "action_share_location"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        lat, lon = _entity(tracker, "latitude"), _entity(tracker, "longitude")
        forget = [SlotSet("latitude", None), SlotSet("longitude", None)]

        def told(kind: Kind) -> Outcome:
            return outcome(tracker, kind, Question.POSITION)

        lotsen = lotsen_or_apologise(dispatcher)
        if lotsen is None:
            return [*forget, record(told(Kind.UNAVAILABLE))]
        if lat is None or lon is None:
            dispatcher.utter_message(response="utter_invalid_position")
            return [*forget, record(told(Kind.NOT_UNDERSTOOD))]
        try:
            origin = lotsen.origin_for_position(lat, lon)
        except PositionProblem as problem:
            if problem.reason == "outside":
                dispatcher.utter_message(response="utter_position_outside_area")
                outside = told(Kind.OUTSIDE_AREA)
                return [*forget, record(replace(outside, place=SHARED_POSITION))]
            dispatcher.utter_message(response="utter_invalid_position")
            return [*forget, record(told(Kind.NOT_UNDERSTOOD))]
        events: list[dict[str, Any]] = [
            SlotSet("latitude", origin.lat),
            SlotSet("longitude", origin.lon),
            SlotSet("location", None),
            SlotSet("place_id", None),
        ]
        in_form = (tracker.active_loop or {}).get("name") == FORM
        category = lotsen.service_type(slot_text(tracker.get_slot("service_type")))
        if in_form:
            # the form answers in this turn, and records the outcome then
            dispatcher.utter_message(
                text=say("position_used_in_form", language(tracker))
            )
        elif category is not None:
            events += search_and_answer(dispatcher, tracker, lotsen, category, origin)
        else:
            dispatcher.utter_message(response="utter_position_received")
            asked = outcome(tracker, Kind.ASKED, Question.POSITION, origin=origin)
            events.append(record(asked))
        return events
