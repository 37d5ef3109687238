"""Sends a message with no word the bot knows to the fallback.

DIET always picks some intent, often with high confidence: "qwxz plopp brrr"
came out as `thank` ("Varsågod!"). A message none of whose words (or close
misspellings of them) occur in the training data, the synonyms or the lookup
tables (all place names) cannot be understood, whatever the classifier says:
this component sets its intent to `nlu_fallback` with an empty ranking, so the
bot asks the resident to write it another way instead of guessing.

Messages of digits only (a postcode) are left alone. Use in config.yml as the
last component:

    - name: components.unknown_words.UnknownWordsFallback
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.unknown_words import CUTOFF, is_unknown, words

_FILE = "vocabulary.json"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class UnknownWordsFallback(GraphComponent):
    """`nlu_fallback` for messages made only of words the bot has never seen."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"cutoff": CUTOFF}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: frozenset[str] = frozenset(),
    ) -> None:
        self.cutoff = float(config.get("cutoff", CUTOFF))
        self._storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordsFallback:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        known: set[str] = set()
        for example in training_data.training_examples:
            known.update(words(str(example.get(TEXT) or "")))
        for table in training_data.lookup_tables:
            for element in table.get("elements") or []:
                known.update(words(str(element)))
        for synonym, value in training_data.entity_synonyms.items():
            known.update(words(str(synonym)))
            known.update(words(str(value)))
        self.vocabulary = frozenset(known)
        with self._storage.write_to(self._resource) as folder:
            (folder / _FILE).write_text(json.dumps(sorted(known)), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsFallback:
        try:
            with model_storage.read_from(resource) as folder:
                known = json.loads((folder / _FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            known = []
        return cls(config, model_storage, resource, frozenset(known))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        if not self.vocabulary:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if text and is_unknown(str(text), self.vocabulary, self.cutoff):
                message.set(
                    INTENT,
                    {"name": "nlu_fallback", "confidence": 1.0},
                    add_to_output=True,
                )
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages
