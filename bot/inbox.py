"""The editors' review inbox: what residents wrote that the bot handled badly.

Rasa saves every conversation in the tracker store (SQLite at
var/tracker.db by default, PostgreSQL in the multi-instance setup; both use
Rasa's `events` table). `collect` reads the messages since a date, keeps
those the bot did not handle well, masks personal data (`bot.privacy`),
merges repeats and groups them by the bot's best guess of the intent, so an
editor can move good phrasings into data/nlu/ (`make inbox`).

A message is "handled badly" when:

* the NLU fell back (`nlu_fallback`, or one of Rasa's fallback actions or
  responses followed it, or the answer's outcome is `not_understood`):
  "förstod inte";
* the best intent's confidence was below `LOW_CONFIDENCE`: "osäker tolkning";
* the answer's outcome is `unknown_place` (the bot does not know the place):
  "okänd ort";
* the answer's outcome is `no_data` (no point of the type, no such service
  point, an unknown service type): "inga uppgifter".

The outcomes are the records every answer leaves in the tracker
(`bot.outcome`); the bot's wording is never read, so rewording an answer, or
answering in English, changes nothing here.

Button payloads (`/inform{...}`, `/share_location{...}`) are skipped: the
resident clicked, the NLU did not parse anything. The sender id, slots and
anything else from the conversation stay in the tracker store.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.errors import TrackerStoreError
from bot.outcome import Kind, Outcome, outcome_of_event
from bot.privacy import Span, find_personal_data, mask
from bot.text import normalize, strip_invisible
from bot.tracker_db import (
    DEFAULT_TRACKER_URL,
    ENV_TRACKER_DB,
    ENV_TRACKER_URL,
    open_engine,
    shown_url,
    sqlalchemy_url,
    sqlite_path,
    tracker_url,
)

__all__ = [
    "DEFAULT_TRACKER_URL",
    "ENV_TRACKER_DB",
    "ENV_TRACKER_URL",
    "INBOX_EVENT_TYPES",
    "LOW_CONFIDENCE",
    "REASON_LABELS",
    "Correction",
    "EventRow",
    "Guess",
    "Inbox",
    "InboxGroup",
    "InboxItem",
    "Reason",
    "Turn",
    "annotate",
    "build_inbox",
    "collect",
    "corrections",
    "intent_files",
    "read_events",
    "reasons",
    "render_inbox",
    "shown_url",
    "since_timestamp",
    "sqlalchemy_url",
    "sqlite_path",
    "tracker_url",
    "turns",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
TIMEZONE = ZoneInfo("Europe/Stockholm")

#: Below this confidence of the best intent a message goes to the inbox even
#: when the bot answered. Rasa's FallbackClassifier (config.yml) falls back
#: below 0.4; between that and 0.6 the bot acted on a guess.
LOW_CONFIDENCE = 0.6

FALLBACK_INTENT = "nlu_fallback"
#: Rasa's fallback actions. `action_two_stage_fallback` is not among them: it
#: also runs when the loop ends after a good rephrasing (the message itself
#: then fell back as `nlu_fallback`, which counts).
FALLBACK_ACTIONS = frozenset(
    {"action_default_fallback", "action_default_ask_affirmation"}
)
FALLBACK_RESPONSES = frozenset({"utter_default", "utter_ask_rephrase"})


class Reason(str, Enum):
    """Why a message is in the inbox."""

    FALLBACK = "fallback"
    LOW_CONFIDENCE = "low_confidence"
    UNKNOWN_PLACE = "unknown_place"
    NO_RESULT = "no_result"


#: How the inbox names the reasons (editors read them).
REASON_LABELS: dict[Reason, str] = {
    Reason.FALLBACK: "förstod inte",
    Reason.LOW_CONFIDENCE: "osäker tolkning",
    Reason.UNKNOWN_PLACE: "okänd ort",
    Reason.NO_RESULT: "inga uppgifter",
}


@dataclass(frozen=True)
class EventRow:
    """One row of Rasa's `events` table, with `data` decoded."""

    id: int
    sender_id: str
    type_name: str
    timestamp: float
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Guess:
    """One of the bot's intent guesses for a message."""

    intent: str
    confidence: float


