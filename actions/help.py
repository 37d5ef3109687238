"""`action_help`: tell the resident what Servicelotsen can find."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rasa_sdk import Action

from actions.common import outcome, record
from bot.messages import join_words
from bot.outcome import Kind, Question
from bot.service_types import load_service_types

if TYPE_CHECKING:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    from rasa_sdk.types import DomainDict


class ActionHelp(Action):
    """Lists the service types from `data/service_types.yml` in the help text.

    The wording lives in the domain (`utter_help`); this action only fills in
    the list, so adding a service type to the data file updates the help.
    """

    def name(self) -> str:
        return "action_help"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        language = "en" if tracker.get_slot("language") == "en" else "sv"
        plurals = [st.display_plural(language) for st in load_service_types().values()]
        services = join_words(plurals, language)
        dispatcher.utter_message(response="utter_help", services=services)
        return [record(outcome(tracker, Kind.FOUND, Question.HELP))]
