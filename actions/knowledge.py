"""Answers from the editable knowledge files (data/knowledge/):
digital alternatives, home delivery of groceries, and who to call."""

from __future__ import annotations

import abc
import logging
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action

from actions.common import (
    knowledge,
    lotsen_or_apologise,
    origin_from_slots,
    outcome,
    place_or_tell,
    record,
)
from bot.errors import ServicelotsenError
from bot.knowledge import (
    Knowledge,
    Municipality,
    format_contact,
    format_entry,
    format_home_delivery,
)
from bot.lotsen import PlaceProblem
from bot.outcome import Kind, Question

if TYPE_CHECKING:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    from rasa_sdk.types import DomainDict

logger = logging.getLogger(__name__)

KOMMUNER = ("Karlskrona", "Ronneby", "Karlshamn", "Olofström", "Sölvesborg")


def digital_hint(category: str) -> str | None:
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
    link = f" Läs mer: {entry.links[0].url}" if entry.links else ""
    return f"Det här kan du göra i stället: {entry.text}{link}"


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
    if named is not None:
        direct = found.for_municipality(named)
        if direct is not None:
            return direct, None
        lotsen = lotsen_or_apologise(dispatcher)
        if lotsen is None:
            return None, Kind.UNAVAILABLE
        place = place_or_tell(named, dispatcher, lotsen)
        if isinstance(place, PlaceProblem):
            return None, place.kind
        return found.for_municipality(place.municipality), None
    lotsen = lotsen_or_apologise(dispatcher)
    if lotsen is None:
        return None, Kind.UNAVAILABLE
    origin = origin_from_slots(tracker, lotsen)
    if origin is not None and origin.municipality:
        return found.for_municipality(origin.municipality), None
    return None, None


def _ask_kommun(dispatcher: CollectingDispatcher, intent: str, question: str) -> None:
    dispatcher.utter_message(
        text=question,
        buttons=[
            {"title": name, "payload": f'/{intent}{{"location": "{name}"}}'}
            for name in KOMMUNER
        ],
    )


class ActionDigitalAlternative(Action):
    """ "Kan jag handla mat på nätet?" – the knowledge entry that answers it."""

    def name(self) -> str:
        return "action_digital_alternative"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        found = knowledge()
        if found is None:
            dispatcher.utter_message(response="utter_knowledge_unavailable")
            return [record(outcome(tracker, Kind.UNAVAILABLE, Question.DIGITAL))]
        question = str(tracker.latest_message.get("text") or "")
        try:
            hits = found.search(question, k=1)
        except ServicelotsenError as exc:
            logger.error("Knowledge search unavailable: %s", exc)
            hits = []
        if hits:
            entry = hits[0].entry
            dispatcher.utter_message(text=format_entry(entry))
            quoted = outcome(tracker, Kind.FOUND, Question.DIGITAL, topic=entry.id)
            return [record(quoted)]
        category = _latest_entity(tracker, "service_type")
        lotsen = lotsen_or_apologise(dispatcher)
        if lotsen is None:
            return [record(outcome(tracker, Kind.UNAVAILABLE, Question.DIGITAL))]
        canonical = lotsen.service_type(category)
        entries = found.for_service_type(canonical) if canonical else []
        if entries:
            dispatcher.utter_message(text=format_entry(entries[0]))
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


class _KommunAction(Action, abc.ABC):
    """An answer that depends on the resident's kommun; asks for it when unknown."""

    #: the intent the kommun buttons send back
    intent = ""
    #: what the bot asks when it does not know the kommun
    question = ""
    #: what the resident asked for, and how the answer for a kommun counts
    asked_for = Question.CONTACT
    answered = Kind.FOUND

    @abc.abstractmethod
    def answer(self, kommun: Municipality) -> str:
        """The reply for a known kommun."""

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
        kommun, told = _municipality(tracker, dispatcher, found)
        if told is not None:
            return [record(outcome(tracker, told, self.asked_for))]
        if kommun is None:
            _ask_kommun(dispatcher, self.intent, self.question)
            return [record(outcome(tracker, Kind.ASKED, self.asked_for))]
        dispatcher.utter_message(text=self.answer(kommun))
        return [record(outcome(tracker, self.answered, self.asked_for))]


class ActionHomeDelivery(_KommunAction):
    """Home delivery of groceries: only where a source says it exists (Ronneby)."""

    intent = "ask_home_delivery"
    question = "Det beror på var du bor. Vilken kommun gäller det?"
    asked_for = Question.HOME_DELIVERY

    def name(self) -> str:
        return "action_home_delivery"

    def answer(self, kommun: Municipality) -> str:
        return format_home_delivery(kommun)


class ActionHumanHandoff(_KommunAction):
    """Who to call: the kommun's contact centre, as the knowledge file has it."""

    intent = "human_handoff"
    question = (
        "Jag är en chattbot, men din kommun kan hjälpa dig. Vilken kommun bor du i?"
    )
    answered = Kind.HANDOFF

    def name(self) -> str:
        return "action_human_handoff"

    def answer(self, kommun: Municipality) -> str:
        return f"Jag är en chattbot. Här når du en människa:\n{format_contact(kommun)}"
