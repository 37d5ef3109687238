"""Questions about one ort or one named point: "vad finns i Kyrkhult?", opening hours."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rasa_sdk.events import SlotSet

from actions.common import (
    LotsenAction,
    echo,
    entity_text,
    language,
    origin_from_slots,
    outcome,
    place_or_tell,
    place_slots,
    record,
)
from bot.answers import hours_answer, locality_answer
from bot.gazetteer import Municipality, Place
from bot.lotsen import Lotsen, Origin, PlaceProblem, kommun_name
from bot.messages import say
from bot.outcome import Kind, Question
from bot.when import parse_when

if TYPE_CHECKING:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher


def _kommun_of_message(tracker: Tracker, lotsen: Lotsen) -> Municipality | None:
    """The whole kommun this message names ("vad finns i Ronneby kommun?")."""
    named = entity_text(tracker, "location", as_written=True)
    return lotsen.gazetteer.municipality(named) if named is not None else None


def _place_of_message(
    tracker: Tracker, dispatcher: CollectingDispatcher, lotsen: Lotsen
) -> Place | PlaceProblem | None:
    """The place this message names, else the conversation's (None: no place).

    A `PlaceProblem` is a place named in this message that we could not use
    (the resident has been told why).
    """
    named = entity_text(tracker, "location", as_written=True)
    if named is not None:
        return place_or_tell(named, dispatcher, lotsen, language(tracker))
    place_id = tracker.get_slot("place_id")
    if place_id:
        return lotsen.place_by_id(str(place_id))
    return None


class ActionListServices(LotsenAction):
    """ "Vad finns i Kyrkhult?": the points of one ort, by type."""

    question = Question.PLACE_LIST

    def name(self) -> str:
        return "action_list_services"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, lotsen: Lotsen
    ) -> list[dict[str, Any]]:
        kommun = _kommun_of_message(tracker, lotsen)
        if kommun is not None:  # "vad finns i Ronneby kommun?": the whole kommun
            in_kommun = lotsen.in_municipality(kommun)
            dispatcher.utter_message(
                text=locality_answer(
                    kommun_name(kommun, language(tracker)),
                    in_kommun,
                    lotsen.service_types,
                    language(tracker),
                )
            )
            found = Kind.FOUND if in_kommun else Kind.NO_DATA
            return [record(outcome(tracker, found, self.question))]
        place = _place_of_message(tracker, dispatcher, lotsen)
        if isinstance(place, PlaceProblem):
            return [record(outcome(tracker, place.kind, self.question))]
        if place is None:
            dispatcher.utter_message(response="utter_ask_location_for_list")
            return [record(outcome(tracker, Kind.ASKED, self.question))]
        points = lotsen.in_locality(place)
        dispatcher.utter_message(
            text=locality_answer(
                place.name, points, lotsen.service_types, language(tracker)
            )
        )
        kind = Kind.FOUND if points else Kind.NO_DATA
        return [
            *(SlotSet(k, v) for k, v in place_slots(place).items()),
            record(outcome(tracker, kind, self.question, place=place)),
        ]


class ActionOpeningHours(LotsenAction):
    """ "Har Coop i Mjällby öppet på söndag?" – a named point, or the nearest of a type."""

    question = Question.HOURS

    def name(self) -> str:
        return "action_opening_hours"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, lotsen: Lotsen
    ) -> list[dict[str, Any]]:
        text = str(tracker.latest_message.get("text") or "")
        when = parse_when(text)
        lang = language(tracker)
        place = _place_of_message(tracker, dispatcher, lotsen)
        if isinstance(place, PlaceProblem):
            return [record(outcome(tracker, place.kind, self.question))]
        events: list[dict[str, Any]] = (
            [SlotSet(k, v) for k, v in place_slots(place).items()]
            if place is not None
            else []
        )
        name = entity_text(tracker, "point_name", as_written=True)
        category = lotsen.service_type(entity_text(tracker, "service_type"))

        def done(
            kind: Kind, distance_km: float | None = None, origin: Origin | None = None
        ) -> list[dict[str, Any]]:
            found = outcome(
                tracker,
                kind,
                self.question,
                service_type=category,
                place=place,
                origin=origin,
                distance_km=distance_km,
            )
            return [*events, record(found)]

        if name is not None:
            matches = lotsen.points_named(name, place)
            if not matches:
                dispatcher.utter_message(
                    response="utter_point_not_found", point=echo(name)
                )
                return done(Kind.NO_DATA)
            if len(matches) > 1:
                options = ", ".join(
                    say("point_option", lang, name=p.name, locality=p.locality)
                    for p in matches[:4]
                )
                dispatcher.utter_message(
                    text=say("several_points_named", lang, options=options)
                )
                return done(Kind.ASKED)
            dispatcher.utter_message(text=hours_answer(matches[0], when, lang=lang))
            return done(Kind.FOUND)
        if category is not None:
            origin = (
                lotsen.origin_for_place(place)
                if place is not None
                else origin_from_slots(tracker, lotsen)
            )
            if origin is None:
                dispatcher.utter_message(response="utter_ask_point_for_hours")
                return done(Kind.ASKED)
            nearest = lotsen.nearest_point(category, origin)
            if nearest is not None:
                dispatcher.utter_message(
                    text=hours_answer(nearest.point, when, lang=lang)
                )
                return done(Kind.FOUND, nearest.distance_km, origin)
        dispatcher.utter_message(response="utter_ask_point_for_hours")
        return done(Kind.ASKED)
