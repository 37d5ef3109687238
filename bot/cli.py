"""Command line for staff and editors: `python -m bot <kommando>`.

Staff check what the bot would answer without starting Rasa, and editors
check the registry before publishing it. Everything here is a thin layer over
the library (`bot.lotsen`, `bot.registry`, `bot.gazetteer`, `bot.importers`):
it parses arguments, asks the library, and prints the answer in Swedish for
people or as JSON (`--json`) for scripts.

Commands::

    python -m bot validate [SÖKVÄG]
    python -m bot import {osm,geojson,csv,pipos,carriers} ...
    python -m bot registry close ID --reason "..." --source "..."
    python -m bot resolve jamjo
    python -m bot nearest --near Tving --category apoteksombud [-k 3]
    python -m bot info "Coop Rödeby"
    python -m bot places Kyrkhult
    python -m bot report [--population invanare.csv]    (see bot.report.cli)
    python -m bot closure "Tempo Kyrkhult" | --rank dagligvaror

Exit codes: 0 answered, 1 not found or invalid data (a Swedish message says
why, never a traceback), 2 wrong usage (argparse).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.answers import freshness, point_address
from bot.carriers import carrier_name
from bot.cli_common import EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE
from bot.cli_common import PROG as _PROG
from bot.cli_common import SwedishParser as _Parser
from bot.cli_common import positive_int as _positive_int
from bot.errors import CommandFailed, ServicelotsenError
from bot.gazetteer import (
    KIND_POSTNUMMEROMRADE,
    Gazetteer,
    Municipality,
    Place,
    Resolution,
)
from bot.geo import ROAD_DETOUR_FACTOR, format_distance_km
from bot.index import Nearby
from bot.lotsen import (
    Lotsen,
    Origin,
    PositionProblem,
    place_without_position_text,
)
from bot.opening_hours import (
    SWEDISH_WEEKDAYS,
    State,
    format_clock,
    parse_opening_hours,
    to_local,
)
from bot.registry import (
    Registry,
    ServicePoint,
    close_point,
    load_registry,
    registry_path,
)
from bot.service_types import ServiceType, load_service_types

__all__ = ["Answer", "build_parser", "main"]

#: How staff run it (bot.cli_common.PROG: works without activating the environment).
PROG = _PROG


#: Why `Gazetteer.resolve` found nothing, for people.
_UNKNOWN_REASONS = {
    "empty": "ingen ort angiven",
    "no_match": "inget ortnamn i ortregistret liknar det",
    "outside_area": "orten ligger utanför Blekinge och grannområdena",
    "postcode_unknown": "postnumret finns inte i ortregistret",
}
#: How `Gazetteer.resolve` matched, for people.
_METHODS = {
    "exact": "namnet",
    "inflection": "böjd form (genitiv)",
    "in_text": "ortnamn i texten",
    "fuzzy": "rättad stavning",
    "postcode": "postnummer",
}

#: `Lotsen.point_by_name` lists at most this many equally good matches.
_NAME_MATCH_LIMIT = 5

_ROAD_NOTE = (
    "Avstånd räknas fågelvägen. Avståndet på väg är en uppskattning "
    f"(fågelvägen × {str(ROAD_DETOUR_FACTOR).replace('.', ',')}), "
    "ingen ruttberäkning."
)


def _positive_km(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} är inget tal (skriv kilometer, till exempel 5 eller 2,5)"
        ) from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("ska vara ett tal större än 0 (km)")
    return value


def _moment(text: str) -> datetime.datetime:
    """`--at`: an ISO date and time, Swedish time unless it says otherwise."""
    try:
        value = datetime.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} är ingen tid (skriv ÅÅÅÅ-MM-DD TT:MM, till exempel "
            "2026-01-19 10:00)"
        ) from None
    return to_local(value)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, so `--help` shows every command in one place."""
    common = _Parser(add_help=False)
    common._optionals.title = "gemensamma flaggor"
    # SUPPRESS: an option given before the command is not reset by the
    # subcommand's own default.
    common.add_argument(
        "--registry",
        metavar="SÖKVÄG",
        default=argparse.SUPPRESS,
        help="registerfil eller mapp (standard: $SERVICELOTSEN_REGISTRY, "
        "annars data/service_points/)",
    )
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="skriv maskinläsbar JSON i stället för text",
    )
    parser = _Parser(
        prog=PROG,
        description="Servicelotsen för personal och redaktörer: kontrollera "
        "registret, importera data och se vad boten skulle svara.",
        epilog="Slutkod: 0 = klart, 1 = hittades inte eller ogiltiga data, "
        "2 = fel användning.",
    )
    parser.add_argument(
        "--registry",
        metavar="SÖKVÄG",
        default=None,
        help="registerfil eller mapp (standard: $SERVICELOTSEN_REGISTRY, "
        "annars data/service_points/); går också efter kommandot",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=False,
        help="skriv maskinläsbar JSON; går också efter kommandot",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="KOMMANDO", title="kommandon", required=True
    )

    validate = sub.add_parser(
        "validate",
        parents=[common],
        help="kontrollera registret: antal per kategori och kommun, ogiltiga poster",
        description="Läs registret och visa antal per kategori och kommun och "
        "varje utelämnad post med id, fil och skäl. Slutkod 1 om någon post "
        "är ogiltig.",
    )
    validate.add_argument(
        "path", nargs="?", metavar="SÖKVÄG", help="registerfil eller mapp"
    )

    sub.add_parser(
        "import",
        add_help=False,
        help="importera servicepunkter (osm, geojson, csv, pipos, carriers); "
        f"se `{PROG} import --help`",
    )

    registry = sub.add_parser(
        "registry",
        parents=[common],
        help="ändra registret: markera en servicepunkt som stängd",
        description="Markera en servicepunkt som stängd i registerfilen. Posten "
        "finns kvar med sin historik men används aldrig i svar. En körande "
        "actionserver läser in ändringen vid omladdning (make publish).",
    )
    registry_sub = registry.add_subparsers(
        dest="registry_command", metavar="ÅTGÄRD", required=True
    )
    close = registry_sub.add_parser(
        "close",
        parents=[common],
        help="markera en servicepunkt som stängd",
        description="Markera en servicepunkt som stängd (status: closed).",
    )
    close.add_argument("point_id", metavar="ID", help="servicepunktens id")
    close.add_argument(
        "--reason", required=True, help='varför, t.ex. "butiken har stängt"'
    )
    close.add_argument(
        "--source",
        required=True,
        help='varifrån uppgiften kommer, t.ex. "kommunen 2026-12-01"',
    )
    close.add_argument(
        "--date",
        type=datetime.date.fromisoformat,
        default=None,
        metavar="ÅÅÅÅ-MM-DD",
        help="när den stängde (standard: i dag)",
    )

    sub.add_parser(
        "report",
        add_help=False,
        help="servicerapporten för regionen: glapp, stängningar, efterfrågan; "
        f"se `{PROG} report --help`",
    )
    sub.add_parser(
        "closure",
        add_help=False,
        help="vad händer om en servicepunkt stänger? "
        f"se `{PROG} closure --help`",
    )

    sub.add_parser(
        "privacy",
        add_help=False,
        help="personuppgifter: radera gamla samtal och delade positioner; "
        f"se `{PROG} privacy purge --help`",
    )

    resolve = sub.add_parser(
        "resolve",
        parents=[common],
        help="vilken ort menas? (namn, stavfel, postnummer)",
        description="Slå upp en ort som en invånare skulle skriva den.",
    )
    resolve.add_argument("text", nargs="+", metavar="ORT", help='till exempel "jamjo"')

    nearest = sub.add_parser(
        "nearest",
        parents=[common],
        help="närmaste servicepunkter från en ort eller position",
        description="De närmaste servicepunkterna av en eller flera kategorier. "
        "Finns inga uppgifter om kategorin visas närmaste relaterade "
        "(apoteksombud -> apotek). Slutkod 0 när något visas.",
    )
    origin = nearest.add_mutually_exclusive_group(required=True)
    origin.add_argument("--near", metavar="ORT", help="ortnamn eller postnummer")
    origin.add_argument(
        "--position", metavar="LAT,LON", help="position i WGS84, t.ex. 56.19,15.84"
    )
    nearest.add_argument(
        "--category",
        action="append",
        required=True,
        metavar="KATEGORI",
        help="kategori eller vanligt ord (apotek, affär, macka); kan upprepas",
    )
    nearest.add_argument(
        "-k", type=_positive_int, default=3, help="hur många (standard 3)"
    )
    nearest.add_argument(
        "--radius", type=_positive_km, metavar="KM", help="bara inom så många km"
    )
    nearest.add_argument(
        "--open-now",
        action="store_true",
        help="bara ställen som har öppet nu enligt öppettiderna",
    )
    nearest.add_argument(
        "--at",
        type=_moment,
        metavar="TID",
        help="tid i stället för nu (ÅÅÅÅ-MM-DD TT:MM)",
    )

    info = sub.add_parser(
        "info",
        parents=[common],
        help="allt om en servicepunkt, sökt på namn eller id",
        description="Visa en servicepunkt med alla fält, veckans öppettider "
        "och källa. Flera träffar listas.",
    )
    info.add_argument("name", nargs="+", metavar="NAMN", help='t.ex. "Coop Rödeby"')
    info.add_argument(
        "--category", metavar="KATEGORI", help="bara träffar i den här kategorin"
    )
    info.add_argument(
        "--at",
        type=_moment,
        metavar="TID",
        help="tid i stället för nu (ÅÅÅÅ-MM-DD TT:MM)",
    )

    places = sub.add_parser(
        "places",
        parents=[common],
        help="alla servicepunkter i en ort",
        description="Alla servicepunkter i en ort, per kategori.",
    )
    places.add_argument("place", nargs="+", metavar="ORT", help='t.ex. "Kyrkhult"')
    places.add_argument(
        "--at",
        type=_moment,
        metavar="TID",
        help="tid i stället för nu (ÅÅÅÅ-MM-DD TT:MM)",
    )
    return parser


