"""Finding the nearest service: the form's validation, the answer, "visa fler"."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, FormValidationAction
from rasa_sdk.events import SlotSet

from actions.common import (
    LotsenAction,
    language,
    lotsen_or_apologise,
    origin_from_slots,
    outcome,
    place_or_tell,
    place_slots,
    record,
    recorded,
    slot_text,
)
from actions.knowledge import digital_hint, home_delivery_text
from bot.answers import nearest_answer, places_payload
from bot.carriers import carrier_id
from bot.extract import mentions_no_car, place_candidate
from bot.lotsen import Lotsen, Origin, PlaceProblem, municipality_label
from bot.messages import say
from bot.outcome import Kind, Question
from bot.service_types import alternative_types

#: Intents whose message asks a new question about a service: without a
#: service word the bot understood, the previous service type is not reused.
NEW_QUESTION_INTENTS = ("find_service",)

if TYPE_CHECKING:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    from rasa_sdk.types import DomainDict

logger = logging.getLogger(__name__)


class ValidateFindServiceForm(FormValidationAction):
    """Turns the resident's words into a service type and a place.

    The place is not asked for when a position was shared. The latest origin
    wins: naming a place drops an earlier position (and `action_share_location`
    drops an earlier place).
    """

    def name(self) -> str:
        return "validate_find_service_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        has_position = (
            tracker.get_slot("latitude") is not None
            and tracker.get_slot("longitude") is not None
        )
        if has_position and not tracker.get_slot("location"):
            return [s for s in domain_slots if s != "location"]
        return domain_slots

    async def extract_location(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """A place the NLU did not recognise, so the bot can say it does not know it.

        When the bot has just asked "Var är du?", the whole answer is the place;
        otherwise the words after "i", "på", "nära"... are.
        """
        message = tracker.latest_message
        entities = message.get("entities", []) or []
        if any(e.get("entity") in ("location", "latitude") for e in entities):
            return {}
        text = str(message.get("text") or "").strip()
        if not text or text.startswith("/"):
            return {}
        if tracker.get_slot("requested_slot") == "location":
            asked_for = (message.get("intent") or {}).get("name")
            if asked_for in ("inform", "find_service", "nlu_fallback") and not any(
                e.get("entity") == "service_type" for e in entities
            ):
                answer = place_candidate(text) or text
                return {"location": answer[:80]}
            return {}
        candidate = place_candidate(text)
        return {"location": candidate} if candidate else {}

    async def extract_service_type(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Never an old service type for a new question; a carrier alone
        ("mitt DHL-paket") means a parcel point.

        A question ("where is the nearest pharmacy in Karlshamn?") in which the
        NLU found no service word it knows must not be answered with the type
        asked for earlier (the ATMs of the last question): the bot says it did
        not understand and asks. A new service type without a carrier drops
        the carrier of an earlier question.
        """
        message = tracker.latest_message
        entities = message.get("entities", []) or []
        names = {e.get("entity") for e in entities}
        if "carrier" in names and "service_type" not in names:
            return {"service_type": "paketombud"}
        text = str(message.get("text") or "").strip()
        if not text or text.startswith("/"):
            return {}
        out: dict[str, Any] = {}
        if "service_type" in names and "carrier" not in names:
            out["carrier"] = None
        intent = (message.get("intent") or {}).get("name")
        asked = tracker.get_slot("requested_slot")
        if (
            intent in NEW_QUESTION_INTENTS
            and "service_type" not in names
            and asked != "location"
            and tracker.get_slot("service_type") is not None
        ):
            dispatcher.utter_message(response="utter_unknown_service_type")
            out.update({"service_type": None, "carrier": None})
        return out

    def validate_service_type(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        word = slot_text(value)
        if word is None:
            return {}
        lotsen = lotsen_or_apologise(dispatcher)
        if lotsen is None:
            unavailable = outcome(tracker, Kind.UNAVAILABLE, Question.NEAREST)
            return {"service_type": None, **recorded(unavailable)}
        canonical = lotsen.service_type(word)
        if canonical is None:
            dispatcher.utter_message(response="utter_unknown_service_type")
            unknown = outcome(tracker, Kind.NO_DATA, Question.NEAREST)
            return {"service_type": None, **recorded(unknown)}
        return {"service_type": canonical}

    def validate_location(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = slot_text(value)
        if text is None:
            return {}
        lotsen = lotsen_or_apologise(dispatcher)
        if lotsen is None:
            unavailable = outcome(tracker, Kind.UNAVAILABLE, Question.NEAREST)
            return {"location": None, **recorded(unavailable)}
        place = place_or_tell(text, dispatcher, lotsen, language(tracker))
        if isinstance(place, PlaceProblem):
            problem = outcome(
                tracker,
                place.kind,
                Question.NEAREST,
                service_type=lotsen.service_type(
                    slot_text(tracker.get_slot("service_type"))
                ),
            )
            return {"location": None, "place_id": None, **recorded(problem)}
        return place_slots(place)


def recent_texts(tracker: Tracker, n: int = 3) -> list[str]:
    """The resident's last `n` typed messages (the question may be a turn back)."""
    texts = [
        str(e.get("text") or "")
        for e in tracker.events
        if e.get("event") == "user" and not str(e.get("text") or "").startswith("/")
    ]
    return texts[-n:]


def asked_carrier(tracker: Tracker, category: str | None) -> str | None:
    """The carrier a parcel question is limited to ("postnord"), or None.

    The latest message's `carrier` entity; else the conversation's `carrier`
    slot, unless the latest message named a service without a carrier ("och
    paketombud i Ronneby?" asks for all carriers again).
    """
    if category != "paketombud":
        return None
    entities = tracker.latest_message.get("entities", []) or []
    for entity in entities:
        if entity.get("entity") == "carrier":
            found = carrier_id(slot_text(entity.get("value")))
            if found:
                return found
    if any(e.get("entity") == "service_type" for e in entities):
        return None
    return carrier_id(slot_text(tracker.get_slot("carrier")))


def search_and_answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    lotsen: Lotsen,
    category: str,
    origin: Origin,
    offset: int = 0,
    carrier: str | None = None,
) -> list[dict[str, Any]]:
    """Utter one page of the nearest points; return the slot events for
    "visa fler" and the answer's outcome."""
    lang = language(tracker)
    page = lotsen.page(category, origin, offset, carrier=carrier)
    text = nearest_answer(
        page.answer,
        origin,
        lotsen.service_types[category],
        lotsen.service_types,
        offset=offset,
        more_available=page.more,
        lang=lang,
    )
    if page.kind is Kind.NO_DATA and carrier is None:
        hint = digital_hint(category, lang)
        if hint:
            text = f"{text}\n{hint}"
    dispatcher.utter_message(text=text)
    if page.listed:
        dispatcher.utter_message(
            json_message=places_payload(
                page.listed,
                first_number=page.first_number,
                lang=lang,
                category=category if page.shown else None,
                carrier=carrier,
            )
        )
    search: dict[str, Any] = {
        "category": category,
        "place_id": origin.place.id if origin.place is not None else None,
    }
    if carrier is not None:
        search["carrier"] = carrier
    found = outcome(
        tracker,
        page.kind,
        Question.NEAREST if offset == 0 else Question.MORE,
        service_type=category,
        origin=origin,
        distance_km=page.distance_km,
    )
    return [
        SlotSet("last_search", search),
        SlotSet("results_shown", float(offset + len(page.shown))),
        record(found),
    ]


class ActionFindService(LotsenAction):
    """The form is complete: answer with the nearest three."""

    def name(self) -> str:
        return "action_find_service"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, lotsen: Lotsen
    ) -> list[dict[str, Any]]:
        category = lotsen.service_type(slot_text(tracker.get_slot("service_type")))
        if category is None:
            dispatcher.utter_message(response="utter_ask_service_type")
            return [record(outcome(tracker, Kind.ASKED, Question.NEAREST))]
        origin = origin_from_slots(tracker, lotsen)
        if origin is None:
            dispatcher.utter_message(response="utter_ask_location")
            asked = outcome(
                tracker, Kind.ASKED, Question.NEAREST, service_type=category
            )
            return [record(asked)]
        if origin.place is not None and not origin.place.in_blekinge:
            dispatcher.utter_message(
                text=outside_blekinge_note(origin, language_of(tracker))
            )
        carrier = asked_carrier(tracker, category)
        categories = tuple(
            cat
            for cat in offered_types(tracker, category)
            if cat == category or lotsen.index.count(cat) > 0
        )
        events: list[dict[str, Any]] = []
        if len(categories) > 1 and carrier is None:
            # words that fit two types ("hämta ut medicin"): both, nearest first
            def first_km(cat: str) -> float:
                hits = lotsen.nearest(cat, origin, k=1).results
                return hits[0].distance_km if hits else float("inf")

            for cat in sorted(categories, key=first_km):
                events += search_and_answer(dispatcher, tracker, lotsen, cat, origin)
        else:
            events = search_and_answer(
                dispatcher, tracker, lotsen, category, origin, carrier=carrier
            )
        if category == "dagligvaror" and any(
            mentions_no_car(text) for text in recent_texts(tracker)
        ):
            delivery = home_delivery_text(origin.municipality, language(tracker))
            if delivery:
                dispatcher.utter_message(text=delivery)
        return events


