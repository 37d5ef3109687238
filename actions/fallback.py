"""The first stage of the two-stage fallback, in the resident's language.

Rasa's own `action_default_ask_affirmation` asks in English ("Did you mean
…?"). This one asks "Menade du att …?" with Ja/Nej buttons; the sentences
(one description per intent, `intent_<name>`) are in data/lang/messages.yml.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rasa_sdk import Action

from actions.common import language, outcome, record
from bot.messages import messages, say
from bot.outcome import Kind, Question

if TYPE_CHECKING:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    from rasa_sdk.types import DomainDict

#: The messages that describe an intent are named this and the intent.
DESCRIPTION_PREFIX = "intent_"


def intent_descriptions(lang: str = "sv") -> dict[str, str]:
    """How the bot describes what it thinks the resident wants, by intent
    ("thank": "du tackar"), from the messages `intent_<name>`."""
    return {
        key.removeprefix(DESCRIPTION_PREFIX): say(key, lang)
        for key in messages().ids
        if key.startswith(DESCRIPTION_PREFIX)
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
        lang = language(tracker)
        description = intent_descriptions(lang).get(str(guess))
        # "Did you mean something off-topic?" helps nobody: ask to rephrase.
        not_understood = [
            record(outcome(tracker, Kind.NOT_UNDERSTOOD, Question.INTENT))
        ]
        if guess is None or description is None or guess in NO_AFFIRMATION:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return not_understood
        dispatcher.utter_message(
            text=say("did_you_mean", lang, description=description),
            buttons=[
                {"title": say("button_yes", lang), "payload": f"/{guess}"},
                {"title": say("button_no", lang), "payload": "/out_of_scope"},
            ],
        )
        return not_understood