# ---------------------------------------------------------------- answers


@dataclass
class Answer:
    """What a command found: JSON payload, text lines, exit code."""

    payload: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    code: int = EXIT_OK


def _shown_path(path: str | Path) -> str:
    """A path relative to the current folder when it lies below it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def _position_text(lat: float, lon: float) -> str:
    """Coordinates the way `--position` takes them (copy-paste friendly)."""
    return f"{lat:.5f},{lon:.5f}"


def _day_text(day: datetime.date) -> str:
    """ "måndag 19/1": the Swedish short date."""
    return f"{SWEDISH_WEEKDAYS[day.weekday()]} {day.day}/{day.month}"


def _moment_text(at: datetime.datetime, asked: bool) -> str:
    if not asked:
        return "nu"
    return f"{_day_text(at.date())} kl. {format_clock(at, True)}"


def _point_json(p: ServicePoint) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "categories": list(p.categories),
        "lat": p.lat,
        "lon": p.lon,
        "address": p.address,
        "postcode": p.postcode,
        "locality": p.locality,
        "municipality": p.municipality,
        "opening_hours": p.opening_hours,
        "phone": p.phone,
        "website": p.website,
        "brand": p.brand,
        "operator": p.operator,
        "source": p.source,
        "source_date": p.source_date.isoformat(),
    }


def _hours_now(p: ServicePoint, at: datetime.datetime) -> tuple[str, str, State] | None:
    """(today's hours, open-or-not text, state) at `at`; None without hours."""
    if not p.opening_hours:
        return None
    hours = parse_opening_hours(p.opening_hours)
    return hours.today_text(at), hours.status_text(at), hours.state(at)


def _today(p: ServicePoint, at: datetime.datetime) -> dict[str, Any]:
    """Today's hours and whether it is open at `at` (None when unknown)."""
    found = _hours_now(p, at)
    if found is None:
        return {
            "date": at.date().isoformat(),
            "hours": None,
            "status": None,
            "open": None,
        }
    hours, status, state = found
    return {
        "date": at.date().isoformat(),
        "hours": hours,
        "status": status,
        "open": None if state is State.UNKNOWN else state is State.OPEN,
    }


def _today_text(p: ServicePoint, at: datetime.datetime) -> str:
    found = _hours_now(p, at)
    if found is None:
        return "öppettider saknas i registret"
    hours, status, _state = found
    if hours == "stängt" and status.startswith("stängt nu, "):
        return "stängt, " + status.removeprefix("stängt nu, ")
    if hours == "dygnet runt" and status == "öppet dygnet runt":
        return status
    return f"{hours}, {status}"


def _hit_json(hit: Nearby, at: datetime.datetime) -> dict[str, Any]:
    return {
        "point": _point_json(hit.point),
        "distance_km": round(hit.distance_km, 3),
        "distance_text": hit.distance_text,
        "road_estimate_km": round(hit.road_estimate_km, 3),
        "road_estimate_text": hit.road_estimate_text,
        "today": _today(hit.point, at),
    }


def _hit_lines(number: int, hit: Nearby, at: datetime.datetime) -> list[str]:
    p = hit.point
    lines = [
        f"{number}. {p.name} [{p.id}]",
        f"   Adress: {point_address(p)}",
        f"   Avstånd: {hit.distance_text} fågelvägen, "
        f"cirka {hit.road_estimate_text} på väg (uppskattning)",
        f"   I dag: {_today_text(p, at)}",
    ]
    if p.phone:
        lines.append(f"   Telefon: {p.phone}")
    return lines


def _place_json(place: Place) -> dict[str, Any]:
    return {
        "id": place.id,
        "name": place.name,
        "kind": place.kind,
        "municipality": place.municipality,
        "municipality_name": place.municipality_name,
        "municipality_code": place.municipality_code,
        "county": place.county,
        "lat": place.lat,
        "lon": place.lon,
        "postcodes": list(place.postcodes),
        "aliases": list(place.aliases),
        "approximate": place.approximate,
        "position_note": place.position_note or None,
        "notes": list(place.notes),
    }


def _place_line(place: Place) -> str:
    """ "Ryd (Tingsryds kommun), tätort, Kronoberg län"."""
    return f"{place.label}, {place.kind}, {place.county} län"


def _resolution_json(res: Resolution) -> dict[str, Any]:
    return {
        "query": res.query,
        "status": res.status.value,
        "method": res.method or None,
        "matched": res.matched or None,
        "score": round(res.score, 1),
        "reason": res.reason or None,
        "reason_text": _UNKNOWN_REASONS.get(res.reason) if res.reason else None,
        "place": _place_json(res.place) if res.place is not None else None,
        "candidates": [_place_json(p) for p in res.candidates],
    }


def _unknown_place(res: Resolution) -> CommandFailed:
    reason = _UNKNOWN_REASONS.get(res.reason, res.reason)
    return CommandFailed(
        f'Okänd ort: "{res.query}" ({reason}).',
        "unknown_place",
        {"resolution": _resolution_json(res)},
    )


def _ambiguous_place(res: Resolution) -> CommandFailed:
    names = "; ".join(p.label for p in res.candidates)
    return CommandFailed(
        f'"{res.query}" kan betyda flera orter: {names}. Skriv kommunen också, '
        'till exempel "Ryd, Tingsryd".',
        "ambiguous_place",
        {"resolution": _resolution_json(res)},
    )


def _found_place(lotsen: Lotsen, text: str) -> tuple[Place, Resolution]:
    """The one place `text` names, or a `CommandFailed` that says why not."""
    res = lotsen.resolve(text)
    if res.unknown:
        raise _unknown_place(res)
    if res.ambiguous or res.place is None:
        raise _ambiguous_place(res)
    return res.place, res


def _municipality_json(m: Municipality, gazetteer: Gazetteer) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name,
        "short": m.short,
        "places": [p.name for p in gazetteer.in_municipality(m)],
    }


