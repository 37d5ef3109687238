"""Answers from the editable knowledge files (data/knowledge/):
digital alternatives, home delivery of groceries, and who to call."""

from __future__ import annotations

import abc
import logging
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action

from actions.common import (
    knowledge,
    language,
    lotsen_or_apologise,
    origin_from_slots,
    outcome,
    record,
    tell_place_problem,
)
from bot.answers import nearest_answer
from bot.errors import ServicelotsenError
from bot.extract import mentions_no_car
from bot.knowledge import (
    Knowledge,
    Municipality,
    format_contact,
    format_entry,
    format_home_delivery,
)
from bot.lotsen import Lotsen, PlaceProblem
from bot.messages import say
from bot.outcome import Kind, Question

if TYPE_CHECKING:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    from rasa_sdk.types import DomainDict

logger = logging.getLogger(__name__)

KOMMUNER = ("Karlskrona", "Ronneby", "Karlshamn", "Olofström", "Sölvesborg")


def digital_hint(category: str, lang: str = "sv") -> str | None:
    """A short "what you can do instead" for a service type, from the knowledge."""
    found = knowledge()
    if found is None:
        return None
    try:
        entries = found.for_service_type(category)
    except ServicelotsenError:
        return None
    if not entries:
        return None
    entry = entries[0]
    link = say("digital_hint_link", lang, url=entry.links[0].url) if entry.links else ""
    return say("digital_hint", lang, text=entry.text) + link


def home_delivery_text(municipality: str | None, lang: str = "sv") -> str | None:
    """What the knowledge says about home delivery in a kommun, as one message."""
    found = knowledge()
    if found is None or not municipality:
        return None
    kommun = found.for_municipality(municipality)
    if kommun is None:
        return None
    return say(
        "delivery_without_car", lang, delivery=format_home_delivery(kommun, lang)
    )


def place_in_text(text: str, lotsen: Lotsen) -> str | None:
    """A place named after "i", "på", "från" … that the gazetteer knows: the
    longest of the next one to three words ("i Bräkne Hoby och …")."""
    words = text.replace(",", " ").replace("?", " ").split()
    for i, word in enumerate(words[:-1]):
        if word.casefold() not in ("i", "på", "från", "nära", "vid", "utanför"):
            continue
        for n in (3, 2, 1):
            candidate = " ".join(words[i + 1 : i + 1 + n])
            resolution = lotsen.resolve(candidate)
            if resolution.found and resolution.place is not None:
                return resolution.place.name
    return None


def _latest_entity(tracker: Tracker, name: str) -> str | None:
    for entity in tracker.latest_message.get("entities", []) or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


def _municipality(
    tracker: Tracker, dispatcher: CollectingDispatcher, found: Knowledge
) -> tuple[Municipality | None, Kind | None]:
    """(kommun, told): from the place in this message, else the conversation's.

    `told` is the outcome when the message named a place we could not use,
    or the data was unavailable (the resident has already been told).
    """
    named = _latest_entity(tracker, "location")
    direct = found.for_municipality(named) if named is not None else None
    if direct is not None:
        return direct, None
    lotsen = lotsen_or_apologise(dispatcher)
    if lotsen is None:
        return None, Kind.UNAVAILABLE
    kommun = lotsen.municipality_for(named, origin_from_slots(tracker, lotsen))
    if isinstance(kommun, PlaceProblem):
        tell_place_problem(kommun, dispatcher, language(tracker))
        return None, kommun.kind
    return (found.for_municipality(kommun) if kommun else None), None


def _ask_kommun(dispatcher: CollectingDispatcher, intent: str, question: str) -> None:
    """Ask which kommun, with a button for each."""
    dispatcher.utter_message(
        text=question,
        buttons=[
            {"title": name, "payload": f'/{intent}{{"location": "{name}"}}'}
            for name in KOMMUNER
        ],
    )


