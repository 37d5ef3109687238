"""Maps misspelt service words to their service type ("aptek" -> apotek).

Rasa's EntitySynonymMapper only maps exact synonyms, so a service_type entity
that DIET found correctly but that the resident misspelt ("bankomaat",
"vårdcentrall", "pakteombud") kept the misspelling as its value. This
component runs after the synonym mapper and maps such values with
`bot.service_types.closest_service_type`, the same function the actions use,
over data/service_types.yml (the one source of truth).

Use in config.yml after EntitySynonymMapper:

    - name: components.service_type_normalizer.ServiceTypeNormalizer
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

from bot.service_types import closest_service_type

ENTITY = "service_type"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class ServiceTypeNormalizer(GraphComponent):
    """Gives misspelt service_type entities their canonical value."""

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
            for entity in message.get(ENTITIES, []) or []:
                if entity.get("entity") != ENTITY:
                    continue
                value = str(entity.get("value", ""))
                mapped = closest_service_type(value)
                if mapped is not None and mapped != value:
                    entity["value"] = mapped
                    entity.setdefault("processors", []).append(type(self).__name__)
        return messages
