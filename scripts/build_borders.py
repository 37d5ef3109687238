"""Build data/gazetteer/borders.geojson: the borders the region's report draws.

Blekinge's five kommun borders and the outlines of the neighbouring län
(Skåne, Kronoberg, Kalmar), taken from sweden-geojson in ../shared/reference
(okfse/sweden-geojson, converted from Valmyndigheten's borders, simplified;
"Feel free to reuse"; see data/ATTRIBUTION.md). Only the geometry, the SCB
kommun code and the name are kept, with positions rounded to 5 decimals
(about 1 m, far finer than the simplified source). The result is committed,
so `make report` needs nothing from ../shared.

Usage:
    python scripts/build_borders.py [--reference DIR] [--output FILE] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts import reference_data  # noqa: E402

DEFAULT_OUTPUT = ROOT / "data" / "gazetteer" / "borders.geojson"
#: The län drawn around Blekinge for orientation.
NEIGHBOURS = ("Skåne", "Kronoberg", "Kalmar")
SOURCE = {
    "title": "sweden-geojson (kommun- och länsgränser)",
    "licence": 'fri återanvändning (README: "Feel free to reuse")',
    "attribution": "okfse/sweden-geojson; Valmyndigheten",
    "url": "https://github.com/okfse/sweden-geojson",
    "version": "okfse/sweden-geojson@ff67bcb030d7d09032ae5f443d27130f05fdf1e0",
}


def _round(value: Any) -> Any:
    if isinstance(value, list):
        return [_round(v) for v in value]
    if isinstance(value, float):
        return round(value, 5)
    return value


def _feature(kind: str, code: str | None, name: str, geometry: Any) -> dict[str, Any]:
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"{name}: väntade en polygon, fick {geometry.get('type')}")
    props: dict[str, Any] = {"kind": kind, "name": name}
    if code is not None:
        props["code"] = code
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {
            "type": geometry["type"],
            "coordinates": _round(geometry["coordinates"]),
        },
    }


def build(ref: Path) -> dict[str, Any]:
    """The borders document, from the reference folder."""
    folder = ref / "sweden-geojson"
    kommuner = json.loads(
        (folder / "blekinge_municipalities.geojson").read_text("utf-8")
    )
    features = [
        _feature(
            "kommun",
            str(f["properties"]["id"]),
            str(f["properties"]["kom_namn"]),
            f["geometry"],
        )
        for f in sorted(kommuner["features"], key=lambda f: f["properties"]["id"])
    ]
    regions = json.loads((folder / "swedish_regions.geojson").read_text("utf-8"))
    by_name = {f["properties"]["name"]: f for f in regions["features"]}
    for name in NEIGHBOURS:
        features.append(_feature("län", None, name, by_name[name]["geometry"]))
    return {
        "type": "FeatureCollection",
        "about": (
            "Blekinges kommungränser och grannlänens konturer för kartorna i "
            "servicerapporten. Byggd av scripts/build_borders.py; ändra inte för "
            "hand. Förenklade gränser (kust och öar grovt). Källa: data/ATTRIBUTION.md."
        ),
        "source": SOURCE,
        "features": features,
    }


def dumps(document: dict[str, Any]) -> str:
    head = {k: v for k, v in document.items() if k != "features"}
    lines = [
        json.dumps(f, ensure_ascii=False, separators=(",", ":"))
        for f in document["features"]
    ]
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    return text + ',\n "features": [\n' + ",\n".join(lines) + "\n ]\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    reference_data.add_arguments(parser, DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    ref = reference_data.reference_dir(
        args.reference, "sweden-geojson/blekinge_municipalities.geojson", "sweden-geojson"
    )
    if ref is None:
        return 2
    text = dumps(build(ref))
    done = reference_data.write_or_check(
        text, args.output, args.check, "scripts/build_borders.py"
    )
    if not args.check:
        print(f"Skrev {args.output} ({text.count(chr(10) + '{')} gränser).")
    return done


if __name__ == "__main__":
    raise SystemExit(main())
