"""Every `service_type` entity a canonical id, or none; carriers as their own entity.

Runs after DIET and the EntitySynonymMapper and does four things, all from
data/service_types.yml (words and phrases live there, not here):

1. Puts back the resident's own text when `components.ascii_fold.AsciiFold`
   gave the pipeline a folded copy, and re-reads the entity values that were
   plain slices of it ("Hasslö" stays "Hasslö", "hasslo" stays "hasslo").
2. Gives each `service_type` entity its canonical id: exact and folded
   synonyms, misspellings (`bot.service_types.closest_service_type`:
   "aptek" -> apotek) and phrases inside the value ("DHL-ombud",
   "köpa mjölk"). A value that names no type is dropped: the actions never
   see a raw word.
3. Adds a `carrier` entity for each parcel carrier the message names
   ("DHL-ombud" -> dhl, "instabox-paket" -> instabox).
4. When DIET found no service word in a message about service
   (`scan_intents`), looks for one in the words outside the other entities
   ("var kan man köpa mjölk" -> dagligvaror, "tanka" -> drivmedel).

Use in config.yml after EntitySynonymMapper:

    - name: components.service_type_normalizer.ServiceTypeNormalizer
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.service_types import (
    carrier_service_type,
    carriers_in_text,
    closest_service_type,
    service_types_in_text,
)
from components.ascii_fold import ORIGINAL_TEXT

ENTITY = "service_type"
CARRIER = "carrier"
#: Intents whose messages are about a service: a service word in them is meant.
#: (Not the questions about home delivery and doing it online: there "mat" is
#: the goods, not a kind of place.)
SCAN_INTENTS = ("find_service", "inform", "ask_opening_hours")


def canonical_service_type(value: str) -> str | None:
    """A service_type entity value as a canonical id, or None (drop it)."""
    mapped = closest_service_type(value)
    if mapped is not None:
        return mapped
    found = service_types_in_text(value)
    return found[0].value if found else None


def restore_text(message: Message) -> None:
    """Put back the original text; entity values that were slices follow it."""
    original = message.get(ORIGINAL_TEXT)
    if not isinstance(original, str):
        return
    folded = str(message.get(TEXT) or "")
    for entity in message.get(ENTITIES, []) or []:
        start, end = entity.get("start"), entity.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            continue
        if entity.get("value") == folded[start:end]:
            entity["value"] = original[start:end]
    message.set(TEXT, original)


def _outside(text: str, entities: list[dict[str, Any]]) -> str:
    """The text with the spans of other entities blanked out (same length)."""
    chars = list(text)
    for entity in entities:
        if entity.get("entity") == ENTITY:
            continue
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int):
            chars[start:end] = " " * (end - start)
    return "".join(chars)


def normalise_entities(
    text: str, intent: str | None, entities: list[dict[str, Any]], extractor: str
) -> list[dict[str, Any]]:
    """Steps 2-4 of the module docstring on one message's entities."""
    kept: list[dict[str, Any]] = []
    for entity in entities:
        if entity.get("entity") != ENTITY:
            kept.append(entity)
            continue
        value = str(entity.get("value", ""))
        mapped = canonical_service_type(value)
        if mapped is None:
            continue
        if any(e.get("entity") == ENTITY and e.get("value") == mapped for e in kept):
            continue  # "avi från PostNord": one service type, said twice
        if mapped != value:
            entity["value"] = mapped
            entity.setdefault("processors", []).append(extractor)
        kept.append(entity)
    about_service = intent in SCAN_INTENTS
    if about_service and not any(e.get("entity") == CARRIER for e in kept):
        for mention in carriers_in_text(_outside(text, kept)):
            kept.append(
                {
                    "entity": CARRIER,
                    "value": mention.value,
                    "start": mention.start,
                    "end": mention.end,
                    "extractor": extractor,
                }
            )
    if about_service and not any(e.get("entity") == ENTITY for e in kept):
        found = service_types_in_text(_outside(text, kept))
        implied = carrier_service_type()
        carrier = next((e for e in kept if e.get("entity") == CARRIER), None)
        if found:
            value, start, end = found[0].value, found[0].start, found[0].end
        elif carrier is not None and implied is not None:
            # "postnordombud", "mitt DHL-paket": the carrier implies its type
            value, start, end = implied, carrier.get("start"), carrier.get("end")
        else:
            return kept
        kept.append(
            {
                "entity": ENTITY,
                "value": value,
                "start": start,
                "end": end,
                "extractor": extractor,
            }
        )
    return kept


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class ServiceTypeNormalizer(GraphComponent):
    """Canonical service types, carriers, and the resident's own text back."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ServiceTypeNormalizer:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            restore_text(message)
            intent = (message.get(INTENT) or {}).get("name")
            entities = list(message.get(ENTITIES, []) or [])
            message.set(
                ENTITIES,
                normalise_entities(
                    str(message.get(TEXT) or ""),
                    intent,
                    entities,
                    type(self).__name__,
                ),
                add_to_output=True,
            )
        return messages
