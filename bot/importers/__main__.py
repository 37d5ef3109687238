"""Command line for the importers (editors refresh the registry with it).

Examples::

    python -m bot.importers osm blekinge-latest.osm.pbf \\
        --out data/service_points/osm.geojson
    python -m bot.importers csv apoteksombud.csv --mapping lv.yml \\
        --out data/service_points/apoteksombud.geojson
    python -m bot.importers geojson annan-region.geojson \\
        --out data/service_points/annan.geojson --merge

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
