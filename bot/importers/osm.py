"""Import service points from OpenStreetMap: extracts and Overpass JSON.

OpenStreetMap is the open source a region can refresh any day, so this is the
main way real data comes in. Which objects count as which service type is
DATA, in `data/osm_tags.yml` (editors can extend it without touching code).

Inputs:
* an extract, `.osm.pbf` or `.osm` (XML), read with pyosmium;
* Overpass API JSON (`[out:json]`), ideally with `out center;` so ways and
  relations come with a position.

Nodes keep their position; ways and multipolygons get their area centroid.
The records carry `source` "OpenStreetMap (ODbL)" and, as `source_date`, the
extract's timestamp (pbf header, the `<osm timestamp>` attribute, or
Overpass' `timestamp_osm_base`), else the import date. Records derived from
OSM stay under the ODbL: keep that `source` so they remain identifiable.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ImportFailed
from bot.importers.base import (
    ImportReport,
    Locator,
    PointBuilder,
    Skipped,
    clean_text,
    default_locator,
    parse_day,
    polygon_centroid,
    write_import,
)
from bot.registry import ServicePoint
from bot.service_types import load_service_types

__all__ = [
    "DEFAULT_TAG_TABLE",
    "OSM_SOURCE",
    "OsmObject",
    "TagRule",
    "TagTable",
    "import_osm",
    "load_tag_table",
    "read_osm",
    "read_osm_file",
    "read_overpass_json",
    "to_points",
]

OSM_SOURCE = "OpenStreetMap (ODbL)"
DEFAULT_TAG_TABLE = Path(__file__).resolve().parents[2] / "data" / "osm_tags.yml"

#: Keys whose values are copied into the record (first one present wins).
_OWNER_KEYS = ("brand", "operator")
_PHONE_KEYS = ("phone", "contact:phone")
_WEBSITE_KEYS = ("website", "contact:website", "url")
_TEXT_KEYS = ("name", "description")
#: Keys that say what an object is; other matches are extras (atm=yes).
_PRIMARY_KEYS = frozenset({"amenity", "shop", "healthcare"})


@dataclass(frozen=True)
class OsmObject:
    """One OSM object reduced to what the importer needs."""

    kind: str  # "node", "way", "relation"
    osm_id: int
    tags: Mapping[str, str]
    lat: float | None
    lon: float | None

    @property
    def ref(self) -> str:
        """How an editor finds it on openstreetmap.org ("node 123")."""
        return f"{self.kind} {self.osm_id}"


# ---------------------------------------------------------------- the tag table

_TagCondition = tuple[str, frozenset[str] | None]  # None: any value


@dataclass(frozen=True)
class TagRule:
    """One row of the tag table: conditions that give one category."""

    category: str
    tags: tuple[_TagCondition, ...]
    text: re.Pattern[str] | None = None
    unless_text: re.Pattern[str] | None = None

    @property
    def primary(self) -> bool:
        """True if the rule says what the object is (amenity, shop, healthcare)."""
        return bool(self.tags) and self.tags[0][0] in _PRIMARY_KEYS

    def matches(self, tags: Mapping[str, str], text: str) -> bool:
        """True if every tag condition and the text conditions hold."""
        if not all(_tag_matches(tags, key, values) for key, values in self.tags):
            return False
        if self.text is not None and not self.text.search(text):
            return False
        return not (self.unless_text is not None and self.unless_text.search(text))


@dataclass(frozen=True)
class TagTable:
    """The whole table: rules plus the tags that exclude an object."""

    rules: tuple[TagRule, ...]
    exclude: tuple[_TagCondition, ...]

    @property
    def keys(self) -> frozenset[str]:
        """Every tag key a rule looks at (pre-filter for large extracts)."""
        keys = {key for rule in self.rules for key, _ in rule.tags}
        return frozenset(keys)

    def classify(self, tags: Mapping[str, str]) -> tuple[tuple[str, ...], str | None]:
        """Categories for these tags, and an exclusion reason if excluded.

        Returns:
            (categories in table order without repeats, reason or None).
        """
        text = " ".join(tags.get(k, "") for k in _TEXT_KEYS)
        matched = [r for r in self.rules if r.matches(tags, text)]
        # what the object is (amenity=fuel) before what it also offers (atm=yes)
        matched.sort(key=lambda r: not r.primary)
        cats = tuple(dict.fromkeys(r.category for r in matched))
        if not cats:
            return (), None
        for key, values in self.exclude:
            if _tag_matches(tags, key, values):
                return cats, f"{key}={tags[key]} (inte öppen för allmänheten)"
        return cats, None


def _tag_matches(
    tags: Mapping[str, str], key: str, values: frozenset[str] | None
) -> bool:
    value = tags.get(key)
    if value is None:
        return False
    if values is None:
        return True
    return any(part.strip() in values for part in value.split(";"))


def _yaml_value(value: Any) -> str:
    # YAML 1.1 reads bare yes/no as booleans; OSM means the words
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _conditions(raw: Any, where: str) -> tuple[_TagCondition, ...]:
    if not isinstance(raw, Mapping) or not raw:
        raise ImportFailed(f"{where}: 'tags' ska vara en mappning nyckel: värde")
    out: list[_TagCondition] = []
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        texts = [_yaml_value(v) for v in values]
        out.append((str(key), None if "*" in texts else frozenset(texts)))
    return tuple(out)


def _pattern(raw: Any, where: str) -> re.Pattern[str] | None:
    if raw is None:
        return None
    try:
        return re.compile(str(raw), re.IGNORECASE)
    except re.error as exc:
        raise ImportFailed(
            f"{where}: ogiltigt reguljärt uttryck {raw!r} ({exc})"
        ) from exc


def load_tag_table(path: Path | None = None) -> TagTable:
    """Read and check the tag table (default `data/osm_tags.yml`).

    Raises:
        ImportFailed: the file is missing or malformed, or names a category
            that `data/service_types.yml` does not have.
    """
    path = Path(path or DEFAULT_TAG_TABLE)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ImportFailed(f"kan inte läsa taggtabellen: {exc}", str(path)) from exc
    if not isinstance(raw, Mapping) or not isinstance(raw.get("rules"), list):
        raise ImportFailed("taggtabellen saknar listan 'rules'", str(path))
    known = set(load_service_types())
    rules: list[TagRule] = []
    for i, entry in enumerate(raw["rules"], start=1):
        where = f"{path}, regel {i}"
        if not isinstance(entry, Mapping):
            raise ImportFailed(f"{where}: ska vara en mappning")
        category = entry.get("category")
        if category not in known:
            raise ImportFailed(f"{where}: okänd kategori {category!r}")
        rules.append(
            TagRule(
                category=str(category),
                tags=_conditions(entry.get("tags"), where),
                text=_pattern(entry.get("text"), where),
                unless_text=_pattern(entry.get("unless_text"), where),
            )
        )
    exclude = raw.get("exclude") or {}
    return TagTable(
        rules=tuple(rules),
        exclude=_conditions(exclude, f"{path}, exclude") if exclude else (),
    )


# ---------------------------------------------------------------- reading files

_XML_TIMESTAMP = re.compile(
    rb"<osm\b[^>]*\btimestamp=[\"']([0-9T:Z+\-.]+)[\"']|"
    rb"<meta\b[^>]*\bosm_base=[\"']([0-9T:Z+\-.]+)[\"']"
)


def _extract_date(path: Path, header_value: str) -> datetime.date | None:
    if header_value:
        try:
            return parse_day(header_value)
        except ValueError:
            pass
    if path.suffix.lower() == ".osm":
        with path.open("rb") as fh:
            m = _XML_TIMESTAMP.search(fh.read(4096))
        if m:
            try:
                return parse_day((m.group(1) or m.group(2)).decode())
            except ValueError:
                return None
    return None


def read_osm_file(
    path: Path, keys: Iterable[str]
) -> tuple[list[OsmObject], datetime.date | None]:
    """Read the tagged objects of an `.osm.pbf`/`.osm` extract with pyosmium.

    Only objects with one of `keys` are returned. Ways get their centroid from
    their nodes; multipolygon relations from their outer rings.

    Returns:
        The objects and the extract's date (None if the file states none).

    Raises:
        ImportFailed: the file is missing, truncated or not OSM data.
    """
    import osmium  # imported here: only this reader needs the C++ extension

    path = Path(path)
    if not path.is_file():
        raise ImportFailed("filen finns inte", str(path))
    keys = tuple(keys)
    objects: list[OsmObject] = []
    try:
        fp = osmium.FileProcessor(str(path))
        header_value = fp.header.get("osmosis_replication_timestamp", "") or ""
        fp = (
            fp.with_locations()
            .with_areas(osmium.filter.KeyFilter(*keys))
            .with_filter(osmium.filter.KeyFilter(*keys))
        )
        for obj in fp:
            tags = {t.k: t.v for t in obj.tags}
            if isinstance(obj, osmium.osm.Node):
                loc = obj.location
                lat, lon = (loc.lat, loc.lon) if loc.valid() else (None, None)
                objects.append(OsmObject("node", obj.id, tags, lat, lon))
            elif isinstance(obj, osmium.osm.Way):
                ring = [
                    (n.location.lat, n.location.lon)
                    for n in obj.nodes
                    if n.location.valid()
                ]
                pos = polygon_centroid(ring) if ring else (None, None)
                objects.append(OsmObject("way", obj.id, tags, pos[0], pos[1]))
            elif isinstance(obj, osmium.osm.Area) and not obj.from_way():
                ring = [
                    (n.lat, n.lon)
                    for outer in obj.outer_rings()
                    for n in outer
                    if n.location.valid()
                ]
                pos = polygon_centroid(ring) if ring else (None, None)
                objects.append(
                    OsmObject("relation", obj.orig_id(), tags, pos[0], pos[1])
                )
            # other relations have no position of their own: not service points
    except RuntimeError as exc:
        raise ImportFailed(
            f"filen är trasig, ofullständig eller inte OSM-data ({exc})", str(path)
        ) from exc
    return objects, _extract_date(path, header_value)


def _element_position(
    el: Mapping[str, Any], nodes: Mapping[int, tuple[float, float]]
) -> tuple[float | None, float | None]:
    if "lat" in el and "lon" in el:
        return el["lat"], el["lon"]
    center = el.get("center")
    if isinstance(center, Mapping) and "lat" in center and "lon" in center:
        return center["lat"], center["lon"]
    ring: list[tuple[float, float]] = []
    geometry = el.get("geometry")
    if isinstance(geometry, list):
        ring = [
            (g["lat"], g["lon"])
            for g in geometry
            if isinstance(g, Mapping) and "lat" in g and "lon" in g
        ]
    elif isinstance(el.get("nodes"), list):
        ring = [nodes[n] for n in el["nodes"] if n in nodes]
    if ring and all(
        isinstance(c, int | float) and not isinstance(c, bool) for p in ring for c in p
    ):
        return polygon_centroid(ring)
    bounds = el.get("bounds")
    if isinstance(bounds, Mapping):
        try:
            return (
                (bounds["minlat"] + bounds["maxlat"]) / 2,
                (bounds["minlon"] + bounds["maxlon"]) / 2,
            )
        except (KeyError, TypeError):
            pass
    return None, None


def read_overpass_json(path: Path) -> tuple[list[OsmObject], datetime.date | None]:
    """Read Overpass API JSON (`[out:json]`), e.g. saved from overpass-turbo.

    Ways and relations need a position: `out center;` (best), `out geom;`, or
    their nodes in the same answer (`>; out skel qt;`).

    Raises:
        ImportFailed: not JSON, or not an Overpass answer.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ImportFailed("filen finns inte", str(path)) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailed(f"filen är inte giltig JSON ({exc})", str(path)) from exc
    elements = data.get("elements") if isinstance(data, Mapping) else None
    if not isinstance(elements, list):
        raise ImportFailed(
            "filen är inget Overpass-svar (listan 'elements' saknas); "
            "kör frågan med [out:json]",
            str(path),
        )
    nodes: dict[int, tuple[float, float]] = {}
    for el in elements:
        if isinstance(el, Mapping) and el.get("type") == "node" and "lat" in el:
            nodes[el.get("id", -1)] = (el["lat"], el["lon"])
    objects: list[OsmObject] = []
    for el in elements:
        if not isinstance(el, Mapping):
            continue
        tags = el.get("tags")
        if not isinstance(tags, Mapping) or not tags:
            continue  # untagged nodes are way geometry
        kind = str(el.get("type", "?"))
        osm_id = el.get("id")
        lat, lon = _element_position(el, nodes)
        objects.append(
            OsmObject(
                kind,
                osm_id if isinstance(osm_id, int) else -1,
                {str(k): str(v) for k, v in tags.items()},
                lat,
                lon,
            )
        )
    day = None
    meta = data.get("osm3s")
    if isinstance(meta, Mapping) and meta.get("timestamp_osm_base"):
        try:
            day = parse_day(meta["timestamp_osm_base"])
        except ValueError:
            day = None
    return objects, day


