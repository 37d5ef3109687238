"""Importer presets: the files a region downloads itself, read without code.

* `pipos`: an export from Tillväxtverket's Pipos Serviceanalys (xlsx or csv,
  positions in SWEREF 99 TM, converted with pyproj). Its service type and
  serviceform/"typ" columns map to our categories through
  `data/importers/pipos.yml`.
* `carriers`: a carriers' agent list, one row per carrier and place
  (operator, kind, name, address, position). Operators map to carrier ids and
  kinds to `ombud`/`paketskåp` through `data/importers/carriers.yml`.

Mappings are data: a value they do not list is reported and its row skipped,
never guessed. Records of one shop (a carriers' list names a shop once per
carrier) become one point (`bot.importers.merge`); a host shop of a grocery
chain is also `dagligvaror`, with the chain named in its `sources`. The
dataset builder (`scripts/build_dataset.py`) uses the same readers.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.carriers import carrier_name, load_carriers
from bot.errors import ImportFailed, ServicelotsenError
from bot.importers.base import (
    ImportReport,
    Locator,
    PointBuilder,
    clean_text,
    default_locator,
    normalise_postcode,
    parse_day,
    slugify,
    unique_id,
    write_import,
)
from bot.importers.csv import parse_number
from bot.importers.merge import (
    ChainTable,
    MergeLog,
    Record,
    default_chains,
    group_position,
    group_properties,
    infer_grocery,
    merge_records,
    place_words,
)
from bot.registry import (
    CARRIER_KINDS,
    Carrier,
    ServicePoint,
)

__all__ = [
    "CARRIERS_PRESET",
    "PIPOS_PRESET",
    "PlaceNames",
    "Preset",
    "carrier_records",
    "import_carriers",
    "import_pipos",
    "load_preset",
    "pipos_records",
    "points_from_records",
    "read_table",
    "sweref99tm_to_wgs84_proj",
]

_DATA = Path(__file__).resolve().parents[2] / "data" / "importers"
PIPOS_PRESET = _DATA / "pipos.yml"
CARRIERS_PRESET = _DATA / "carriers.yml"


# ---------------------------------------------------------------- coordinates


@cache
def _transformer() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)


def sweref99tm_to_wgs84_proj(easting: float, northing: float) -> tuple[float, float]:
    """SWEREF 99 TM (EPSG:3006) metres to WGS84 (lat, lon), with pyproj."""
    lon, lat = _transformer().transform(easting, northing)
    return round(float(lat), 7), round(float(lon), 7)


#: SWEREF 99 TM over Sweden.
_NORTHING = (6_000_000.0, 7_800_000.0)
_EASTING = (200_000.0, 1_000_000.0)


def _inside(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


# ---------------------------------------------------------------- reading files


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV or xlsx file as {header: text}.

    CSV: UTF-8 (with or without BOM), else Windows-1252 (old Excel); comma,
    semicolon or tab. xlsx: the first sheet; the header is the first row with
    at least three filled cells (Pipos puts a title above the table).

    Raises:
        ImportFailed: missing, empty or unreadable file.
    """
    path = Path(path)
    if not path.is_file():
        raise ImportFailed("filen finns inte", str(path))
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if not text.strip():
        raise ImportFailed("filen är tom", str(path))
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [
            {
                (k or "").strip(): (v if isinstance(v, str) else "")
                for k, v in row.items()
            }
            for row in reader
        ]
    except csv.Error as exc:
        raise ImportFailed(f"trasig CSV ({exc})", str(path)) from exc


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    return str(value)


def _read_xlsx(path: Path) -> list[dict[str, str]]:
    try:
        from openpyxl import load_workbook  # type: ignore[import-untyped]

        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFailed(f"kan inte läsa Excel-filen ({exc})", str(path)) from exc
    try:
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    header_at = next(
        (i for i, row in enumerate(rows) if sum(1 for c in row if c.strip()) >= 3),
        None,
    )
    if header_at is None:
        raise ImportFailed("Excel-filen har ingen rubrikrad", str(path))
    header = [c.strip() for c in rows[header_at]]
    out: list[dict[str, str]] = []
    for row in rows[header_at + 1 :]:
        if not any(c.strip() for c in row):
            continue
        out.append(
            {h: (row[i] if i < len(row) else "") for i, h in enumerate(header) if h}
        )
    return out


