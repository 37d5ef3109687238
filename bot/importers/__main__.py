"""Command line for the importers (editors refresh the registry with it).

Examples::

    python -m bot.importers osm blekinge-latest.osm.pbf \\
        --out data/service_points/osm.geojson
    python -m bot.importers csv apoteksombud.csv --mapping lv.yml \\
        --out data/service_points/apoteksombud.geojson
    python -m bot.importers geojson annan-region.geojson \\
        --out data/service_points/annan.geojson --merge
    python -m bot import pipos pipos_apoteksvaror_2025-11-12.xlsx   # check only
    python -m bot import carriers ombud.csv --source-date 2026-01-15 \\
        --out data/service_points/paketombud.geojson

The presets (`pipos`, `carriers`) read their column names and value mappings
from data/importers/*.yml; without --out they only check the file and print
what they would import.

Exit codes: 0 every row imported (file written, or checked without --out);
1 the import failed (the old file is untouched); 2 wrong usage; 3 the file was
written but rows were skipped (the summary says which and why). `--json`
prints the report as JSON (also accepted before `import`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.errors import ImportFailed
from bot.importers.base import ImportReport, parse_day
from bot.importers.csv import import_csv
from bot.importers.geojson import import_geojson
from bot.importers.osm import import_osm

#: Exit codes (module docstring, `--help`).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_SKIPPED = 3


def _parser() -> argparse.ArgumentParser:
    from bot.cli_common import PROG, SwedishParser

    parser = SwedishParser(
        prog=f"{PROG} import",
        description="Importera servicepunkter till registret (GeoJSON).",
        epilog="Slutkod: 0 = alla rader importerade, 1 = importen misslyckades "
        "(registret oförändrat), 2 = fel användning, 3 = filen skrevs men rader "
        "hoppades över (se sammanfattningen).",
    )
    parser.add_argument(
        "--json", action="store_true", default=False, help="skriv rapporten som JSON"
    )
    sub = parser.add_subparsers(
        dest="kind", required=True, metavar="SLAG", title="slag av import"
    )

    def json_flag(p: argparse.ArgumentParser) -> None:
        # SUPPRESS: a --json before the import's kind is not reset here
        p.add_argument(
            "--json",
            action="store_true",
            default=argparse.SUPPRESS,
            help="skriv rapporten som JSON",
        )

    def common(p: argparse.ArgumentParser) -> None:
        json_flag(p)
        p.add_argument(
            "input", type=Path, metavar="FIL", help="filen som ska importeras"
        )
        p.add_argument(
            "--out", type=Path, required=True, help="registerfilen som skrivs"
        )
        p.add_argument(
            "--merge",
            action="store_true",
            help="behåll övriga poster i --out (ersätt bara samma id)",
        )
        p.add_argument(
            "--no-gazetteer",
            action="store_true",
            help="fyll inte i ort/kommun från ortsdatabasen",
        )

    osm = sub.add_parser(
        "osm",
        help="OpenStreetMap: .osm.pbf, .osm, Overpass .json",
        description="Importera servicepunkter ur OpenStreetMap (taggarna i "
        "data/osm_tags.yml).",
    )
    common(osm)
    osm.add_argument("--tags", type=Path, help="annan taggtabell än data/osm_tags.yml")

    gj = sub.add_parser(
        "geojson",
        help="en annan GeoJSON-fil",
        description="Importera en GeoJSON-fil med servicepunkter (samma fält som "
        "registret).",
    )
    common(gj)
    gj.add_argument("--source", help="källa för poster som saknar source")
    gj.add_argument("--source-date", help="datum (ÅÅÅÅ-MM-DD) för poster utan")

    cs = sub.add_parser(
        "csv",
        help="CSV med en mappningsfil (YAML)",
        description="Importera en CSV-fil; mappningsfilen säger vilken kolumn som "
        "är vad (docs/redaktorsguide.md, avsnittet om CSV).",
    )
    common(cs)
    cs.add_argument("--mapping", type=Path, required=True, help="mappningsfilen")

    def preset(p: argparse.ArgumentParser, mapping: str) -> None:
        json_flag(p)
        p.add_argument(
            "input", type=Path, metavar="FIL", help="filen som ska importeras"
        )
        p.add_argument(
            "--out",
            type=Path,
            default=None,
            help="registerfilen som skrivs (utan --out: kontrollera bara filen)",
        )
        p.add_argument(
            "--merge",
            action="store_true",
            help="behåll övriga poster i --out (ersätt bara samma id)",
        )
        p.add_argument(
            "--no-gazetteer",
            action="store_true",
            help="stava inte orter och kommuner efter ortsdatabasen",
        )
        p.add_argument(
            "--source-date",
            metavar="ÅÅÅÅ-MM-DD",
            help="listans datum (annars ett datum i filnamnet)",
        )
        p.add_argument(
            "--source", metavar="TEXT", help="annan källa än mappningsfilens"
        )
        p.add_argument(
            "--mapping",
            type=Path,
            metavar="FIL",
            help=f"annan mappningsfil än {mapping}",
        )

    pipos = sub.add_parser(
        "pipos",
        help="export från Tillväxtverkets Pipos Serviceanalys (xlsx eller csv)",
        description="Importera en export från Pipos Serviceanalys med "
        "kolumnerna i data/importers/pipos.yml. Utan --out kontrolleras bara filen.",
    )
    preset(pipos, "data/importers/pipos.yml")
    carriers = sub.add_parser(
        "carriers",
        help="transportföretagens ombudslistor (operatör, slag, namn, adress, position)",
        description="Importera transportföretagens ombudslistor med kolumnerna i "
        "data/importers/carriers.yml. Utan --out kontrolleras bara filen.",
    )
    preset(carriers, "data/importers/carriers.yml")
    return parser


def _report_json(report: ImportReport, checked_only: bool) -> dict[str, Any]:
    return {
        "command": "import",
        "ok": not report.skipped,
        "importer": report.importer,
        "input": report.input,
        "output": report.output,
        "written": report.written,
        "checked_only": checked_only,
        "imported": report.imported,
        "by_category": dict(sorted(report.by_category.items())),
        "updated": report.updated,
        "kept": report.kept,
        "replaced": report.replaced,
        "skipped": [{"ref": s.ref, "reason": s.reason} for s in report.skipped],
        "notes": [{"ref": s.ref, "reason": s.reason} for s in report.notes],
        "source_date": report.source_date.isoformat() if report.source_date else None,
    }


def _closing(report: ImportReport) -> str:
    """The last line: how many rows, how many skipped, what the exit code means."""
    total = report.imported + len(report.skipped)
    if not report.skipped:
        return f"Sammanfattning: alla {report.imported} poster importerades."
    return (
        f"Sammanfattning: {report.imported} av {total} poster importerades, "
        f"{len(report.skipped)} hoppades över (skälen står ovan). Slutkod "
        f"{EXIT_SKIPPED}: rätta raderna i källfilen och importera igen."
    )


def _fail(message: str, as_json: bool, code: int) -> int:
    if as_json:
        print(
            json.dumps(
                {"command": "import", "ok": False, "error": {"message": message}},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"Fel: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run one import and print its report in Swedish (or JSON)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error already printed
        return exit_.code if isinstance(exit_.code, int) else EXIT_OK
    use_gazetteer = not args.no_gazetteer
    checked_only = False
    try:
        report: ImportReport
        if args.kind == "osm":
            report = import_osm(
                args.input,
                args.out,
                merge=args.merge,
                tag_table=args.tags,
                use_gazetteer=use_gazetteer,
            )
        elif args.kind == "geojson":
            report = import_geojson(
                args.input,
                args.out,
                merge=args.merge,
                default_source=args.source,
                default_source_date=(
                    parse_day(args.source_date) if args.source_date else None
                ),
                use_gazetteer=use_gazetteer,
            )
        elif args.kind in ("pipos", "carriers"):
            from bot.importers.presets import import_carriers, import_pipos

            run = import_pipos if args.kind == "pipos" else import_carriers
            report = run(
                args.input,
                args.out,
                source_date=(parse_day(args.source_date) if args.source_date else None),
                source=args.source,
                merge=args.merge,
                preset=args.mapping,
                use_gazetteer=use_gazetteer,
            )
            checked_only = args.out is None
        else:
            report = import_csv(
                args.input,
                args.mapping,
                args.out,
                merge=args.merge,
                use_gazetteer=use_gazetteer,
            )
    except ImportFailed as exc:
        return _fail(
            f"importen misslyckades: {exc} Registret är oförändrat.",
            args.json,
            EXIT_FAILED,
        )
    except ValueError as exc:
        return _fail(f"ogiltigt värde: {exc}", args.json, EXIT_USAGE)
    if args.json:
        print(
            json.dumps(_report_json(report, checked_only), ensure_ascii=False, indent=2)
        )
    else:
        print(report.summary(max_lines=200 if checked_only else 20))
        if checked_only:
            print("Kontroll: ingen fil skrevs (ange --out för att skriva).")
        print(_closing(report))
    return EXIT_SKIPPED if report.skipped else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
