"""Kommun and län borders for the report's maps (`data/gazetteer/borders.geojson`).

Built by `scripts/build_borders.py` from sweden-geojson (simplified borders;
see data/ATTRIBUTION.md). Only drawn, never used to measure anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import ServicelotsenError

__all__ = ["DEFAULT_BORDERS_PATH", "Border", "BordersError", "load_borders"]

DEFAULT_BORDERS_PATH = (
    Path(__file__).resolve().parents[2] / "data" / "gazetteer" / "borders.geojson"
)

Ring = list[tuple[float, float]]


class BordersError(ServicelotsenError):
    """The borders file is missing or not what `scripts/build_borders.py` writes."""


@dataclass(frozen=True)
class Border:
    """One kommun (kind "kommun") or neighbouring län (kind "län").

    `polygons` holds each polygon's rings as (lon, lat) pairs: the outer
    ring first, then any holes.
    """

    kind: str
    name: str
    code: str | None
    polygons: tuple[tuple[Ring, ...], ...]


def _polygons(geometry: Any) -> tuple[tuple[Ring, ...], ...]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        coords = [coords]
    elif kind != "MultiPolygon":
        raise BordersError(f"väntade Polygon eller MultiPolygon, fick {kind!r}")
    return tuple(
        tuple([(float(x), float(y)) for x, y, *_ in ring] for ring in polygon)
        for polygon in coords
    )


def load_borders(path: Path | None = None) -> tuple[Border, ...]:
    """Read the borders file.

    Raises:
        BordersError: the file is missing or malformed (run
            scripts/build_borders.py).
    """
    file = path or DEFAULT_BORDERS_PATH
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        borders = tuple(
            Border(
                kind=str(f["properties"]["kind"]),
                name=str(f["properties"]["name"]),
                code=f["properties"].get("code"),
                polygons=_polygons(f["geometry"]),
            )
            for f in data["features"]
        )
    except FileNotFoundError:
        raise BordersError(
            f"gränsfilen {file} saknas: kör python scripts/build_borders.py"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BordersError(f"gränsfilen {file} går inte att läsa: {exc}") from None
    if not any(b.kind == "kommun" for b in borders):
        raise BordersError(f"gränsfilen {file} har inga kommuner")
    return borders
