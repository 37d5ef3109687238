"""Finding a place name the NLU missed, so the bot can say it does not know it.

The NLU recognises place names it has seen (the gazetteer's lookup table).
A name it has never seen ("närmaste apotek i Xyzzyköping") comes through as no
place at all, and the bot would just ask "Var är du?" as if nothing had been
said. These helpers pick out the words after a place preposition, so the bot
can answer honestly: "Jag hittar ingen ort som heter Xyzzyköping".
"""

from __future__ import annotations

import re

from bot.lang import swedish, with_folded

__all__ = ["mentions_no_car", "place_candidate"]

_SV = swedish()
#: Words before a place name, as written and without accents ("på", "pa").
_PREPOSITIONS = sorted(with_folded(_SV.place_prepositions))
#: Words after a preposition that are not places ("i dag", "på söndag").
_NOT_PLACES = with_folded(_SV.not_places) | frozenset(_SV.weekday_forms())
#: Words that end a message after the place ("i Tving tack", "i Jämjö då").
_TRAILING = with_folded(_SV.message_endings)
_WORD = r"[A-Za-zÅÄÖåäöÉéÜü][\w\-]*"
_CANDIDATE = re.compile(
    rf"(?:^|\s)(?:{'|'.join(_PREPOSITIONS)})\s+({_WORD}(?:\s+{_WORD}){{0,2}})",
    re.IGNORECASE,
)


def place_candidate(text: str) -> str | None:
    """Up to three words after the last place preposition, if they could be a place.

    "närmaste apotek i Xyzzyköping?" -> "Xyzzyköping"; "affär i bräkne hoby"
    -> "bräkne hoby"; "har de öppet i dag" -> None. Words that are not
    places ("idag", "tack"...) are dropped from the end; the gazetteer
    decides whether the rest names a place.
    """
    found: str | None = None
    for match in _CANDIDATE.finditer(text):
        words = match.group(1).split()
        if words[0].casefold() in _NOT_PLACES:
            continue
        while len(words) > 1 and words[-1].casefold() in _NOT_PLACES | _TRAILING:
            words.pop()
        found = " ".join(words)
    return found


#: Ways a resident says getting to a shop is hard ("har ingen bil").
_NO_CAR = re.compile(
    r"\b(?:ingen bil|utan bil|inte (?:har |någon )?bil|har inte bil|kan inte köra|"
    r"kör inte|inte kör|inget körkort|bilfri|billös|svårt att ta mig|kan inte ta mig|"
    r"tar mig inte|svårt att gå|rullstol|rullator)",
    re.IGNORECASE,
)


def mentions_no_car(text: str) -> bool:
    """The resident says they have no car or find it hard to get to a shop.

    "jag bor i Eringsboda och har ingen bil" -> True. Then an answer about
    groceries also says what the kommun knows about home delivery.
    """
    return bool(_NO_CAR.search(text))
