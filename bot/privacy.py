"""Masking personal data in what residents wrote, before anyone else reads it.

Residents sometimes type their phone number, e-mail, personnummer, home
address or position into the chat ("ring mig på 070-123 45 67", "jag bor på
Storgatan 12"). Such text must not leave the tracker store: the editors'
review inbox (`bot.inbox`) and anything else that shows conversation text to
staff first passes it through `mask`.

The patterns err on the side of masking: a ten-digit number is masked even
if it fails the personnummer checksum, because residents mistype. What is
masked is replaced by a placeholder in angle brackets (`<telefonnummer>`),
which cannot be mistaken for Rasa's `[text](entity)` annotation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

__all__ = [
    "PLACEHOLDERS",
    "Kind",
    "Span",
    "find_personal_data",
    "mask",
]


class Kind(str, Enum):
    """The kinds of personal data we mask."""

    EMAIL = "email"
    PERSONNUMMER = "personnummer"
    COORDINATES = "coordinates"
    PHONE = "phone"
    ADDRESS = "address"


#: What the masked text says instead (Swedish: staff read it).
PLACEHOLDERS: dict[Kind, str] = {
    Kind.EMAIL: "<e-post>",
    Kind.PERSONNUMMER: "<personnummer>",
    Kind.COORDINATES: "<koordinater>",
    Kind.PHONE: "<telefonnummer>",
    Kind.ADDRESS: "<adress>",
}


@dataclass(frozen=True, order=True)
class Span:
    """Where personal data stands in a text (`text[start:end]`)."""

    start: int
    end: int
    kind: Kind


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# Personnummer and samordningsnummer: (YY)YYMMDD, a separator (- before the
# 100th birthday, + after) and four digits. Samordningsnummer add 60 to the
# day (61-91).
_DATE = r"(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
_PNR_SEPARATED = re.compile(rf"(?<![\d+-]){_DATE}\s?[-+]\s?\d{{4}}(?!\d)")
_PNR_BARE = re.compile(rf"(?<![\d+-]){_DATE}\d{{4}}(?!\d)")

# Swedish phone numbers: 0 or +46/0046, an area code of 1-3 digits that does
# not start with 0, then 5-8 more digits in groups ("0455-30 30 00",
# "070-123 45 67", "+46 70 123 45 67", "08-123 456 78", "0701234567").
_PHONE = re.compile(
    r"(?<![\w+])(?:\+46|0046)\s?(?:\(0\)\s?)?[1-9]\d{0,2}(?:[\s-]?\d){5,8}(?!\d)"
    r"|(?<![\w+])0[1-9]\d{0,2}[\s-]?\d(?:[\s-]?\d){4,7}(?!\d)"
)

# A decimal pair ("56.26, 14.77", "56,2612 14,7712") or a labelled value
# ("lat 56.26", "longitude: 14.77").
_NUM = r"-?\d{1,3}[.,]\d{2,}\s?°?\s?[NSEWÖV]?"
_COORD_PAIR = re.compile(rf"(?<![\d.,]){_NUM}\s*(?:[,;/]|\s)\s*{_NUM}(?![\d])")
_COORD_LABEL = re.compile(
    r"(?i)\"?\b(?:lat|latitud|latitude|lon|long|longitud|longitude|lng)\b\"?\s*[:=]?\s*"
    r"-?\d{1,3}[.,]\d+"
)

# Street addresses: a street name ending like a Swedish street (Storgatan,
# Kungsvägen, Kungsv., Lillgränd, Parkallén ...) followed by a number, an
# optional letter and an optional flat number ("lgh 1102").
_STREET_ENDINGS = (
    r"gatan|gata|g\.|vägen|väg|v\.|gränden|gränd|stigen|stig|backen|backe|allén|allé"
    r"|torget|torg|platsen|plan|leden|stråket|gången|slingan|kroken|svängen"
)
_ADDRESS = re.compile(
    rf"(?i)(?<![\w])[a-zåäöéü][\w-]*?(?:{_STREET_ENDINGS})"
    r"\s?\d{1,4}(?:\s?[a-h](?![\w]))?(?:,?\s*(?:lgh|lägenhet)\.?\s*\d{3,4})?"
)
# "jag bor på Kullen 14", "min adress är Fridlevstad 123": rural addresses
# are often a farm or village name and a number.
_ADDRESS_AFTER = re.compile(
    r"(?i)\b(?:bor på|bor vid|adress(?:en)?(?: är)?:?|adr\.?)\s+"
    r"(?P<address>(?:[a-zåäöéü][\w-]*\s){1,3}\d{1,4}(?:\s?[a-h](?![\w]))?)"
)

_PATTERNS: tuple[tuple[Kind, re.Pattern[str], str | None], ...] = (
    (Kind.EMAIL, _EMAIL, None),
    (Kind.PERSONNUMMER, _PNR_SEPARATED, None),
    (Kind.COORDINATES, _COORD_PAIR, None),
    (Kind.COORDINATES, _COORD_LABEL, None),
    (Kind.PHONE, _PHONE, None),
    (Kind.PERSONNUMMER, _PNR_BARE, None),
    (Kind.ADDRESS, _ADDRESS_AFTER, "address"),
    (Kind.ADDRESS, _ADDRESS, None),
)


def find_personal_data(text: str) -> list[Span]:
    """Every stretch of `text` that looks like personal data, in text order.

    Patterns are tried most specific first (an e-mail address before the
    digits inside it); a later match that overlaps an earlier one is dropped.
    """
    spans: list[Span] = []
    for kind, pattern, group in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span(group) if group else match.span()
            while end > start and text[end - 1] in " ,.":
                end -= 1
            if any(start < s.end and s.start < end for s in spans):
                continue
            spans.append(Span(start, end, kind))
    return sorted(spans)


def mask(text: str) -> str:
    """`text` with personal data replaced by placeholders ("<telefonnummer>")."""
    out: list[str] = []
    last = 0
    for span in find_personal_data(text):
        out.append(text[last : span.start])
        out.append(PLACEHOLDERS[span.kind])
        last = span.end
    out.append(text[last:])
    return "".join(out)
