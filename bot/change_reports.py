"""Residents tell us what changed: "Coop Hasslö har stängt".

A report names one service point of the registry, what is wrong (a kind
from `KINDS`) and the day; the resident's own words go with it, capped,
stripped of markup and with personal data masked (`bot.privacy`, as in the
editors' inbox). The action server keeps a report as a `change_report` slot
event in the conversation (the tracker store), so it lives and is purged
exactly as long as the conversation (`make purge`), works the same on SQLite
and PostgreSQL, and `make inbox` lists it for the editors as a registry
correction. A report never changes the registry by itself: an editor checks
it and closes or corrects the point (`python -m bot registry close …`).

No Rasa imports: the actions call this.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.messages import DEFAULT_LANGUAGE, say
from bot.privacy import mask
from bot.text import fold as _fold

__all__ = [
    "KINDS",
    "MAX_REPORTS_PER_CONVERSATION",
    "MAX_TEXT_CHARS",
    "REPORT_SLOT",
    "SAID",
    "ChangeReport",
    "classify",
    "clean_text",
    "count_by_category",
    "is_cancel",
    "name_query",
    "said",
    "service_words",
]

#: The slot whose events hold the reports (domain.yml).
REPORT_SLOT = "change_report"
#: Longest piece of a resident's text kept with a report.
MAX_TEXT_CHARS = 300
#: Reports one conversation may store; more are thanked for and not stored.
MAX_REPORTS_PER_CONVERSATION = 5

#: What can be wrong, as the editors read it.
KINDS: dict[str, str] = {
    "closed": "har stängt eller finns inte kvar",
    "service": "tjänsten finns inte där längre",
    "hours": "fel öppettider",
    "address": "fel adress eller plats",
    "phone": "fel telefonnummer",
    "other": "annat",
}



def said(kind: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """What is wrong, as the bot's thanks says it: "Jag har antecknat att X
    {…}" / "I have noted that X {…}" (`report_said_<kind>` in
    data/lang/messages.yml)."""
    return say(f"report_said_{kind}", lang)


#: The Swedish of `said`, by kind.
SAID: dict[str, str] = {kind: said(kind) for kind in KINDS}

# Checked in this order on the folded text: hours before "closed" ("har
# stängt på söndagar" is about hours), a lost service before "closed".
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "hours",
        (
            "öppettid",
            "öppet ",
            "öppen ",
            "stänger",
            "öppnar",
            "söndag",
            "lördag",
            "helg",
            "klockan",
            " kl ",
            "tiderna",
        ),
    ),
    ("phone", ("telefon", "numret", "nummer", "ringa")),
    (
        "address",
        (
            "flyttat",
            "flyttade",
            "adress",
            "ligger inte",
            "fel plats",
            "kartan",
            "fel ställe",
            "på en annan",
        ),
    ),
    (
        "service",
        (
            "inte ombud",
            "inte längre ombud",
            "längre paketombud",
            "längre apoteksombud",
            "längre postombud",
            "slutat med",
            "slutat vara",
            "tar inte emot",
            "lämnar inte ut",
            "inga paket",
            "inte paket",
            "har inte apoteks",
            "inget apoteksombud",
            "inget paketombud",
            "säljer inte",
            "har inte kvar",
        ),
    ),
    (
        "closed",
        (
            "stängt",
            "stängd",
            "stängts",
            "lagt ner",
            "lagts ner",
            "lades ner",
            "nedlagd",
            "nerlagd",
            "lagt ned",
            "finns inte kvar",
            "finns inte längre",
            "finns ej",
            "upphört",
            "konkurs",
            "borta",
            "stängde",
            "slagit igen",
            "inte kvar",
            "försvunnit",
            "rivet",
            "revs",
        ),
    ),
)

#: Words that say the report is cancelled.
_CANCEL = frozenset(
    {"avbryt", "glöm det", "nej", "nej tack", "ingenting", "inget", "strunt"}
)

_TAG = re.compile(r"<[^>]{0,200}>")
_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e]"
)


def fold(text: str) -> str:
    """Lower case, spaces collapsed, accents kept ("Stängt!" -> "stängt")."""
    return _fold(text, keep_accents=True)


def classify(text: str) -> str | None:
    """The kind of a report from the resident's words, or None when unclear."""
    folded = f" {fold(text)} "
    for kind, words in _KIND_WORDS:
        if any(word in folded for word in words):
            return kind
    return None


def is_cancel(text: str) -> bool:
    """ "avbryt", "nej", "glöm det": the resident does not want to report."""
    return fold(text).strip(" .!") in _CANCEL