class _KnowledgeAction(Action, abc.ABC):
    """An answer from the knowledge files; when they cannot be read, the
    resident is told so (and the outcome says UNAVAILABLE)."""

    #: what the resident asked for (the outcome's question)
    asked_for = Question.CONTACT

    @abc.abstractmethod
    def answer_from(
        self, found: Knowledge, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """The reply and its events, with the knowledge at hand."""

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        found = knowledge()
        if found is None:
            dispatcher.utter_message(response="utter_knowledge_unavailable")
            return [record(outcome(tracker, Kind.UNAVAILABLE, self.asked_for))]
        return self.answer_from(found, dispatcher, tracker)


class ActionDigitalAlternative(_KnowledgeAction):
    """ "Kan jag handla mat på nätet?" – the knowledge entry that answers it."""

    asked_for = Question.DIGITAL

    def name(self) -> str:
        return "action_digital_alternative"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """ "har ingen bil, hur kan jag handla mat?" is about getting groceries
        home: the kommun's home delivery and the nearest store answer it."""
        if mentions_no_car(str(tracker.latest_message.get("text") or "")):
            return await ActionHomeDelivery().run(dispatcher, tracker, domain)
        return await super().run(dispatcher, tracker, domain)

    def answer_from(
        self, found: Knowledge, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        question = str(tracker.latest_message.get("text") or "")
        try:
            hits = found.search(question, k=1)
        except ServicelotsenError as exc:
            logger.error("Knowledge search unavailable: %s", exc)
            hits = []
        if hits:
            entry = hits[0].entry
            dispatcher.utter_message(text=format_entry(entry, language(tracker)))
            quoted = outcome(tracker, Kind.FOUND, Question.DIGITAL, topic=entry.id)
            return [record(quoted)]
        category = _latest_entity(tracker, "service_type")
        lotsen = lotsen_or_apologise(dispatcher)
        if lotsen is None:
            return [record(outcome(tracker, Kind.UNAVAILABLE, Question.DIGITAL))]
        canonical = lotsen.service_type(category)
        entries = found.for_service_type(canonical) if canonical else []
        if entries:
            dispatcher.utter_message(text=format_entry(entries[0], language(tracker)))
            quoted = outcome(
                tracker,
                Kind.FOUND,
                Question.DIGITAL,
                service_type=canonical,
                topic=entries[0].id,
            )
            return [record(quoted)]
        dispatcher.utter_message(response="utter_ask_digital_topic")
        asked = outcome(tracker, Kind.ASKED, Question.DIGITAL, service_type=canonical)
        return [record(asked)]


class _KommunAction(_KnowledgeAction):
    """An answer that depends on the resident's kommun; asks for it when unknown."""

    #: the intent the kommun buttons send back
    intent = ""
    #: what the bot asks when it does not know the kommun (a message id)
    question = ""
    #: how the answer for a kommun counts
    answered = Kind.FOUND

    @abc.abstractmethod
    def answer(self, kommun: Municipality, lang: str) -> str:
        """The reply for a known kommun."""

    def answer_from(
        self, found: Knowledge, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        kommun, told = _municipality(tracker, dispatcher, found)
        if told is not None:
            return [record(outcome(tracker, told, self.asked_for))]
        if kommun is None:
            _ask_kommun(dispatcher, self.intent, say(self.question, language(tracker)))
            return [record(outcome(tracker, Kind.ASKED, self.asked_for))]
        dispatcher.utter_message(text=self.answer(kommun, language(tracker)))
        return [record(outcome(tracker, self.answered, self.asked_for))]


class ActionHomeDelivery(_KommunAction):
    """Home delivery of groceries: only where a source says it exists (Ronneby)."""

    intent = "ask_home_delivery"
    question = "ask_kommun_home_delivery"
    asked_for = Question.HOME_DELIVERY

    def name(self) -> str:
        return "action_home_delivery"

    def answer(self, kommun: Municipality, lang: str) -> str:
        return format_home_delivery(kommun, lang)

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """The kommun's home delivery; for "har ingen bil, hur handlar jag mat"
        with a place, also the nearest grocery store from there."""
        text = str(tracker.latest_message.get("text") or "")
        combined = mentions_no_car(text) or "handla" in text.casefold()
        named = _latest_entity(tracker, "location")
        lotsen = lotsen_or_apologise(dispatcher) if combined else None
        if named is None and lotsen is not None:
            # "jag bor i Eringsboda och har ingen bil …": the place the NLU missed
            named = place_in_text(text, lotsen)
            if named is not None:
                entities = tracker.latest_message.setdefault("entities", [])
                entities.append({"entity": "location", "value": named})
        events = await super().run(dispatcher, tracker, domain)
        if lotsen is None or named is None:
            return events
        resolution = lotsen.resolve(named)
        place = resolution.place if resolution.found else None
        origin = lotsen.origin_for_place(place) if place is not None else None
        if origin is None:
            return events
        answer = lotsen.nearest("dagligvaror", origin, k=1)
        if answer.results:
            dispatcher.utter_message(
                text=nearest_answer(
                    answer,
                    origin,
                    lotsen.service_types["dagligvaror"],
                    lotsen.service_types,
                    lang=language(tracker),
                )
            )
        return events


class ActionHumanHandoff(_KommunAction):
    """Who to call: the kommun's contact centre, as the knowledge file has it."""

    intent = "human_handoff"
    question = "ask_kommun_handoff"
    answered = Kind.HANDOFF

    def name(self) -> str:
        return "action_human_handoff"

    def answer(self, kommun: Municipality, lang: str) -> str:
        return say("handoff", lang, contact=format_contact(kommun, lang))
