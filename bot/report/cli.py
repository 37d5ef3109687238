"""`python -m bot report` and `python -m bot closure`: the region's report on the command line.

    python -m bot report [--out var/report] [--population invanare.csv]
                         [--threshold dagligvaror=8] [--basis fågelväg]
                         [--tracker URL] [--since 2026-01-01] [--no-demand]
    python -m bot closure "ICA Nära Träffpunkten"     # what if it closed?
    python -m bot closure --rank dagligvaror [-k 10]  # which matter most

Swedish output for people, `--json` for scripts. Exit codes as `python -m
bot`: 0 done, 1 a clear Swedish error (bad file, unknown point), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.cli_common import (
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    SwedishParser,
    positive_int,
)
from bot.errors import ServicelotsenError
from bot.gazetteer import Gazetteer
from bot.index import ServiceIndex
from bot.registry import Registry, ServicePoint, load_registry
from bot.report.areas import report_areas
from bot.report.build import DEFAULT_OUT, ReportResult, build_report
from bot.report.closure import (
    ClosureEffect,
    ClosureImpact,
    point_closures,
    rank_closures,
)
from bot.report.config import (
    Basis,
    ReportConfig,
    ReportConfigError,
    load_config,
    parse_threshold_override,
    report_km,
)
from bot.report.gaps import GapAnalysis, GapRow, analyse_gaps
from bot.report.population import kommun_name, sentence
from bot.report.tables import largest_by_residents

__all__ = ["main"]


def _threshold(text: str) -> tuple[str, float]:
    try:
        return parse_threshold_override(text)
    except ReportConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _basis(text: str) -> Basis:
    aliases = {
        "väg": Basis.ROAD,
        "vag": Basis.ROAD,
        "road": Basis.ROAD,
        "fågelväg": Basis.CROW,
        "fagelvag": Basis.CROW,
        "crow": Basis.CROW,
    }
    found = aliases.get(text.strip().casefold())
    if found is None:
        raise argparse.ArgumentTypeError("skriv väg eller fågelväg")
    return found


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} är inget datum; skriv ÅÅÅÅ-MM-DD, till exempel 2026-11-01"
        ) from None


def _config_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--thresholds",
        type=Path,
        metavar="YAML",
        help="fil med gränsvärden (standard: data/report_thresholds.yml)",
    )
    parser.add_argument(
        "--threshold",
        type=_threshold,
        action="append",
        default=[],
        metavar="TJÄNST=KM",
        help="ändra ett gränsvärde för den här körningen, t.ex. dagligvaror=8; kan upprepas",
    )
    parser.add_argument(
        "--basis",
        type=_basis,
        metavar="väg|fågelväg",
        help="vilket avstånd som jämförs med gränsen (standard: som i filen, väg)",
    )
    parser.add_argument(
        "--population",
        type=Path,
        metavar="CSV",
        help="invånare per ort eller postnummer (kolumner: postnummer eller ort, "
        "invånare); ersätter standardviktningen med SCB:s tätorter 2020",
    )
    parser.add_argument(
        "--no-population",
        action="store_true",
        help="oviktad: räkna varje ort lika (ingen befolkning)",
    )
    parser.add_argument(
        "--registry",
        metavar="SÖKVÄG",
        default=None,
        help="registerfil eller mapp (standard: $SERVICELOTSEN_REGISTRY, annars "
        "data/service_points/)",
    )
    parser.add_argument(
        "--gazetteer",
        type=Path,
        metavar="JSON",
        help="ortregistret (standard: data/gazetteer/places.json)",
    )
    parser.add_argument("--json", action="store_true", help="skriv JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = SwedishParser(prog=PROG, add_help=False)
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO", required=True)
    report = sub.add_parser(
        "report",
        help="skriv servicerapporten",
        description="Skriver servicerapporten för regionen: avstånd och glapp per ort "
        "och postnummerområde, vad som händer om en servicepunkt stänger, vad "
        "invånarna frågade efter, kartor och en CSV per tabell.",
    )
    report.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="MAPP",
        help=f"mappen som skrivs (standard: {DEFAULT_OUT})",
    )
    _config_flags(report)
    report.add_argument(
        "--tracker",
        metavar="URL",
        help="samtalsdatabasen (SQLAlchemy-URL; standard: $SERVICELOTSEN_TRACKER_URL "
        "eller sqlite:///$SERVICELOTSEN_TRACKER_DB)",
    )
    report.add_argument(
        "--since",
        type=_date,
        metavar="DATUM",
        help="räkna samtal från och med datum (ÅÅÅÅ-MM-DD)",
    )
    report.add_argument(
        "--no-demand", action="store_true", help="hoppa över samtalen (efterfrågan)"
    )

    closure = sub.add_parser(
        "closure",
        help="vad händer om en servicepunkt stänger?",
        description="Vilka orter och postnummerområden som har servicepunkten som "
        "närmaste, och hur långt de då får till nästa. Med --rank: alla punkter i "
        "en tjänst, den vars stängning ger flest nya glapp först.",
    )
    closure.add_argument(
        "point",
        nargs="*",
        default=[],
        metavar="NAMN_ELLER_ID",
        help='servicepunktens id eller namn, t.ex. "Tempo Kyrkhult"',
    )
    closure.add_argument(
        "--rank",
        metavar="TJÄNST",
        help="rangordna alla punkter i tjänsten (t.ex. dagligvaror)",
    )
    closure.add_argument(
        "-k",
        type=positive_int,
        default=10,
        help="hur många i rangordningen (standard 10)",
    )
    _config_flags(closure)
    return parser


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser = action.choices[name]
            return found
    return parser


def _orter(n: int) -> str:
    return f"{n} {'ort' if n == 1 else 'orter'}"


def _config(args: argparse.Namespace) -> ReportConfig:
    config = load_config(args.thresholds)
    return config.with_overrides(dict(args.threshold), args.basis)


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _km(value: float | None) -> str:
    return "–" if value is None else report_km(value)


def _row_json(r: GapRow) -> dict[str, Any]:
    near = r.nearest
    return {
        "place": r.place.name,
        "place_id": r.place.id,
        "municipality": r.place.municipality,
        "service": r.group.id,
        "threshold_km": r.group.km,
        "nearest_id": near.point.id if near else None,
        "nearest_name": near.point.name if near else None,
        "crow_km": round(near.crow_km, 2) if near else None,
        "road_estimate_km": round(near.road_km, 2) if near else None,
        "compared_km": round(near.basis_km, 2) if near else None,
        "beyond_km": round(r.excess_km, 2),
        "population": r.population,
    }


def _report(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    result: ReportResult = build_report(
        args.out,
        registry_path=args.registry,
        gazetteer_path=args.gazetteer,
        config=_config(args),
        population_path=args.population,
        tracker=args.tracker,
        since=args.since,
        demand=not args.no_demand,
        weighted=not args.no_population,
    )
    analysis = result.analysis
    largest = analysis.largest(5)
    basis = analysis.config.basis
    lines = [
        f"Rapporten är skriven: {result.html}",
        f"Tabeller: {len(result.csvs)} CSV-filer i {result.out_dir}/",
        f"Kartor: {len(result.maps)} st i {result.out_dir / 'kartor'}/ (en per tjänst: "
        "kommungränser, servicepunkter, land inom gränsvärdet och orter längre bort "
        "i rött med avstånd).",
        f"Servicepunkternas källdatum: {result.meta.data_date} "
        f"({result.meta.points} punkter i registret).",
        (
            f"Viktad med invånare ur {analysis.population.source}."
            if analysis.population
            else "Oviktad (--no-population): varje ort räknas lika."
        ),
        "",
        f"De fem största glappen, jämfört med {basis.label}:",
    ]
    for i, r in enumerate(largest, start=1):
        assert r.nearest is not None
        lines.append(
            f"  {i}. {r.place.name} ({r.place.municipality}): {r.group.name.lower()} "
            f"{_km(r.nearest.road_km)} på väg, uppskattat ({_km(r.nearest.crow_km)} "
            f"fågelvägen) till {r.nearest.point.name} ({r.nearest.point.locality}); "
            f"gräns {r.group.km_text}"
        )
    if not largest:
        lines.append("  (inga: alla orter ligger inom gränsvärdena)")
    for data in analysis.groups:
        if not data.has_data:
            lines.append(
                f"Obs: inga uppgifter om {data.group.name.lower()} i registret."
            )
    by_residents = largest_by_residents(analysis)
    if by_residents:
        lines += ["", "De fem största glappen efter antal invånare:"]
        for i, r in enumerate(by_residents, start=1):
            assert r.nearest is not None
            lines.append(
                f"  {i}. {r.place.name} ({r.place.municipality}), "
                f"{_n(r.population or 0)} invånare: {r.group.name.lower()} "
                f"{_km(r.nearest.road_km)} på väg, uppskattat, till "
                f"{r.nearest.point.name}; gräns {r.group.km_text}"
            )
    if result.resident_gaps:
        lines += ["", "Invånare längre bort än gränsen, per kommun:"]
        weighting = result.weighting
        road = basis is Basis.ROAD
        for kommun in sorted({g.kommun for g in result.resident_gaps}):
            mine = [g for g in result.resident_gaps if g.kommun == kommun and g.beyond]
            lines += ["  " + sentence(g, road) for g in mine]
            if not mine:
                lines.append(
                    f"  Alla tätortsbor i {kommun_name(kommun)} bor inom gränsvärdena."
                )
            k = weighting.kommun(kommun) if weighting else None
            if k is not None and k.outside is not None:
                lines.append(
                    f"  Utanför tätorterna bor {'ungefär ' if k.outside_rough else ''}"
                    f"{_n(k.outside)} invånare i {kommun_name(kommun)}: de är inte "
                    "placerade och ingår inte i siffrorna."
                )
    if result.ages:
        lines += ["", "Uppgifternas ålder per kategori:"]
        for a in result.ages:
            if not a.points:
                lines.append(f"  {a.category}: inga uppgifter")
                continue
            lines.append(
                f"  {a.category}: {a.points} punkter, {a.oldest} – {a.newest}; "
                f"{a.older_than_limit} äldre än {a.limit_years} år"
            )
    lines.append("")
    if result.demand is None:
        lines.append(result.demand_note)
    else:
        d = result.demand
        lines.append(
            f"Efterfrågan: {d.conversations} samtal med {d.searches} sökningar, "
            f"{d.digital_conversations} samtal om digitala alternativ "
            f"({d.hidden_rows} rader med färre än 5 samtal dolda)."
        )
        lines.append(
            f"Rapporterade ändringar: {d.change_reports} rapporter om "
            f"{len(d.changes)} tjänster ({d.hidden_changes} antal dolda, 1–4)."
        )
    steps = ", ".join(
        f"{k} {v:.1f} s".replace(".", ",")
        for k, v in result.timings.items()
        if k != "totalt"
    )
    lines.append(
        f"Tid: {result.timings['totalt']:.1f} s ({steps}).".replace(".", ",", 1)
    )
    payload: dict[str, Any] = {
        "html": str(result.html),
        "csv": [str(p) for p in result.csvs],
        "maps": {k: str(v) for k, v in result.maps.items()},
        "data_date": result.meta.data_date,
        "weighted": analysis.population is not None,
        "basis": basis.value,
        "largest_gaps": [_row_json(r) for r in largest],
        "largest_gaps_by_residents": [_row_json(r) for r in by_residents],
        "residents": [
            {
                "municipality": g.kommun,
                "service": g.group_id,
                "threshold_km": g.km,
                "residents": g.residents,
                "beyond": g.beyond,
                "share_percent": round(g.share, 1),
                "not_placed": g.not_placed,
                "not_placed_rough": g.not_placed_rough,
            }
            for g in result.resident_gaps
        ],
        "data_age": [
            {
                "category": a.category,
                "points": a.points,
                "oldest": a.oldest.isoformat() if a.oldest else None,
                "newest": a.newest.isoformat() if a.newest else None,
                "older_than_limit": a.older_than_limit,
                "limit_years": a.limit_years,
            }
            for a in result.ages
        ],
        "no_data": [d.group.id for d in analysis.groups if not d.has_data],
        "demand": None
        if result.demand is None
        else {
            "conversations": result.demand.conversations,
            "searches": result.demand.searches,
            "hidden_rows": result.demand.hidden_rows,
            "change_reports": result.demand.change_reports,
            "changes": {r.service_type: r.reports for r in result.demand.changes},
        },
        "demand_note": result.demand_note,
        "timings_s": {k: round(v, 3) for k, v in result.timings.items()},
    }
    return payload, lines


def _find_point(registry: Registry, words: Sequence[str]) -> ServicePoint:
    text = " ".join(words).strip()
    by_id = registry.by_id(text)
    if by_id is not None:
        return by_id
    matches = ServiceIndex(registry).find_by_name(text, limit=6)
    if not matches:
        raise ServicelotsenError(
            f'Ingen servicepunkt heter "{text}". Sök med `.venv-actions/bin/python -m bot info` eller ange id.'
        )
    top = [m for m in matches if m.score >= matches[0].score - 1.0]
    if len(top) > 1:
        names = "; ".join(
            f"{m.point.name} ({m.point.locality}) [{m.point.id}]" for m in top
        )
        raise ServicelotsenError(
            f'Flera servicepunkter passar "{text}": {names}. Ange id.'
        )
    return top[0].point


def _impact_json(i: ClosureImpact) -> dict[str, Any]:
    return {
        "service": i.group.id,
        "threshold_km": i.group.km,
        "point_id": i.point.id,
        "point_name": i.point.name,
        "nearest_for_localities": len(i.localities),
        "nearest_for_postcodes": len(i.postcodes),
        "new_gap_localities": len(i.new_gap_localities),
        "new_gap_postcodes": len(i.new_gap_postcodes),
        "residents_new_gap": i.residents_new_gap,
        "effects": [
            {
                "area": e.row.place.name,
                "area_id": e.row.place.id,
                "kind": e.row.kind,
                "now_km": round(e.row.nearest.basis_km, 2) if e.row.nearest else None,
                "next_id": e.next.point.id if e.next else None,
                "next_name": e.next.point.name if e.next else None,
                "next_km": round(e.next.basis_km, 2) if e.next else None,
                "new_gap": e.new_gap,
            }
            for e in i.effects
        ],
    }


def _effect_lines(i: ClosureImpact) -> list[str]:
    lines = [
        f"{i.group.name} (gräns {i.group.km_text}): närmast för {_orter(len(i.localities))} "
        f"och {len(i.postcodes)} postnummerområden; nya glapp: "
        f"{_orter(len(i.new_gap_localities))}, {len(i.new_gap_postcodes)} postnummerområden."
    ]
    # the text lists what the counts count, as the JSON's effects do: the
    # orter, then the postnummerområden ("5 postnummerområden" and none shown
    # disagreed with --json)
    if i.localities:
        lines.append("  Orter:")
    for e in i.localities:
        lines.append(f"    {e.row.place.name}: {_effect_text(e)}")
    if i.postcodes:
        lines.append("  Postnummerområden:")
    for e in i.postcodes:
        code = e.row.place.postcodes[0] if e.row.place.postcodes else e.row.place.id
        lines.append(f"    {code} {e.row.place.name}: {_effect_text(e)}")
    return lines


def _effect_text(e: ClosureEffect) -> str:
    nxt = (
        f"{e.next.point.name} ({e.next.point.locality}) {_km(e.next.basis_km)}"
        if e.next
        else "ingen kvar"
    )
    now = _km(e.row.nearest.basis_km if e.row.nearest else None)
    mark = "  NYTT GLAPP" if e.new_gap else ""
    return f"nu {now}, sedan {nxt}{mark}"


def _closure(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    registry = load_registry(args.registry)
    config = _config(args)
    areas = report_areas(Gazetteer.load(args.gazetteer))
    population = None
    if args.population:
        from bot.report.areas import load_population

        population = load_population(args.population, areas)
    analysis: GapAnalysis = analyse_gaps(registry, areas, config, population)
    basis_note = f"Avstånd: {config.basis.label}."
    if args.rank:
        group = config.group(args.rank)
        ranked = rank_closures(analysis, group)[: args.k]
        lines = [
            f"{group.name}: de {len(ranked)} punkter vars stängning ger flest nya "
            f"glapp (gräns {group.km_text}). {basis_note}"
        ]
        for n, i in enumerate(ranked, start=1):
            lost = ", ".join(e.row.place.name for e in i.new_gap_localities) or "–"
            lines.append(
                f"  {n}. {i.point.name} ({i.point.locality}) [{i.point.id}]: närmast för "
                f"{_orter(len(i.localities))}; nya glapp {_orter(len(i.new_gap_localities))} "
                f"({lost}), {len(i.new_gap_postcodes)} postnummerområden"
            )
        return {
            "service": group.id,
            "ranking": [_impact_json(i) for i in ranked],
        }, lines
    point = _find_point(registry, args.point)
    impacts = point_closures(analysis, point)
    lines = [
        f"Om {point.name} ({point.locality}, {point.municipality}) [{point.id}] stänger:"
    ]
    if not impacts:
        lines.append("  Punkten hör inte till någon av rapportens tjänster.")
    for i in impacts:
        lines += ["  " + line for line in _effect_lines(i)]
    lines.append(basis_note)
    return {"point_id": point.id, "impacts": [_impact_json(i) for i in impacts]}, lines


def main(argv: Sequence[str]) -> int:
    """Run `report` or `closure` (argv starts with the command)."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
        if args.command == "closure" and bool(args.point) == bool(args.rank):
            _subparser(parser, "closure").error(
                "ange antingen en servicepunkt eller --rank TJÄNST"
            )
    except SystemExit as exit_:
        if exit_.code is None:
            return EXIT_OK
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        payload, lines = _report(args) if args.command == "report" else _closure(args)
    except ServicelotsenError as exc:
        if args.json:
            print(
                json.dumps(
                    {
                        "command": args.command,
                        "ok": False,
                        "error": {"code": type(exc).__name__, "message": str(exc)},
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            print(f"Fel: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if args.json:
        print(
            json.dumps(
                {"command": args.command, "ok": True, **payload},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print("\n".join(lines))
    return EXIT_OK
