"""Unmet demand: what residents asked the bot for, and what it could answer.

Read from the tracker store with the inbox's reader (`bot.inbox.read_events`,
SQLite or any SQLAlchemy URL), from the events the actions already record;
no message text is read into the result, and nothing but aggregated counts
leaves this module:

* a **search** is an `action_find_service` that set `last_search`
  ({category, place_id}). Its outcome: "inga uppgifter" when the bot's
  answer began with "Jag har tyvärr inga uppgifter om" (`bot.answers`, no
  point of the type in the registry); otherwise the first place the bot
  listed (its id in the `places` payload) and its distance from the
  searched place, compared with the report's threshold for the type:
  "inom gränsen" or "ingen inom gränsen". Types without a threshold are
  "besvarad".
* an **unknown place** is `utter_unknown_place` in the search form (and
  `utter_place_outside_area`, a place outside the area we cover); the type
  is the `service_type` slot at that moment.
* the **locality** of a search is the resolved place's ort (a postcode
  area counts for the ort it is named after). A search from a shared
  position counts as "(delad position)": the position is never read (it
  is deleted from ended conversations anyway, `bot.retention`), and the
  outcome comes from the distance the bot wrote, or is "avstånd okänt"
  once that has been deleted too.
* a **digital alternative** asked about is `action_digital_alternative`'s
  answer, matched to the knowledge entry it quotes (`data/knowledge`), or
  `action_home_delivery` (hemsändning).

Counts are *conversations* (a sender's session), by month (Swedish time).
Every count from 1 to 4 is hidden (`HIDDEN`), and where one hidden count
could be worked out from a published total, the smallest other count of
that group is hidden too (secondary suppression). Rows with fewer than 5
conversations are left out.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from bot.gazetteer import Gazetteer, Place
from bot.geo import haversine_km
from bot.inbox import (
    NO_RESULT_PREFIXES,
    TIMEZONE,
    EventRow,
    read_events,
    tracker_url,
)
from bot.knowledge import Entry
from bot.registry import Registry
from bot.report.config import ReportConfig

__all__ = [
    "ALL_TYPES",
    "HIDDEN",
    "MIN_CONVERSATIONS",
    "DemandReport",
    "DemandRow",
    "DigitalAsk",
    "DigitalRow",
    "Outcome",
    "Search",
    "aggregate",
    "collect_demand",
    "extract",
]

#: Cells with fewer conversations than this are hidden.
MIN_CONVERSATIONS = 5
#: How a hidden count is written (in the CSV and the HTML).
HIDDEN = ".."
#: The event types the demand reader needs (slots carry the searches).
EVENT_TYPES = ("user", "bot", "action", "slot", "session_started")

#: Locality buckets for searches without a place of their own.
UNKNOWN_PLACE = "(okänd ort)"
OUTSIDE_AREA = "(utanför området)"
SHARED_POSITION = "(delad position)"
NO_TYPE = "(ej angiven)"
HOME_DELIVERY_TOPIC = "hemsändning"
#: The only slots read; a shared position's slots are skipped unread.
_SLOTS_USED = frozenset({"service_type", "last_search"})
UNCLEAR_TOPIC = "(ämnet oklart)"


class Outcome(str, Enum):
    """What a search got, in the report's words."""

    WITHIN = "inom gränsen"
    BEYOND = "ingen inom gränsen"
    NO_DATA = "inga uppgifter"
    UNKNOWN_PLACE = "okänd ort"
    OUTSIDE_AREA = "utanför området"
    ANSWERED = "besvarad (inget gränsvärde)"
    UNKNOWN_DISTANCE = "avstånd okänt"


@dataclass(frozen=True)
class Search:
    """One search, reduced to what may be counted (no text, no position)."""

    conversation: str
    month: str
    service_type: str | None
    locality: str
    municipality: str
    outcome: Outcome


@dataclass(frozen=True)
class DigitalAsk:
    """One question about a digital alternative (or home delivery)."""

    conversation: str
    month: str
    topic: str


# ------------------------------------------------------------------ extracting


def _month(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, TIMEZONE).strftime("%Y-%m")


_DISTANCE_RE = re.compile(r"^\s*(\d+(?:,\d+)?)\s*(km|m)\s*$")


def _parse_distance(text: Any) -> float | None:
    """ "4,1 km" / "850 m" (as `bot.geo.format_distance_km` writes) -> km."""
    match = _DISTANCE_RE.match(str(text or ""))
    if match is None:
        return None
    value = float(match[1].replace(",", "."))
    return value if match[2] == "km" else value / 1000