@dataclass
class Turn:
    """A resident's message and what the bot did until the next one."""

    sender_id: str
    timestamp: float
    text: str
    intent: str | None
    confidence: float
    ranking: tuple[Guess, ...]
    entities: tuple[Mapping[str, Any], ...]
    actions: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    def guesses(self, k: int = 2) -> tuple[Guess, ...]:
        """The `k` best real intents (never `nlu_fallback`), best first."""
        ranked = [g for g in self.ranking if g.intent != FALLBACK_INTENT]
        if not ranked and self.intent and self.intent != FALLBACK_INTENT:
            ranked = [Guess(self.intent, self.confidence)]
        return tuple(ranked[:k])


# ------------------------------------------------------------------ reading


_sqlite_path = sqlite_path  # the old name, still imported elsewhere


#: The event types the inbox reads (slots for the answers' outcomes; other
#: readers, such as the region's report, ask for others).
INBOX_EVENT_TYPES: tuple[str, ...] = ("user", "bot", "action", "slot")


def _query(types: Sequence[str]) -> str:
    marks = ", ".join("?" for _ in types)
    return (
        "SELECT id, sender_id, type_name, timestamp, data FROM events "
        f"WHERE timestamp >= ? AND type_name IN ({marks}) "
        "ORDER BY sender_id, id"
    )


def _rows(raw: Iterable[Sequence[Any]]) -> list[EventRow]:
    rows: list[EventRow] = []
    for id_, sender, type_name, timestamp, data in raw:
        try:
            decoded = json.loads(data) if data else {}
        except (TypeError, ValueError):
            continue  # a damaged row: nothing to learn from it
        if isinstance(decoded, dict):
            rows.append(EventRow(int(id_), str(sender), str(type_name),
                                 float(timestamp or 0.0), decoded))  # fmt: skip
    return rows


def _read_sqlite(
    path: Path, url: str, since: float, types: Sequence[str]
) -> list[EventRow]:
    if not path.is_file():
        raise TrackerStoreError(
            shown_url(url),
            "samtalsdatabasen finns inte. Har boten körts (make run)? Ange annars "
            f"rätt databas med {ENV_TRACKER_URL}.",
        )
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return _rows(conn.execute(_query(types), (since, *types)))
    except sqlite3.Error as exc:
        raise TrackerStoreError(
            shown_url(url), f"samtalsdatabasen kan inte läsas ({exc})"
        ) from exc


def _read_sqlalchemy(url: str, since: float, types: Sequence[str]) -> list[EventRow]:
    import sqlalchemy as sa

    events = sa.table(
        "events",
        sa.column("id"),
        sa.column("sender_id"),
        sa.column("type_name"),
        sa.column("timestamp"),
        sa.column("data"),
    )
    query = (
        sa.select(
            events.c.id,
            events.c.sender_id,
            events.c.type_name,
            events.c.timestamp,
            events.c.data,
        )
        .where(events.c.timestamp >= since)
        .where(events.c.type_name.in_(tuple(types)))
        .order_by(events.c.sender_id, events.c.id)
    )
    try:
        engine = open_engine(url, must_exist=False)
        try:
            with engine.connect() as conn:
                return _rows(tuple(row) for row in conn.execute(query))
        finally:
            engine.dispose()
    except ImportError as exc:
        raise TrackerStoreError(
            shown_url(url),
            f"databasens drivrutin saknas ({exc.name}); installera den i "
            ".venv-actions",
        ) from exc
    except sa.exc.SQLAlchemyError as exc:
        raise TrackerStoreError(
            shown_url(url), f"samtalsdatabasen kan inte läsas ({type(exc).__name__})"
        ) from exc