# ---------------------------------------------------------------- the preset files


@dataclass(frozen=True)
class Preset:
    """A checked preset file (`data/importers/*.yml`)."""

    path: Path
    source: str
    source_date: datetime.date | None
    columns: Mapping[str, tuple[str, ...]]
    values: Mapping[str, Mapping[str, Any]]  # section -> folded value -> target

    def resolve(self, header: Sequence[str]) -> dict[str, str]:
        """Field -> the file's column, for the fields whose column is present."""
        by_fold = {h.strip().casefold(): h for h in header}
        found: dict[str, str] = {}
        for fieldname, names in self.columns.items():
            for name in names:
                if name.casefold() in by_fold:
                    found[fieldname] = by_fold[name.casefold()]
                    break
        return found

    def lookup(self, section: str, value: str) -> tuple[bool, Any]:
        """(listed?, target) for a value of the file in one mapping section."""
        table = self.values.get(section, {})
        key = _value_key(value)
        return (key in table, table.get(key))


def _value_key(value: str) -> str:
    return " ".join(value.replace("_", " ").split()).casefold()


def load_preset(path: Path, sections: Sequence[str]) -> Preset:
    """Read a preset file.

    Raises:
        ImportFailed: unreadable file, or `source`/`columns` missing.
    """
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ImportFailed(f"kan inte läsa mappningsfilen ({exc})", str(path)) from exc
    if not isinstance(raw, Mapping):
        raise ImportFailed("mappningsfilen ska vara en YAML-mappning", str(path))
    source = clean_text(raw.get("source"))
    if not source:
        raise ImportFailed("mappningsfilen: 'source' saknas", str(path))
    columns_raw = raw.get("columns")
    if not isinstance(columns_raw, Mapping):
        raise ImportFailed("mappningsfilen: 'columns' saknas", str(path))
    columns = {
        str(k): tuple(str(c) for c in (v if isinstance(v, list) else [v]) if c)
        for k, v in columns_raw.items()
    }
    values: dict[str, dict[str, Any]] = {}
    for section in sections:
        table = raw.get(section) or {}
        if not isinstance(table, Mapping):
            raise ImportFailed(
                f"mappningsfilen: '{section}' ska vara en mappning", str(path)
            )
        values[section] = {_value_key(str(k)): v for k, v in table.items()}
    day = None
    if raw.get("source_date") is not None:
        try:
            day = parse_day(raw["source_date"])
        except ValueError:
            raise ImportFailed(
                f"mappningsfilen: ogiltigt source_date {raw['source_date']!r}",
                str(path),
            ) from None
    return Preset(Path(path), source, day, columns, values)


def _require(
    preset: Preset,
    found: Mapping[str, str],
    needed: Sequence[str],
    path: Path,
    header: Sequence[str],
) -> None:
    missing = [f for f in needed if f not in found]
    if missing:
        wanted = "; ".join(
            f"{f} ({' / '.join(preset.columns.get(f, ()))})" for f in missing
        )
        raise ImportFailed(
            f"kolumner saknas: {wanted} (filen har: {', '.join(header)})", str(path)
        )


_DATE_IN_NAME = re.compile(r"(20\d\d-[01]\d-[0-3]\d)")


def source_date_for(
    path: Path, given: datetime.date | None, preset: Preset, report: ImportReport
) -> datetime.date:
    """The list's date: given, else a date in the file name, else the preset's.

    Raises:
        ImportFailed: none of them.
    """
    if given is not None:
        return given
    m = _DATE_IN_NAME.search(Path(path).name)
    if m:
        try:
            return datetime.date.fromisoformat(m.group(1))
        except ValueError:
            pass
    if preset.source_date is not None:
        report.notes.append(
            _skip(
                "källdatum",
                f"{preset.source_date.isoformat()} från {preset.path.name}; ange "
                "--source-date för en nyare lista",
            )
        )
        return preset.source_date
    raise ImportFailed(
        "när gäller listan? Ange --source-date ÅÅÅÅ-MM-DD (eller ett datum i "
        "filnamnet, som Pipos export: pipos_apoteksvaror_2025-11-12.xlsx)",
        str(path),
    )


def _skip(ref: str, reason: str) -> Any:
    from bot.importers.base import Skipped

    return Skipped(ref, reason)


