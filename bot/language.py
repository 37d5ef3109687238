"""Which language a resident wrote in: Swedish or English, offline.

The bot answers in the language of the resident's latest message (the
`language` slot, set every turn by `actions/language.py` through the slot's
custom mapping). Two small detectors, both learnt from our own training data
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

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.messages import LANGUAGES
from bot.text import fold_diacritics

__all__ = [
    "LANGUAGES",
    "NgramDetector",
    "VocabularyDetector",
    "message_language",
    "place_words",
    "project_detector",
    "training_samples",
    "words",
]

#: Log-odds (natural log) below which the n-gram detector does not decide.
MIN_MARGIN = 1.5
#: Without a word seen in the winner's training data, the log-odds needed
#: (a long sentence of new words still decides; "qwerty", "hmm" do not).
#: Chosen by 5-fold cross-validation on the training data, a wrong language
#: counted three times as bad as none (scripts/compare_language_detection.py).
UNSEEN_MARGIN = 14.0
#: Fewer words than this, none of them seen in any language's training data:
#: no decision (gibberish keeps the conversation's language).
UNSEEN_DECIDES_FROM = 5
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
    #: words seen in each language's training data: the winner must have seen
    #: one of the message's words (gibberish and stray words decide nothing)
    seen: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def train(
        cls, samples: Iterable[tuple[str, str]], ignore: Iterable[str] = ()
    ) -> NgramDetector:
        """Learn from (text, language) pairs; `ignore`: folded words to skip."""
        skip = frozenset(fold_diacritics(w.casefold()) for w in ignore)
        samples = list(samples)
        seen: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
        for text, lang in samples:
            if lang in seen:
                seen[lang].update(words(text, skip))
        # a word residents write in both languages ("ok", "hej då" vs "hi")
        # says nothing about the language: it does not vote
        shared = frozenset(fold_diacritics(w) for w in set.intersection(*seen.values()))
        skip = skip | shared
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
            seen={lang: frozenset(w - shared) for lang, w in seen.items()},
        )

    @functools.cached_property
    def vocabulary_size(self) -> int:
        """Distinct features over all languages (Laplace smoothing; counted once)."""
        return len(set().union(*(set(c) for c in self.counts.values()))) or 1

    def scores(self, text: str, ignore: Iterable[str] = ()) -> dict[str, float]:
        """Log-likelihood of the text's features per language (Laplace)."""
        vocabulary = self.vocabulary_size
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
        winner = ranked[0][0]
        if self.seen:
            skip = self.ignore | {fold_diacritics(w.casefold()) for w in ignore}
            tokens = words(text, skip)
            # a few words that neither language's training data has
            # ("qwxz plopp brrr") tell nothing, however lopsided their letters
            if len(tokens) < UNSEEN_DECIDES_FROM and not any(
                w in seen for seen in self.seen.values() for w in tokens
            ):
                return None
            if ranked[0][1] - ranked[1][1] < UNSEEN_MARGIN and not any(
                w in self.seen.get(winner, ()) for w in tokens
            ):
                return None
        return winner

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "totals": self.totals,
            "ignore": sorted(self.ignore),
            "min_margin": self.min_margin,
            "seen": {k: sorted(v) for k, v in self.seen.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NgramDetector:
        return cls(
            counts={k: dict(v) for k, v in data["counts"].items()},
            totals=dict(data["totals"]),
            ignore=frozenset(data.get("ignore", ())),
            min_margin=float(data.get("min_margin", MIN_MARGIN)),
            seen={k: frozenset(v) for k, v in (data.get("seen") or {}).items()},
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


# --- the project's detector: learnt from data/nlu ------------------------------

_ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")
_NAME_TYPES = ("location", "point_name")


def _plain_without_names(raw: str) -> str:
    """An annotated example as plain text, with place and point names dropped."""

    def replace(match: re.Match[str]) -> str:
        spec = match.group(2)
        return " " if any(t in spec for t in _NAME_TYPES) else match.group(1)

    return _ANNOTATION.sub(replace, raw)


def training_samples(nlu_dir: Path) -> list[tuple[str, str]]:
    """(text, language) of every example in data/nlu: English where the
    intent block says `metadata: {language: en}`, Swedish otherwise."""
    samples: list[tuple[str, str]] = []
    for path in sorted(nlu_dir.rglob("*.yml")):
        if "generated" in path.parts:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if not isinstance(block, dict) or "intent" not in block:
                continue
            metadata = block.get("metadata") or {}
            language = "en" if metadata.get("language") == "en" else "sv"
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    samples.append((_plain_without_names(line[2:]), language))
    return samples


@functools.lru_cache(maxsize=4)
def project_detector(nlu_dir: Path | None = None) -> NgramDetector:
    """The detector the bot uses: learnt from data/nlu, the place names left
    out (read once per process; about 0.3 s)."""
    folder = nlu_dir or Path(__file__).resolve().parents[1] / "data" / "nlu"
    return NgramDetector.train(training_samples(folder), ignore=place_words(folder))


def place_words(nlu_dir: Path) -> list[str]:
    """The words of every place name the NLU knows (its `location` lookup
    table, data/nlu/generated/place_lookup.yml, built from the gazetteer)."""
    found: list[str] = []
    for path in sorted((nlu_dir / "generated").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if isinstance(block, dict) and block.get("lookup") == "location":
                for line in str(block.get("examples") or "").splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        found.extend(line[2:].split())
    return found


def message_language(
    text: str,
    names: Iterable[str] = (),
    client_language: object = None,
    detector: NgramDetector | None = None,
    client_choice: bool = False,
) -> str | None:
    """The language of one message, or None (keep the conversation's language).

    - `client_choice` (the resident pressed the widget's language switch):
      the client's language wins over what the text looks like;
    - otherwise the text decides when it can (`names`: the place and point
      names the NLU found in it do not vote);
    - otherwise the client's language (the page's `lang`), also for button
      payloads ("/inform{...}"), which have no language of their own.
    """
    client = (
        client_language[:2].lower()
        if isinstance(client_language, str) and client_language[:2].lower() in LANGUAGES
        else None
    )
    if client is not None and client_choice:
        return client
    if text and not text.startswith("/"):
        found = (detector or project_detector()).detect(text, names)
        if found is not None:
            return found
    return client