def read_osm(
    path: Path, table: TagTable
) -> tuple[list[OsmObject], datetime.date | None]:
    """Read an OSM input, choosing the reader from the file name."""
    path = Path(path)
    if path.name.lower().endswith(".json"):
        return read_overpass_json(path)
    return read_osm_file(path, table.keys)


# ---------------------------------------------------------------- to points


def _first(tags: Mapping[str, str], keys: Iterable[str]) -> str | None:
    for key in keys:
        value = clean_text(tags.get(key))
        if value:
            return value
    return None


def _address(tags: Mapping[str, str]) -> str | None:
    street = clean_text(tags.get("addr:street")) or clean_text(tags.get("addr:place"))
    number = clean_text(tags.get("addr:housenumber"))
    if street and number:
        return f"{street} {number}"
    return street or clean_text(tags.get("addr:full"))


def _props(
    obj: OsmObject, categories: tuple[str, ...], day: datetime.date
) -> dict[str, Any]:
    tags = obj.tags
    name = clean_text(tags.get("name"))
    if name is None:
        # unnamed ATMs and parcel lockers are normal: call them what they are,
        # with whose they are ("Uttagsautomat (Swedbank)" is not a bank branch)
        st = load_service_types()[categories[0]]
        name = st.name[:1].upper() + st.name[1:]
        owner = _first(tags, _OWNER_KEYS)
        if owner:
            name = f"{name} ({owner})"
    return {
        "id": f"osm-{obj.kind}-{obj.osm_id}",
        "name": name,
        "categories": list(categories),
        "locality": clean_text(tags.get("addr:city")),
        "municipality": clean_text(tags.get("addr:municipality")),
        "address": _address(tags),
        "postcode": tags.get("addr:postcode"),
        "opening_hours": tags.get("opening_hours"),
        "phone": _first(tags, _PHONE_KEYS),
        "website": _first(tags, _WEBSITE_KEYS),
        "brand": clean_text(tags.get("brand")),
        "operator": clean_text(tags.get("operator")),
        "source": OSM_SOURCE,
        "source_date": day,
    }