# ---------------------------------------------------------------- place names


class PlaceNames:
    """Place and kommun spelling from the gazetteer ("BRÄKNE-HOBY" -> "Bräkne-Hoby").

    Without a gazetteer, names are written with capital initials. Never
    decides where a record is: only how a name the source gives is spelt.
    """

    def __init__(self, use_gazetteer: bool = True) -> None:
        self._names: dict[str, str] = {}
        self._kommuner: dict[str, str] = {}
        self._by_kommun: dict[str, list[str]] = {}
        if not use_gazetteer:
            return
        try:
            from bot.gazetteer import KIND_ORT, KIND_TATORT, default_gazetteer

            gazetteer = default_gazetteer()
        except (ImportError, ServicelotsenError, OSError, ValueError):
            return
        from bot.text import compact_key

        for place in gazetteer.places:
            self._kommuner.setdefault(
                compact_key(place.municipality), place.municipality
            )
            self._kommuner.setdefault(
                compact_key(place.municipality_name), place.municipality
            )
            if place.kind not in (KIND_TATORT, KIND_ORT):
                continue
            for name in (place.name, *place.aliases):
                self._names.setdefault(compact_key(name), place.name)
            if place.in_blekinge:
                self._by_kommun.setdefault(place.municipality, []).append(place.name)

    def place(self, text: str | None) -> str | None:
        """The gazetteer's spelling of a place name, else capital initials."""
        name = clean_text(text)
        if not name:
            return None
        from bot.text import compact_key

        return self._names.get(compact_key(name)) or _title(name)

    def kommun(self, text: str | None) -> str | None:
        """The short kommun name ("Karlshamns kommun" -> "Karlshamn")."""
        name = clean_text(text)
        if not name:
            return None
        from bot.text import compact_key

        key = compact_key(name)
        if key in self._kommuner:
            return self._kommuner[key]
        bare = re.sub(r"\s+kommun$", "", name, flags=re.IGNORECASE)
        for candidate in (bare, bare[:-1] if bare.endswith("s") else bare):
            if compact_key(candidate) in self._kommuner:
                return self._kommuner[compact_key(candidate)]
        return _title(
            bare[:-1] if bare.endswith("s") and "kommun" in name.lower() else bare
        )

    def named_in(self, name: str, kommun: str | None) -> str | None:
        """The longest place of the kommun whose name occurs as words in `name`."""
        from bot.text import fold

        words = f" {fold(name)} "
        found = [
            p for p in self._by_kommun.get(kommun or "", []) if f" {fold(p)} " in words
        ]
        return max(found, key=len) if found else None


_SMALL_WORDS = {"och", "i", "o", "på", "av", "vid", "med"}
_UPPER_WORDS = {"ica", "okq8", "dhl", "ups", "ab", "hj", "ok/q8", "q8", "id"}


def _title(text: str) -> str:
    """ "KLOCKANS GRILL OCH KIOSK" -> "Klockans grill och kiosk"-like casing."""
    letters = [c for c in text if c.isalpha()]
    if (
        letters
        and not all(c.isupper() for c in letters)
        and not all(c.islower() for c in letters)
    ):
        return text  # already mixed case: the source's own spelling
    out: list[str] = []
    for i, word in enumerate(text.split(" ")):
        low = word.lower()
        if low in _UPPER_WORDS:
            out.append(word.upper())
        elif i > 0 and low in _SMALL_WORDS:
            out.append(low)
        else:
            out.append("-".join(p[:1].upper() + p[1:].lower() for p in word.split("-")))
    return " ".join(out)


# ---------------------------------------------------------------- pipos


_INTERNAL_NUMBER = re.compile(r"\s+\d{2}-\d{3,5}$")