def _interpreted(res: Resolution) -> str:
    """ " (tolkat som Kallinge)" when the resident's spelling was corrected."""
    if res.method == "fuzzy" and res.place is not None:
        return f" (tolkat som {res.place.name})"
    return ""


def _category(lotsen: Lotsen, word: str) -> str:
    """A category id or a resident's word for one, as an id."""
    found = lotsen.service_type(word.strip())
    if found is None:
        known = ", ".join(lotsen.service_types)
        raise CommandFailed(
            f'Okänd kategori "{word}". Kända kategorier: {known} '
            "(vanliga ord som affär, medicin och macka går också).",
            "unknown_category",
            {"category": word, "known": list(lotsen.service_types)},
        )
    return found


def _registry(args: argparse.Namespace) -> Registry:
    registry = load_registry(args.registry)
    if registry.rejected:
        print(
            f"Obs: {len(registry.rejected)} poster i registret är ogiltiga och "
            f"används inte. Kör `{PROG} validate` för att se varför.",
            file=sys.stderr,
        )
    return registry


def _lotsen(args: argparse.Namespace) -> Lotsen:
    return Lotsen(_registry(args), Gazetteer.load())


def _at(args: argparse.Namespace) -> tuple[datetime.datetime, bool]:
    """(the moment asked about, whether `--at` gave it)."""
    given: datetime.datetime | None = getattr(args, "at", None)
    return (to_local(given), given is not None)


