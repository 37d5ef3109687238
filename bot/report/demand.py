"""Unmet demand: what residents asked the bot for, and what it could answer.

Read from the tracker store with the inbox's reader (`bot.inbox.read_events`,
SQLite or any SQLAlchemy URL), from the outcome every answer records
(`bot.outcome`: the `outcome` slot's events). Nothing else is read: no
message text, no reply text, no position; nothing but aggregated counts
leaves this module. Rewording an answer, or answering in English, changes
no count.

* a **search** is an outcome of the question "nearest" (the first page of
  an answer; "visa fler" is no search). Its result: "inga uppgifter" when
  the registry has no point of the type (`no_data`); "ingen inom gränsen"
  when the bot had data but listed nothing (`none_within_limit`); for a
  `found`, the distance to the first place listed compared with the
  report's threshold for the type: "inom gränsen" or "ingen inom gränsen".
  Types without a threshold are "besvarad".
* an **unknown place** is an `unknown_place` outcome of a search (and
  `outside_area`, a place outside the area we cover), with the service
  type asked for, if any.
* the **locality** of a search is the searched place's ort (a postcode
  area counts for the ort it is named after). A search from a shared
  position counts as "(delad position)": the outcome holds no position,
  and its distance is deleted from ended conversations (`bot.retention`),
  after which the result is "avstånd okänt".
* a **digital alternative** asked about is a "digital" outcome, counted
  under the knowledge entry it quoted (`data/knowledge`), or "home_delivery"
  (hemsändning).

* a **reported change** is a resident's report that a service point is
  wrong (`bot.change_reports`: the `change_report` slot's events, which
  hold a point id, a kind and a day, never read here beyond those). They are
  counted per service category with `bot.change_reports.count_by_category`
  (a report about one service of a point counts for that service, else for
  every category the point has; open and closed points alike; reports of
  points no longer in the registry are left out), over the whole period,
  not per month. The outcome the report's answer records (question
  "report") is no search and is not counted again.

Counts are *conversations* (a sender's session), by month (Swedish time);
reported changes are counted as reports (at most 5 per conversation, and
one per point and kind).
Every count from 1 to 4 is hidden (`HIDDEN`), and where one hidden count
could be worked out from a published total, the smallest other count of
that group is hidden too (secondary suppression). Rows with fewer than 5
conversations are left out.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bot.change_reports import REPORT_SLOT, ChangeReport, count_by_category
from bot.gazetteer import Gazetteer
from bot.inbox import TIMEZONE, EventRow, read_events, tracker_url
from bot.knowledge import Entry
from bot.outcome import SHARED_POSITION as POSITION_PLACE
from bot.outcome import Kind, Question, outcome_of_event
from bot.outcome import Outcome as Answer
from bot.registry import Registry
from bot.report.config import ReportConfig

__all__ = [
    "ALL_TYPES",
    "HIDDEN",
    "MIN_CONVERSATIONS",
    "ChangeRow",
    "DemandReport",
    "DemandRow",
    "DigitalAsk",
    "DigitalRow",
    "Outcome",
    "Search",
    "aggregate",
    "collect_demand",
    "count_changes",
    "extract",
    "extract_change_reports",
]

#: Cells with fewer conversations than this are hidden.
MIN_CONVERSATIONS = 5
#: How a hidden count is written (in the CSV and the HTML).
HIDDEN = ".."
#: The event types the demand reader needs (the outcome slot's events, and
#: session starts to tell conversations apart).
EVENT_TYPES = ("slot", "session_started")

#: Locality buckets for searches without a place of their own.
UNKNOWN_PLACE = "(okänd ort)"
OUTSIDE_AREA = "(utanför området)"
SHARED_POSITION = "(delad position)"
NO_TYPE = "(ej angiven)"
HOME_DELIVERY_TOPIC = "hemsändning"
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


class _Extractor:
    def __init__(
        self,
        gazetteer: Gazetteer,
        registry: Registry,
        config: ReportConfig,
    ) -> None:
        self.gazetteer = gazetteer
        self.config = config
        self.types = {c for g in config.groups for c in g.categories} | {
            c for p in registry.points for c in p.categories
        }
        self.searches: list[Search] = []
        self.digital: list[DigitalAsk] = []

    def _result(self, answer: Answer) -> Outcome | None:
        """A search's result in the report's words (None: not counted)."""
        if answer.kind is Kind.UNKNOWN_PLACE:
            return Outcome.UNKNOWN_PLACE
        if answer.kind is Kind.OUTSIDE_AREA:
            return Outcome.OUTSIDE_AREA
        if answer.service_type is None:
            return None  # the bot did not know what was asked for
        if answer.kind is Kind.NO_DATA:
            return Outcome.NO_DATA
        if answer.kind is Kind.NONE_WITHIN_LIMIT:
            return Outcome.BEYOND
        if answer.kind is not Kind.FOUND:
            return None  # the bot asked back, or its data was unavailable
        groups = self.config.groups_of(answer.service_type)
        if not groups:
            return Outcome.ANSWERED
        if answer.distance_km is None:
            return Outcome.UNKNOWN_DISTANCE
        within = self.config.basis.of(answer.distance_km) <= groups[0].km
        return Outcome.WITHIN if within else Outcome.BEYOND

    def _where(self, answer: Answer) -> tuple[str, str]:
        """(locality bucket, kommun) of a search."""
        if answer.kind is Kind.UNKNOWN_PLACE:
            return UNKNOWN_PLACE, ""
        if answer.kind is Kind.OUTSIDE_AREA:
            return OUTSIDE_AREA, ""
        if answer.place == POSITION_PLACE:
            return SHARED_POSITION, ""
        place = self.gazetteer.get(answer.place) if answer.place else None
        if place is None:
            return UNKNOWN_PLACE, ""
        locality = self.gazetteer.locality(place)
        return locality.name, locality.municipality

    def add(self, conversation: str, timestamp: float, answer: Answer) -> None:
        month = _month(timestamp)
        if answer.question is Question.NEAREST:
            result = self._result(answer)
            if result is None:
                return
            known = answer.service_type if answer.service_type in self.types else None
            locality, municipality = self._where(answer)
            self.searches.append(
                Search(conversation, month, known, locality, municipality, result)
            )
        elif answer.question is Question.DIGITAL:
            topic = answer.topic or UNCLEAR_TOPIC
            self.digital.append(DigitalAsk(conversation, month, topic))
        elif answer.question is Question.HOME_DELIVERY:
            self.digital.append(DigitalAsk(conversation, month, HOME_DELIVERY_TOPIC))


def extract_change_reports(events: Iterable[EventRow]) -> list[ChangeReport]:
    """The residents' reports (`change_report` slot events) among the events.

    Each value is checked again (`ChangeReport.from_value`): anything not
    shaped like a report is skipped.
    """
    found: list[ChangeReport] = []
    for event in events:
        if event.type_name != "slot" or event.data.get("name") != REPORT_SLOT:
            continue
        report = ChangeReport.from_value(event.data.get("value"))
        if report is not None:
            found.append(report)
    return found


def extract(
    events: Iterable[EventRow],
    gazetteer: Gazetteer,
    registry: Registry,
    config: ReportConfig,
) -> tuple[list[Search], list[DigitalAsk]]:
    """Searches and digital questions from events ordered per sender by id."""
    ex = _Extractor(gazetteer, registry, config)
    sender: str | None = None
    session = 0
    for event in events:
        if event.sender_id != sender:
            sender, session = event.sender_id, 0
        if event.type_name == "session_started":
            session += 1
        elif event.type_name == "slot":
            answer = outcome_of_event(event.data)
            if answer is not None:
                ex.add(f"{sender}#{session}", event.timestamp, answer)
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
class ChangeRow:
    """Reported changes about one service (`reports` may be `HIDDEN`)."""

    service_type: str
    reports: Cell


def count_changes(
    reports: Sequence[ChangeReport],
    registry: Registry,
    type_order: Sequence[str] = (),
) -> tuple[tuple[ChangeRow, ...], int, Cell]:
    """Reported changes per service, with small counts hidden as in the demand
    tables (`_suppress`: 1-4, and the next smallest when only one is).

    Returns the rows (services with at least one report, in `type_order`),
    how many rows are hidden, and the number of reports counted (hidden when
    1-4). Reports of points in neither the open nor the closed part of the
    registry are left out.
    """
    categories_of = {
        p.id: p.categories for p in (*registry.points, *registry.closed)
    }
    counted = [r for r in reports if r.point_id in categories_of]
    counts = count_by_category(counted, categories_of)
    order = {t: i for i, t in enumerate(type_order)}
    types = sorted(counts, key=lambda t: (order.get(t, len(order)), t))
    cells = _cells([counts[t] for t in types])
    total = len(counted)
    return (
        tuple(ChangeRow(t, c) for t, c in zip(types, cells, strict=True)),
        sum(c == HIDDEN for c in cells),
        HIDDEN if 0 < total < MIN_CONVERSATIONS else total,
    )


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
        changes: residents' reported changes per service (`count_changes`).
        hidden_changes: services whose count of reported changes is hidden.
        change_reports: reports counted in `changes` (`HIDDEN` when 1-4).
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
    changes: tuple[ChangeRow, ...] = ()
    hidden_changes: int = 0
    change_reports: Cell = 0

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
    changes: tuple[tuple[ChangeRow, ...], int, Cell] = ((), 0, 0),
) -> DemandReport:
    """Count conversations per cell and hide the small ones (see module doc).

    `titles` names the digital topics (knowledge entry id -> title);
    `changes` are the reported changes, as `count_changes` counted them.
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
        changes=changes[0],
        hidden_changes=changes[1],
        change_reports=changes[2],
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
    searches, digital = extract(events, gazetteer, registry, config)
    order = [c for g in config.groups for c in g.categories]
    return aggregate(
        searches,
        digital,
        type_order=order,
        source=shown_url(store),
        titles={e.id: e.title for e in entries},
        changes=count_changes(extract_change_reports(events), registry, order),
    )
