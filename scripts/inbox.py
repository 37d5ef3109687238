"""The editors' review inbox (`make inbox SINCE=2026-11-01`).

Reads the tracker store (SERVICELOTSEN_TRACKER_URL, else the SQLite file in
SERVICELOTSEN_TRACKER_DB, else var/tracker.db), keeps the messages the bot
handled badly since the date, masks personal data, and writes them as YAML
for an editor to sort into data/nlu/ (see `bot.inbox` and
docs/redaktorsguide.md).

Usage:
    python scripts/inbox.py --since 2026-11-01 [--out var/inbox/inbox-2026-11-29.yml]

Exit code 0 when the file was written (also when it is empty), 1 when the
tracker store cannot be read, 2 on wrong usage.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import inbox  # noqa: E402
from bot.cli_common import SwedishParser  # noqa: E402
from bot.errors import TrackerStoreError  # noqa: E402

#: Without --since: the last week.
DEFAULT_DAYS = 7


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} är inget datum; skriv ÅÅÅÅ-MM-DD, till exempel 2026-11-01"
        ) from None


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    today = datetime.datetime.now(inbox.TIMEZONE).date()
    parser = SwedishParser(
        prog="scripts/inbox.py",
        description="Skriver granskningskorgen: meddelanden som boten hanterade dåligt.",
    )
    parser.add_argument(
        "--since",
        type=_date,
        default=today - datetime.timedelta(days=DEFAULT_DAYS),
        help=f"från och med datum, ÅÅÅÅ-MM-DD (standard: {DEFAULT_DAYS} dagar bakåt)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="filen som skrivs (standard: var/inbox/inbox-<dagens datum>.yml)",
    )
    parser.add_argument(
        "--tracker",
        default=None,
        help="samtalsdatabasens adress (SQLAlchemy-URL, t.ex. sqlite:///var/tracker.db)",
    )
    parser.add_argument(
        "--min-confidence",
        type=float,
        default=inbox.LOW_CONFIDENCE,
        help=f"säkerhet under detta räknas som osäker (standard {inbox.LOW_CONFIDENCE})",
    )
    args = parser.parse_args(argv)
    out: Path = args.out or ROOT / "var" / "inbox" / f"inbox-{today.isoformat()}.yml"
    url = inbox.tracker_url(args.tracker)
    try:
        result = inbox.collect(
            args.since, url=url, min_confidence=args.min_confidence, created=today
        )
    except TrackerStoreError as exc:
        print(f"Kan inte läsa samtalen i {exc.url}: {exc.reason}", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(inbox.render_inbox(result), encoding="utf-8")
    tmp.replace(out)
    reasons = ", ".join(
        f"{inbox.REASON_LABELS[r]}: {n}" for r, n in result.counts.items() if n
    )
    print(
        f"Skrev {_shown(out)}: {result.messages} meddelanden ({result.distinct} olika) "
        f"sedan {args.since.isoformat()} från {inbox.shown_url(url)}."
    )
    if reasons:
        print(f"Skäl: {reasons}.")
    else:
        print("Boten hanterade alla meddelanden bra; korgen är tom.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