# ---------------------------------------------------------------- validate


def cmd_validate(args: argparse.Namespace) -> Answer:
    """Counts per category and kommun, and every rejected record."""
    path = args.path if args.path is not None else args.registry
    registry = load_registry(path)
    types = load_service_types()
    per_category = Counter(c for p in registry.points for c in p.categories)
    by_category = {c: per_category.get(c, 0) for c in types}
    by_category.update({c: n for c, n in per_category.items() if c not in types})
    by_municipality = dict(
        sorted(Counter(p.municipality for p in registry.points).items())
    )
    oldest, newest = registry.oldest_source_date(), registry.newest_source_date()
    with_carriers = Counter(
        c for p in registry.points if p.carriers for c in p.categories
    )
    with_hours = Counter(
        c for p in registry.points if p.opening_hours for c in p.categories
    )
    carriers = Counter(cid for p in registry.points for cid in p.carrier_ids())
    undated = len([p for p in registry.points if not (p.source and p.source_date)])
    rejected = [
        {"id": r.id, "file": _shown_path(r.source_file), "reason": r.reason}
        for r in registry.rejected
    ]
    ok = not rejected and len(registry.points) > 0
    payload: dict[str, Any] = {
        "path": _shown_path(registry_path(path)),
        "files": [_shown_path(f) for f in registry.files],
        "points": len(registry.points),
        "by_category": by_category,
        "by_municipality": by_municipality,
        "with_carriers": {c: with_carriers.get(c, 0) for c in by_category},
        "with_opening_hours": {c: with_hours.get(c, 0) for c in by_category},
        "by_carrier": dict(sorted(carriers.items())),
        "without_source": undated,
        "closed": [p.id for p in registry.closed],
        "oldest_source_date": oldest.isoformat() if oldest else None,
        "newest_source_date": newest.isoformat() if newest else None,
        "rejected": rejected,
        "superseded": [
            {"id": r.id, "file": _shown_path(r.source_file), "reason": r.reason}
            for r in registry.superseded
        ],
    }
    files = len(registry.files)
    lines = [
        f"Register: {payload['path']} ({files} {'fil' if files == 1 else 'filer'})",
        f"Giltiga servicepunkter: {len(registry.points)}. "
        f"Utelämnade poster: {len(rejected)}.",
        "Per kategori:",
    ]
    width = max(len(c) for c in by_category) if by_category else 0
    for cat, n in by_category.items():
        extra = []
        if with_carriers.get(cat):
            extra.append(f"{with_carriers[cat]} med transportföretag")
        if with_hours.get(cat):
            extra.append(f"{with_hours[cat]} med öppettider")
        note = (
            f"  ({', '.join(extra)})" if extra else ("" if n else "  (inga uppgifter)")
        )
        lines.append(f"  {cat:<{width}}  {n:>5}{note}")
    if carriers:
        lines.append(
            "Per transportföretag: "
            + ", ".join(
                f"{carrier_name(c)} {n}"
                for c, n in payload["by_carrier"].items()
            )
        )
    if registry.closed:
        lines.append(
            f"Stängda (finns kvar i filen, används inte i svar): {len(registry.closed)}"
        )
    lines.append(
        "Alla poster har källa och källdatum."
        if not undated
        else f"Poster utan källa eller källdatum: {undated}."
    )
    lines.append("Per kommun:")
    width = max((len(m) for m in by_municipality), default=0)
    lines += [f"  {m:<{width}}  {n:>5}" for m, n in by_municipality.items()]
    if oldest and newest:
        lines.append(f"Källdatum: {oldest.isoformat()} till {newest.isoformat()}.")
    if rejected:
        lines.append("Utelämnade poster (rätta dem i källan eller filen):")
        for r in rejected:
            rid = f"id {r['id']}" if r["id"] else "(utan id)"
            lines.append(f"  {rid} i {r['file']}: {r['reason']}")
    if registry.superseded:
        lines.append(
            f"Ersatta av nyare poster med samma id (inget fel): {len(registry.superseded)}"
        )
        for r in payload["superseded"][:10]:
            lines.append(f"  id {r['id']} i {r['file']}: {r['reason']}")
    if not registry.points:
        lines.append("Registret innehåller inga giltiga servicepunkter.")
    lines.append(
        "Resultat: registret är i ordning."
        if ok
        else "Resultat: registret behöver rättas."
    )
    return Answer(payload, lines, EXIT_OK if ok else EXIT_NOT_FOUND)