def to_points(
    objects: Iterable[OsmObject],
    table: TagTable,
    builder: PointBuilder,
    day: datetime.date,
) -> Iterator[ServicePoint]:
    """Classify OSM objects by the tag table and build the service points.

    Objects that match no rule are not service points and are ignored
    silently; objects that match but cannot be used are skipped with a reason.
    """
    for obj in objects:
        categories, excluded = table.classify(obj.tags)
        if not categories:
            continue
        if excluded:
            builder.skip(obj.ref, excluded)
            continue
        if obj.lat is None or obj.lon is None:
            builder.skip(
                obj.ref,
                "saknar position (för Overpass: kör frågan med 'out center;')",
            )
            continue
        point = builder.add(obj.ref, _props(obj, categories, day), obj.lat, obj.lon)
        if point is not None:
            yield point


def import_osm(
    input_path: Path,
    output: Path,
    *,
    merge: bool = False,
    tag_table: Path | None = None,
    locator: Locator | None = None,
    use_gazetteer: bool = True,
    today: datetime.date | None = None,
) -> ImportReport:
    """Import an OSM extract or Overpass JSON into a registry file.

    Args:
        input_path: `.osm.pbf`, `.osm` or Overpass `.json`.
        output: the registry GeoJSON file to (re)write.
        merge: keep other records already in `output` (see `write_import`).
        tag_table: another tag table (default `data/osm_tags.yml`).
        locator: fills ort/kommun when `addr:*` lacks them; default: the
            gazetteer (if `use_gazetteer`).
        use_gazetteer: False to rely on `addr:*` tags only.
        today: the import date (tests); used when the file states no date.

    Raises:
        ImportFailed: unreadable input or tag table, or nothing valid to
            import; `output` is then left untouched.
    """
    table = load_tag_table(tag_table)
    report = ImportReport(importer="osm", input=str(input_path))
    objects, day = read_osm(Path(input_path), table)
    if day is None:
        day = today or datetime.date.today()
        report.notes.append(
            Skipped(
                str(input_path), f"filen anger inget datum; importdatum {day} används"
            )
        )
    report.source_date = day
    if locator is None and use_gazetteer:
        locator = default_locator()
    builder = PointBuilder(report, locator=locator)
    list(to_points(objects, table, builder, day))
    points = builder.finish()
    return write_import(points, Path(output), report, merge=merge)
