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

Exit code 0 when the file was written, 1 when the import failed (the old
file is then untouched).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.errors import ImportFailed
from bot.importers.base import ImportReport, parse_day
from bot.importers.csv import import_csv
from bot.importers.geojson import import_geojson
from bot.importers.osm import import_osm


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.importers",
        description="Importera servicepunkter till registret (GeoJSON).",
    )
    sub = parser.add_subparsers(dest="kind", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("input", type=Path, help="filen som ska importeras")
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

    osm = sub.add_parser("osm", help="OpenStreetMap: .osm.pbf, .osm, Overpass .json")
    common(osm)
    osm.add_argument("--tags", type=Path, help="annan taggtabell än data/osm_tags.yml")

    gj = sub.add_parser("geojson", help="en annan GeoJSON-fil")
    common(gj)
    gj.add_argument("--source", help="källa för poster som saknar source")
    gj.add_argument("--source-date", help="datum (ÅÅÅÅ-MM-DD) för poster utan")

    cs = sub.add_parser("csv", help="CSV med en mappningsfil (YAML)")
    common(cs)
    cs.add_argument("--mapping", type=Path, required=True, help="mappningsfilen")

    def preset(p: argparse.ArgumentParser, mapping: str) -> None:
        p.add_argument("input", type=Path, help="filen som ska importeras")
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
            help="listans datum ÅÅÅÅ-MM-DD (annars ett datum i filnamnet)",
        )
        p.add_argument("--source", help="annan källa än mappningsfilens")
        p.add_argument("--mapping", type=Path, help=f"annan mappningsfil än {mapping}")

    pipos = sub.add_parser(
        "pipos",
        help="export från Tillväxtverkets Pipos Serviceanalys (xlsx eller csv)",
    )
    preset(pipos, "data/importers/pipos.yml")
    carriers = sub.add_parser(
        "carriers",
        help="transportföretagens ombudslistor (operatör, slag, namn, adress, position)",
    )
    preset(carriers, "data/importers/carriers.yml")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one import and print its report in Swedish."""
    args = _parser().parse_args(argv)
    use_gazetteer = not args.no_gazetteer
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
            if args.out is None:
                print(report.summary(max_lines=200))
                print("Kontroll: ingen fil skrevs (ange --out för att skriva).")
                return 0
        else:
            report = import_csv(
                args.input,
                args.mapping,
                args.out,
                merge=args.merge,
                use_gazetteer=use_gazetteer,
            )
    except ImportFailed as exc:
        print(f"Importen misslyckades: {exc}", file=sys.stderr)
        print("Registret är oförändrat.", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"Ogiltigt värde: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
