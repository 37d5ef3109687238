"""Import (merge and validate) service points from another GeoJSON file.

For data a region already has as GeoJSON: another project's registry, an
export from a GIS, a file an editor prepared. Each feature is checked exactly
as the bot checks its registry; bad ones are skipped with the reason. Areas
(Polygon/MultiPolygon) are reduced to their centroid; properties the registry
does not know are dropped.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.errors import ImportFailed
from bot.importers.base import (
    ImportReport,
    Locator,
    PointBuilder,
    default_locator,
    polygon_centroid,
    write_import,
)
from bot.registry import OPTIONAL_FIELDS, REQUIRED_FIELDS

__all__ = ["import_geojson", "read_features"]

_KNOWN = (*REQUIRED_FIELDS, "categories", "source_date", *OPTIONAL_FIELDS)


def read_features(path: Path) -> list[Any]:
    """The features of a GeoJSON FeatureCollection file.

    Raises:
        ImportFailed: missing file, not JSON, or not a FeatureCollection.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ImportFailed("filen finns inte", str(path)) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailed(f"filen är inte giltig JSON ({exc})", str(path)) from exc
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise ImportFailed(
            'filen är ingen GeoJSON FeatureCollection ({"type": '
            '"FeatureCollection", "features": [...]})',
            str(path),
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise ImportFailed("listan 'features' saknas", str(path))
    return features


def _ring_points(coords: Any) -> list[tuple[float, float]]:
    # GeoJSON positions are [lon, lat]; return (lat, lon)
    return [
        (float(c[1]), float(c[0]))
        for c in coords
        if isinstance(c, Sequence) and len(c) >= 2
    ]


def _position(geometry: Any) -> tuple[Any, Any, str | None]:
    """(lat, lon, note) for a geometry; lat/lon None when unusable."""
    if not isinstance(geometry, Mapping):
        return None, None, None
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    try:
        if kind == "Point" and isinstance(coords, Sequence) and len(coords) >= 2:
            return coords[1], coords[0], None
        if kind == "Polygon" and coords:
            lat, lon = polygon_centroid(_ring_points(coords[0]))
            return lat, lon, "ytan ersattes av sin mittpunkt"
        if kind == "MultiPolygon" and coords:
            # the largest outer ring stands for the place
            rings = [_ring_points(poly[0]) for poly in coords if poly]
            lat, lon = polygon_centroid(max(rings, key=len))
            return lat, lon, "ytan ersattes av sin mittpunkt"
    except (TypeError, ValueError, IndexError):
        return None, None, None
    return None, None, None


def import_geojson(
    input_path: Path,
    output: Path,
    *,
    merge: bool = False,
    default_source: str | None = None,
    default_source_date: datetime.date | None = None,
    locator: Locator | None = None,
    use_gazetteer: bool = True,
) -> ImportReport:
    """Validate another GeoJSON file and write its good records to `output`.

    Args:
        input_path: a GeoJSON FeatureCollection.
        output: the registry file to (re)write.
        merge: keep other records already in `output`.
        default_source, default_source_date: for features that lack them
            (say where the file came from); never overrides a feature's own.
        locator: fills a missing ort/kommun; default the gazetteer.
        use_gazetteer: False to require the fields in the file.

    Raises:
        ImportFailed: the file is unusable or holds no valid record.
    """
    report = ImportReport(importer="geojson", input=str(input_path))
    report.source_date = default_source_date
    features = read_features(Path(input_path))
    if locator is None and use_gazetteer:
        locator = default_locator()
    builder = PointBuilder(report, locator=locator)
    for i, feature in enumerate(features, start=1):
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            builder.skip(f"post {i}", "posten är ingen GeoJSON Feature")
            continue
        raw = feature.get("properties")
        props: dict[str, Any] = dict(raw) if isinstance(raw, Mapping) else {}
        ref = str(props.get("id") or f"post {i}")
        props = {k: v for k, v in props.items() if k in _KNOWN}
        if isinstance(props.get("categories"), str):
            text = props["categories"].replace(";", ",")
            props["categories"] = [c.strip() for c in text.split(",") if c.strip()]
        if not props.get("source") and default_source:
            props["source"] = default_source
        if not props.get("source_date") and default_source_date:
            props["source_date"] = default_source_date
        lat, lon, note = _position(feature.get("geometry"))
        if lat is None:
            builder.skip(ref, "saknar användbar geometri (Point eller yta)")
            continue
        if builder.add(ref, props, lat, lon) is not None and note:
            builder.note(ref, note)
    return write_import(builder.finish(), Path(output), report, merge=merge)