def clean_text(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """The resident's words as a report may keep them.

    Markup and control characters removed, spaces collapsed, personal data
    masked (phone numbers, e-mail, personnummer, addresses, positions) and
    capped at `limit` characters. The text is cut before masking as well, so
    a 10 KB message costs no more than a short one.
    """
    text = unicodedata.normalize("NFC", str(text)[: limit * 4])
    text = _TAG.sub(" ", text)
    text = _CONTROL.sub(" ", text).replace("<", " ").replace(">", " ")
    text = " ".join(text.split())
    text = mask(text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


#: Words that name a service in a report ("ombudet i Tving") -> categories.
_SERVICE_WORDS: dict[str, tuple[str, ...]] = {
    "ombud": ("apoteksombud", "paketombud"),
    "ombudet": ("apoteksombud", "paketombud"),
    "apoteksombud": ("apoteksombud",),
    "apoteksombudet": ("apoteksombud",),
    "paketombud": ("paketombud",),
    "paketombudet": ("paketombud",),
    "postombud": ("paketombud",),
    "postombudet": ("paketombud",),
    "paketskåp": ("paketombud",),
    "paketskåpet": ("paketombud",),
    "apotek": ("apotek",),
    "apoteket": ("apotek",),
    "affär": ("dagligvaror",),
    "affären": ("dagligvaror",),
    "butik": ("dagligvaror",),
    "butiken": ("dagligvaror",),
    "mataffären": ("dagligvaror",),
    "lanthandeln": ("dagligvaror",),
    "macken": ("drivmedel",),
    "bensinstationen": ("drivmedel",),
    "bankomaten": ("uttagsautomat",),
    "uttagsautomaten": ("uttagsautomat",),
    "biblioteket": ("bibliotek",),
    "vårdcentralen": ("vårdcentral",),
}


def service_words(text: str) -> tuple[str, ...]:
    """Categories a report's words name ("ombudet" -> apoteksombud, paketombud)."""
    found: dict[str, None] = {}
    for word in re.findall(r"[\wåäö]+", fold(text)):
        for category in _SERVICE_WORDS.get(word, ()):
            found[category] = None
    return tuple(found)


#: Words left out when a report's text is searched for a point's name.
_NOT_NAME = frozenset(
    {w for _kind, words in _KIND_WORDS for phrase in words for w in phrase.split()}
    | set(_SERVICE_WORDS)
    | {
        "har",
        "är",
        "den",
        "det",
        "nu",
        "inte",
        "längre",
        "kvar",
        "i",
        "på",
        "vid",
        "hej",
        "jag",
        "vill",
        "säga",
        "att",
        "tyvärr",
        "sedan",
        "förra",
        "veckan",
        "stämmer",
        "uppgiften",
        "om",
        "fel",
        "för",
        "finns",
        "ej",
        "och",
        "med",
        "en",
        "ett",
        "som",
        "ni",
        "er",
        "era",
        "visar",
        "skriver",
        "boten",
    }
)


def name_query(text: str) -> str:
    """The words of a report that may be a point's name ("Coop Hasslö")."""
    words = re.findall(r"[\wåäöÅÄÖ'&-]+", clean_text(text, 120))
    return " ".join(w for w in words if fold(w) not in _NOT_NAME)[:80]


@dataclass(frozen=True)
class ChangeReport:
    """One resident's report that a registry point is wrong.

    Attributes:
        point_id: the registry id.
        point_name: the point's name then (editors read it).
        kind: a key of `KINDS`.
        day: when it was reported (Swedish date).
        text: the resident's words, cleaned (`clean_text`); "" for a button.
        category: the service the report is about, when it names one.
        channel: "chat" (typed) or "widget" (the card's "Stämmer inte?").
    """

    point_id: str
    point_name: str
    kind: str
    day: datetime.date
    text: str = ""
    category: str | None = None
    channel: str = "chat"

    def as_value(self) -> dict[str, Any]:
        """The slot value stored in the conversation."""
        return {
            "point_id": self.point_id,
            "point_name": self.point_name,
            "kind": self.kind,
            "category": self.category,
            "date": self.day.isoformat(),
            "text": self.text,
            "channel": self.channel,
        }

    @classmethod
    def from_value(cls, value: object) -> ChangeReport | None:
        """A stored report back, or None for anything not shaped like one.

        Everything is checked and cleaned again: a tracker store is not
        trusted to hold only what our action wrote.
        """
        if not isinstance(value, Mapping):
            return None
        point_id = value.get("point_id")
        kind = value.get("kind")
        raw_day = value.get("date")
        if not isinstance(point_id, str) or not point_id.strip() or kind not in KINDS:
            return None
        try:
            day = datetime.date.fromisoformat(str(raw_day))
        except ValueError:
            return None
        category = value.get("category")
        channel = value.get("channel")
        return cls(
            point_id=clean_text(point_id, 120),
            point_name=clean_text(str(value.get("point_name") or ""), 120),
            kind=str(kind),
            day=day,
            text=clean_text(str(value.get("text") or "")),
            category=clean_text(category, 40) if isinstance(category, str) else None,
            channel=channel if channel in ("chat", "widget") else "chat",
        )


def already_reported(
    reports: Iterable[Mapping[str, Any]], point_id: str, kind: str
) -> bool:
    """The conversation has reported this point and kind before."""
    return any(r.get("point_id") == point_id and r.get("kind") == kind for r in reports)


def count_by_category(
    reports: Iterable[ChangeReport], categories_of: Mapping[str, Iterable[str]]
) -> dict[str, int]:
    """Reported changes per service category, for the region's report.

    A report about one service of a point (`category`) counts for that
    service; otherwise for every category the point has. `categories_of` maps
    a point id to its categories (open and closed points alike); reports of
    points not in it are left out.
    """
    counts: dict[str, int] = {}
    for report in reports:
        known = categories_of.get(report.point_id)
        if known is None:
            continue
        for category in [report.category] if report.category else list(known):
            counts[category] = counts.get(category, 0) + 1
    return dict(sorted(counts.items()))
