"""The service-point registry: GeoJSON files in, validated `ServicePoint`s out.

The registry is what residents act on, so a record that is not clearly right
is left out and reported (by id, with a plain Swedish reason) rather than
guessed at; one bad record never stops the rest from loading. The format is
fixed in `docs/contracts.md` ("Service-point registry").
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import InvalidOpeningHours, InvalidRecord, RegistryError
from bot.geo import SWEDEN_BBOX, in_sweden
from bot.opening_hours import validate_opening_hours
from bot.service_types import load_service_types

__all__ = [
    "DEFAULT_REGISTRY_PATH",
    "ENV_REGISTRY",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "InvalidRecord",
    "Registry",
    "RegistryError",
    "Rejected",
    "ServicePoint",
    "load_registry",
    "parse_feature",
    "point_to_feature",
    "registry_path",
    "write_registry",
]

ENV_REGISTRY = "SERVICELOTSEN_REGISTRY"
_REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REGISTRY_PATH = _REPO_ROOT / "data" / "service_points"

#: Required text properties and the Swedish word used when one is missing.
REQUIRED_FIELDS: dict[str, str] = {
    "id": "id",
    "name": "namn (name)",
    "locality": "ort (locality)",
    "municipality": "kommun (municipality)",
    "source": "källa (source)",
}
OPTIONAL_FIELDS: tuple[str, ...] = (
    "address",
    "postcode",
    "opening_hours",
    "phone",
    "website",
    "brand",
    "operator",
)


@dataclass(frozen=True, slots=True)
class ServicePoint:
    """One place where a resident can get a service (shop, pharmacy, ATM...)."""

    id: str
    name: str
    categories: tuple[str, ...]
    lat: float
    lon: float
    locality: str
    municipality: str
    source: str
    source_date: datetime.date
    address: str | None = None
    postcode: str | None = None
    opening_hours: str | None = None
    phone: str | None = None
    website: str | None = None
    brand: str | None = None
    operator: str | None = None
    #: parcel points: the carriers served there, as (carrier id, kind) pairs
    carriers: tuple[tuple[str, str], ...] = ()
    #: merged points: (category, source, source_date) per category
    sources: tuple[tuple[str, str, datetime.date], ...] = ()


@dataclass(frozen=True)
class Rejected:
    """A record left out of the registry, and why (plain Swedish for editors)."""

    id: str | None
    reason: str
    source_file: str


@dataclass
class Registry:
    """The loaded, valid service points plus what was left out.

    Attributes:
        points: valid points, in file order (files sorted by name).
        rejected: every record left out, with the reason.
        files: the GeoJSON files that were read.
    """

    points: tuple[ServicePoint, ...]
    rejected: tuple[Rejected, ...] = ()
    files: tuple[Path, ...] = ()
    _by_id: dict[str, ServicePoint] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._by_id = {p.id: p for p in self.points}

    def __len__(self) -> int:
        return len(self.points)

    def by_id(self, point_id: str) -> ServicePoint | None:
        """The point with this id, or None."""
        return self._by_id.get(point_id)

    def categories_with_data(self) -> set[str]:
        """Categories that have at least one point (others: "no information")."""
        return {c for p in self.points for c in p.categories}

    def in_category(self, category: str) -> tuple[ServicePoint, ...]:
        """All points of one category, in registry order."""
        return tuple(p for p in self.points if category in p.categories)

    def newest_source_date(self) -> datetime.date | None:
        """The most recent `source_date` (None for an empty registry)."""
        return max((p.source_date for p in self.points), default=None)

    def oldest_source_date(self) -> datetime.date | None:
        """The oldest `source_date`: what answers must warn about."""
        return min((p.source_date for p in self.points), default=None)


# ---------------------------------------------------------------- parsing


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _text(props: Mapping[str, Any], key: str) -> str | None:
    value = props.get(key)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # e.g. a postcode or phone read as a number
    if not isinstance(value, str):
        raise InvalidRecord(f"fältet {key} ska vara text", _record_id(props))
    return value.strip() or None


def _record_id(props: Mapping[str, Any]) -> str | None:
    value = props.get("id")
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _coordinates(feature: Mapping[str, Any], rid: str | None) -> tuple[float, float]:
    geometry = feature.get("geometry")
    if not isinstance(geometry, Mapping) or geometry.get("coordinates") in (None, []):
        raise InvalidRecord("saknar koordinater", rid)
    if geometry.get("type") != "Point":
        raise InvalidRecord(
            f"geometrin ska vara en punkt (Point), inte {geometry.get('type')!r}", rid
        )
    coords = geometry.get("coordinates")
    if not isinstance(coords, Sequence) or isinstance(coords, str) or len(coords) < 2:
        raise InvalidRecord("ogiltiga koordinater (ska vara [lon, lat])", rid)
    lon, lat = coords[0], coords[1]
    if not (_is_number(lon) and _is_number(lat)):
        raise InvalidRecord("ogiltiga koordinater (ska vara två tal: [lon, lat])", rid)
    lon, lat = float(lon), float(lat)
    if not in_sweden(lat, lon):
        if in_sweden(lon, lat):
            raise InvalidRecord(
                "ligger utanför Sverige: lat och lon verkar omkastade "
                "(GeoJSON skriver [lon, lat])",
                rid,
            )
        b = SWEDEN_BBOX
        raise InvalidRecord(
            f"ligger utanför Sverige (lat {lat:.4f}, lon {lon:.4f}; "
            f"väntat lat {b.min_lat}–{b.max_lat}, lon {b.min_lon}–{b.max_lon})",
            rid,
        )
    return lat, lon


def _source_date(props: Mapping[str, Any], rid: str | None) -> datetime.date:
    value = props.get("source_date")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidRecord("saknar källdatum (source_date)", rid)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        day = value  # YAML/CSV importers may hand over a date object
    else:
        try:
            if not isinstance(value, str) or len(value.strip()) != 10:
                raise ValueError(value)
            day = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidRecord(
                f"ogiltigt källdatum {value!r} (ska vara ÅÅÅÅ-MM-DD)", rid
            ) from None
    if day > datetime.date.today() + datetime.timedelta(days=1):
        raise InvalidRecord(f"källdatum {day.isoformat()} ligger i framtiden", rid)
    return day


def _categories(
    props: Mapping[str, Any], rid: str | None, known: Iterable[str]
) -> tuple[str, ...]:
    raw = props.get("categories")
    if raw is None or raw == [] or raw == "":
        raise InvalidRecord("saknar kategori (categories)", rid)
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise InvalidRecord("categories ska vara en lista med kategorier", rid)
    cats = tuple(dict.fromkeys(c.strip() for c in raw if c.strip()))
    if not cats:
        raise InvalidRecord("saknar kategori (categories)", rid)
    known_set = set(known)
    unknown = [c for c in cats if c not in known_set]
    if unknown:
        raise InvalidRecord(
            "okänd kategori: "
            + ", ".join(unknown)
            + " (tillåtna: "
            + ", ".join(sorted(known_set))
            + ")",
            rid,
        )
    return cats


def _carriers(props: Mapping[str, Any], rid: str | None) -> tuple[tuple[str, str], ...]:
    """`carriers`: ids, or {"id": …, "kind": "ombud"|"paketskåp"} entries."""
    raw = props.get("carriers")
    if raw in (None, [], {}):
        return ()
    if isinstance(raw, Mapping):
        raw = [{"id": k, "kind": v} for k, v in raw.items()]
    if not isinstance(raw, list):
        raise InvalidRecord("carriers ska vara en lista med transportföretag", rid)
    found: list[tuple[str, str]] = []
    for item in raw:
        cid: Any
        kind: Any
        if isinstance(item, str):
            cid, kind = item, "ombud"
        elif isinstance(item, Mapping):
            cid = item.get("id") or item.get("carrier")
            kind = item.get("kind") or "ombud"
        else:
            cid, kind = None, None
        if not isinstance(cid, str) or not cid.strip() or not isinstance(kind, str):
            raise InvalidRecord(f"ogiltigt transportföretag i carriers: {item!r}", rid)
        found.append((cid.strip().lower(), kind.strip()))
    return tuple(found)


def _sources(
    props: Mapping[str, Any], rid: str | None
) -> tuple[tuple[str, str, datetime.date], ...]:
    """`sources`: one {category, source, source_date} per category (a list or
    a mapping category -> {source, source_date})."""
    raw = props.get("sources")
    if raw in (None, [], {}):
        return ()
    if isinstance(raw, Mapping):
        raw = [
            {"category": k, **v} if isinstance(v, Mapping) else {"category": k}
            for k, v in raw.items()
        ]
    if not isinstance(raw, list):
        raise InvalidRecord("sources ska vara en lista", rid)
    found: list[tuple[str, str, datetime.date]] = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise InvalidRecord("sources ska vara en lista med källor", rid)
        category = item.get("category")
        source = item.get("source")
        if not isinstance(category, str) or not isinstance(source, str):
            raise InvalidRecord(f"ogiltig källa i sources: {item!r}", rid)
        found.append((category, source, _source_date(item, rid)))
    return tuple(found)


def parse_feature(
    feature: Mapping[str, Any], *, known_categories: Iterable[str] | None = None
) -> ServicePoint:
    """Turn one GeoJSON Feature into a `ServicePoint`, or say why not.

    Args:
        feature: a GeoJSON Feature (mapping) as read from the file.
        known_categories: allowed category ids; default from
            `data/service_types.yml`.

    Raises:
        InvalidRecord: with a plain Swedish reason and the record's id (if any).
    """
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise InvalidRecord("posten är ingen GeoJSON Feature")
    props = feature.get("properties")
    if not isinstance(props, Mapping):
        raise InvalidRecord("posten saknar properties")
    rid = _record_id(props)
    values: dict[str, str] = {}
    for key, word in REQUIRED_FIELDS.items():
        value = rid if key == "id" else _text(props, key)
        if not value:
            raise InvalidRecord(f"saknar {word}", rid)
        values[key] = value
    if known_categories is None:
        known_categories = load_service_types().keys()
    categories = _categories(props, rid, known_categories)
    lat, lon = _coordinates(feature, rid)
    day = _source_date(props, rid)
    optional = {key: _text(props, key) for key in OPTIONAL_FIELDS}
    carriers = _carriers(props, rid)
    sources = _sources(props, rid)
    if optional["opening_hours"] is not None:
        try:
            optional["opening_hours"] = validate_opening_hours(
                optional["opening_hours"]
            )
        except InvalidOpeningHours as exc:
            raise InvalidRecord(str(exc), rid) from None
    return ServicePoint(
        id=values["id"],
        name=values["name"],
        categories=categories,
        lat=lat,
        lon=lon,
        locality=values["locality"],
        municipality=values["municipality"],
        source=values["source"],
        source_date=day,
        carriers=carriers,
        sources=sources,
        **optional,
    )


def point_to_feature(p: ServicePoint) -> dict[str, Any]:
    """The GeoJSON Feature for a point (contract order; empty optionals left out)."""
    props: dict[str, Any] = {
        "id": p.id,
        "name": p.name,
        "categories": list(p.categories),
        "locality": p.locality,
        "municipality": p.municipality,
    }
    for key in OPTIONAL_FIELDS:
        value = getattr(p, key)
        if value is not None:
            props[key] = value
    if p.carriers:
        props["carriers"] = [{"id": c, "kind": k} for c, k in p.carriers]
    props["source"] = p.source
    props["source_date"] = p.source_date.isoformat()
    if p.sources:
        props["sources"] = [
            {"category": c, "source": s, "source_date": d.isoformat()}
            for c, s, d in p.sources
        ]
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
        "properties": props,
    }


# ---------------------------------------------------------------- files


def registry_path(path: str | Path | None = None) -> Path:
    """Resolve which registry to read: argument, env var, or the default.

    A relative path is taken from the current directory first, then from the
    repository root (so `make run` works from anywhere in the tree).
    """
    if path is None:
        env = os.environ.get(ENV_REGISTRY, "").strip()
        if not env:
            return DEFAULT_REGISTRY_PATH
        path = env
    p = Path(path).expanduser()
    if not p.is_absolute() and not p.exists() and (_REPO_ROOT / p).exists():
        return _REPO_ROOT / p
    return p


def _read_features(file: Path) -> list[Any]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegistryError(
            f"Kan inte läsa registerfilen {file}: {exc.strerror or exc}. "
            "Kontrollera att filen finns och är läsbar."
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RegistryError(
            f"Registerfilen {file} är inte giltig JSON ({exc}). Rätta filen, "
            "eller kör importen igen, eller peka SERVICELOTSEN_REGISTRY på en "
            "annan fil."
        ) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise RegistryError(
            f"Registerfilen {file} är ingen GeoJSON FeatureCollection. "
            'Filen ska börja med {"type": "FeatureCollection", "features": [...]}.'
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise RegistryError(f"Registerfilen {file} saknar listan 'features'.")
    return features


def load_registry(path: str | Path | None = None) -> Registry:
    """Load a registry file, or every `*.geojson` in a folder (sorted by name).

    Args:
        path: a file or folder; default `$SERVICELOTSEN_REGISTRY`, else
            `data/service_points/`.

    Returns:
        The valid points and a list of rejected records. A duplicate id keeps
        the first occurrence (files in name order) and rejects the later ones.

    Raises:
        RegistryError: the path is missing, holds no GeoJSON files, or a file
            is not readable GeoJSON (an operator must act; single bad records
            never raise).
    """
    root = registry_path(path)
    if root.is_dir():
        files = tuple(sorted(f for f in root.glob("*.geojson") if f.is_file()))
        if not files:
            raise RegistryError(
                f"Mappen {root} innehåller inga .geojson-filer. Importera data "
                "(se README: import av servicepunkter) eller peka "
                f"{ENV_REGISTRY} på en registerfil."
            )
    elif root.is_file():
        files = (root,)
    else:
        raise RegistryError(
            f"Registret {root} finns inte. Sätt {ENV_REGISTRY} till en GeoJSON-fil "
            f"eller en mapp med .geojson-filer (standard: {DEFAULT_REGISTRY_PATH})."
        )

    known = frozenset(load_service_types())
    points: list[ServicePoint] = []
    rejected: list[Rejected] = []
    seen: dict[str, str] = {}
    for file in files:
        for feature in _read_features(file):
            try:
                point = parse_feature(feature, known_categories=known)
            except InvalidRecord as exc:
                rejected.append(Rejected(exc.record_id, exc.reason, str(file)))
                continue
            if point.id in seen:
                where = "samma fil" if seen[point.id] == str(file) else seen[point.id]
                rejected.append(
                    Rejected(point.id, f"dubblett: id finns redan ({where})", str(file))
                )
                continue
            seen[point.id] = str(file)
            points.append(point)
    return Registry(points=tuple(points), rejected=tuple(rejected), files=files)


def _sort_key(p: ServicePoint) -> tuple[str, str]:
    return (p.id, p.name)


def write_registry(points: Iterable[ServicePoint], path: Path) -> None:
    """Write points as a GeoJSON FeatureCollection, atomically and stably.

    Sorted by id with a fixed key order, so re-running an import gives an
    identical file (clean diffs). Written to a temp file in the same folder
    and moved into place with `os.replace`, so readers never see a half
    written registry.

    Raises:
        ValueError: two points share an id (the file would load with losses).
    """
    ordered = sorted(points, key=_sort_key)
    counts = Counter(p.id for p in ordered)
    dupes = sorted(i for i, n in counts.items() if n > 1)
    if dupes:
        raise ValueError(f"duplicate ids, not written: {', '.join(dupes[:10])}")
    # One feature per line: readable, and a re-import's diff shows exactly
    # which records changed.
    lines = [
        json.dumps(point_to_feature(p), ensure_ascii=False, separators=(", ", ": "))
        for p in ordered
    ]
    body = "\n" + ",\n".join(lines) + "\n" if lines else ""
    text = '{"type": "FeatureCollection", "features": [' + body + "]}\n"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        # mkstemp makes the file 0600; give it the usual mode for data files
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
