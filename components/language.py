"""The language of each message as an entity `language` ("sv" or "en").

The slot `language` (domain.yml) is filled from this entity, so it follows
the resident's latest message, and the responses and actions answer in it.
The detector (`bot.language.NgramDetector`) is learnt at training time from
the training data: examples whose intent block has `metadata: {language: en}`
are English (data/nlu/en/), the rest Swedish. Place names (the lookup tables)
and the message's own place and point entities are left out of the vote.

When the detector cannot tell (too short: "ok"), the language the client
sent in the message's metadata (`{"language": "en"}`, the web widget) is
used; with neither, no entity is set and the slot keeps its value.

Use in config.yml after ServiceTypeNormalizer:

    - name: components.language.LanguageDetector
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import LANGUAGES, NgramDetector

ENTITY = "language"
_FILE = "language.json"
#: Entities whose words are names, not language.
NAME_ENTITIES = ("location", "point_name")


def example_language(message: Message) -> str:
    """ "en" for an example whose intent block says so in its metadata, else "sv"."""
    metadata = message.get("metadata") or {}
    for level in ("intent", "example"):
        part = metadata.get(level) if isinstance(metadata, dict) else None
        if isinstance(part, dict) and part.get("language") in LANGUAGES:
            return str(part["language"])
    return "sv"


def _name_words(text: str, entities: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for entity in entities:
        if entity.get("entity") not in NAME_ENTITIES:
            continue
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int):
            out.extend(text[start:end].split())
    return out


def client_language(message: Message) -> str | None:
    """The language the client sent with the message (`metadata.language`)."""
    metadata = message.get("metadata")
    if isinstance(metadata, dict):
        value = metadata.get("language")
        if isinstance(value, str) and value[:2].lower() in LANGUAGES:
            return value[:2].lower()
    return None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True
)
class LanguageDetector(GraphComponent):
    """Sets the `language` entity of every message it can tell."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        detector: NgramDetector | None = None,
    ) -> None:
        self._storage = model_storage
        self._resource = resource
        self.detector = detector

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        names: list[str] = []
        for table in training_data.lookup_tables:
            for element in table.get("elements") or []:
                names.extend(str(element).split())
        samples = []
        for example in training_data.training_examples:
            text = str(example.get(TEXT) or "")
            if not text or not example.get("intent"):
                continue
            for word in _name_words(text, example.get(ENTITIES) or []):
                text = text.replace(word, " ")
            samples.append((text, example_language(example)))
        self.detector = NgramDetector.train(samples, ignore=names)
        with self._storage.write_to(self._resource) as folder:
            (folder / _FILE).write_text(
                json.dumps(self.detector.to_dict()), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageDetector:
        try:
            with model_storage.read_from(resource) as folder:
                data = json.loads((folder / _FILE).read_text(encoding="utf-8"))
            return cls(model_storage, resource, NgramDetector.from_dict(data))
        except (ValueError, OSError, KeyError):
            return cls(model_storage, resource)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = str(message.get(TEXT) or "")
            if not text or text.startswith("/"):
                continue
            entities = list(message.get(ENTITIES, []) or [])
            language = None
            if self.detector is not None:
                language = self.detector.detect(text, _name_words(text, entities))
            language = language or client_language(message)
            if language is None:
                continue
            entities.append(
                {
                    "entity": ENTITY,
                    "value": language,
                    "start": 0,
                    "end": len(text),
                    "extractor": type(self).__name__,
                }
            )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
