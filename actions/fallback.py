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
    "report_change": "du vill berätta att en uppgift om ett ställe inte stämmer",
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
        description = INTENT_DESCRIPTIONS.get(str(guess))
        # "Did you mean something off-topic?" helps nobody: ask to rephrase.
        not_understood = [
            record(outcome(tracker, Kind.NOT_UNDERSTOOD, Question.INTENT))
        ]
        if guess is None or description is None or guess in NO_AFFIRMATION:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return not_understood
        dispatcher.utter_message(
            text=f"Jag är inte säker på att jag förstod. Menade du att {description}?",
            buttons=[
                {"title": "Ja", "payload": f"/{guess}"},
                {"title": "Nej", "payload": "/out_of_scope"},
            ],
        )
        return not_understood