def read_events(
    url: str,
    since: float,
    *,
    use_sqlalchemy: bool = False,
    types: Sequence[str] = INBOX_EVENT_TYPES,
) -> list[EventRow]:
    """Events of `types` (default: user, bot, action and slot) from `since`
    (a Unix time), per sender in order.

    SQLite files are read with the standard library (read-only); any other
    SQLAlchemy URL (postgresql://…) through SQLAlchemy Core, which the same
    query serves. `use_sqlalchemy` forces the second path (tests).

    Raises:
        TrackerStoreError: the store is missing or cannot be read.
    """
    path = sqlite_path(url)
    if path is not None and not use_sqlalchemy:
        return _read_sqlite(path, url, since, types)
    if path is not None and not path.is_file():
        return _read_sqlite(path, url, since, types)  # the same clear message
    return _read_sqlalchemy(url, since, types)


def since_timestamp(day: datetime.date) -> float:
    """Midnight at the start of `day`, Swedish time, as a Unix time."""
    return datetime.datetime.combine(day, datetime.time(), TIMEZONE).timestamp()


# ------------------------------------------------------------------ turns


def _ranking(parse: Mapping[str, Any]) -> tuple[Guess, ...]:
    guesses: list[Guess] = []
    for item in parse.get("intent_ranking") or []:
        if isinstance(item, dict) and item.get("name"):
            guesses.append(Guess(str(item["name"]), float(item.get("confidence") or 0)))
    return tuple(guesses)


def turns(events: Iterable[EventRow]) -> list[Turn]:
    """The residents' typed messages, each with what the bot did in reply.

    Events must come per sender in order (as `read_events` returns them).
    """
    result: list[Turn] = []
    current: Turn | None = None
    sender: str | None = None
    seen: dict[tuple[str, str], int] = {}
    for event in events:
        if event.sender_id != sender:
            current, sender = None, event.sender_id
        if event.type_name == "user":
            text = str(event.data.get("text") or "").strip()
            if not text or text.startswith("/"):
                current = None  # a button, or nothing typed
                continue
            parse = event.data.get("parse_data") or {}
            intent = parse.get("intent") or {}
            message_id = parse.get("message_id") or event.data.get("message_id")
            current = Turn(
                sender_id=event.sender_id,
                timestamp=event.timestamp,
                text=text,
                intent=str(intent["name"]) if intent.get("name") else None,
                confidence=float(intent.get("confidence") or 0.0),
                ranking=_ranking(parse),
                entities=tuple(
                    e for e in parse.get("entities") or [] if isinstance(e, dict)
                ),
            )
            # After a two-stage fallback Rasa rewinds and saves the same
            # message again; the later copy is the one the bot acted on.
            key = (event.sender_id, str(message_id))
            if message_id and key in seen:
                result[seen[key]] = current
            else:
                seen[key] = len(result)
                result.append(current)
        elif current is None:
            continue
        elif event.type_name == "action":
            name = event.data.get("name")
            if isinstance(name, str):
                current.actions.append(name)
        elif event.type_name == "bot":
            metadata = event.data.get("metadata") or {}
            response = (
                metadata.get("utter_action") if isinstance(metadata, dict) else None
            )
            if isinstance(response, str):
                current.responses.append(response)
        elif event.type_name == "slot":
            answer = outcome_of_event(event.data)
            if answer is not None:
                current.outcomes.append(answer)
    return result


def reasons(turn: Turn, min_confidence: float = LOW_CONFIDENCE) -> tuple[Reason, ...]:
    """Why this message belongs in the inbox (empty: the bot handled it)."""
    found: list[Reason] = []
    done = set(turn.actions) | set(turn.responses)
    kinds = {answer.kind for answer in turn.outcomes}
    if (
        turn.intent == FALLBACK_INTENT
        or done & (FALLBACK_ACTIONS | FALLBACK_RESPONSES)
        or Kind.NOT_UNDERSTOOD in kinds
    ):
        found.append(Reason.FALLBACK)
    elif turn.intent is None or turn.confidence < min_confidence:
        found.append(Reason.LOW_CONFIDENCE)
    if Kind.UNKNOWN_PLACE in kinds:
        found.append(Reason.UNKNOWN_PLACE)
    if Kind.NO_DATA in kinds:
        found.append(Reason.NO_RESULT)
    return tuple(found)


