"""The first stage of the two-stage fallback, in Swedish.

Rasa's own `action_default_ask_affirmation` asks in English ("Did you mean
…?"). This one asks "Menade du att …?" with Ja/Nej buttons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rasa_sdk import Action

from actions.common import outcome, record
from bot.outcome import Kind, Question

if TYPE_CHECKING:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    from rasa_sdk.types import DomainDict

#: How the bot describes what it thinks the resident wants.
INTENT_DESCRIPTIONS: dict[str, str] = {
    "greet": "du hälsar",
    "goodbye": "du vill avsluta",
    "thank": "du tackar",
    "affirm": "du svarar ja",
    "deny": "du svarar nej",
    "bot_challenge": "du undrar om jag är en människa",
    "help": "du vill veta vad jag kan hjälpa till med",
    "out_of_scope": "du frågar om något annat än service",
    "find_service": "du letar efter en service, till exempel en butik eller ett apotek",
    "inform": "du berättar var du är eller vad du letar efter",
    "ask_opening_hours": "du undrar över öppettider",
    "ask_digital_alternative": "du undrar vad du kan göra digitalt",
    "ask_home_delivery": "du undrar över hemleverans av varor",
    "list_services_in_place": "du vill veta vilken service som finns på en ort",
    "ask_more_results": "du vill se fler ställen",
    "human_handoff": "du vill prata med en människa",
}


#: The same in English (the slot `language` is "en").
INTENT_DESCRIPTIONS_EN: dict[str, str] = {
    "greet": "you are saying hello",
    "goodbye": "you want to end the conversation",
    "thank": "you are saying thank you",
    "affirm": "you are saying yes",
    "deny": "you are saying no",
    "bot_challenge": "you wonder whether I am a human",
    "help": "you want to know what I can help with",
    "out_of_scope": "you are asking about something other than service",
    "find_service": "you are looking for a service, for example a shop or a pharmacy",
    "inform": "you are telling me where you are or what you are looking for",
    "ask_opening_hours": "you are asking about opening hours",
    "ask_digital_alternative": "you are asking what you can do online",
    "ask_home_delivery": "you are asking about home delivery",
    "list_services_in_place": "you want to know what service there is in a place",
    "ask_more_results": "you want to see more places",
    "human_handoff": "you want to talk to a person",
}

#: Guesses not worth confirming.
NO_AFFIRMATION = frozenset({"out_of_scope", "affirm", "deny"})


class ActionDefaultAskAffirmation(Action):
    """Asks whether the bot's best guess of the intent is right."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        guesses = [
            r.get("name")
            for r in ranking
            if r.get("name") not in (None, "nlu_fallback")
        ]
        guess = guesses[0] if guesses else None
        english = tracker.get_slot("language") == "en"
        descriptions = INTENT_DESCRIPTIONS_EN if english else INTENT_DESCRIPTIONS
        description = descriptions.get(str(guess))
        # "Did you mean something off-topic?" helps nobody: ask to rephrase.
        not_understood = [
            record(outcome(tracker, Kind.NOT_UNDERSTOOD, Question.INTENT))
        ]
        if guess is None or description is None or guess in NO_AFFIRMATION:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return not_understood
        if english:
            text = f"I'm not sure I understood. Did you mean that {description}?"
            yes, no = "Yes", "No"
        else:
            text = f"Jag är inte säker på att jag förstod. Menade du att {description}?"
            yes, no = "Ja", "Nej"
        dispatcher.utter_message(
            text=text,
            buttons=[
                {"title": yes, "payload": f"/{guess}"},
                {"title": no, "payload": "/out_of_scope"},
            ],
        )
        return not_understood