@dataclass
class _Block:
    """One action and what followed it until the next action."""

    name: str
    timestamp: float
    bots: list[Mapping[str, Any]] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)


class _Extractor:
    def __init__(
        self,
        gazetteer: Gazetteer,
        registry: Registry,
        config: ReportConfig,
        entries: Sequence[Entry],
    ) -> None:
        self.gazetteer = gazetteer
        self.registry = registry
        self.config = config
        self.entries = entries
        self.searches: list[Search] = []
        self.digital: list[DigitalAsk] = []

    # where the resident was -------------------------------------------------

    def _locality(
        self, place_id: Any
    ) -> tuple[Place | None, tuple[float, float] | None]:
        """(the ort to count under, the named place's position to measure from)."""
        if not place_id:
            return None, None  # a shared position: never read
        place = self.gazetteer.get(str(place_id))
        if place is None or place.lat is None or place.lon is None:
            return place, None
        return self.gazetteer.locality(place), (place.lat, place.lon)

    def _outcome(
        self, category: str, origin: tuple[float, float] | None, block: _Block
    ) -> Outcome:
        texts = [str(b.get("text") or "") for b in block.bots]
        if any(t.startswith(NO_RESULT_PREFIXES) for t in texts):
            return Outcome.NO_DATA
        groups = self.config.groups_of(category)
        if not groups:
            return Outcome.ANSWERED
        first = self._first_place(block)
        if first is None:
            return Outcome.BEYOND  # the bot had data but listed nothing near
        crow: float | None = None
        point = self.registry.by_id(str(first.get("id")))
        if point is not None and origin is not None:
            crow = haversine_km(origin[0], origin[1], point.lat, point.lon)
        if crow is None:
            crow = _parse_distance(first.get("distance"))
        if crow is None:
            return Outcome.UNKNOWN_DISTANCE
        within = self.config.basis.of(crow) <= groups[0].km
        return Outcome.WITHIN if within else Outcome.BEYOND

    @staticmethod
    def _first_place(block: _Block) -> Mapping[str, Any] | None:
        for bot in block.bots:
            data = bot.get("data")
            custom = data.get("custom") if isinstance(data, Mapping) else None
            if isinstance(custom, Mapping) and custom.get("type") == "places":
                places = custom.get("places")
                if (
                    isinstance(places, list)
                    and places
                    and isinstance(places[0], Mapping)
                ):
                    return places[0]
        return None

    # the blocks ---------------------------------------------------------------

    def block(self, conversation: str, block: _Block, slots: Mapping[str, Any]) -> None:
        month = _month(block.timestamp)
        responses = {
            (b.get("metadata") or {}).get("utter_action")
            for b in block.bots
            if isinstance(b.get("metadata"), Mapping)
        }
        service_type = slots.get("service_type")
        known_type = (
            service_type
            if isinstance(service_type, str) and service_type in self._types()
            else None
        )
        if block.name == "action_find_service":
            search = block.slots.get("last_search")
            if not isinstance(search, Mapping) or not search.get("category"):
                return  # the bot asked for the type or the place instead
            category = str(search["category"])
            place, origin = self._locality(search.get("place_id"))
            self.searches.append(
                Search(
                    conversation,
                    month,
                    category,
                    place.name if place else SHARED_POSITION,
                    place.municipality if place else "",
                    self._outcome(category, origin, block),
                )
            )
        elif block.name == "find_service_form":
            if "utter_unknown_place" in responses:
                bucket, outcome = UNKNOWN_PLACE, Outcome.UNKNOWN_PLACE
            elif "utter_place_outside_area" in responses:
                bucket, outcome = OUTSIDE_AREA, Outcome.OUTSIDE_AREA
            else:
                return
            self.searches.append(
                Search(conversation, month, known_type, bucket, "", outcome)
            )
        elif block.name == "action_digital_alternative":
            self.digital.append(DigitalAsk(conversation, month, self._topic(block)))
        elif block.name == "action_home_delivery":
            self.digital.append(DigitalAsk(conversation, month, HOME_DELIVERY_TOPIC))

    def _types(self) -> set[str]:
        return {c for g in self.config.groups for c in g.categories} | {
            c for p in self.registry.points for c in p.categories
        }

    def _topic(self, block: _Block) -> str:
        for bot in block.bots:
            text = str(bot.get("text") or "")
            for entry in self.entries:
                if text.startswith(entry.text):
                    return entry.id
        return UNCLEAR_TOPIC


