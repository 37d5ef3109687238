"""The sentences the bot says to residents, by id and language, in one place.

They live in `data/lang/messages.yml`: one entry per id with its Swedish text
(`sv`) and, where written, its English one (`en`). A language without its
own text for an id gets the Swedish one, so an answer is never missing:

    >>> say("hours_missing")
    'Öppettider saknas i mina uppgifter.'
    >>> say("nearest_heading", "en", plural="pharmacies", origin="Jämjö")
    'Nearest pharmacies from Jämjö:'

The file is read once per process; `Messages.load` checks it (every id has
`sv`, every language of an id uses the same {names}) and raises
`MessagesError` naming the id and what to do.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ServicelotsenError

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "MESSAGES_PATH",
    "Messages",
    "MessagesError",
    "fields_of",
    "join_words",
    "messages",
    "say",
]

MESSAGES_PATH = Path(__file__).resolve().parents[1] / "data" / "lang" / "messages.yml"
DEFAULT_LANGUAGE = "sv"
#: The languages a text may be written in.
LANGUAGES = ("sv", "en")


class MessagesError(ServicelotsenError):
    """The message file is missing or wrong (which id, what to do)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def fields_of(template: str) -> frozenset[str]:
    """The {names} a template fills in."""
    return frozenset(
        name for _text, name, _spec, _conv in string.Formatter().parse(template) if name
    )


class Messages:
    """Texts by id and language, with the Swedish one as the fallback."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]]) -> None:
        self._texts = {key: dict(by_lang) for key, by_lang in texts.items()}

    @classmethod
    def load(cls, path: Path = MESSAGES_PATH) -> Messages:
        """Read and check a message file.

        Raises:
            MessagesError: missing, not YAML, or an entry is wrong.
        """
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise MessagesError(path, f"filen kan inte läsas ({exc})") from exc
        except yaml.YAMLError as exc:
            raise MessagesError(path, f"filen är inte giltig YAML ({exc})") from exc
        if not isinstance(raw, dict):
            raise MessagesError(path, "filen ska vara en lista av id: {sv: text}")
        texts: dict[str, dict[str, str]] = {}
        for key, by_lang in raw.items():
            if not isinstance(by_lang, dict) or not isinstance(
                by_lang.get(DEFAULT_LANGUAGE), str
            ):
                raise MessagesError(path, f"{key}: texten på svenska (sv:) saknas")
            unknown = set(by_lang) - set(LANGUAGES)
            if unknown:
                raise MessagesError(
                    path, f"{key}: okänt språk {sorted(unknown)}; använd {LANGUAGES}"
                )
            names = fields_of(by_lang[DEFAULT_LANGUAGE])
            for lang, text in by_lang.items():
                if not isinstance(text, str):
                    raise MessagesError(path, f"{key}.{lang}: ska vara en text")
                if fields_of(text) != names:
                    raise MessagesError(
                        path,
                        f"{key}.{lang}: ska fylla i samma {{namn}} som sv: "
                        f"{sorted(names)}, inte {sorted(fields_of(text))}",
                    )
            texts[str(key)] = {str(lang): text for lang, text in by_lang.items()}
        return cls(texts)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._texts)

    def template(self, key: str, lang: str = DEFAULT_LANGUAGE) -> str:
        """The text of an id in a language (Swedish when it has none).

        Raises:
            KeyError: no such id.
        """
        by_lang = self._texts[key]
        return by_lang.get(lang) or by_lang[DEFAULT_LANGUAGE]

    def has(self, key: str, lang: str) -> bool:
        """Whether an id has its own text in `lang`."""
        return lang in self._texts.get(key, {})

    def text(self, key: str, lang: str = DEFAULT_LANGUAGE, /, **fields: Any) -> str:
        """The text of an id in a language, with its {names} filled in."""
        return self.template(key, lang).format(**fields)


@functools.cache
def messages() -> Messages:
    """The project's messages (`data/lang/messages.yml`), read once."""
    return Messages.load()


def say(key: str, lang: str | None = DEFAULT_LANGUAGE, /, **fields: Any) -> str:
    """A sentence for residents: `key`'s text in `lang`, filled in."""
    return messages().text(key, lang or DEFAULT_LANGUAGE, **fields)


def join_words(
    items: Sequence[str], lang: str | None = DEFAULT_LANGUAGE, /, conjunction: str = "and"
) -> str:
    """Join words as prose does, in the answer's language: "a, b och c",
    "a, b and c" (no serial comma; `list_and`, `list_or` in messages.yml).

    Args:
        items: the words, in order (empty ones are left out).
        lang: the language.
        conjunction: "and" or "or".

    Returns:
        The joined text; "" for no items.
    """
    words = [w for w in items if w]
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return say(f"list_{conjunction}", lang, first=", ".join(words[:-1]), last=words[-1])