def pipos_records(
    path: Path,
    *,
    preset: Preset,
    source_date: datetime.date,
    report: ImportReport,
    places: PlaceNames,
    chains: ChainTable,
) -> list[Record]:
    """Records of a Pipos Serviceanalys export (see the module docstring).

    Raises:
        ImportFailed: unreadable file or missing columns.
    """
    rows = read_table(path)
    if not rows:
        raise ImportFailed("filen har inga rader", str(path))
    header = list(rows[0].keys())
    cols = preset.resolve(header)
    _require(preset, cols, ["name"], path, header)
    if "typ" not in cols and "service" not in cols:
        _require(preset, cols, ["typ"], path, header)
    if not (("x" in cols and "y" in cols) or ("lat" in cols and "lon" in cols)):
        _require(preset, cols, ["x", "y"], path, header)
    out: list[Record] = []
    for line, row in enumerate(rows, start=2):

        def get(fieldname: str, row: Mapping[str, str] = row) -> str | None:
            column = cols.get(fieldname)
            return clean_text(row.get(column, "")) if column else None

        raw_name = get("name")
        ref = f"pipos rad {line}" + (f": {raw_name}" if raw_name else "")
        typ, service = get("typ"), get("service")
        categories: list[str] | None = None
        for section, value in (("typ", typ), ("service", service)):
            if value is None:
                continue
            listed, target = preset.lookup(section, value)
            if not listed:
                report.skipped.append(
                    _skip(
                        ref,
                        f"okänd {section} {value!r}: lägg till den i "
                        f"{preset.path.name} ({section}) om den ska med",
                    )
                )
                categories = []
                break
            ignored, why = preset.lookup("ignore", value)
            if ignored:
                report.skipped.append(_skip(ref, f"{value}: {why}"))
                categories = []
                break
            if target:
                categories = [
                    str(c) for c in (target if isinstance(target, list) else [target])
                ]
                break
        if categories == []:
            continue
        if not categories:
            report.skipped.append(_skip(ref, "raden saknar typ (serviceform)"))
            continue
        if not raw_name:
            report.skipped.append(_skip(ref, "namn saknas"))
            continue
        position = _pipos_position(get, ref, report)
        if position is None:
            continue
        lat, lon = position
        kommun = places.kommun(get("municipality"))
        city = places.place(get("city"))
        operator = get("operator")
        name = _INTERNAL_NUMBER.sub("", raw_name).rstrip(" ,")
        if name != raw_name.rstrip(" ,"):
            report.notes.append(
                _skip(ref, f"butikens internnummer togs bort ur namnet ({raw_name})")
            )
        if _only_chain(name, chains) and city:
            name = f"{name} {city}"  # "Matöppet" -> "Matöppet Trensum"
        kind = "apotek" if "apotek" in categories else "shop"
        brand = None
        if kind == "apotek":
            op_chain = chains.find(operator)
            brand = op_chain.name if op_chain else operator
            if (
                brand
                and chains.find(name) != op_chain
                and brand.casefold() not in name.casefold()
            ):
                name = f"{brand} {name}"
        pid = get("id")
        locality = places.named_in(name, kommun) or city
        rec = Record(
            ref=ref,
            origin="pipos",
            kind=kind,
            name=name,
            categories=list(categories),
            lat=lat,
            lon=lon,
            source=preset.source,
            source_date=source_date,
            locality=locality,
            municipality=kommun,
            address=get("address"),
            postcode=normalise_postcode(get("postcode")),
            brand=brand,
            operator=operator if kind == "apotek" else None,
            rank=20,
            position_rank=10,
            id_hint=f"pipos-{slugify(pid)}"
            if pid
            else "pipos-" + slugify(f"{name} {city or ''}"),
            chain=brand if kind == "apotek" else None,
            places=place_words(city, kommun, locality),
        )
        infer_grocery(rec, chains)
        out.append(rec)
    return out


def _only_chain(name: str, chains: ChainTable) -> bool:
    """True when the name is just a chain's name ("Matöppet")."""
    from bot.text import fold

    chain = chains.find(name)
    return (
        chain is not None
        and tuple(fold(name.replace("'", "")).split()) in chain.spellings
    )


def _pipos_position(
    get: Any, ref: str, report: ImportReport
) -> tuple[float, float] | None:
    x, y = parse_number(get("x")), parse_number(get("y"))
    if x is not None and y is not None:
        if _inside(x, _NORTHING) and _inside(y, _EASTING):
            x, y = y, x
            report.notes.append(_skip(ref, "X och Y var omkastade; rättat"))
        if not (_inside(x, _EASTING) and _inside(y, _NORTHING)):
            report.skipped.append(
                _skip(
                    ref,
                    f"koordinaterna ({x:.0f}, {y:.0f}) ligger inte i SWEREF 99 TM över Sverige",
                )
            )
            return None
        return sweref99tm_to_wgs84_proj(x, y)
    lat, lon = parse_number(get("lat")), parse_number(get("lon"))
    if lat is None or lon is None:
        report.skipped.append(_skip(ref, "koordinaterna saknas eller är inga tal"))
        return None
    return lat, lon