def extract(
    events: Iterable[EventRow],
    gazetteer: Gazetteer,
    registry: Registry,
    config: ReportConfig,
    entries: Sequence[Entry] = (),
) -> tuple[list[Search], list[DigitalAsk]]:
    """Searches and digital questions from events ordered per sender by id."""
    ex = _Extractor(gazetteer, registry, config, entries)
    sender: str | None = None
    session = 0
    slots: dict[str, Any] = {}
    current: _Block | None = None

    def flush() -> None:
        if current is not None and sender is not None:
            ex.block(f"{sender}#{session}", current, slots)

    for event in events:
        if event.sender_id != sender:
            flush()
            sender, session, slots, current = event.sender_id, 0, {}, None
        kind = event.type_name
        if kind == "session_started":
            flush()
            current = None
            session += 1
            slots = {}
        elif kind == "action":
            flush()
            name = event.data.get("name")
            current = (
                _Block(str(name), event.timestamp) if isinstance(name, str) else None
            )
        elif kind == "slot":
            name = event.data.get("name")
            if name in _SLOTS_USED:
                slots[name] = event.data.get("value")
                if current is not None:
                    current.slots[name] = event.data.get("value")
        elif kind == "bot" and current is not None:
            current.bots.append(event.data)
        elif kind == "user":
            flush()
            current = None
    flush()
    return ex.searches, ex.digital


# ------------------------------------------------------------------ aggregating


#: One published count: an int, or HIDDEN.
Cell = int | str


def _suppress(values: Sequence[int]) -> list[bool]:
    """Which of a group's counts to hide: 1-4, and one more if only one is.

    Zero is never hidden (it identifies nobody). When exactly one count of
    the group is hidden, the smallest other non-zero count is hidden too, so
    the hidden one cannot be worked out from the group's total.
    """
    hidden = [0 < v < MIN_CONVERSATIONS for v in values]
    if sum(hidden) == 1:
        others = [(v, i) for i, v in enumerate(values) if v > 0 and not hidden[i]]
        if others:
            hidden[min(others)[1]] = True
    return hidden


def _cells(values: Sequence[int]) -> list[Cell]:
    return [HIDDEN if h else v for v, h in zip(values, _suppress(values), strict=True)]


@dataclass(frozen=True)
class DemandRow:
    """One published row: a month, a place ("" for all places), a service type.

    `conversations` is at least 5 (smaller rows, and rows hidden to protect
    them, are left out); an outcome count may be `HIDDEN`.
    """

    month: str
    locality: str
    municipality: str
    service_type: str
    conversations: int
    outcomes: dict[Outcome, Cell]


@dataclass(frozen=True)
class DigitalRow:
    """Questions on one topic in one month (`topic`: the knowledge entry's id)."""

    month: str
    topic: str
    title: str
    conversations: Cell


@dataclass(frozen=True)
class DemandReport:
    """The aggregated demand, ready for tables.

    Attributes:
        by_type: month x service type (all places), plus "alla" per month.
        by_place: month x locality x service type.
        digital: month x topic of digital alternatives.
        hidden_rows: rows of `by_place` left out (fewer than 5 conversations,
            or to protect another hidden row).
        conversations: conversations with at least one search.
        searches: searches in all.
        months: the months with data, in order.
        source: the tracker store (password masked) or "" when none.
        note: why there is no data, when there is none.
    """

    by_type: tuple[DemandRow, ...]
    by_place: tuple[DemandRow, ...]
    digital: tuple[DigitalRow, ...]
    hidden_rows: int
    hidden_type_rows: int
    hidden_digital: int
    conversations: int
    searches: int
    digital_conversations: int
    months: tuple[str, ...]
    source: str = ""
    note: str = ""

    @property
    def empty(self) -> bool:
        return self.searches == 0 and self.digital_conversations == 0


ALL_TYPES = "alla"


def _rows(
    keyed: Mapping[tuple[str, str, str, str], list[Search]],
) -> dict[tuple[str, str, str, str], tuple[int, dict[Outcome, Cell]]]:
    out: dict[tuple[str, str, str, str], tuple[int, dict[Outcome, Cell]]] = {}
    for key, searches in keyed.items():
        total = len({s.conversation for s in searches})
        counts = [
            len({s.conversation for s in searches if s.outcome is o}) for o in Outcome
        ]
        out[key] = (total, dict(zip(Outcome, _cells(counts), strict=True)))
    return out