# ------------------------------------------------------------------ the inbox


def _default_service_type(word: str) -> str | None:
    from bot.service_types import normalise_service_type

    return normalise_service_type(word)


def annotate(
    text: str,
    entities: Sequence[Mapping[str, Any]],
    *,
    service_type_of: Callable[[str], str | None] = _default_service_type,
) -> str:
    """The message masked and written as a Rasa training example.

    Entities the bot found become `[text](entity)`; a service type whose
    word does not itself map to the found id gets the id as its value.
    An entity that overlaps personal data is not annotated (the personal
    data is masked instead); coordinates are never annotated.
    """
    private = find_personal_data(text)
    pieces: list[tuple[int, int, str]] = [
        (s.start, s.end, _placeholder(s)) for s in private
    ]
    taken: list[tuple[int, int]] = [(s.start, s.end) for s in private]
    for ent in sorted(entities, key=lambda e: int(e.get("start") or 0)):
        name, start, end = ent.get("entity"), ent.get("start"), ent.get("end")
        if (
            not isinstance(name, str)
            or not isinstance(start, int)
            or not isinstance(end, int)
        ):
            continue
        if name in ("latitude", "longitude") or not 0 <= start < end <= len(text):
            continue
        if any(start < e and s < end for s, e in taken):
            continue
        written = text[start:end]
        value = ent.get("value")
        if (
            name == "service_type"
            and isinstance(value, str)
            and service_type_of(value) == value
            and service_type_of(written) != value
        ):
            label = json.dumps({"entity": name, "value": value}, ensure_ascii=False)
            pieces.append((start, end, f"[{written}]{label}"))
        else:
            pieces.append((start, end, f"[{written}]({name})"))
        taken.append((start, end))
    out: list[str] = []
    last = 0
    for start, end, piece in sorted(pieces):
        out.append(text[last:start])
        out.append(piece)
        last = end
    out.append(text[last:])
    # invisible format characters (U+202E turns a line around, zero-width
    # ones hide words) never reach the editor's file or the training data
    return " ".join(strip_invisible("".join(out)).split())


def _placeholder(span: Span) -> str:
    from bot.privacy import PLACEHOLDERS

    return PLACEHOLDERS[span.kind]


@dataclass
class InboxItem:
    """One distinct message (repeats merged), ready to become an example."""

    text: str
    count: int
    reasons: list[Reason]
    guesses: tuple[Guess, ...]
    last: float

    def as_yaml(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "antal": self.count,
            "skäl": [REASON_LABELS[r] for r in self.reasons],
            "gissningar": [
                {"intent": g.intent, "säkerhet": round(g.confidence, 2)}
                for g in self.guesses
            ],
            "senast": _day(self.last).isoformat(),
        }


@dataclass
class InboxGroup:
    """The messages the bot guessed to be one intent (None: no guess)."""

    intent: str | None
    file: str | None
    items: list[InboxItem]

    @property
    def count(self) -> int:
        return sum(item.count for item in self.items)


@dataclass
class Inbox:
    """Everything `render_inbox` writes."""

    since: datetime.date
    created: datetime.date
    groups: list[InboxGroup]
    messages: int
    counts: dict[Reason, int]
    corrections: list[Correction] = field(default_factory=list)

    @property
    def distinct(self) -> int:
        return sum(len(g.items) for g in self.groups)


