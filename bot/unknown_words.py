"""Is a message made only of words the bot has never seen? (used by the NLU)

The Rasa component components/unknown_words.py collects the vocabulary from
the training data at training time and asks `is_unknown` for every message.
Kept here, without Rasa, so it can be tested and reused on its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from bot.text import fold

__all__ = ["CUTOFF", "is_unknown", "words"]

#: difflib ratio from which a word counts as a misspelling of a known one
#: ("tackk" ~ "tack" 0.89, "aptek" ~ "apotek" 0.91; "plopp" matches nothing).
CUTOFF = 0.75
_WORD = re.compile(r"[^\W\d_]+")


def words(text: str) -> list[str]:
    """The folded, letter-only words of a text ("Bräkne-Hoby!" -> ["brakne", "hoby"])."""
    return _WORD.findall(fold(text))


def is_unknown(text: str, vocabulary: Iterable[str], cutoff: float = CUTOFF) -> bool:
    """True when no word of `text` is known, nor a close misspelling of one.

    A text without letters is unknown unless it has digits (a postcode).
    A single word is never called unknown: short replies in slang or English
    ("lol", "bye", "nope") are better left to the classifier, which was right
    on more of them than the fallback would be (measured on the held-out data).
    Words shorter than four letters must match exactly.
    """
    known = vocabulary if isinstance(vocabulary, (set, frozenset)) else set(vocabulary)
    found = words(text)
    if not found:
        return not any(c.isdigit() for c in text)
    if len(found) < 2:
        return False
    pool: list[str] | None = None
    for word in found:
        if word in known:
            return False
        if len(word) >= 4:
            pool = pool if pool is not None else list(known)
            if difflib.get_close_matches(word, pool, n=1, cutoff=cutoff):
                return False
    return True
