"""How long conversations are kept, and a shared position no longer than its conversation.

Rasa keeps every event of every conversation in the tracker store (the
`events` table; SQLite at var/tracker.db, or PostgreSQL in `make cluster`).
`purge` is what an operator schedules (hourly: `python -m bot privacy purge`,
see docs/personuppgifter.md and README). In one transaction it

1. deletes every event older than the retention (default 30 days,
   SERVICELOTSEN_RETENTION_DAYS): a conversation whose last event is older
   than that disappears entirely;
2. removes a shared position from every conversation session that has
   ended: a session that a newer one followed, or whose last event is older
   than the session expiration (domain.yml `session_config`, 60 minutes).
   Removed are the coordinates in the widget's `/share_location{...}`
   message and its entities, the `latitude`/`longitude` slot values, and
   the distances in the bot's answers after the position was shared in that
   session (three distances to known places would give the position back),
   and the distance in the outcome of an answer given from the position
   (`bot.outcome`: its `place` is "shared_position").
   The events stay, so Rasa still reads the conversation and the editors'
   inbox still sees what was asked.

Run hourly, a shared position is thus kept at most about two hours after
the resident's last message, and nothing at all after the retention.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.cli_common import SwedishParser
from bot.errors import TrackerStoreError
from bot.outcome import OUTCOME_SLOT, SHARED_POSITION
from bot.tracker_db import ENV_TRACKER_URL, open_engine, shown_url, tracker_url

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "DEFAULT_SESSION_MINUTES",
    "ENV_RETENTION_DAYS",
    "POSITION_KEYS",
    "PurgeReport",
    "main",
    "parse_duration",
    "purge",
    "retention_days",
    "scrub_event",
    "session_minutes",
    "store_url",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
ENV_RETENTION_DAYS = "SERVICELOTSEN_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30.0
#: Rasa's default; domain.yml's `session_config` is read when it is there.
DEFAULT_SESSION_MINUTES = 60.0
POSITION_KEYS = ("latitude", "longitude")

#: "80 m", "1,2 km", "11 km", "1 200 m": a distance as bot.answers writes it.
_DISTANCE = re.compile(r"(?<![\w,])\d{1,3}(?:[ \u00a0]\d{3})*(?:,\d+)?[ \u00a0]?k?m\b")
DISTANCE_PLACEHOLDER = "<avstånd>"
#: A payload message that carries coordinates: `/share_location{"latitude": …}`.
_PAYLOAD = re.compile(r"^(/[\w-]+)\s*\{.*\}\s*$", re.DOTALL)


# ------------------------------------------------------------------ settings


def parse_duration(text: str) -> float:
    """Days from "30d", "30", "12h" or "90min" (for --older-than).

    Raises:
        ValueError: not a duration (the message is Swedish).
    """
    match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*(d|dagar|dag|h|tim|min)?\s*", text.lower())
    if match is None:
        raise ValueError(
            f"{text!r} är ingen tid. Skriv till exempel 30d (dagar), 12h eller 90min."
        )
    value = float(match[1].replace(",", "."))
    unit = match[2] or "d"
    return value / {"h": 24.0, "tim": 24.0, "min": 24.0 * 60}.get(unit, 1.0)


def retention_days(env: Mapping[str, str] | None = None) -> float:
    """SERVICELOTSEN_RETENTION_DAYS (a number of days), default 30.

    Raises:
        ValueError: the variable is set to something that is no duration.
    """
    env = os.environ if env is None else env
    value = env.get(ENV_RETENTION_DAYS, "").strip()
    if not value:
        return DEFAULT_RETENTION_DAYS
    try:
        return parse_duration(value)
    except ValueError as err:
        raise ValueError(f"{ENV_RETENTION_DAYS}: {err}") from err


def session_minutes(domain: Path = REPO_ROOT / "domain.yml") -> float:
    """The session expiration in `domain`'s session_config (minutes)."""
    try:
        data = yaml.safe_load(domain.read_text(encoding="utf-8")) or {}
        value = (data.get("session_config") or {}).get("session_expiration_time")
        return float(value) if value is not None else DEFAULT_SESSION_MINUTES
    except (OSError, yaml.YAMLError, TypeError, ValueError, AttributeError):
        return DEFAULT_SESSION_MINUTES


