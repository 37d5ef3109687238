"""A small synthetic region with answers computed by hand.

Every place lies on the meridian 15° E, so each distance is exactly the
latitude difference times `KM_PER_DEGREE` (haversine along a meridian is
R·Δφ), and the road estimate is that times 1.3.

    lat    localities (kommun)    service points
    56.00  Aby (Norrby)           S1 dagligvaror, A1 apotek; postcode 370 10 Aby
    56.05  Bby (Norrby)
    56.08  Cby (Norrby)
    56.20  Dby (Söderby)          S2 dagligvaror
    56.30                         O1 dagligvaror + apoteksombud (a village shop)
    56.40  Eby (Söderby)          postcode 370 99 Eby
    -      Gby (Söderby)          no position
    56.50  Hby (Skåne)            a neighbour outside the county: not measured

Thresholds: dagligvaror 10 km, apotek or apoteksombud 20 km, paketombud
10 km (no data at all), compared as road estimates.

Dagligvaror, nearest / second (crow km):
    Aby S1 0 / S2 22.239       Bby S1 5.560 / S2 16.679
    Cby S1 8.896 / S2 13.343   Dby S2 0 / O1 11.120
    Eby O1 11.120 / S2 22.239
  road: Cby 11.564 and Eby 14.455 are beyond 10 km (the gaps); by crow-flies
  only Eby (11.120) is.
Apotek or apoteksombud: Aby A1 0, Bby A1 5.560, Cby A1 8.896, Dby O1
  11.120, Eby O1 11.120: no gap (road 14.455 < 20).
Closing S1: Aby (next S2, 28.9 km road) and Bby (21.7) become gaps, Cby
  was one already (next 17.3); postcode 370 10 too.
Closing S2: Dby becomes a gap (next O1, 14.455 road).
Closing O1: dagligvaror: Eby was a gap already (next S2 28.9); apotek: Dby
  (next A1 28.9 road) and Eby (57.8) become gaps, and postcode 370 99.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

KM_PER_DEGREE = 111.1950802335329
ROAD = 1.3
LON = 15.0


def km(degrees: float) -> float:
    """Crow-flies km for a latitude difference along the meridian."""
    return degrees * KM_PER_DEGREE


def _place(
    pid: str,
    name: str,
    lat: float | None,
    municipality: str,
    kind: str = "tätort",
    county: str = "Blekinge",
    postcodes: tuple[str, ...] = (),
    locality_id: str | None = None,
) -> dict[str, Any]:
    code = {"Norrby": "9901", "Söderby": "9902", "Skånby": "9903"}[municipality]
    record: dict[str, Any] = {
        "id": pid,
        "name": name,
        "kind": kind,
        "municipality": municipality,
        "municipality_code": code,
        "municipality_name": f"{municipality} kommun",
        "county": county,
        "lat": lat,
        "lon": None if lat is None else LON,
        "postcodes": list(postcodes),
        "sources": ["testdata"],
    }
    if locality_id:
        record["locality_id"] = locality_id
    return record


PLACES: list[dict[str, Any]] = [
    _place("t-aby", "Aby", 56.00, "Norrby", postcodes=("370 10",)),
    _place("t-bby", "Bby", 56.05, "Norrby"),
    _place("t-cby", "Cby", 56.08, "Norrby"),
    _place("t-dby", "Dby", 56.20, "Söderby"),
    _place("t-eby", "Eby", 56.40, "Söderby", postcodes=("370 99",)),
    _place("t-gby", "Gby", None, "Söderby"),
    _place("t-hby", "Hby", 56.50, "Skånby", county="Skåne"),
    _place(
        "postnr-37010",
        "Aby",
        56.00,
        "Norrby",
        kind="postnummerområde",
        postcodes=("370 10",),
        locality_id="t-aby",
    ),
    _place(
        "postnr-37099",
        "Eby",
        56.40,
        "Söderby",
        kind="postnummerområde",
        postcodes=("370 99",),
        locality_id="t-eby",
    ),
]


def _point(
    pid: str, name: str, lat: float, categories: list[str], locality: str
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [LON, lat]},
        "properties": {
            "id": pid,
            "name": name,
            "categories": categories,
            "locality": locality,
            "municipality": "Norrby" if lat < 56.1 else "Söderby",
            "source": "testdata (påhittad, för tester)",
            "source_date": "2026-01-15" if pid != "O1" else "2025-06-01",
        },
    }


POINTS: list[dict[str, Any]] = [
    _point("S1", "Testbutik Aby", 56.00, ["dagligvaror"], "Aby"),
    _point("A1", "Testapotek Aby", 56.00, ["apotek"], "Aby"),
    _point("S2", "Testbutik Dby", 56.20, ["dagligvaror"], "Dby"),
    _point("O1", "Testlanthandel Oby", 56.30, ["dagligvaror", "apoteksombud"], "Oby"),
]

THRESHOLDS = """\
avstånd: väg
tjänster:
  - id: dagligvaror
    namn: Dagligvaror
    kategorier: [dagligvaror]
    km: 10
  - id: apotek
    namn: Apotek eller apoteksombud
    kategorier: [apotek, apoteksombud]
    km: 20
  - id: paketombud
    namn: Paketombud
    kategorier: [paketombud]
    km: 10
"""


def write_region(folder: Path) -> tuple[Path, Path, Path]:
    """Write (registry.geojson, places.json, thresholds.yml) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    registry = folder / "registry.geojson"
    registry.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": POINTS}, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    places = folder / "places.json"
    places.write_text(
        json.dumps({"places": PLACES, "other_names": []}, ensure_ascii=False),
        encoding="utf-8",
    )
    thresholds = folder / "thresholds.yml"
    thresholds.write_text(THRESHOLDS, encoding="utf-8")
    return registry, places, thresholds