def language_of(tracker: Tracker) -> str:
    """The conversation's language: the slot `language`, Swedish by default."""
    return "en" if tracker.get_slot("language") == "en" else "sv"


def outside_blekinge_note(origin: Origin, language: str = "sv") -> str:
    """What the bot says before answering from a place beyond Blekinge."""
    place = origin.place
    assert place is not None
    return say(
        "outside_blekinge",
        language,
        place=place.name,
        where=municipality_label(place, language, county=True),
        kommun=municipality_label(place, language),
    )


def offered_types(tracker: Tracker, category: str) -> tuple[str, ...]:
    """The types to offer: `category`, or several when the resident's words fit
    several ("hämta ut medicin": apoteksombud and apotek, data/service_types.yml).
    """
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        parse = event.get("parse_data") or {}
        entities = parse.get("entities") or []
        if any(e.get("entity") == "service_type" for e in entities):
            kinds = alternative_types(str(event.get("text") or ""))
            return kinds if category in kinds else (category,)
    return (category,)


class ActionMoreResults(Action):
    """ "visa fler": the next three of the last search, never repeating."""

    def name(self) -> str:
        return "action_more_results"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        nothing = [record(outcome(tracker, Kind.ASKED, Question.MORE))]
        search = tracker.get_slot("last_search")
        if not isinstance(search, dict) or not search.get("category"):
            dispatcher.utter_message(response="utter_nothing_to_show_more_of")
            return nothing
        lotsen = lotsen_or_apologise(dispatcher)
        if lotsen is None:
            return [record(outcome(tracker, Kind.UNAVAILABLE, Question.MORE))]
        origin = lotsen.search_origin(
            search.get("place_id"), origin_from_slots(tracker, lotsen)
        )
        category = str(search["category"])
        if origin is None or category not in lotsen.service_types:
            dispatcher.utter_message(response="utter_nothing_to_show_more_of")
            return nothing
        shown = int(tracker.get_slot("results_shown") or 0)
        carrier = carrier_id(search.get("carrier"))
        if not lotsen.has_more(category, origin, shown, carrier):
            dispatcher.utter_message(response="utter_no_more_results")
            no_more = outcome(
                tracker,
                Kind.NONE_WITHIN_LIMIT,
                Question.MORE,
                service_type=category,
                origin=origin,
            )
            return [record(no_more)]
        return search_and_answer(
            dispatcher, tracker, lotsen, category, origin, offset=shown, carrier=carrier
        )
