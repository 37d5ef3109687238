"""Build data/knowledge/bibliotek.yml: what the bot may say about libraries.

From ../shared/reference/bibliotek-leads (facts from the kommuner's library
pages and local news, 2015-2023, each with its page and period). The leads
have no positions and none are made up: a library is not a service point
until a kommun loads it with its address and position (docs/bibliotek-import.md).
The bot states these facts with their source and date instead.

Usage:
    python scripts/build_libraries.py [--reference DIR] [--check]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "knowledge" / "bibliotek.yml"
REFERENCE_ENV = "SERVICELOTSEN_REFERENCE_DIR"
FILE = ("bibliotek-leads", "blekinge_bibliotek_leads_from_web_pages.csv")

HEADER = """\
# Servicelotsen: vad boten vet om biblioteken i Blekinge (skapad av
# scripts/build_libraries.py; ändra i källan eller i skriptet, inte här).
#
# Uppgifterna kommer från kommunernas och lokaltidningarnas webbsidor
# (2015-2023). De har INGEN position: ett bibliotek blir en servicepunkt först
# när kommunen läser in det med adress och position (docs/bibliotek-import.md).
# Boten säger uppgiften med källa och datum, aldrig en gissad plats.
#
#   namn:      bibliotekets namn så som källan skriver det
#   ort:       orten källan nämner
#   uppgift:   vad källan säger
#   källa:     sidan (url)
#   datum:     när sidan talar om (källans egen datering eller period)
#   säkerhet:  medel eller låg: hur säkert uppgiften fortfarande gäller
"""

_CONFIDENCE = {"medium": "medel", "low": "låg", "high": "hög"}


def build(ref: Path) -> str:
    path = ref.joinpath(*FILE)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    kommuner: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        kommuner.setdefault(row["kommun"].strip(), []).append(
            {
                "namn": row["name"].strip(),
                "ort": row["locality"].strip(),
                "uppgift": " ".join(row["detail"].split()),
                "källa": row["source_url"].strip(),
                "datum": row["source_date_or_period"].strip(),
                "säkerhet": _CONFIDENCE.get(row["confidence"].strip(), "låg"),
            }
        )
    data = {
        "bibliotek": [
            {"kommun": kommun, "uppgifter": entries}
            for kommun, entries in sorted(kommuner.items())
        ]
    }
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=88)
    return HEADER + "\n" + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    env = os.environ.get(REFERENCE_ENV)
    ref = args.reference or (Path(env) if env else ROOT.parent / "shared" / "reference")
    if not ref.joinpath(*FILE).is_file():
        print(f"Hittar inte {ref.joinpath(*FILE)}.", file=sys.stderr)
        return 2
    text = build(ref)
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out} är {'aktuell' if same else 'inte aktuell'}.")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"Skrev {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