# ---------------------------------------------------------------- carriers

_CODE = re.compile(r"^[A-Z]{1,4}\d{2,}$")
_LOCKER_WORDS = re.compile(r"\b(paketbox|paketskåp|box)\b", re.IGNORECASE)


def carrier_records(
    path: Path,
    *,
    preset: Preset,
    source_date: datetime.date,
    report: ImportReport,
    places: PlaceNames,
    chains: ChainTable,
    source: str | None = None,
) -> list[Record]:
    """Records of a carriers' agent list, one per row (see the module docstring).

    Raises:
        ImportFailed: unreadable file or missing columns.
    """
    rows = read_table(path)
    if not rows:
        raise ImportFailed("filen har inga rader", str(path))
    header = list(rows[0].keys())
    cols = preset.resolve(header)
    _require(preset, cols, ["operator", "kind", "name"], path, header)
    if not (("lat" in cols and "lon" in cols) or ("x" in cols and "y" in cols)):
        _require(preset, cols, ["lat", "lon"], path, header)
    out: list[Record] = []
    for line, row in enumerate(rows, start=2):

        def get(fieldname: str, row: Mapping[str, str] = row) -> str | None:
            column = cols.get(fieldname)
            return clean_text(row.get(column, "")) if column else None

        raw_name = get("name")
        operator, kind_text = get("operator") or "", get("kind") or ""
        ref = f"ombudslista rad {line}: {raw_name or '(utan namn)'} ({operator})"
        listed, carrier_id = preset.lookup("operators", operator)
        if not listed or carrier_id not in load_carriers():
            report.skipped.append(
                _skip(
                    ref,
                    f"okänt transportföretag {operator!r}: lägg till det under "
                    f"operators i {preset.path.name}",
                )
            )
            continue
        skip_listed, why = preset.lookup("skip_kinds", kind_text)
        if skip_listed:
            report.skipped.append(_skip(ref, str(why).strip()))
            continue
        listed, kind = preset.lookup("kinds", kind_text)
        if not listed or kind not in CARRIER_KINDS:
            report.skipped.append(
                _skip(
                    ref,
                    f"okänt slag {kind_text!r}: lägg till det under kinds i "
                    f"{preset.path.name}",
                )
            )
            continue
        if not raw_name:
            report.skipped.append(_skip(ref, "namn saknas"))
            continue
        lat, lon = parse_number(get("lat")), parse_number(get("lon"))
        if (lat is None or lon is None) and get("x") and get("y"):
            x, y = parse_number(get("x")), parse_number(get("y"))
            if (
                x is not None
                and y is not None
                and _inside(x, _EASTING)
                and _inside(y, _NORTHING)
            ):
                lat, lon = sweref99tm_to_wgs84_proj(x, y)
        if (
            lat is None
            or lon is None
            or not (math.isfinite(lat) and math.isfinite(lon))
        ):
            report.skipped.append(_skip(ref, "koordinaterna saknas eller är inga tal"))
            continue
        kommun = places.kommun(get("municipality"))
        city = places.place(get("city"))
        carrier = Carrier(str(carrier_id), str(kind))
        address = _title(get("address") or "") or None
        name = _title(" ".join(raw_name.split()))
        locker = kind == "paketskåp"
        site = None
        if locker:
            site = (
                _LOCKER_WORDS.sub("", name).strip(" -,")
                if not _CODE.match(raw_name)
                else ""
            )
            name = f"{carrier_name(carrier.id)} paketskåp, {site or city or address}"
        locality = places.named_in(name, kommun) or city
        rec = Record(
            ref=ref,
            origin="carriers",
            kind="locker" if locker else "shop",
            name=name,
            categories=["paketombud"],
            lat=round(lat, 7),
            lon=round(lon, 7),
            source=source or preset.source,
            source_date=source_date,
            locality=locality,
            municipality=kommun,
            address=address,
            postcode=normalise_postcode(get("postcode")),
            carriers=[carrier],
            rank=60,
            position_rank=40,
            id_hint=(
                f"paketskap-{carrier.id}-" + slugify(f"{address or site} {city or ''}")
                if locker
                else "ombud-" + slugify(f"{name} {city or ''}")
            ),
            places=place_words(city, kommun, locality),
        )
        infer_grocery(rec, chains)
        out.append(rec)
    return out


