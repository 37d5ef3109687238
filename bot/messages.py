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
`MessagesError` naming the id and what to do. The rules are in one place,
`entry_problems`, which the editors' check (`make validate`) also reports
from, with lines, together with what the bot tolerates but an editor should
fix (no English text, white space at the edges).
"""

from __future__ import annotations

import functools
import itertools
import string
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from bot.errors import ServicelotsenError

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "MESSAGES_PATH",
    "RULE_ENGLISH",
    "RULE_ENTRY",
    "RULE_NAMES",
    "RULE_SPACES",
    "Messages",
    "MessagesError",
    "Problem",
    "entry_problems",
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


class Problem(NamedTuple):
    """Something wrong with one id of the message file.

    `rule` names the kind of problem (the editors' check reports it under
    its own heading); `lang` is the language it concerns (None: the id as a
    whole). A `refused` problem makes `Messages.load` refuse the file; the
    others are for the editors' check (`make validate`) only, since the bot
    can still say something sensible.
    """

    key: str
    lang: str | None
    rule: str
    reason: str
    refused: bool


#: `Problem.rule` values.
RULE_ENTRY = "id"  # not {sv: text, en: text}, unknown language, not a text
RULE_NAMES = "namn"  # the languages fill in different {names}
RULE_ENGLISH = "engelska"  # no English text: English residents get Swedish
RULE_SPACES = "mellanslag"  # white space at the start or end that surprises

#: The one white space a text may start with: a plain space, for a sentence
#: the code appends to another (" Telefon 0455-1.").
_LEADING_SPACE = " "


#: How the check names white space an editor cannot see.
_SPACE_NAMES = {
    " ": "mellanslag",
    "\t": "tabb",
    "\n": "radbrytning",
    "\r": "radbrytning",
    "\u00a0": "hårt mellanslag (U+00A0)",
}


def _lead(text: str) -> str:
    """The white space a text starts with."""
    return text[: len(text) - len(text.lstrip())]


def _named(spaces: str) -> str:
    """ "  \n" -> "2 mellanslag, radbrytning": white space in words."""
    parts = []
    for char, run in itertools.groupby(spaces):
        name = _SPACE_NAMES.get(char, f"tomrum U+{ord(char):04X}")
        count = len(list(run))
        parts.append(f"{count} {name}" if count > 1 else name)
    return ", ".join(parts)


def _edge_problems(key: str, lang: str, text: str) -> list[Problem]:
    problems: list[Problem] = []
    lead = _lead(text)
    trail = text[len(text.rstrip()) :]
    if lead not in ("", _LEADING_SPACE):
        problems.append(
            Problem(
                key,
                lang,
                RULE_SPACES,
                f"{key}.{lang}: börjar med {_named(lead)}; en text får bara börja "
                "med ett vanligt mellanslag (när den läggs efter en annan mening)",
                refused=False,
            )
        )
    if trail:
        problems.append(
            Problem(
                key,
                lang,
                RULE_SPACES,
                f"{key}.{lang}: slutar med {_named(trail)}, som inte syns men "
                "följer med i svaret",
                refused=False,
            )
        )
    return problems


def entry_problems(key: str, by_lang: object) -> list[Problem]:
    """Everything wrong with one id's entry, in the order an editor fixes it.

    The rules of the message file in one place: `Messages.load` refuses the
    file on the first `refused` problem, the editors' check reports them all.
    Invisible characters are checked for every data file by the editors'
    check `osynligt-tecken` (`bot.text.invisible_characters`).
    """
    if not isinstance(by_lang, Mapping) or not isinstance(
        by_lang.get(DEFAULT_LANGUAGE), str
    ):
        return [
            Problem(
                key, None, RULE_ENTRY, f"{key}: texten på svenska (sv:) saknas", True
            )
        ]
    unknown = {str(lang) for lang in by_lang} - set(LANGUAGES)
    if unknown:
        return [
            Problem(
                key,
                None,
                RULE_ENTRY,
                f"{key}: okänt språk {sorted(unknown)}; använd {LANGUAGES}",
                True,
            )
        ]
    problems: list[Problem] = []
    names = fields_of(by_lang[DEFAULT_LANGUAGE])
    for lang, text in by_lang.items():
        if not isinstance(text, str):
            problems.append(
                Problem(key, lang, RULE_ENTRY, f"{key}.{lang}: ska vara en text", True)
            )
            continue
        if fields_of(text) != names:
            problems.append(
                Problem(
                    key,
                    lang,
                    RULE_NAMES,
                    f"{key}.{lang}: ska fylla i samma {{namn}} som sv: "
                    f"{sorted(names)}, inte {sorted(fields_of(text))}",
                    True,
                )
            )
        problems += _edge_problems(key, str(lang), text)
    english = by_lang.get("en")
    if "en" not in by_lang:
        problems.append(
            Problem(
                key,
                None,
                RULE_ENGLISH,
                f"{key}: texten på engelska (en:) saknas; engelsktalande får "
                "den svenska",
                refused=False,
            )
        )
    elif isinstance(english, str):
        # (a text starting with other white space is reported above)
        leads = {_lead(by_lang[DEFAULT_LANGUAGE]), _lead(english)}
        sv_starts = bool(_lead(by_lang[DEFAULT_LANGUAGE]))
        if leads == {"", _LEADING_SPACE}:
            problems.append(
                Problem(
                    key,
                    "en",
                    RULE_SPACES,
                    f"{key}: sv {'börjar' if sv_starts else 'börjar inte'} med "
                    f"mellanslag, men en {'gör det inte' if sv_starts else 'gör det'}; "
                    "texten läggs efter en annan mening på samma sätt på båda "
                    "språken",
                    refused=False,
                )
            )
    return problems


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
            refused = [p for p in entry_problems(str(key), by_lang) if p.refused]
            if refused:
                raise MessagesError(path, refused[0].reason)
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