def store_url(url: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """Which tracker store to purge: the one the inbox and the report read
    (`bot.tracker_db.tracker_url`)."""
    return tracker_url(url, env)


# ------------------------------------------------------------------ scrubbing


def _has_position(value: Any) -> bool:
    return isinstance(value, str) and any(f'"{key}"' in value for key in POSITION_KEYS)


def _scrub_user(data: dict[str, Any]) -> bool:
    changed = False
    for holder in (data, data.get("parse_data")):
        if not isinstance(holder, dict):
            continue
        text = holder.get("text")
        if _has_position(text):
            match = _PAYLOAD.match(str(text))
            holder["text"] = match[1] if match else "<position>"
            changed = True
        entities = holder.get("entities")
        if isinstance(entities, list):
            kept = [
                e
                for e in entities
                if not (isinstance(e, dict) and e.get("entity") in POSITION_KEYS)
            ]
            if len(kept) != len(entities):
                holder["entities"] = kept
                changed = True
    return changed


def _scrub_distances(value: Any) -> tuple[Any, bool]:
    """`value` with every distance replaced, recursively; and whether any was."""
    if isinstance(value, str):
        new = _DISTANCE.sub(DISTANCE_PLACEHOLDER, value)
        return new, new != value
    if isinstance(value, list):
        changed = False
        items = []
        for item in value:
            new, did = _scrub_distances(item)
            items.append(new)
            changed |= did
        return items, changed
    if isinstance(value, dict):
        changed = False
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in ("distance", "road_estimate") and item is not None:
                out[key] = None
                changed = True
                continue
            new, did = _scrub_distances(item)
            out[key] = new
            changed |= did
        return out, changed
    return value, False


def scrub_event(data: dict[str, Any], *, after_position: bool) -> tuple[bool, bool]:
    """Remove a shared position from one event (a decoded `data` column), in place.

    Returns (changed, carries_position): `carries_position` is True for the
    events that share a position (the payload message, the slot events), so
    the caller knows the bot's answers after it were given from it. Bot
    answers lose their distances only when `after_position`.
    """
    kind = data.get("event")
    if kind == "slot" and data.get("name") == OUTCOME_SLOT:
        value = data.get("value")
        if (
            isinstance(value, dict)
            and value.get("place") == SHARED_POSITION
            and value.get("distance_km") is not None
        ):
            value["distance_km"] = None
            return True, False
        return False, False
    if kind == "slot" and data.get("name") in POSITION_KEYS:
        if data.get("value") is None:
            return False, False
        data["value"] = None
        return True, True
    if kind == "user":
        changed = _scrub_user(data)
        return changed, changed
    if kind == "bot" and after_position:
        changed = False
        for key in ("text", "data"):
            if key in data:
                new, did = _scrub_distances(data[key])
                if did:
                    data[key] = new
                    changed = True
        return changed, False
    return False, False


# ------------------------------------------------------------------ the store


@dataclass
class PurgeReport:
    """What one purge did (or, with dry_run, would do)."""

    store: str
    retention_days: float
    cutoff: float
    session_minutes: float
    deleted_events: int = 0
    deleted_conversations: int = 0
    scrubbed_events: int = 0
    scrubbed_conversations: int = 0
    dry_run: bool = False

    def lines(self) -> list[str]:
        when = datetime.datetime.fromtimestamp(self.cutoff).strftime("%Y-%m-%d %H:%M")
        lines = [
            f"Samtalsdatabas: {self.store}",
            f"Lagringstid: {_number(self.retention_days)} dagar (allt före {when}).",
            f"Raderat: {self.deleted_events} händelser; "
            f"{self.deleted_conversations} samtal helt borta.",
            f"Delad position borttagen: {self.scrubbed_events} händelser i "
            f"{self.scrubbed_conversations} avslutade samtal "
            f"(avslutat = {_number(self.session_minutes)} minuter utan aktivitet).",
        ]
        if self.dry_run:
            lines.append("Provkörning (--dry-run): ingenting ändrades.")
        return lines


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _decode(raw: Any) -> dict[str, Any] | None:
    try:
        decoded = json.loads(raw) if raw else None
    except (TypeError, ValueError):
        return None
    return decoded if isinstance(decoded, dict) else None


def _sessions(
    rows: Sequence[tuple[int, str, float, Any]], idle_before: float
) -> Iterator[tuple[bool, list[tuple[int, str, Any]]]]:
    """One sender's events split into sessions: (ended, [(id, type, data)])."""
    sessions: list[list[tuple[int, str, Any]]] = [[]]
    for id_, type_name, _ts, raw in rows:
        if type_name == "session_started" and sessions[-1]:
            sessions.append([])
        sessions[-1].append((id_, type_name, raw))
    last_active = max((ts for _id, _t, ts, _raw in rows), default=0.0)
    for n, session in enumerate(sessions):
        ended = n < len(sessions) - 1 or last_active < idle_before
        yield ended, session


def purge(
    url: str | None = None,
    *,
    older_than_days: float | None = None,
    session_minutes_: float | None = None,
    now: float | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Delete what is older than the retention; scrub positions of ended sessions.

    Args:
        url: the tracker store (default: `store_url()`).
        older_than_days: the retention (default: SERVICELOTSEN_RETENTION_DAYS or 30).
        session_minutes_: idle minutes after which a session has ended
            (default: domain.yml's session_config).
        now: the time to count from (Unix time; default: now).
        dry_run: count only, change nothing.

    Raises:
        TrackerStoreError: the store is missing or cannot be read or written.
        ValueError: SERVICELOTSEN_RETENTION_DAYS is not a duration.
    """
    import sqlalchemy as sa

    url = store_url(url)
    days = retention_days() if older_than_days is None else older_than_days
    minutes = session_minutes() if session_minutes_ is None else session_minutes_
    now = time.time() if now is None else now
    report = PurgeReport(
        store=shown_url(url),
        retention_days=days,
        cutoff=now - days * 86400.0,
        session_minutes=minutes,
        dry_run=dry_run,
    )
    events = sa.table(
        "events",
        sa.column("id"),
        sa.column("sender_id"),
        sa.column("type_name"),
        sa.column("timestamp"),
        sa.column("data"),
    )
    try:
        engine = open_engine(url, hint=" eller --store")
        try:
            with engine.connect() as conn:
                transaction = conn.begin()
                try:
                    _purge(conn, events, report, idle_before=now - minutes * 60.0)
                except BaseException:
                    transaction.rollback()
                    raise
                if dry_run:
                    transaction.rollback()
                else:
                    transaction.commit()
        finally:
            engine.dispose()
    except ImportError as exc:
        raise TrackerStoreError(
            shown_url(url),
            f"databasens drivrutin saknas ({exc.name}); installera den i .venv-actions",
        ) from exc
    except sa.exc.SQLAlchemyError as exc:
        raise TrackerStoreError(
            shown_url(url),
            f"samtalsdatabasen kan inte rensas ({type(exc).__name__}: "
            f"{str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0]})",
        ) from exc
    return report


def _purge(conn: Any, events: Any, report: PurgeReport, idle_before: float) -> None:
    import sqlalchemy as sa

    if not sa.inspect(conn).has_table("events"):
        return  # Rasa creates the table when it first starts: nothing saved yet
    old = events.c.timestamp < report.cutoff
    last = sa.func.max(events.c.timestamp)
    gone = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(last < report.cutoff)
        .subquery()
    )
    report.deleted_conversations = conn.execute(
        sa.select(sa.func.count()).select_from(gone)
    ).scalar_one()
    report.deleted_events = conn.execute(sa.delete(events).where(old)).rowcount or 0

    # conversations that ever shared a position (cheap text filter first)
    mentions = sa.or_(*(events.c.data.like(f"%{key}%") for key in POSITION_KEYS))
    senders = sorted(
        row[0]
        for row in conn.execute(
            sa.select(events.c.sender_id)
            .where(mentions)
            .where(events.c.type_name.in_(("user", "slot")))
            .distinct()
        )
    )
    for sender in senders:
        rows = [
            tuple(row)
            for row in conn.execute(
                sa.select(
                    events.c.id, events.c.type_name, events.c.timestamp, events.c.data
                )
                .where(events.c.sender_id == sender)
                .order_by(events.c.id)
            )
        ]
        scrubbed = 0
        for ended, session in _sessions(rows, idle_before):
            if not ended:
                continue
            after_position = False
            for id_, type_name, raw in session:
                if type_name not in ("user", "slot", "bot"):
                    continue
                data = _decode(raw)
                if data is None:
                    continue
                changed, carries = scrub_event(data, after_position=after_position)
                after_position |= carries
                if changed:
                    conn.execute(
                        sa.update(events)
                        .where(events.c.id == id_)
                        .values(data=json.dumps(data, ensure_ascii=False))
                    )
                    scrubbed += 1
        if scrubbed:
            report.scrubbed_events += scrubbed
            report.scrubbed_conversations += 1


# ------------------------------------------------------------------ command line


def build_parser() -> argparse.ArgumentParser:
    parser = SwedishParser(
        prog=".venv-actions/bin/python -m bot privacy",
        description="Personuppgifter i samtalsdatabasen (docs/personuppgifter.md).",
    )
    sub = parser.add_subparsers(dest="action", metavar="KOMMANDO", required=True)
    purge_ = sub.add_parser(
        "purge",
        help="radera gamla samtal och ta bort delade positioner ur avslutade samtal",
        description="Raderar allt i samtalsdatabasen som är äldre än lagringstiden "
        "och tar bort delade positioner (och avstånd räknade från dem) ur samtal "
        "som är avslutade. Kör varje timme (cron eller systemd-timer, se README).",
    )
    purge_.add_argument(
        "--older-than",
        type=parse_duration,
        metavar="TID",
        help=f"lagringstid, t.ex. 30d, 12h (standard: ${ENV_RETENTION_DAYS} dagar, "
        f"annars {DEFAULT_RETENTION_DAYS:g}d)",
    )
    purge_.add_argument(
        "--session-minutes",
        type=float,
        metavar="MIN",
        help="minuter utan aktivitet innan ett samtal räknas som avslutat "
        "(standard: domain.yml, session_expiration_time)",
    )
    purge_.add_argument(
        "--store",
        metavar="URL",
        help=f"samtalsdatabasen som SQLAlchemy-URL (standard: ${ENV_TRACKER_URL}, "
        "annars PostgreSQL enligt $SERVICELOTSEN_PG_HOST m.fl., annars SQLite-filen "
        "i $SERVICELOTSEN_TRACKER_DB)",
    )
    purge_.add_argument(
        "--dry-run", action="store_true", help="räkna bara, ändra ingenting"
    )
    purge_.add_argument("--json", action="store_true", help="skriv JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bot privacy purge …`: 0 done, 1 the store failed, 2 usage."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code in (0, None) else 2
    if args.session_minutes is not None and args.session_minutes < 0:
        print("Fel: --session-minutes kan inte vara negativt.", file=sys.stderr)
        return 2
    try:
        report = purge(
            args.store,
            older_than_days=args.older_than,
            session_minutes_=args.session_minutes,
            dry_run=args.dry_run,
        )
    except ValueError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 2
    except TrackerStoreError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(asdict(report), ensure_ascii=False, indent=2))
    else:
        print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