# ---------------------------------------------------------------- registry


def cmd_registry(args: argparse.Namespace) -> Answer:
    """`registry close ID`: mark a point closed in its registry file."""
    point, file = close_point(
        args.point_id,
        reason=args.reason,
        source=args.source,
        day=args.date,
        path=args.registry,
    )
    assert point.closed is not None
    payload = {
        "id": point.id,
        "name": point.name,
        "file": _shown_path(file),
        "closed_date": point.closed.date.isoformat(),
        "closed_reason": point.closed.reason,
        "closed_source": point.closed.source,
    }
    lines = [
        f"{point.name} ({point.locality}) [{point.id}] är markerad som stängd "
        f"från {point.closed.date.isoformat()} i {payload['file']}.",
        f"Skäl: {point.closed.reason}. Källa: {point.closed.source}.",
        "Posten finns kvar med sin historik men används inte i svar. Kör "
        "`make publish` så läser den körande boten in ändringen.",
    ]
    return Answer(payload, lines, EXIT_OK)


# ---------------------------------------------------------------- resolve


def cmd_resolve(args: argparse.Namespace) -> Answer:
    """Which place a resident's text names."""
    text = " ".join(args.text)
    gazetteer = Gazetteer.load()
    municipality = gazetteer.municipality(text)
    if municipality is not None:
        places = gazetteer.in_municipality(municipality)
        payload = {
            "query": text,
            "status": "municipality",
            "municipality": _municipality_json(municipality, gazetteer),
        }
        return Answer(
            payload,
            [
                f"{municipality.name}: hela kommunen ({len(places)} orter och tätorter "
                "i ortregistret).",
                "Orter: " + ", ".join(p.name for p in places),
            ],
        )
    res = gazetteer.resolve(text)
    payload = _resolution_json(res)
    if res.unknown:
        reason = _UNKNOWN_REASONS.get(res.reason, res.reason)
        return Answer(payload, [f'Okänd ort: "{text}" ({reason}).'], EXIT_NOT_FOUND)
    if res.ambiguous or res.place is None:
        lines = [f'"{text}" kan betyda flera orter:']
        lines += [f"- {_place_line(p)}" for p in res.candidates]
        lines.append('Skriv kommunen också, till exempel "Ryd, Tingsryd".')
        return Answer(payload, lines)
    place = res.place
    how = _METHODS.get(res.method, res.method)
    if res.method == "fuzzy":
        how += f", likhet {round(res.score)} av 100"
    lines = [
        f"{place.name}: {place.kind} i {place.municipality_name}, {place.county} län",
        f'Tolkning: "{text}" -> {res.matched or place.name} ({how})',
    ]
    if place.kind == KIND_POSTNUMMEROMRADE:
        locality = gazetteer.locality(place)
        if locality is not place:
            lines.append(f"Postnumret hör till orten {locality.label}.")
    if place.lat is not None and place.lon is not None:
        approx = f", {place.position_note}" if place.position_note else ""
        lines.append(
            f"Position: {_position_text(place.lat, place.lon)} (lat,lon{approx})"
        )
    else:
        lines.append("Position: saknas i ortregistret")
        lines.append(place_without_position_text(place))
    lines.append(
        "Postnummer: " + (", ".join(place.postcodes) if place.postcodes else "saknas")
    )
    if place.aliases:
        lines.append("Andra namn: " + ", ".join(place.aliases))
    # place.notes are the build's own remarks (in --json), not for the answer
    return Answer(payload, lines)


# ---------------------------------------------------------------- nearest


def _parse_position(text: str) -> tuple[float, float]:
    """ "56.19,15.84", "56.19, 15.84" or "56,19 15,84" as (lat, lon)."""
    raw = text.strip()
    if ";" in raw:
        parts = raw.split(";")
    elif len(raw.split()) == 2:
        parts = [p.rstrip(",") for p in raw.split()]
    else:
        parts = raw.split(",")
    try:
        if len(parts) != 2:
            raise ValueError(text)
        lat, lon = (float(p.strip().replace(",", ".")) for p in parts)
    except ValueError:
        raise CommandFailed(
            f'Ogiltig position "{text}". Skriv latitud och longitud i WGS84 med '
            "punkt som decimaltecken, till exempel --position 56.19,15.84.",
            "invalid_position",
        ) from None
    return lat, lon


