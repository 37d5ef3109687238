"""The language-data layer: word lists as data (data/lang/<code>.yml).

Logic modules ask here for the words of a language instead of keeping their
own lists: the month and weekday names, the prepositions before a place name,
the words around a name that are not part of it, ordinals. The files are
plain YAML an editor can read; `bot.text.fold` is how words are compared, so
each word is also known without its accents.

    from bot.lang import swedish
    swedish().months[11]            # "december"
    swedish().weekday_forms()["söndags"]   # 6
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.text import fold

__all__ = ["LANG_DIR", "Language", "english", "load_language", "swedish", "with_folded"]

LANG_DIR = Path(__file__).resolve().parents[2] / "data" / "lang"


def with_folded(words: Iterable[str]) -> frozenset[str]:
    """Each word as written (lower case) and as `fold` gives it ("på", "pa")."""
    return frozenset(w.casefold() for w in words) | frozenset(fold(w) for w in words)


@dataclass(frozen=True)
class Language:
    """The word lists of one language (see data/lang/sv.yml for what each is)."""

    code: str
    months: tuple[str, ...]
    weekdays: tuple[str, ...]
    weekday_endings: tuple[str, ...]
    weekday_abbreviations: tuple[str, ...]
    place_prepositions: tuple[str, ...]
    other_prepositions: tuple[str, ...]
    words_before_a_name: tuple[str, ...]
    words_after_a_name: tuple[str, ...]
    not_places: tuple[str, ...]
    message_endings: tuple[str, ...]
    ordinals: Mapping[str, int]
    #: frequent words, to tell the language of a text (`bot.editor_checks`)
    common_words: tuple[str, ...]

    def weekday_forms(self, *, abbreviations: bool = False) -> dict[str, int]:
        """Every written form of a weekday to 0 (Monday) … 6: "söndag",
        "söndagen", "söndags", "sondagarna" … With `abbreviations` also "mån",
        "lör" (opening hours; never in residents' messages)."""
        forms: dict[str, int] = {}
        for day, name in enumerate(self.weekdays):
            for ending in self.weekday_endings:
                forms[name + ending] = day
                forms[fold(name + ending)] = day
            if abbreviations:
                forms[self.weekday_abbreviations[day]] = day
        return forms


def _words(raw: Mapping[str, Any], key: str, where: Path) -> tuple[str, ...]:
    """The list `key` (a language's file may leave a list out: empty)."""
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        raise ValueError(f"{where}: {key} ska vara en lista med ord")
    return tuple(w.strip().casefold() for w in value)


@functools.cache
def load_language(code: str, folder: Path = LANG_DIR) -> Language:
    """The word lists in `folder/<code>.yml`.

    Raises:
        OSError: the file cannot be read.
        ValueError: a list is missing or is not a list of words.
    """
    path = folder / f"{code}.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    prepositions = raw.get("prepositions") or {}
    ordinals = raw.get("ordinals") or {}
    if not isinstance(ordinals, dict):
        raise ValueError(f"{path}: ordinals ska vara ord: tal")
    return Language(
        code=code,
        months=_words(raw, "months", path),
        weekdays=_words(raw, "weekdays", path),
        weekday_endings=_words(raw, "weekday_endings", path),
        weekday_abbreviations=_words(raw, "weekday_abbreviations", path),
        place_prepositions=_words(prepositions, "place", path),
        other_prepositions=_words(prepositions, "other", path),
        words_before_a_name=_words(raw, "words_before_a_name", path),
        words_after_a_name=_words(raw, "words_after_a_name", path),
        not_places=_words(raw, "not_places", path),
        message_endings=_words(raw, "message_endings", path),
        ordinals={str(k).casefold(): int(v) for k, v in ordinals.items()},
        common_words=_words(raw, "common_words", path),
    )


def swedish() -> Language:
    """data/lang/sv.yml."""
    return load_language("sv")


def english() -> Language:
    """data/lang/en.yml (only the lists English answers need so far)."""
    return load_language("en")