def _publish(
    rows: Mapping[tuple[str, str, str, str], tuple[int, dict[Outcome, Cell]]],
    group_of: Any,
) -> tuple[list[DemandRow], int]:
    """Rows with at least 5 conversations, with secondary suppression per group."""
    groups: dict[Any, list[tuple[str, str, str, str]]] = {}
    for key in rows:
        groups.setdefault(group_of(key), []).append(key)
    shown: list[DemandRow] = []
    hidden = 0
    for keys in groups.values():
        keys.sort()
        flags = _suppress([rows[k][0] for k in keys])
        for key, hide in zip(keys, flags, strict=True):
            if hide:
                hidden += 1
                continue
            month, locality, municipality, service_type = key
            total, outcomes = rows[key]
            shown.append(
                DemandRow(month, locality, municipality, service_type, total, outcomes)
            )
    shown.sort(key=lambda r: (r.month, r.locality == "", r.locality, r.service_type))
    return shown, hidden


def aggregate(
    searches: Sequence[Search],
    digital: Sequence[DigitalAsk],
    *,
    type_order: Sequence[str] = (),
    source: str = "",
    titles: Mapping[str, str] | None = None,
) -> DemandReport:
    """Count conversations per cell and hide the small ones (see module doc).

    `titles` names the digital topics (knowledge entry id -> title).
    """
    names = {
        HOME_DELIVERY_TOPIC: "Hemsändning av varor (kommunens svar)",
        UNCLEAR_TOPIC: "Ämnet oklart (boten frågade vad det gällde)",
        **(titles or {}),
    }
    order = {t: i for i, t in enumerate(type_order)}

    def type_name(s: Search) -> str:
        return s.service_type or NO_TYPE

    by_place: dict[tuple[str, str, str, str], list[Search]] = {}
    by_type: dict[tuple[str, str, str, str], list[Search]] = {}
    for s in searches:
        by_place.setdefault(
            (s.month, s.locality, s.municipality, type_name(s)), []
        ).append(s)
        by_type.setdefault((s.month, "", "", type_name(s)), []).append(s)
        by_type.setdefault((s.month, "", "", ALL_TYPES), []).append(s)
    type_rows, hidden_types = _publish(
        _rows(by_type), lambda k: (k[0], k[3] == ALL_TYPES)
    )
    place_rows, hidden_places = _publish(_rows(by_place), lambda k: (k[0], k[3]))

    def sort_key(r: DemandRow) -> tuple[str, str, int, str]:
        rank = (
            -1 if r.service_type == ALL_TYPES else order.get(r.service_type, len(order))
        )
        return (r.month, r.locality, rank, r.service_type)

    digital_counts: dict[tuple[str, str], set[str]] = {}
    for d in digital:
        digital_counts.setdefault((d.month, d.topic), set()).add(d.conversation)
    digital_rows: list[DigitalRow] = []
    hidden_digital = 0
    for (month, topic), convs in sorted(digital_counts.items()):
        if len(convs) < MIN_CONVERSATIONS:
            hidden_digital += 1
            continue
        digital_rows.append(
            DigitalRow(month, topic, names.get(topic, topic), len(convs))
        )
    months = sorted({s.month for s in searches} | {d.month for d in digital})
    return DemandReport(
        by_type=tuple(sorted(type_rows, key=sort_key)),
        by_place=tuple(sorted(place_rows, key=sort_key)),
        digital=tuple(digital_rows),
        hidden_rows=hidden_places,
        hidden_type_rows=hidden_types,
        hidden_digital=hidden_digital,
        conversations=len({s.conversation for s in searches}),
        searches=len(searches),
        digital_conversations=len({d.conversation for d in digital}),
        months=tuple(months),
        source=source,
    )


def collect_demand(
    gazetteer: Gazetteer,
    registry: Registry,
    config: ReportConfig,
    *,
    url: str | None = None,
    since: datetime.date | None = None,
    entries: Sequence[Entry] = (),
    use_sqlalchemy: bool = False,
) -> DemandReport:
    """Read the tracker store and aggregate the demand.

    Raises:
        TrackerStoreError: the store is missing or cannot be read.
    """
    from bot.inbox import shown_url, since_timestamp

    store = tracker_url(url)
    start = since_timestamp(since) if since else 0.0
    events = read_events(store, start, use_sqlalchemy=use_sqlalchemy, types=EVENT_TYPES)
    searches, digital = extract(events, gazetteer, registry, config, entries)
    order = [c for g in config.groups for c in g.categories]
    return aggregate(
        searches,
        digital,
        type_order=order,
        source=shown_url(store),
        titles={e.id: e.title for e in entries},
    )