def _origin(lotsen: Lotsen, args: argparse.Namespace) -> tuple[Origin, str]:
    """Where the search starts, and how to name it in the heading."""
    if args.near is not None:
        place, res = _found_place(lotsen, args.near)
        origin = lotsen.origin_for_place(place)
        if origin is None:
            raise CommandFailed(
                place_without_position_text(place)
                + " (Här: --near ORT i närheten eller --position LAT,LON.)",
                "place_without_position",
                {"resolution": _resolution_json(res)},
            )
        return origin, f"{place.label}{_interpreted(res)}"
    lat, lon = _parse_position(args.position)
    try:
        origin = lotsen.origin_for_position(lat, lon)
    except PositionProblem as problem:
        if problem.reason == "invalid":
            raise CommandFailed(
                f'Ogiltig position "{args.position}": latitud ska vara -90..90 '
                "och longitud -180..180.",
                "invalid_position",
            ) from None
        hint = ""
        try:
            lotsen.origin_for_position(lon, lat)
            hint = " Latitud och longitud verkar omkastade (skriv LAT,LON)."
        except PositionProblem:
            pass
        raise CommandFailed(
            f"Positionen {_position_text(lat, lon)} ligger utanför området som "
            f"registret täcker (Blekinge och grannorterna).{hint}",
            "position_outside_area",
        ) from None
    where = f" ({origin.municipality} kommun)" if origin.municipality else ""
    return origin, f"position {_position_text(lat, lon)}{where}"


def _asked(categories: Sequence[str], related: Sequence[tuple[str, Any]]) -> list[str]:
    """The categories an answer names places for (for their own source dates)."""
    return [*categories, *(rel for rel, _ in related)]


def _plural(types: dict[str, ServiceType], category: str) -> str:
    st = types.get(category)
    return st.plural if st else category


def cmd_nearest(args: argparse.Namespace) -> Answer:
    """The nearest points of one or more categories, with related ones if none."""
    lotsen = _lotsen(args)
    types = lotsen.service_types
    categories = list(dict.fromkeys(_category(lotsen, w) for w in args.category))
    municipality = (
        lotsen.gazetteer.municipality(args.near) if args.near is not None else None
    )
    if municipality is not None:
        return _nearest_in_municipality(lotsen, municipality, categories, args)
    origin, origin_text = _origin(lotsen, args)
    at, asked = _at(args)
    open_at = at if args.open_now else None
    index = lotsen.index

    no_data = [c for c in categories if index.count(c) == 0]
    results = index.nearest(
        origin.lat,
        origin.lon,
        categories,
        args.k,
        radius_km=args.radius,
        open_at=open_at,
    )
    related: list[tuple[str, list[Nearby]]] = []
    if not results:
        # as `ServiceIndex.nearest_with_related`, for several categories: the
        # fallback ignores the radius ("nothing near; the nearest is X")
        seen = set(categories)
        for category in categories:
            for rel in index.related(category):
                if rel in seen:
                    continue
                seen.add(rel)
                found = index.nearest(
                    origin.lat, origin.lon, rel, args.k, open_at=open_at
                )
                if found:
                    related.append((rel, found))

    shown = [hit.point for hit in results] + [
        hit.point for _rel, hits in related for hit in hits
    ]
    payload: dict[str, Any] = {
        "origin": {
            "label": origin_text,
            "lat": origin.lat,
            "lon": origin.lon,
            "municipality": origin.municipality,
            "place": _place_json(origin.place) if origin.place else None,
        },
        "categories": categories,
        "k": args.k,
        "radius_km": args.radius,
        "open_now": args.open_now,
        "at": at.isoformat(timespec="minutes"),
        "no_data": no_data,
        "results": [_hit_json(hit, at) for hit in results],
        "related": [
            {"category": rel, "results": [_hit_json(hit, at) for hit in hits]}
            for rel, hits in related
        ],
        "road_estimate_factor": ROAD_DETOUR_FACTOR,
        "freshness": freshness(shown, _asked(categories, related)) or None,
    }

    asked_plural = " eller ".join(_plural(types, c) for c in categories)
    lines = [f"Närmaste {asked_plural} från {origin_text}:"]
    conditions = []
    if args.radius is not None:
        conditions.append(f"inom {format_distance_km(args.radius)} fågelvägen")
    if args.open_now:
        conditions.append(
            f"med öppet {_moment_text(at, asked)} enligt öppettiderna "
            "(ställen utan öppettider visas inte)"
        )
    if conditions:
        lines.append("Bara ställen " + " och ".join(conditions) + ".")
    for category in no_data:
        lines.append(
            f"Registret har inga uppgifter om {_plural(types, category)}, "
            "så närmaste kan inte visas."
        )
    if not results and len(no_data) < len(categories):
        lines.append(f"Hittar inga {asked_plural} med de här villkoren.")
    for number, hit in enumerate(results, start=1):
        lines += _hit_lines(number, hit, at)
    for rel, hits in related:
        extra = " (utan avståndsgräns)" if args.radius is not None else ""
        lines.append(f"Närmaste {_plural(types, rel)} i stället{extra}:")
        for number, hit in enumerate(hits, start=1):
            lines += _hit_lines(number, hit, at)
    if shown:
        lines.append(_ROAD_NOTE)
        lines.append(freshness(shown, _asked(categories, related)))
    return Answer(payload, lines, EXIT_OK if shown else EXIT_NOT_FOUND)


