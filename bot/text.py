"""Text normalisation for the whole project: the one `fold`.

The gazetteer, the service-type lookup, the index, the knowledge file, the
NLU components, the editors' checks and the data builders all compare text
through these functions (ids are made by `bot.importers.base.slugify`, which
builds on `fold_diacritics`).

Residents type on phones, often without å/ä/ö, with stray hyphens and
punctuation ("Bräkne-Hoby", "brakne hoby", "BRÄKNE HOBY!"). Everything that
compares what a resident wrote with our data goes through these functions, so
that two modules never disagree about whether two strings "are the same".

The functions only build *matching keys*: the original text is kept for
display ("Jämjö", never "jamjo").
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "compact_key",
    "describe_character",
    "fold",
    "fold_diacritics",
    "fold_letters",
    "invisible_characters",
    "normalize",
    "strip_invisible",
    "tokens",
]

#: Hyphen-like characters (and the underscore and slash) that join words:
#: "Bräkne-Hoby", "Bräkne–Hoby", "Ronneby/Kallinge" become separate words.
_JOINERS = re.compile(r"[\-\u2010-\u2015\u2212_/\\]+")
#: Everything that is neither a letter, a digit nor white space.
_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")

#: Letters that Unicode does not decompose into base letter + accent, mapped
#: to what a Swedish reader would type without them.
_EXTRA_FOLDS = str.maketrans(
    {"ø": "o", "æ": "ae", "đ": "d", "ł": "l", "þ": "th"}
    | {"Ø": "O", "Æ": "AE", "Đ": "D", "Ł": "L", "Þ": "TH"}
)


def normalize(text: str) -> str:
    """Lower-case, NFKC-normalise, split hyphenated words and drop punctuation.

    Keeps å, ä and ö, so the result can still be compared with Swedish word
    lists (prepositions, stop words). Full-width and compatibility characters
    become plain ones (NFKC), hyphens and slashes become spaces, other
    punctuation is removed ("S:t" -> "st", "Karlshamn's" -> "karlshamns"),
    and runs of white space collapse to one space.

    Args:
        text: Any user or data text.

    Returns:
        The normalised text, stripped; "" for text with no letters or digits.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _JOINERS.sub(" ", text)
    text = _PUNCTUATION.sub("", text)
    return _SPACES.sub(" ", text).strip()


def fold_diacritics(text: str) -> str:
    """Remove accents: å/ä -> a, ö -> o, é -> e, ü -> u (case is kept).

    Residents without a Swedish keyboard write "Jamjo" for "Jämjö"; folding
    both sides makes them equal. The price is that a few distinct words
    collide ("får"/"far"), which is harmless for place names.
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped).translate(_EXTRA_FOLDS)


def fold(text: str, *, keep_accents: bool = False) -> str:
    """The project's one matching key: `normalize`, then `fold_diacritics`.

    "Bräkne-Hoby!", "brakne hoby" and "BRÄKNE HOBY" all give "brakne hoby".
    With `keep_accents` the accents stay ("vårdcentral", "affär"): the exact
    step of a lookup that falls back to the accent-free form (service types).
    """
    normalized = normalize(text)
    return normalized if keep_accents else fold_diacritics(normalized)


def tokens(text: str) -> list[str]:
    """The folded words of `text` ("Nära Bräkne-Hoby!" -> ["nara", "brakne", "hoby"])."""
    folded = fold(text)
    return folded.split() if folded else []


def compact_key(text: str) -> str:
    """`fold` without spaces: the key for whole names.

    "Bräkne-Hoby", "bräkne hoby", "brakne hoby" and "BräkneHoby" all give
    "braknehoby", so spelling a name as one or two words does not matter.
    """
    return fold(text).replace(" ", "")


def fold_letters(text: str) -> str:
    """Remove diacritics letter for letter: the result has the same length.

    "Bankomat på Hasslö" -> "Bankomat pa Hasslo". Unlike `fold_diacritics`,
    a letter that would become two ("æ") or none is kept as it is, so that
    character positions in the folded text are positions in the original.
    """
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        base = fold_diacritics(char)
        out.append(base if len(base) == 1 else char)
    return "".join(out)


def invisible_characters(text: str) -> list[tuple[int, str]]:
    """(index, character) of every invisible format character in `text`.

    Unicode category Cf: bidirectional controls (U+202E RIGHT-TO-LEFT
    OVERRIDE turns the rest of a line around), zero-width spaces and joiners,
    the byte order mark, soft hyphens. They hide or reorder text: a reviewer
    reads something else than what the bot learns or says.
    """
    return [(i, ch) for i, ch in enumerate(text) if unicodedata.category(ch) == "Cf"]


def strip_invisible(text: str) -> str:
    """`text` without invisible format characters (see `invisible_characters`)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def describe_character(ch: str) -> str:
    """ "U+202E (RIGHT-TO-LEFT OVERRIDE)": how to name an invisible character."""
    return f"U+{ord(ch):04X} ({unicodedata.name(ch, 'okänt tecken')})"
