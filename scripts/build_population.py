"""Build data/population/: residents per tätort (SCB 2020) for the region's report.

Derived from ../shared/reference/scb-tatorter-2020 (CC BY 4.0, "Bearbetning
av data från SCB (Statistiska tätorter 2020)"); the files there are not
copied, only the figures this report needs:

- data/population/tatorter_2020.csv: one row per tätort: SCB's code, name,
  kommun, residents 2020-12-31, SCB's own reference point (WGS84), and the
  id of the same place in our gazetteer (`ortregister_id`) where there is
  one: same name in the same kommun, or a gazetteer ort of the same kommun
  named in the tätort's name within 2 km of SCB's point ("Horsaryd och
  Stilleryd" is our Stilleryd). A tätort without one is measured from SCB's
  point (a position SCB states, not a guess).
- data/population/kommuner_2020.csv: per kommun the residents in tätorter
  and those outside them, with how the latter was found: SCB's 2020 figure
  where the reference states it (Karlskrona, Karlshamn), else the kommun's
  2023-12-31 total minus its tätorter 2020 ("ungefär"). The report states
  these residents per kommun as not placed; it never spreads them out.

Usage:
    python scripts/build_population.py [--reference DIR] [--out DIR] [--check]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.gazetteer import KIND_ORT, KIND_TATORT, Gazetteer  # noqa: E402
from bot.geo import haversine_km  # noqa: E402
from bot.text import compact_key, fold  # noqa: E402

OUT = ROOT / "data" / "population"
REFERENCE_ENV = "SERVICELOTSEN_REFERENCE_DIR"
FOLDER = "scb-tatorter-2020"
MATCH_KM = 2.0
ATTRIBUTION = "Bearbetning av data från SCB (Statistiska tätorter 2020), CC BY 4.0"

TATORT_COLUMNS = (
    "tatortskod",
    "ort",
    "kommun",
    "invanare",
    "lat",
    "lon",
    "ortregister_id",
    "kalla",
)
KOMMUN_COLUMNS = (
    "kommun",
    "invanare_i_tatorter",
    "invanare_utanfor_tatorter",
    "utanfor_ungefar",
    "utanfor_hur",
    "kalla",
)


def _reference() -> Path:
    env = os.environ.get(REFERENCE_ENV)
    return Path(env) if env else ROOT.parent / "shared" / "reference"


def match_places(rows: list[dict[str, str]], gazetteer: Gazetteer) -> list[str]:
    """The gazetteer id for each SCB row ("" when none fits)."""
    located = [
        p
        for p in gazetteer.places
        if p.in_blekinge and p.kind in (KIND_TATORT, KIND_ORT) and p.has_coordinates
    ]
    out: list[str] = []
    for row in rows:
        key, kommun = compact_key(row["name"]), row["kommun"]
        same = [
            p
            for p in located
            if p.municipality == kommun
            and key in {compact_key(n) for n in (p.name, *p.aliases)}
        ]
        if len(same) == 1:
            out.append(same[0].id)
            continue
        lat, lon = float(row["lat"]), float(row["lon"])
        words = f" {fold(row['name'])} "
        named = [
            p
            for p in located
            if p.municipality == kommun
            and f" {fold(p.name)} " in words
            and p.lat is not None
            and p.lon is not None
            and haversine_km(lat, lon, p.lat, p.lon) <= MATCH_KM
        ]
        out.append(named[0].id if len(named) == 1 else "")
    return out


def build(ref: Path) -> tuple[str, str, list[str]]:
    """(tatorter CSV text, kommuner CSV text, printout lines)."""
    folder = ref / FOLDER
    with (folder / "blekinge_tatorter_2020_scb.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with (folder / "blekinge_kommuner.csv").open(encoding="utf-8") as fh:
        kommun_rows = list(csv.DictReader(fh))
    gazetteer = Gazetteer.load()
    ids = match_places(rows, gazetteer)
    lines = [
        f"Tätorter: {len(rows)}, {sum(int(r['population']) for r in rows)} invånare"
    ]
    tat = io.StringIO()
    w = csv.writer(tat, lineterminator="\n")
    w.writerow(TATORT_COLUMNS)
    for row, place_id in sorted(
        zip(rows, ids, strict=True), key=lambda x: (x[0]["kommun"], x[0]["name"])
    ):
        w.writerow(
            (
                row["tatortskod"],
                row["name"],
                row["kommun"],
                int(row["population"]),
                f"{float(row['lat']):.6f}",
                f"{float(row['lon']):.6f}",
                place_id,
                ATTRIBUTION,
            )
        )
        if not place_id:
            lines.append(
                f"  {row['name']} ({row['kommun']}): inte i ortregistret, mäts från "
                "SCB:s punkt"
            )
    in_tatort: dict[str, int] = {}
    for row in rows:
        in_tatort[row["kommun"]] = in_tatort.get(row["kommun"], 0) + int(
            row["population"]
        )
    kom = io.StringIO()
    w = csv.writer(kom, lineterminator="\n")
    w.writerow(KOMMUN_COLUMNS)
    for kommun in sorted(in_tatort):
        mine = [r for r in kommun_rows if r["kommun"] == kommun]
        stated = next(
            (r for r in mine if r["year"] == "2020" and r["outside_tatort_2020"]), None
        )
        if stated is not None:
            outside, rough = int(stated["outside_tatort_2020"]), "nej"
            how = (
                "folkmängd 2020-12-31 enligt kommunens webbplats "
                "minus tätorterna 2020-12-31"
            )
        else:
            total = next(r for r in mine if r["year"] == "2023")
            outside = int(total["population"]) - in_tatort[kommun]
            rough = "ja"
            how = (
                f"folkmängd {total['ref_date']} ({total['population']}) minus "
                "tätorterna 2020-12-31: olika år, därför ungefär"
            )
        w.writerow((kommun, in_tatort[kommun], outside, rough, how, ATTRIBUTION))
        lines.append(
            f"  {kommun}: {in_tatort[kommun]} i tätorter, {outside} utanför"
            + (" (ungefär)" if rough == "ja" else "")
        )
    return tat.getvalue(), kom.getvalue(), lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    ref = args.reference or _reference()
    if not (ref / FOLDER).is_dir():
        print(f"Hittar inte {ref / FOLDER}.", file=sys.stderr)
        return 2
    tat, kom, lines = build(ref)
    print("\n".join(lines))
    files = {args.out / "tatorter_2020.csv": tat, args.out / "kommuner_2020.csv": kom}
    if args.check:
        stale = [
            p
            for p, text in files.items()
            if not p.is_file() or p.read_text("utf-8") != text
        ]
        for p in stale:
            print(f"{p} är inte aktuell: kör skriptet utan --check.")
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        print(f"Skrev {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