def _nearest_in_municipality(
    lotsen: Lotsen,
    municipality: Municipality,
    categories: list[str],
    args: argparse.Namespace,
) -> Answer:
    """`nearest --near "Ronneby kommun"`: the whole kommun has no one distance,
    so every point of the categories in it is listed, by ort."""
    types = lotsen.service_types
    at, _asked = _at(args)
    points = [
        p
        for p in lotsen.in_municipality(municipality)
        if any(c in p.categories for c in categories)
    ]
    asked_plural = " eller ".join(_plural(types, c) for c in categories)
    payload: dict[str, Any] = {
        "origin": None,
        "municipality": _municipality_json(municipality, lotsen.gazetteer),
        "categories": categories,
        "results": [{"point": _point_json(p), "today": _today(p, at)} for p in points],
        "related": [],
        "freshness": freshness(points) or None,
    }
    lines = [f"{asked_plural.capitalize()} i hela {municipality.name}: {len(points)}"]
    for p in points:
        lines.append(
            f"  - {p.name} [{p.id}], {point_address(p)}. I dag: {_today_text(p, at)}"
        )
    lines.append(
        "En hel kommun har inget enskilt avstånd: ange en ort (--near ORT) eller "
        "--position LAT,LON för de närmaste."
    )
    if points:
        lines.append(freshness(points))
    return Answer(payload, lines, EXIT_OK if points else EXIT_NOT_FOUND)


# ---------------------------------------------------------------- info


def _field(value: str | None) -> str:
    return value if value else "saknas"


def cmd_info(args: argparse.Namespace) -> Answer:
    """One point by name or id, with every field and the week's hours."""
    lotsen = _lotsen(args)
    query = " ".join(args.name)
    category = _category(lotsen, args.category) if args.category else None
    at, asked = _at(args)
    by_id = lotsen.registry.by_id(query.strip())
    if by_id is not None and (category is None or category in by_id.categories):
        matches = [by_id]
    else:
        matches = lotsen.point_by_name(query, category=category)
    if not matches:
        raise CommandFailed(
            f'Hittar inget ställe som heter "{query}". Prova en del av namnet, '
            f"orten, eller `{PROG} places ORT`.",
            "point_not_found",
            {"query": query},
        )
    types = lotsen.service_types
    if len(matches) > 1:
        lines = [f'Flera ställen passar "{query}":']
        for p in matches:
            cats = ", ".join(types[c].name if c in types else c for c in p.categories)
            lines.append(f"- {p.name} [{p.id}], {point_address(p)} ({cats})")
        if len(matches) >= _NAME_MATCH_LIMIT:
            lines.append(f"Högst {_NAME_MATCH_LIMIT} visas; fler kan finnas.")
        lines.append("Skriv mer av namnet (till exempel orten) eller använd id:t.")
        lines.append(freshness(matches))
        payload: dict[str, Any] = {
            "query": query,
            "status": "ambiguous",
            "point": None,
            "candidates": [_point_json(p) for p in matches],
            "freshness": freshness(matches),
        }
        return Answer(payload, lines)

    p = matches[0]
    cats = ", ".join(
        f"{types[c].name} ({c})" if c in types else c for c in p.categories
    )
    lines = [
        f"{p.name} [{p.id}]",
        f"Kategorier: {cats}",
        f"Adress: {_field(p.address)}",
        f"Postnummer: {_field(p.postcode)}",
        f"Ort: {p.locality}",
        f"Kommun: {p.municipality}",
        f"Position: {_position_text(p.lat, p.lon)} (lat,lon)",
        f"Telefon: {_field(p.phone)}",
        f"Webbplats: {_field(p.website)}",
        f"Varumärke: {_field(p.brand)}",
        f"Operatör: {_field(p.operator)}",
        f"Öppettider (OSM-format): {_field(p.opening_hours)}",
    ]
    week: list[dict[str, Any]] = []
    status = None
    if p.opening_hours:
        hours = parse_opening_hours(p.opening_hours)
        status = hours.status_text(at)
        when = _moment_text(at, True) if asked else "Just nu"
        lines.append(f"{when}: {status}")
        lines.append("Öppettider sju dagar framåt:")
        for offset in range(7):
            day = at.date() + datetime.timedelta(days=offset)
            day_hours = hours.day_hours(day)
            holiday = f" ({day_hours.holiday})" if day_hours.holiday else ""
            lines.append(f"  {_day_text(day)}{holiday}: {day_hours.text}")
            week.append(
                {
                    "date": day.isoformat(),
                    "weekday": SWEDISH_WEEKDAYS[day.weekday()],
                    "hours": day_hours.text,
                    "holiday": day_hours.holiday,
                }
            )
    lines.append(f"Källa: {p.source}, {p.source_date.isoformat()}")
    lines.append(freshness([p]))
    payload = {
        "query": query,
        "status": "found",
        "point": _point_json(p),
        "status_now": status,
        "week": week,
        "candidates": [],
        "freshness": freshness([p]),
    }
    return Answer(payload, lines)


