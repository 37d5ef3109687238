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

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu_entities import normalise_entities
from components.ascii_fold import ORIGINAL_TEXT
from components.base import StatelessComponent


def restore_text(message: Message) -> None:
    """Put back the original text; entity values that were slices follow it."""
    folded = str(message.get(TEXT) or "")
    restored = message.get(ORIGINAL_TEXT)
    # a message without diacritics was not folded, but the synonyms Rasa
    # learnt from folded training text ("hasslo" -> "Hasslö") still apply
    original = restored if isinstance(restored, str) else folded
    for entity in message.get(ENTITIES, []) or []:
        start, end = entity.get("start"), entity.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            continue
        # names as the resident wrote them (contract: "jamjo" stays "jamjo");
        # Rasa's synonyms learnt from folded training text must not respell them
        if entity.get("value") == folded[start:end] or entity.get("entity") in (
            "location",
            "point_name",
        ):
            entity["value"] = original[start:end]
    if isinstance(restored, str):
        message.set(TEXT, original)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class ServiceTypeNormalizer(StatelessComponent):
    """Canonical service types, carriers, and the resident's own text back."""

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
