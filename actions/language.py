"""`action_detect_language`: the slot `language` follows the resident's latest message.

Run by Rasa on every user message (the slot's custom mapping in domain.yml),
before the next action is chosen, so the rules' responses and the actions
answer in the language just written. The detector (`bot.language`) is learnt
from data/nlu when the action server first needs it. The web widget's
metadata (docs/web-chat.md): a language the resident chose with the switch
wins; the page's language decides only when the text cannot ("ok", "Jämjö",
a button). Otherwise the slot keeps its value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from bot.language import message_language

if TYPE_CHECKING:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    from rasa_sdk.types import DomainDict

#: Entities whose words are names, not language ("pharmacy in Jämjö").
NAME_ENTITIES = ("location", "point_name")


def names_in(message: dict[str, Any]) -> list[str]:
    """The place and point names the NLU found in a message."""
    text = str(message.get("text") or "")
    out: list[str] = []
    for entity in message.get("entities") or []:
        if entity.get("entity") not in NAME_ENTITIES:
            continue
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int):
            out.extend(text[start:end].split())
        else:
            out.extend(str(entity.get("value") or "").split())
    return out


def client_language(tracker: Tracker) -> tuple[str | None, bool]:
    """The language the client sent with the latest message and whether the
    resident chose it (`metadata.language`, `language_source: switch`;
    docs/web-chat.md)."""
    metadata = (tracker.latest_message or {}).get("metadata")
    if not isinstance(metadata, dict):
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                metadata = event.get("metadata")
                break
    if not isinstance(metadata, dict):
        return None, False
    value = metadata.get("language")
    return (
        value if isinstance(value, str) else None,
        metadata.get("language_source") == "switch",
    )


class ActionDetectLanguage(Action):
    """Sets `language` to "sv" or "en" when the latest message tells."""

    def name(self) -> str:
        return "action_detect_language"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        client, chosen = client_language(tracker)
        language = message_language(
            str(message.get("text") or ""),
            names_in(message),
            client,
            client_choice=chosen,
        )
        if language is None or language == tracker.get_slot("language"):
            return []
        return [SlotSet("language", language)]
