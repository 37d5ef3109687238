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

from bot.carriers import carrier_name, load_carriers
from bot.errors import InvalidOpeningHours, InvalidRecord, RegistryError
from bot.geo import SWEDEN_BBOX, in_sweden
from bot.opening_hours import validate_opening_hours
from bot.service_types import load_service_types

__all__ = [
    "CARRIER_KINDS",
    "DEFAULT_REGISTRY_PATH",
    "ENV_REGISTRY",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "STATUS_CLOSED",
    "Carrier",
    "Closure",
    "InvalidRecord",
    "Registry",
    "RegistryError",
    "Rejected",
    "ServicePoint",
    "SourceEntry",
    "close_point",
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


#: An agent in a shop (ombud) or a parcel locker (paketskåp).
CARRIER_KINDS: tuple[str, ...] = ("ombud", "paketskåp")
#: The only `status` value: the point no longer exists (kept for history).
STATUS_CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Carrier:
    """One carrier served at a parcel point, and how (ombud or paketskåp)."""

    id: str
    kind: str

    @property
    def name(self) -> str:
        """The carrier's name for residents ("PostNord"; data/carriers.yml)."""
        return carrier_name(self.id)


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """Where one category of a point comes from (points merged from sources).

    Attributes:
        category: the service type this entry speaks for.
        source, source_date: as for a point.
        note: how the fact was derived, when not stated outright (a host
            shop of a grocery chain is also a grocery store).
    """

    category: str
    source: str
    source_date: datetime.date
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Closure:
    """Why and when a point was marked closed (`status: closed`)."""

    date: datetime.date
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class ServicePoint:
    """One place where a resident can get a service (shop, pharmacy, ATM...).

    `source`/`source_date` are the point's own (for a merged point: its oldest
    category's, so nothing reads as newer than it is); `sources` keeps each
    category's own source and date (`source_for`). `carriers` lists the parcel
    carriers served at a parcel point. A point with `closed` set no longer
    exists: the registry keeps it for history and never answers with it.
    """

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
    carriers: tuple[Carrier, ...] = ()
    sources: tuple[SourceEntry, ...] = ()
    closed: Closure | None = None

    @property
    def is_closed(self) -> bool:
        """True for a point marked `status: closed`."""
        return self.closed is not None

    def source_for(self, category: str) -> SourceEntry:
        """The newest source for one category (the point's own if none given)."""
        own = [e for e in self.sources if e.category == category]
        if own:
            return max(own, key=lambda e: e.source_date)
        return SourceEntry(category, self.source, self.source_date)

    def carrier_ids(self, kind: str | None = None) -> tuple[str, ...]:
        """The carriers served here (of one kind, if given), in stored order."""
        return tuple(
            dict.fromkeys(c.id for c in self.carriers if kind in (None, c.kind))
        )

    def serves(self, carrier: str) -> bool:
        """True when this parcel point serves the carrier (an id)."""
        return any(c.id == carrier for c in self.carriers)


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
        points: valid points in service, in file order (files sorted by
            name). Closed points are never among them.
        rejected: every record left out, with the reason.
        files: the GeoJSON files that were read.
        closed: valid points marked closed: kept for history, never answered.
        superseded: records another file holds a newer version of (same id,
            later `source_date`): left out, not an error. An import into
            osm.geojson updates blekinge.geojson's osm-node-* this way.
    """

    points: tuple[ServicePoint, ...]
    rejected: tuple[Rejected, ...] = ()
    files: tuple[Path, ...] = ()
    closed: tuple[ServicePoint, ...] = ()
    superseded: tuple[Rejected, ...] = ()
    _by_id: dict[str, ServicePoint] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._by_id = {p.id: p for p in self.points}

    def __len__(self) -> int:
        return len(self.points)

    def by_id(self, point_id: str) -> ServicePoint | None:
        """The point in service with this id, or None (also for a closed one)."""
        return self._by_id.get(point_id)

    def closed_by_id(self, point_id: str) -> ServicePoint | None:
        """The closed point with this id, or None."""
        return next((p for p in self.closed if p.id == point_id), None)

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


def _as_day(value: Any) -> datetime.date:
    """A YYYY-MM-DD text or a date object (from YAML/CSV importers); else ValueError."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or len(value.strip()) != 10:
        raise ValueError(value)
    return datetime.date.fromisoformat(value.strip())


def _source_date(props: Mapping[str, Any], rid: str | None) -> datetime.date:
    value = props.get("source_date")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidRecord("saknar källdatum (source_date)", rid)
    try:
        day = _as_day(value)
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


def _day(value: Any, what: str, rid: str | None) -> datetime.date:
    """A YYYY-MM-DD date (or a date object) in a nested field, not in the future."""
    try:
        day = _as_day(value)
    except ValueError:
        raise InvalidRecord(
            f"{what}: ogiltigt datum {value!r} (ska vara ÅÅÅÅ-MM-DD)", rid
        ) from None
    if day > datetime.date.today() + datetime.timedelta(days=1):
        raise InvalidRecord(
            f"{what}: datumet {day.isoformat()} ligger i framtiden", rid
        )
    return day


def _carriers(
    props: Mapping[str, Any],
    rid: str | None,
    categories: Sequence[str],
    known: Sequence[str] | None,
) -> tuple[Carrier, ...]:
    raw = props.get("carriers")
    if raw is None or raw == []:
        return ()
    if not isinstance(raw, list):
        raise InvalidRecord(
            'carriers ska vara en lista, t.ex. [{"id": "postnord", "kind": "ombud"}]',
            rid,
        )
    if "paketombud" not in categories:
        raise InvalidRecord(
            "carriers finns bara på paketombud (kategorin paketombud saknas)", rid
        )
    if known is None:
        known = tuple(load_carriers())
    found: list[Carrier] = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise InvalidRecord(
                'varje transportföretag i carriers ska vara {"id": ..., "kind": ...}',
                rid,
            )
        cid, kind = item.get("id"), item.get("kind")
        if cid not in known:
            raise InvalidRecord(
                f"okänt transportföretag {cid!r} i carriers "
                f"(tillåtna: {', '.join(known)}; data/carriers.yml)",
                rid,
            )
        if kind not in CARRIER_KINDS:
            raise InvalidRecord(
                f"okänt slag {kind!r} för {cid} i carriers "
                f"(tillåtna: {', '.join(CARRIER_KINDS)})",
                rid,
            )
        carrier = Carrier(str(cid), str(kind))
        if carrier not in found:
            found.append(carrier)
    return tuple(found)


def _sources(
    props: Mapping[str, Any], rid: str | None, categories: Sequence[str]
) -> tuple[SourceEntry, ...]:
    raw = props.get("sources")
    if raw is None or raw == []:
        return ()
    if not isinstance(raw, list):
        raise InvalidRecord("sources ska vara en lista, en post per kategori", rid)
    found: list[SourceEntry] = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise InvalidRecord(
                "varje post i sources ska ha category, source och source_date", rid
            )
        category = item.get("category")
        if category not in categories:
            raise InvalidRecord(
                f"sources nämner kategorin {category!r} som punkten inte har", rid
            )
        source = item.get("source")
        if not isinstance(source, str) or not source.strip():
            raise InvalidRecord(f"sources: källa saknas för {category}", rid)
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            raise InvalidRecord(f"sources: note för {category} ska vara text", rid)
        day = _day(item.get("source_date"), f"sources ({category})", rid)
        found.append(
            SourceEntry(
                str(category), source.strip(), day, (note or "").strip() or None
            )
        )
    return tuple(found)


def _closure(props: Mapping[str, Any], rid: str | None) -> Closure | None:
    status = props.get("status")
    closed_keys = ("closed_date", "closed_reason", "closed_source")
    if status is None:
        if any(props.get(k) is not None for k in closed_keys):
            raise InvalidRecord(
                "closed_date/closed_reason/closed_source kräver status: closed", rid
            )
        return None
    if status != STATUS_CLOSED:
        raise InvalidRecord(
            f"okänd status {status!r} (den enda är {STATUS_CLOSED!r})", rid
        )
    reason = _text(props, "closed_reason")
    source = _text(props, "closed_source")
    if not reason:
        raise InvalidRecord("stängd punkt utan skäl (closed_reason)", rid)
    if not source:
        raise InvalidRecord("stängd punkt utan källa (closed_source)", rid)
    return Closure(_day(props.get("closed_date"), "closed_date", rid), reason, source)


def parse_feature(
    feature: Mapping[str, Any],
    *,
    known_categories: Iterable[str] | None = None,
    known_carriers: Iterable[str] | None = None,
) -> ServicePoint:
    """Turn one GeoJSON Feature into a `ServicePoint`, or say why not.

    Args:
        feature: a GeoJSON Feature (mapping) as read from the file.
        known_categories: allowed category ids; default from
            `data/service_types.yml`.
        known_carriers: allowed carrier ids; default from `data/carriers.yml`.

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
        **optional,
        carriers=_carriers(
            props,
            rid,
            categories,
            None if known_carriers is None else tuple(known_carriers),
        ),
        sources=_sources(props, rid, categories),
        closed=_closure(props, rid),
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
    props["source"] = p.source
    props["source_date"] = p.source_date.isoformat()
    if p.carriers:
        props["carriers"] = [{"id": c.id, "kind": c.kind} for c in p.carriers]
    if p.sources:
        entries: list[dict[str, Any]] = []
        for e in p.sources:
            entry: dict[str, Any] = {
                "category": e.category,
                "source": e.source,
                "source_date": e.source_date.isoformat(),
            }
            if e.note:
                entry["note"] = e.note
            entries.append(entry)
        props["sources"] = entries
    if p.closed is not None:
        props["status"] = STATUS_CLOSED
        props["closed_date"] = p.closed.date.isoformat()
        props["closed_reason"] = p.closed.reason
        props["closed_source"] = p.closed.source
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
        The valid points and a list of rejected records. The same id in two
        files keeps the record with the later `source_date` (the other is
        `superseded`, not rejected); with equal dates, or twice in one file,
        the first occurrence is kept and the later one rejected as a duplicate.

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
    closed: list[ServicePoint] = []
    rejected: list[Rejected] = []
    superseded: list[Rejected] = []
    seen: dict[str, tuple[str, ServicePoint]] = {}
    for file in files:
        for feature in _read_features(file):
            try:
                point = parse_feature(feature, known_categories=known)
            except InvalidRecord as exc:
                rejected.append(Rejected(exc.record_id, exc.reason, str(file)))
                continue
            if point.id in seen:
                where, earlier = seen[point.id]
                if where != str(file) and point.source_date != earlier.source_date:
                    newer, older = (
                        (point, earlier)
                        if point.source_date > earlier.source_date
                        else (earlier, point)
                    )
                    newer_file = str(file) if newer is point else where
                    older_file = where if newer is point else str(file)
                    superseded.append(
                        Rejected(
                            older.id,
                            f"ersatt av nyare post i {newer_file} (källdatum "
                            f"{newer.source_date.isoformat()}, denna "
                            f"{older.source_date.isoformat()})",
                            older_file,
                        )
                    )
                    if newer is point:
                        bucket = closed if earlier.is_closed else points
                        bucket.remove(earlier)
                        seen[point.id] = (str(file), point)
                        (closed if point.is_closed else points).append(point)
                    continue
                shown = "samma fil" if where == str(file) else where
                rejected.append(
                    Rejected(point.id, f"dubblett: id finns redan ({shown})", str(file))
                )
                continue
            seen[point.id] = (str(file), point)
            (closed if point.is_closed else points).append(point)
    return Registry(
        points=tuple(points),
        rejected=tuple(rejected),
        files=files,
        closed=tuple(closed),
        superseded=tuple(superseded),
    )


def _sort_key(p: ServicePoint) -> tuple[str, str]:
    return (p.id, p.name)


def _write_features(features: Sequence[Mapping[str, Any]], path: Path) -> None:
    """Write features as a FeatureCollection, one per line, atomically."""
    # One feature per line: readable, and a re-import's diff shows exactly
    # which records changed.
    lines = [
        json.dumps(f, ensure_ascii=False, separators=(", ", ": ")) for f in features
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
    _write_features([point_to_feature(p) for p in ordered], Path(path))


def close_point(
    point_id: str,
    *,
    reason: str,
    source: str,
    day: datetime.date | None = None,
    path: str | Path | None = None,
) -> tuple[ServicePoint, Path]:
    """Mark one point closed in the registry file that holds it.

    The record stays in the file with everything it had (its history) plus
    `status: closed`, `closed_date`, `closed_reason` and `closed_source`; the
    registry loader then keeps it out of every answer. Only that record's
    line changes; the file is replaced atomically. A running action server
    picks the change up on `POST /reload` (`make publish`).

    Args:
        point_id: the point's id.
        reason: why, in plain Swedish ("butiken har stängt").
        source: who says so ("invånarrapport 2026-12-01, bekräftad av kommunen").
        day: when it closed (default today).
        path: a registry file or folder (default as `load_registry`).

    Returns:
        The point as closed, and the file that was changed.

    Raises:
        RegistryError: the id is in no file, the point is closed already,
            reason/source are empty, or the result would not be valid.
    """
    reason, source = reason.strip(), source.strip()
    if not reason:
        raise RegistryError("Ange varför punkten är stängd (--reason).")
    if not source:
        raise RegistryError("Ange varifrån uppgiften kommer (--source).")
    day = day or datetime.date.today()
    registry = load_registry(path)
    for file in registry.files:
        features = _read_features(file)
        for i, feature in enumerate(features):
            props = feature.get("properties") if isinstance(feature, dict) else None
            if not isinstance(props, dict) or _record_id(props) != point_id:
                continue
            if props.get("status") == STATUS_CLOSED:
                raise RegistryError(
                    f"Punkten {point_id} är redan markerad som stängd "
                    f"({props.get('closed_date')}: {props.get('closed_reason')})."
                )
            changed = dict(feature)
            changed["properties"] = {
                **props,
                "status": STATUS_CLOSED,
                "closed_date": day.isoformat(),
                "closed_reason": reason,
                "closed_source": source,
            }
            try:
                point = parse_feature(changed)
            except InvalidRecord as exc:
                raise RegistryError(
                    f"Punkten {point_id} i {file} är ogiltig och kan inte "
                    f"stängas: {exc.reason}"
                ) from None
            features[i] = changed
            _write_features(features, file)
            return point, file
    raise RegistryError(
        f"Ingen servicepunkt har id {point_id!r} i registret "
        f"({registry_path(path)}). Sök id med `.venv-actions/bin/python -m bot info NAMN`."
    )