# ---------------------------------------------------------------- places


def _by_category(
    points: Sequence[ServicePoint],
    types: Mapping[str, ServiceType],
    at: datetime.datetime,
) -> tuple[dict[str, list[str]], list[str]]:
    """The points' ids by category (those that have any) and the lines listing them."""
    by_category = {
        c: [p.id for p in points if c in p.categories]
        for c in types
        if any(c in p.categories for p in points)
    }
    by_id = {p.id: p for p in points}
    lines: list[str] = []
    for category, ids in by_category.items():
        lines.append(f"{types[category].plural.capitalize()}:")
        for pid in ids:
            p = by_id[pid]
            lines.append(
                f"  - {p.name} [{p.id}], {point_address(p)}. "
                f"I dag: {_today_text(p, at)}"
            )
    lines.append(freshness(points))
    return by_category, lines


def cmd_places(args: argparse.Namespace) -> Answer:
    """Every point in an ort, by category."""
    lotsen = _lotsen(args)
    text = " ".join(args.place)
    municipality = lotsen.gazetteer.municipality(text)
    if municipality is not None:
        return _places_in_municipality(lotsen, text, municipality, args)
    place, res = _found_place(lotsen, text)
    points = lotsen.in_locality(place)
    at, _asked = _at(args)
    by_category, listing = _by_category(points, lotsen.service_types, at)
    payload: dict[str, Any] = {
        "query": text,
        "place": _place_json(place),
        "points": [{"point": _point_json(p), "today": _today(p, at)} for p in points],
        "by_category": by_category,
        "freshness": freshness(points) or None,
    }
    if not points:
        lines = [
            f"Registret har inga servicepunkter i {place.label}{_interpreted(res)}.",
            f'Prova `{PROG} nearest --near "{place.name}" --category KATEGORI`.',
        ]
        return Answer(payload, lines, EXIT_NOT_FOUND)
    lines = [
        f"Servicepunkter i {place.label}{_interpreted(res)}: {len(points)}",
    ]
    return Answer(payload, lines + listing)


def _places_in_municipality(
    lotsen: Lotsen, text: str, municipality: Municipality, args: argparse.Namespace
) -> Answer:
    """`places "Ronneby kommun"`: every point in the whole kommun, by ort."""
    points = lotsen.in_municipality(municipality)
    at, _asked = _at(args)
    by_category, listing = _by_category(points, lotsen.service_types, at)
    payload: dict[str, Any] = {
        "query": text,
        "place": None,
        "municipality": _municipality_json(municipality, lotsen.gazetteer),
        "points": [{"point": _point_json(p), "today": _today(p, at)} for p in points],
        "by_category": by_category,
        "freshness": freshness(points) or None,
    }
    if not points:
        return Answer(
            payload,
            [f"Registret har inga servicepunkter i {municipality.name}."],
            EXIT_NOT_FOUND,
        )
    localities = len({p.locality for p in points})
    lines = [
        f"Servicepunkter i hela {municipality.name}: {len(points)} "
        f"(i {localities} orter)",
    ]
    return Answer(payload, lines + listing)


# ---------------------------------------------------------------- main

_COMMANDS: dict[str, Callable[[argparse.Namespace], Answer]] = {
    "validate": cmd_validate,
    "resolve": cmd_resolve,
    "nearest": cmd_nearest,
    "info": cmd_info,
    "places": cmd_places,
    "registry": cmd_registry,
}


def _emit(answer: Answer, command: str, as_json: bool) -> None:
    if as_json:
        body = {"command": command, "ok": answer.code == EXIT_OK, **answer.payload}
        print(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        print("\n".join(answer.lines))


def _fail(
    command: str, message: str, code: str, details: dict[str, Any], as_json: bool
) -> int:
    if as_json:
        body = {
            "command": command,
            "ok": False,
            "error": {"code": code, "message": message},
            **details,
        }
        print(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        print(f"Fel: {message}", file=sys.stderr)
    return EXIT_NOT_FOUND


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 not found, 2 usage)."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(
            list(sys.argv[1:] if argv is None else argv)
        )
        if args.command == "import":
            from bot.importers.__main__ import main as import_main

            return import_main(extra + (["--json"] if args.json else []))
        if args.command in ("report", "closure"):
            from bot.report.cli import main as report_main

            common = (["--registry", args.registry] if args.registry else []) + (
                ["--json"] if args.json else []
            )
            return report_main([args.command, *extra, *common])
        if args.command == "privacy":
            from bot.retention import main as privacy_main

            return privacy_main(extra + (["--json"] if args.json else []))
        if extra:
            parser.error("unrecognized arguments: " + " ".join(extra))
    except SystemExit as exit_:  # --help, or a usage error already printed
        if exit_.code is None:
            return EXIT_OK
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    command: str = args.command
    try:
        answer = _COMMANDS[command](args)
    except CommandFailed as exc:
        return _fail(command, exc.message, exc.code, exc.details, args.json)
    except ServicelotsenError as exc:  # registry, gazetteer, service types
        return _fail(command, str(exc), type(exc).__name__, {}, args.json)
    _emit(answer, command, args.json)
    return answer.code
