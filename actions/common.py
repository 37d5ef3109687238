"""What the actions share: the loaded library, places and origins from slots.

Kept free of dialogue decisions: each action module decides what to say.
"""

from __future__ import annotations

import abc
import logging
import threading
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action

from bot.errors import ServicelotsenError
from bot.gazetteer import KIND_TATORT, Place
from bot.knowledge import Knowledge
from bot.lotsen import (
    Lotsen,
    Origin,
    PositionProblem,
    get_lotsen,
    municipality_question,
    place_without_position_text,
)

if TYPE_CHECKING:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    from rasa_sdk.types import DomainDict

logger = logging.getLogger(__name__)

#: Longest piece of a resident's own text the bot repeats back.
ECHO_MAX_CHARS = 40

_warm_started = threading.Event()


_knowledge_lock = threading.Lock()
_knowledge: Knowledge | None = None


def load_knowledge() -> Knowledge:
    """The knowledge files, read on first use and kept until `reload_knowledge`.

    Raises:
        KnowledgeError: the files are missing or invalid.
    """
    global _knowledge
    if _knowledge is None:
        with _knowledge_lock:
            if _knowledge is None:
                _knowledge = Knowledge.load()
    return _knowledge


def knowledge() -> Knowledge | None:
    """The knowledge files, or None (logged for operators) when they are broken."""
    try:
        return load_knowledge()
    except ServicelotsenError as exc:
        logger.error("Knowledge files unavailable: %s", exc)
        return None


def reload_knowledge() -> Knowledge:
    """Read the knowledge files again; the old ones stay in use if the new are broken.

    Raises:
        KnowledgeError: the files are invalid (nothing was replaced).
    """
    global _knowledge
    fresh = Knowledge.load()
    with _knowledge_lock:
        _knowledge = fresh
    _warm_started.clear()
    warm_up_in_background()
    return fresh


def warm_up_in_background() -> None:
    """Embed the knowledge's example questions once, off the request path.

    Called on the first action a worker runs (never at import: the action
    server imports this module in its main process too).
    """
    if _warm_started.is_set():
        return
    _warm_started.set()

    def work() -> None:
        found = knowledge()
        if found is None:
            return
        try:
            found.warm_up()
        except ServicelotsenError as exc:
            logger.error("Knowledge search unavailable: %s", exc)

    threading.Thread(target=work, name="knowledge-warm-up", daemon=True).start()


def lotsen_or_apologise(dispatcher: CollectingDispatcher) -> Lotsen | None:
    """The library, or None after telling the resident the data is unavailable.

    The operator gets the reason in the log (which file, what to do); the
    resident gets one friendly sentence. The next turn tries to load again.
    """
    warm_up_in_background()
    try:
        return get_lotsen()
    except ServicelotsenError as exc:
        logger.error("Service data unavailable: %s", exc)
        dispatcher.utter_message(response="utter_registry_unavailable")
        return None


def echo(text: str) -> str:
    """A resident's words, short enough to repeat in an answer."""
    text = " ".join(str(text).split())
    if len(text) > ECHO_MAX_CHARS:
        return text[: ECHO_MAX_CHARS - 1] + "…"
    return text


def slot_text(value: Any) -> str | None:
    """A text slot's value; several entities of one kind give a list: take the last."""
    if isinstance(value, list):
        value = value[-1] if value else None
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def resolve_place(
    text: str, dispatcher: CollectingDispatcher, lotsen: Lotsen
) -> Place | None:
    """A place name to a place, or None after saying why (unknown, ambiguous)."""
    municipality = lotsen.gazetteer.municipality(text)
    if municipality is not None:  # "Ronneby kommun": the whole kommun, not the town
        # the largest first: more postcode areas, more residents
        towns = [
            p.name
            for p in sorted(
                lotsen.gazetteer.in_municipality(municipality),
                key=lambda p: (-len(p.postcodes), p.name),
            )
            if p.kind == KIND_TATORT and p.has_coordinates
        ]
        dispatcher.utter_message(
            text=municipality_question(municipality, towns),
            buttons=[
                {"title": name, "payload": f'/inform{{"location": "{name}"}}'}
                for name in towns[:6]
            ],
        )
        return None
    resolution = lotsen.resolve(text)
    if resolution.found and resolution.place is not None:
        place = resolution.place
        if place.lat is None or place.lon is None:
            dispatcher.utter_message(text=place_without_position_text(place))
            return None
        return place
    if resolution.ambiguous:
        buttons = [
            {
                "title": p.label,
                "payload": f'/inform{{"location": "{p.label}"}}',
            }
            for p in resolution.candidates[:6]
        ]
        dispatcher.utter_message(
            response="utter_ambiguous_place", place=echo(text), buttons=buttons
        )
        return None
    if resolution.reason == "outside_area":
        dispatcher.utter_message(response="utter_place_outside_area", place=echo(text))
    else:
        dispatcher.utter_message(response="utter_unknown_place", place=echo(text))
    return None


def origin_from_slots(tracker: Tracker, lotsen: Lotsen) -> Origin | None:
    """Where the resident is: a shared position, else the resolved place."""
    lat, lon = tracker.get_slot("latitude"), tracker.get_slot("longitude")
    if lat is not None and lon is not None:
        try:
            return lotsen.origin_for_position(lat, lon)
        except PositionProblem:
            return None
    place_id = tracker.get_slot("place_id")
    if place_id:
        place = lotsen.place_by_id(str(place_id))
        if place is not None:
            return lotsen.origin_for_place(place)
    return None


def place_slots(place: Place) -> dict[str, Any]:
    """The slots that say "the resident is at this place" (a position is dropped)."""
    return {
        "location": place.name,
        "place_id": place.id,
        "latitude": None,
        "longitude": None,
    }


class LotsenAction(Action, abc.ABC):
    """An action that needs the service data: loads it, or apologises and stops.

    Subclasses implement `respond`; the SDK's `run` is the same for all.
    """

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        lotsen = lotsen_or_apologise(dispatcher)
        if lotsen is None:
            return []
        return await self.respond(dispatcher, tracker, lotsen)

    @abc.abstractmethod
    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, lotsen: Lotsen
    ) -> list[dict[str, Any]]:
        """The action's work, with the service data loaded."""
