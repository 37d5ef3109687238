"""What the actions share: the loaded library, places and origins from slots.

Kept free of dialogue decisions: each action module decides what to say.
"""

from __future__ import annotations

import abc
import logging
import threading
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from bot.errors import ServicelotsenError
from bot.gazetteer import Place
from bot.knowledge import Knowledge
from bot.lotsen import (
    Lotsen,
    Origin,
    PlaceProblem,
    PositionProblem,
    get_lotsen,
    municipality_question,
    place_without_position_text,
)
from bot.outcome import OUTCOME_SLOT, SHARED_POSITION, Kind, Outcome, Question

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


def entity_text(tracker: Tracker, name: str, as_written: bool = False) -> str | None:
    """The entity of this message (not an older slot value).

    With `as_written`, the words as the resident wrote them: Rasa's synonym
    mapping applies to every entity, so "[Coop](point_name)" would otherwise
    arrive as "dagligvaror".
    """
    text = str(tracker.latest_message.get("text") or "")
    for entity in tracker.latest_message.get("entities", []) or []:
        if entity.get("entity") != name:
            continue
        start, end = entity.get("start"), entity.get("end")
        if as_written and isinstance(start, int) and isinstance(end, int):
            written = text[start:end].strip()
            if written:
                return written
        return slot_text(entity.get("value"))
    return None


def language(tracker: Tracker) -> str:
    """The language to answer in: the `language` slot, else Swedish."""
    return slot_text(tracker.get_slot("language")) or "sv"


def place_or_tell(
    text: str,
    dispatcher: CollectingDispatcher,
    lotsen: Lotsen,
    lang: str = "sv",
) -> Place | PlaceProblem:
    """A place name to a place, or the problem after telling the resident
    (unknown, outside the area, ambiguous: which one?, no coordinates)."""
    found = lotsen.place_for(text)
    if isinstance(found, PlaceProblem):
        tell_place_problem(found, dispatcher, lang)
    return found


def tell_place_problem(
    problem: PlaceProblem, dispatcher: CollectingDispatcher, lang: str = "sv"
) -> None:
    """Say why a place name cannot be searched from."""
    if problem.reason == "municipality" and problem.municipality is not None:
        # "Ronneby kommun": the whole kommun, not the town; the largest first
        towns = [p.name for p in problem.candidates]
        dispatcher.utter_message(
            text=municipality_question(problem.municipality, towns, lang),
            buttons=[
                {"title": name, "payload": f'/inform{{"location": "{name}"}}'}
                for name in towns[:6]
            ],
        )
    elif problem.reason == "no_position" and problem.place is not None:
        # never "give a postcode": Tjurkö's own postcode has no position either
        dispatcher.utter_message(text=place_without_position_text(problem.place, lang))
    elif problem.reason == "ambiguous":
        buttons = [
            {
                "title": p.label,
                "payload": f'/inform{{"location": "{p.label}"}}',
            }
            for p in problem.candidates[:6]
        ]
        dispatcher.utter_message(
            response="utter_ambiguous_place", place=echo(problem.text), buttons=buttons
        )
    elif problem.reason == "outside_area":
        dispatcher.utter_message(
            response="utter_place_outside_area", place=echo(problem.text)
        )
    else:
        dispatcher.utter_message(
            response="utter_unknown_place", place=echo(problem.text)
        )


def resolve_place(
    text: str, dispatcher: CollectingDispatcher, lotsen: Lotsen
) -> Place | None:
    """A place name to a place, or None after saying why (see `place_or_tell`)."""
    found = place_or_tell(text, dispatcher, lotsen)
    return None if isinstance(found, PlaceProblem) else found


# --- outcomes -----------------------------------------------------------------


def outcome(
    tracker: Tracker,
    kind: Kind,
    question: Question,
    *,
    service_type: str | None = None,
    origin: Origin | None = None,
    place: Place | None = None,
    distance_km: float | None = None,
    topic: str | None = None,
) -> Outcome:
    """The outcome of an answer (see `bot.outcome`); language and carrier
    come from the conversation's slots, the place from `place` or `origin`
    (a shared position as `SHARED_POSITION`, never its coordinates)."""
    place_id: str | None = None
    if place is not None:
        place_id = place.id
    elif origin is not None:
        place_id = origin.place.id if origin.place is not None else SHARED_POSITION
    return Outcome(
        kind=kind,
        question=question,
        service_type=service_type,
        carrier=slot_text(tracker.get_slot("carrier")),
        place=place_id,
        distance_km=distance_km,
        language=language(tracker),
        topic=topic,
    )


def record(found: Outcome) -> dict[str, Any]:
    """The event that stores an answer's outcome in the tracker."""
    event: dict[str, Any] = SlotSet(OUTCOME_SLOT, found.to_dict())
    return event


def recorded(found: Outcome) -> dict[str, Any]:
    """The same, as a form validator returns it (slot name -> value)."""
    return {OUTCOME_SLOT: found.to_dict()}


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

    #: what the resident asks this action (for the outcome when data is missing)
    question: Question = Question.NEAREST

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        lotsen = lotsen_or_apologise(dispatcher)
        if lotsen is None:
            return [record(outcome(tracker, Kind.UNAVAILABLE, self.question))]
        return await self.respond(dispatcher, tracker, lotsen)

    @abc.abstractmethod
    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, lotsen: Lotsen
    ) -> list[dict[str, Any]]:
        """The action's work, with the service data loaded."""