@dataclass
class Correction:
    """Residents' reports that one point is wrong in one way (repeats merged)."""

    point_id: str
    point_name: str
    kind: str
    category: str | None
    count: int
    first: datetime.date
    last: datetime.date
    texts: list[str]

    def as_yaml(self) -> dict[str, Any]:
        from bot.change_reports import KINDS

        return {
            "punkt": self.point_id,
            "namn": self.point_name,
            "vad": KINDS.get(self.kind, self.kind),
            "tjänst": self.category,
            "antal": self.count,
            "först": self.first.isoformat(),
            "senast": self.last.isoformat(),
            "texter": self.texts,
        }


#: Distinct resident texts kept per correction in the inbox.
MAX_CORRECTION_TEXTS = 5


def corrections(events: Iterable[EventRow]) -> list[Correction]:
    """Residents' reports (`change_report` slot events), by point and kind.

    Each stored value is checked and cleaned again (`ChangeReport.from_value`):
    the inbox never shows more than the action meant to keep. Most reported
    first.
    """
    from bot.change_reports import REPORT_SLOT, ChangeReport

    found: dict[tuple[str, str], Correction] = {}
    for event in events:
        if event.type_name != "slot" or event.data.get("name") != REPORT_SLOT:
            continue
        report = ChangeReport.from_value(event.data.get("value"))
        if report is None:
            continue
        key = (report.point_id, report.kind)
        known = found.get(key)
        if known is None:
            known = found[key] = Correction(
                report.point_id, report.point_name, report.kind, report.category,
                0, report.day, report.day, [],
            )  # fmt: skip
        known.count += 1
        known.first, known.last = min(known.first, report.day), max(known.last, report.day)
        known.category = known.category or report.category
        if (
            report.text
            and report.text not in known.texts
            and len(known.texts) < MAX_CORRECTION_TEXTS
        ):
            known.texts.append(report.text)
    return sorted(found.values(), key=lambda c: (-c.count, c.point_id, c.kind))


def _day(timestamp: float) -> datetime.date:
    return datetime.datetime.fromtimestamp(timestamp, TIMEZONE).date()


def build_inbox(
    all_turns: Iterable[Turn],
    *,
    since: datetime.date,
    created: datetime.date | None = None,
    min_confidence: float = LOW_CONFIDENCE,
    files: Mapping[str, str] | None = None,
    service_type_of: Callable[[str], str | None] = _default_service_type,
) -> Inbox:
    """Keep the badly handled messages, masked, merged and grouped by best guess.

    Two messages are the same when their masked texts are equal ignoring
    case, punctuation and spacing; the later one's annotation and guesses
    are kept, the reasons of both.
    """
    items: dict[str, tuple[str | None, InboxItem]] = {}
    counts: dict[Reason, int] = dict.fromkeys(Reason, 0)
    messages = 0
    for turn in sorted(all_turns, key=lambda t: t.timestamp):
        why = reasons(turn, min_confidence)
        if not why:
            continue
        messages += 1
        for reason in why:
            counts[reason] += 1
        key = normalize(mask(turn.text))
        guesses = turn.guesses()
        text = annotate(turn.text, turn.entities, service_type_of=service_type_of)
        intent = guesses[0].intent if guesses else None
        known = items.get(key)
        if known is None:
            items[key] = (
                intent,
                InboxItem(text, 1, list(why), guesses, turn.timestamp),
            )
            continue
        item = known[1]
        item.count += 1
        item.reasons += [r for r in why if r not in item.reasons]
        item.text, item.guesses, item.last = text, guesses, turn.timestamp
        items[key] = (intent, item)
    by_intent: dict[str | None, list[InboxItem]] = {}
    for intent, item in items.values():
        by_intent.setdefault(intent, []).append(item)
    groups = [
        InboxGroup(
            intent,
            (files or {}).get(intent) if intent else None,
            sorted(found, key=lambda i: (-i.count, -i.last, i.text)),
        )
        for intent, found in by_intent.items()
    ]
    groups.sort(key=lambda g: (g.intent is None, -g.count, g.intent or ""))
    return Inbox(
        since=since,
        created=created or datetime.datetime.now(TIMEZONE).date(),
        groups=groups,
        messages=messages,
        counts=counts,
    )