# ---------------------------------------------------------------- to points


def points_from_records(
    groups: Sequence[Sequence[Record]],
    builder: PointBuilder,
    *,
    taken: set[str] | None = None,
) -> list[tuple[ServicePoint, list[Record]]]:
    """Validate each group as one point (ids made unique); bad ones are skipped."""
    taken = set() if taken is None else taken
    out: list[tuple[ServicePoint, list[Record]]] = []
    prepared = [(group_properties(g), list(g)) for g in groups]
    names = [props["name"] for (props, _), _ in prepared]
    for (props, lead), members in prepared:
        if names.count(props["name"]) > 1 and props.get("address"):
            props["name"] = f"{props['name']} ({props['address']})"
        props["id"] = unique_id(props["id"] or slugify(props["name"]), taken)
        lat, lon = group_position(members)
        point = builder.add(lead.ref, props, lat, lon)
        if point is not None:
            out.append((point, members))
    return out


def _run(
    kind: str,
    input_path: Path,
    output: Path | None,
    *,
    source_date: datetime.date | None,
    source: str | None,
    merge: bool,
    preset_path: Path | None,
    use_gazetteer: bool,
    locator: Locator | None,
) -> tuple[ImportReport, MergeLog]:
    report = ImportReport(importer=kind, input=str(input_path))
    chains = default_chains()
    places = PlaceNames(use_gazetteer)
    if kind == "pipos":
        preset = load_preset(preset_path or PIPOS_PRESET, ("typ", "service", "ignore"))
        day = source_date_for(input_path, source_date, preset, report)
        records = pipos_records(
            input_path,
            preset=preset,
            source_date=day,
            report=report,
            places=places,
            chains=chains,
        )
        if source:
            for r in records:
                r.source = source
    else:
        preset = load_preset(
            preset_path or CARRIERS_PRESET, ("operators", "kinds", "skip_kinds")
        )
        day = source_date_for(input_path, source_date, preset, report)
        records = carrier_records(
            input_path,
            preset=preset,
            source_date=day,
            report=report,
            places=places,
            chains=chains,
            source=source,
        )
    report.source_date = day
    log = MergeLog()
    groups = merge_records(records, log, chains)
    if locator is None and use_gazetteer:
        locator = default_locator()
    builder = PointBuilder(report, locator=locator)
    points_from_records(groups, builder)
    points = builder.finish()
    report.notes.extend(_skip("sammanslaget", m) for m in log.merged)
    report.notes.extend(_skip("nästan samma", m) for m in log.near_misses)
    if output is None:
        if not points:
            raise ImportFailed("filen gav inga giltiga poster", str(input_path))
        return report, log
    write_import(points, Path(output), report, merge=merge)
    return report, log


def import_pipos(
    input_path: Path,
    output: Path | None = None,
    *,
    source_date: datetime.date | None = None,
    source: str | None = None,
    merge: bool = False,
    preset: Path | None = None,
    use_gazetteer: bool = True,
    locator: Locator | None = None,
) -> ImportReport:
    """Import a Pipos Serviceanalys export (xlsx/csv); None output = check only.

    Raises:
        ImportFailed: unreadable file, missing columns, no date, no valid row.
    """
    report, _ = _run(
        "pipos",
        Path(input_path),
        output,
        source_date=source_date,
        source=source,
        merge=merge,
        preset_path=preset,
        use_gazetteer=use_gazetteer,
        locator=locator,
    )
    return report


def import_carriers(
    input_path: Path,
    output: Path | None = None,
    *,
    source_date: datetime.date | None = None,
    source: str | None = None,
    merge: bool = False,
    preset: Path | None = None,
    use_gazetteer: bool = True,
    locator: Locator | None = None,
) -> ImportReport:
    """Import a carriers' agent list; None output = check only.

    Raises:
        ImportFailed: unreadable file, missing columns, no valid row.
    """
    report, _ = _run(
        "carriers",
        Path(input_path),
        output,
        source_date=source_date,
        source=source,
        merge=merge,
        preset_path=preset,
        use_gazetteer=use_gazetteer,
        locator=locator,
    )
    return report
