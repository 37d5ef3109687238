"""Which language a resident wrote in: Swedish or English, offline.

The bot answers in the language of the resident's latest message (the
`language` slot). Two small detectors, both learnt from our own training data
(data/nlu: English examples carry `metadata: {language: en}`), no download:

- `NgramDetector` (used): naive Bayes over character 1-4-grams of each word
  and the words themselves. Character n-grams carry "-ing", "th", "wh" and
  "å/ä/ö", "sj", "tj", so even a misspelt or unseen word votes.
- `VocabularyDetector` (measured against it): which language's training
  vocabulary holds more of the message's words, i.e. what one mixed DIET
  model has seen of each language.

Place and shop names say nothing about the language ("pharmacy in Jämjö"):
words of the gazetteer's names and of the message's place and point entities
are left out. A message too short or too mixed to tell ("ok", "Jämjö") gets
no answer (None), so the slot keeps the language of the conversation.
The comparison, measured on the held-out sets, is in
docs/nlu-pipeline-comparison.md (scripts/compare_language_detection.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.text import fold_diacritics

__all__ = [
    "LANGUAGES",
    "NgramDetector",
    "VocabularyDetector",
    "words",
]

LANGUAGES = ("sv", "en")
#: Log-odds (natural log) below which the n-gram detector does not decide.
MIN_MARGIN = 1.5
_WORD = re.compile(r"[^\W\d_]+")


def words(text: str, ignore: Iterable[str] = ()) -> list[str]:
    """Lower-case words of `text`, without the `ignore` ones (folded compare)."""
    skip = set(ignore)
    return [
        w
        for w in (m.group().casefold() for m in _WORD.finditer(text))
        if fold_diacritics(w) not in skip
    ]


def _features(word: str) -> list[str]:
    padded = f" {word} "
    grams = [
        padded[i : i + n]
        for n in (1, 2, 3, 4)
        for i in range(len(padded) - n + 1)
        if padded[i : i + n].strip()
    ]
    return [f"w:{word}", *grams]


@dataclass
class NgramDetector:
    """Naive Bayes over character n-grams and words (see module docstring)."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    min_margin: float = MIN_MARGIN

    @classmethod
    def train(
        cls, samples: Iterable[tuple[str, str]], ignore: Iterable[str] = ()
    ) -> NgramDetector:
        """Learn from (text, language) pairs; `ignore`: folded words to skip."""
        skip = frozenset(fold_diacritics(w.casefold()) for w in ignore)
        counts: dict[str, Counter[str]] = {lang: Counter() for lang in LANGUAGES}
        for text, lang in samples:
            if lang not in counts:
                continue
            for word in words(text, skip):
                counts[lang].update(_features(word))
        return cls(
            counts={lang: dict(c) for lang, c in counts.items()},
            totals={lang: sum(c.values()) for lang, c in counts.items()},
            ignore=skip,
        )

    def scores(self, text: str, ignore: Iterable[str] = ()) -> dict[str, float]:
        """Log-likelihood of the text's features per language (Laplace)."""
        vocabulary = len(set().union(*(set(c) for c in self.counts.values()))) or 1
        skip = self.ignore | {fold_diacritics(w.casefold()) for w in ignore}
        out = {lang: 0.0 for lang in self.counts}
        for word in words(text, skip):
            for feature in _features(word):
                for lang, table in self.counts.items():
                    out[lang] += math.log(
                        (table.get(feature, 0) + 1) / (self.totals[lang] + vocabulary)
                    )
        return out

    def detect(self, text: str, ignore: Iterable[str] = ()) -> str | None:
        """ "sv" or "en", or None when the text is too short or mixed to tell."""
        scores = self.scores(text, ignore)
        if len(scores) < 2 or not any(scores.values()):
            return None
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        if ranked[0][1] - ranked[1][1] < self.min_margin:
            return None
        return ranked[0][0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "totals": self.totals,
            "ignore": sorted(self.ignore),
            "min_margin": self.min_margin,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NgramDetector:
        return cls(
            counts={k: dict(v) for k, v in data["counts"].items()},
            totals=dict(data["totals"]),
            ignore=frozenset(data.get("ignore", ())),
            min_margin=float(data.get("min_margin", MIN_MARGIN)),
        )


@dataclass
class VocabularyDetector:
    """The language whose training words cover more of the message."""

    vocabulary: dict[str, frozenset[str]]
    ignore: frozenset[str] = frozenset()

    @classmethod
    def train(
        cls, samples: Iterable[tuple[str, str]], ignore: Iterable[str] = ()
    ) -> VocabularyDetector:
        skip = frozenset(fold_diacritics(w.casefold()) for w in ignore)
        seen: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
        for text, lang in samples:
            if lang in seen:
                seen[lang].update(words(text, skip))
        return cls({k: frozenset(v) for k, v in seen.items()}, skip)

    def detect(self, text: str, ignore: Iterable[str] = ()) -> str | None:
        skip = self.ignore | {fold_diacritics(w.casefold()) for w in ignore}
        found = words(text, skip)
        hits = {
            lang: sum(w in vocab for w in found)
            for lang, vocab in self.vocabulary.items()
        }
        ranked = sorted(hits.items(), key=lambda kv: kv[1], reverse=True)
        if not ranked or ranked[0][1] == 0 or ranked[0][1] == ranked[1][1]:
            return None
        return ranked[0][0]