_HEADER = """\
# Granskningskorg för Servicelotsen: meddelanden som boten hanterade dåligt
# sedan {since} (skapad {created} med make inbox).
#
# Personuppgifter är bortmaskade: <telefonnummer>, <e-post>, <personnummer>,
# <adress> och <koordinater> står där invånaren skrev sådant.
#
# Så gör du (se docs/redaktorsguide.md, "Granskningskorgen"):
# 1. Läs varje text och bestäm vad invånaren ville. intent är botens egen
#    gissning och kan vara fel; gissningar visar dess två bästa.
# 2. Är texten ett bra exempel: kopiera den som en ny rad "- text" under
#    examples: i filen för rätt avsikt (fil: föreslår en). Kontrollera
#    hakparenteserna: [ord](service_type), [ort](location).
# 3. Kör make validate. Ta inte med texter med maskade personuppgifter.
#
# skäl: förstod inte = boten föll tillbaka på "förstod inte"; osäker
# tolkning = gissningen var osäker; okänd ort = orten fanns inte i
# ortregistret; inga uppgifter = boten hade inget att svara med.
#
# registerrättelser: invånare har sagt att en uppgift inte stämmer ("Coop
# Hasslö har stängt", "Stämmer inte?" på ett kort). En rapport ändrar aldrig
# registret av sig själv. Kontrollera uppgiften (ring, besök, källan), och
# stäng en punkt som inte finns kvar med
#   python -m bot registry close PUNKT --reason "…" --source "…"
# eller rätta den i källan och importera på nytt.
"""


def render_inbox(inbox: Inbox) -> str:
    """The inbox as YAML with a Swedish header that says what to do."""
    document: dict[str, Any] = {
        "sedan": inbox.since.isoformat(),
        "skapad": inbox.created.isoformat(),
        "meddelanden": inbox.messages,
        "olika": inbox.distinct,
        "skäl": {REASON_LABELS[r]: n for r, n in inbox.counts.items()},
        "registerrättelser": [c.as_yaml() for c in inbox.corrections],
        "grupper": [
            {
                "intent": group.intent,
                "fil": group.file,
                "antal": group.count,
                "exempel": [item.as_yaml() for item in group.items],
            }
            for group in inbox.groups
        ],
    }
    body = yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False, width=100, indent=2
    )
    header = _HEADER.format(
        since=inbox.since.isoformat(), created=inbox.created.isoformat()
    )
    return header + "\n" + body


def intent_files(root: Path | None = None) -> dict[str, str]:
    """Each intent's hand-written training file ("data/nlu/find_service.yml")."""
    from bot.editor_checks import Project, load_nlu

    project = Project(root or REPO_ROOT)
    files = [p for p in project.nlu_files() if "generated" not in p.parts]
    # the Swedish file first; English examples (data/nlu/en/) only as a last resort
    files.sort(key=lambda p: "en" in p.relative_to(project.nlu_dir).parts[:-1])
    found: dict[str, str] = {}
    for example in load_nlu(project, files).examples:
        found.setdefault(example.intent, example.file)
    return found


def collect(
    since: datetime.date,
    *,
    url: str | None = None,
    min_confidence: float = LOW_CONFIDENCE,
    created: datetime.date | None = None,
    use_sqlalchemy: bool = False,
) -> Inbox:
    """Read the tracker store and build the inbox of messages since `since`.

    Raises:
        TrackerStoreError: the store is missing or cannot be read.
    """
    events = read_events(
        tracker_url(url),
        since_timestamp(since),
        use_sqlalchemy=use_sqlalchemy,
        types=(*INBOX_EVENT_TYPES, "slot"),
    )
    result = build_inbox(
        turns(events),
        since=since,
        created=created,
        min_confidence=min_confidence,
        files=intent_files(),
    )
    result.corrections = corrections(events)
    return result
