"""Reads messages without their diacritics, so "bankomat pa hasslo" = "bankomat på hasslö".

Residents without a Swedish keyboard write "pa", "narmaste", "solvesborg".
The NLU learnt the words with å/ä/ö, so such messages lost their meaning
word by word. This component, first in the pipeline, gives the tokenizer and
featurizers each message with its diacritics removed, letter for letter (the
text keeps its length, so entity spans stay valid), in training and when
parsing alike. The original text is kept under `ORIGINAL_TEXT`;
`components.service_type_normalizer.ServiceTypeNormalizer` puts it back after
the entity extractors and re-reads the entity values from it, so "Jämjö"
comes out as the resident wrote it.

Use in config.yml as the first component:

    - name: components.ascii_fold.AsciiFold
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.text import fold_letters
from components.base import StatelessComponent

#: Where the resident's own text is kept while the pipeline reads the folded one.
ORIGINAL_TEXT = "servicelotsen_original_text"


def fold_message(message: Message) -> None:
    """Replace the message's text by its folded form, keeping the original."""
    text = message.get(TEXT)
    if not isinstance(text, str) or not text:
        return
    folded = fold_letters(text)
    if folded != text:
        message.set(ORIGINAL_TEXT, text)
        message.set(TEXT, folded)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class AsciiFold(StatelessComponent):
    """Removes diacritics letter for letter before tokenizing."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            fold_message(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            fold_message(message)
        return messages
