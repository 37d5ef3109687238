"""Import service points from a CSV export, described by a mapping YAML file.

Authorities and analysis tools export lists as spreadsheets: Pipos
Serviceanalys (shops, fuel, pharmacies, pharmacy agents), PTS (cash and
payment services), Läkemedelsverket (pharmacies). Their columns differ, so a
small YAML file says which column is what; the code stays the same.

The mapping file (keys in English, column names as in the export)::

    source: "Läkemedelsverket, apotek och apoteksombud"   # required
    source_date: 2024-05-01          # required, or source_date_column: Uppdaterad
    delimiter: ";"                   # optional; default: guessed from , ; tab
    encoding: utf-8                  # optional; cp1252 for old Excel exports
    id: {column: GLN, prefix: "lv-"} # optional; default prefix + name + ort
    fields:                          # registry field: column
      name: Namn                     # required
      locality: Postort
      municipality: Kommun
      address: Adress
      postcode: Postnummer
      phone: Telefon
      website: Webbplats
      brand: Kedja
      operator: Huvudman
      opening_hours: Öppettider      # only OSM opening_hours syntax is kept
    defaults: {municipality: Karlskrona}   # fixed values for empty fields
    coordinates:                     # WGS84 degrees ...
      lat: Latitud
      lon: Longitud
    # ... or SWEREF 99 TM metres (EPSG:3006):
    #   northing: N
    #   easting: E
    #   crs: sweref99tm
    categories:
      fixed: [apotek]                # every row, or:
      column: Typ
      values: {Apotek: apotek, Apoteksombud: apoteksombud}
      separator: ","                 # several values in one cell

Numbers may use a decimal comma ("56,2034") and spaces ("6 228 451").
Swapped northing/easting are detected (Sweden's ranges do not overlap) and
corrected with a note. Rows with a category value the mapping does not list
are skipped with the value named, so an editor can extend `values`.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ImportFailed
from bot.importers.base import (
    ImportReport,
    Locator,
    PointBuilder,
    clean_text,
    default_locator,
    parse_day,
    slugify,
    unique_id,
    write_import,
)
from bot.registry import OPTIONAL_FIELDS

__all__ = [
    "CsvMapping",
    "coordinate_problem",
    "import_csv",
    "load_mapping",
    "parse_number",
    "sweref99tm_to_wgs84",
]

_FIELDS = ("name", "locality", "municipality", *OPTIONAL_FIELDS)


# ---------------------------------------------------------------- SWEREF 99 TM

# GRS 80 and the SWEREF 99 TM projection (Lantmäteriet, "Gauss-Krügers
# projektion", the series expansion used for Swedish grids).
_A = 6378137.0
_F = 1 / 298.257222101
_LON0 = math.radians(15.0)
_K0 = 0.9996
_FALSE_EASTING = 500000.0


def sweref99tm_to_wgs84(northing: float, easting: float) -> tuple[float, float]:
    """SWEREF 99 TM (EPSG:3006) metres to WGS84 (lat, lon) degrees.

    The inverse Gauss-Krüger series Lantmäteriet publishes; accurate to well
    under a millimetre in Sweden, so no projection library is needed.
    """
    e2 = _F * (2 - _F)
    n = _F / (2 - _F)
    a_roof = _A / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    d1 = n / 2 - 2 * n**2 / 3 + 37 * n**3 / 96 - n**4 / 360
    d2 = n**2 / 48 + n**3 / 15 - 437 * n**4 / 1440
    d3 = 17 * n**3 / 480 - 37 * n**4 / 840
    d4 = 4397 * n**4 / 161280
    a_star = e2 + e2**2 + e2**3 + e2**4
    b_star = -(7 * e2**2 + 17 * e2**3 + 30 * e2**4) / 6
    c_star = (224 * e2**3 + 889 * e2**4) / 120
    d_star = -(4279 * e2**4) / 1260

    xi = northing / (_K0 * a_roof)
    eta = (easting - _FALSE_EASTING) / (_K0 * a_roof)
    xi_p = xi
    eta_p = eta
    for k, d in enumerate((d1, d2, d3, d4), start=1):
        xi_p -= d * math.sin(2 * k * xi) * math.cosh(2 * k * eta)
        eta_p -= d * math.cos(2 * k * xi) * math.sinh(2 * k * eta)
    phi_star = math.asin(math.sin(xi_p) / math.cosh(eta_p))
    d_lambda = math.atan(math.sinh(eta_p) / math.cos(xi_p))
    s2 = math.sin(phi_star) ** 2
    lat = phi_star + math.sin(phi_star) * math.cos(phi_star) * (
        a_star + b_star * s2 + c_star * s2**2 + d_star * s2**3
    )
    return math.degrees(lat), math.degrees(_LON0 + d_lambda)


#: SWEREF 99 TM over Sweden: northing ~6.1-7.7 million m, easting ~0.26-0.93 million m.
_NORTHING_RANGE = (6_000_000.0, 7_800_000.0)
_EASTING_RANGE = (200_000.0, 1_000_000.0)


def parse_number(value: Any) -> float | None:
    """A number from a spreadsheet cell: "56,2034", "6 228 451", "15.5".

    Returns None for an empty or unreadable cell (the caller says why).
    """
    text = clean_text(value)
    if text is None:
        return None
    text = text.replace("\u00a0", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


#: WGS84 degrees over Sweden (with a margin): latitude, longitude.
_SWEDEN_LAT = (55.0, 69.5)
_SWEDEN_LON = (10.5, 24.5)


def coordinate_problem(raw_lat: Any, raw_lon: Any) -> str | None:
    """Why two lat/lon cells are no position in Sweden, naming the likely cause.

    SWEREF 99 TM metres in the lat/lon columns, swapped columns, a decimal
    comma that split a number into two columns, or a number written with both
    a point and a comma. None when the cells are a position in Sweden.
    """
    lat, lon = parse_number(raw_lat), parse_number(raw_lon)
    shown = f"{clean_text(raw_lat) or '(tom)'} / {clean_text(raw_lon) or '(tom)'}"
    if lat is None or lon is None:
        cells = [clean_text(c) or "" for c in (raw_lat, raw_lon)]
        if any("," in c and "." in c for c in cells):
            return (
                f"koordinaterna {shown} har både punkt och komma i samma tal: skriv "
                "grader med ett decimaltecken, till exempel 56,2034 eller 56.2034"
            )
        if not any(cells):
            return "koordinaterna saknas eller är inga tal"
        return f"koordinaterna saknas eller är inga tal ({shown})"
    for a, b in ((lat, lon), (lon, lat)):
        if _in(a, _NORTHING_RANGE) and _in(b, _EASTING_RANGE):
            return (
                f"talen {shown} ser ut som SWEREF 99 TM (meter), inte grader: ange "
                "kolumnerna som northing och easting under 'coordinates' i "
                "mappningsfilen (crs: sweref99tm) i stället för lat och lon"
            )
    if _in(lon, _SWEDEN_LAT) and _in(lat, _SWEDEN_LON):
        return (
            f"latitud och longitud verkar omkastade ({shown}; i Sverige är latituden "
            "55–69 och longituden 11–24): byt lat och lon i mappningsfilen"
        )
    if (
        float(lat).is_integer()
        and float(lon).is_integer()
        and _in(lat, _SWEDEN_LAT)
        and not _in(lon, _SWEDEN_LON)
    ):
        return (
            f"koordinaterna {shown} ser ut som ett tal med decimalkomma som delats i "
            "två kolumner (kommatecken är också kolumnavgränsare): sätt "
            "delimiter: \";\" i mappningsfilen eller sätt citattecken runt talen"
        )
    if not (_in(lat, _SWEDEN_LAT) and _in(lon, _SWEDEN_LON)):
        return (
            f"positionen {shown} ligger inte i Sverige: kontrollera att kolumnerna "
            "lat och lon i mappningsfilen är latitud och longitud i grader (WGS84)"
        )
    return None


# ---------------------------------------------------------------- the mapping


@dataclass(frozen=True)
class CsvMapping:
    """A checked mapping file (see the module docstring for the format)."""

    source: str
    source_date: datetime.date | None
    source_date_column: str | None
    fields: Mapping[str, str]
    defaults: Mapping[str, str]
    lat_column: str | None
    lon_column: str | None
    northing_column: str | None
    easting_column: str | None
    fixed_categories: tuple[str, ...]
    category_column: str | None
    category_values: Mapping[str, tuple[str, ...]]
    category_separator: str | None
    id_column: str | None
    id_prefix: str
    delimiter: str | None
    encoding: str

    def columns(self) -> list[str]:
        """Every column the mapping needs in the CSV."""
        cols = [
            *self.fields.values(),
            self.lat_column,
            self.lon_column,
            self.northing_column,
            self.easting_column,
            self.category_column,
            self.id_column,
            self.source_date_column,
        ]
        return [c for c in dict.fromkeys(cols) if c]


def _str_or_none(value: Any) -> str | None:
    return clean_text(value) if value is not None else None


def load_mapping(path: Path) -> CsvMapping:
    """Read and check a mapping YAML file.

    Raises:
        ImportFailed: missing file, bad YAML, or a required part missing.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ImportFailed(f"kan inte läsa mappningsfilen ({exc})", str(path)) from exc
    except ValueError as exc:  # YAML's own date parsing: 2026-13-01
        raise ImportFailed(
            f"mappningsfilen: ogiltigt värde, t.ex. ett datum ({exc})", str(path)
        ) from exc
    if not isinstance(raw, Mapping):
        raise ImportFailed("mappningsfilen ska vara en YAML-mappning", str(path))

    def fail(reason: str) -> ImportFailed:
        return ImportFailed(f"mappningsfilen: {reason}", str(path))

    source = _str_or_none(raw.get("source"))
    if not source:
        raise fail("'source' saknas (varifrån kommer listan?)")
    day: datetime.date | None = None
    if raw.get("source_date") is not None:
        try:
            day = parse_day(raw["source_date"])
        except ValueError:
            raise fail(
                f"ogiltigt source_date {raw['source_date']!r} (ÅÅÅÅ-MM-DD)"
            ) from None
    date_column = _str_or_none(raw.get("source_date_column"))
    if day is None and date_column is None:
        raise fail(
            "'source_date' eller 'source_date_column' saknas (när gällde listan?)"
        )

    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, Mapping) or not fields_raw.get("name"):
        raise fail("'fields' med minst 'name: <kolumn>' saknas")
    unknown = [k for k in fields_raw if k not in _FIELDS]
    if unknown:
        raise fail(f"okända fält under 'fields': {', '.join(map(str, unknown))}")
    fields = {str(k): str(v) for k, v in fields_raw.items() if v}
    defaults_raw = raw.get("defaults") or {}
    if not isinstance(defaults_raw, Mapping):
        raise fail("'defaults' ska vara en mappning fält: värde")
    defaults = {str(k): str(v) for k, v in defaults_raw.items() if v is not None}

    coords = raw.get("coordinates")
    if not isinstance(coords, Mapping):
        raise fail("'coordinates' saknas (lat/lon eller northing/easting)")
    lat_c, lon_c = _str_or_none(coords.get("lat")), _str_or_none(coords.get("lon"))
    n_c = _str_or_none(coords.get("northing"))
    e_c = _str_or_none(coords.get("easting"))
    if not ((lat_c and lon_c) or (n_c and e_c)):
        raise fail("'coordinates' ska ange lat och lon, eller northing och easting")
    crs = str(coords.get("crs", "sweref99tm" if n_c else "wgs84")).lower()
    if n_c and crs.replace(" ", "").replace("_", "") not in ("sweref99tm", "epsg:3006"):
        raise fail(f"okänt koordinatsystem {crs!r} (stöds: sweref99tm)")

    cats = raw.get("categories")
    if not isinstance(cats, Mapping):
        raise fail("'categories' saknas (fixed: [...] eller column + values)")
    fixed = cats.get("fixed") or []
    if isinstance(fixed, str):
        fixed = [fixed]
    values_raw = cats.get("values") or {}
    if not isinstance(values_raw, Mapping):
        raise fail("'categories.values' ska vara en mappning värde: kategori")
    values: dict[str, tuple[str, ...]] = {}
    for key, cat in values_raw.items():
        cat_list = cat if isinstance(cat, list) else [cat]
        values[str(key).strip().casefold()] = tuple(str(c) for c in cat_list if c)
    cat_column = _str_or_none(cats.get("column"))
    if not fixed and not cat_column:
        raise fail("'categories' ska ha 'fixed' eller 'column'")
    if cat_column and not values:
        raise fail("'categories.values' saknas: vilka värden betyder vilken kategori?")

    id_raw = raw.get("id") or {}
    if isinstance(id_raw, str):
        id_raw = {"column": id_raw}
    if not isinstance(id_raw, Mapping):
        raise fail("'id' ska vara en mappning (column, prefix)")
    id_prefix = str(id_raw.get("prefix") or slugify(source)[:20] + "-")

    return CsvMapping(
        source=source,
        source_date=day,
        source_date_column=date_column,
        fields=fields,
        defaults=defaults,
        lat_column=lat_c,
        lon_column=lon_c,
        northing_column=n_c,
        easting_column=e_c,
        fixed_categories=tuple(str(c) for c in fixed),
        category_column=cat_column,
        category_values=values,
        category_separator=_str_or_none(cats.get("separator")),
        id_column=_str_or_none(id_raw.get("column")),
        id_prefix=id_prefix,
        delimiter=raw.get("delimiter"),
        encoding=str(raw.get("encoding") or "utf-8-sig"),
    )


# ---------------------------------------------------------------- reading rows


def _read_rows(path: Path, mapping: CsvMapping) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding=mapping.encoding)
    except FileNotFoundError as exc:
        raise ImportFailed("filen finns inte", str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"filen är inte kodad som {mapping.encoding} ({exc}); "
            "ange t.ex. 'encoding: cp1252' i mappningsfilen",
            str(path),
        ) from exc
    except (OSError, LookupError) as exc:
        raise ImportFailed(f"kan inte läsa filen ({exc})", str(path)) from exc
    if not text.strip():
        raise ImportFailed("filen är tom", str(path))
    delimiter = mapping.delimiter
    if not delimiter:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in mapping.columns() if c not in header]
    if missing:
        raise ImportFailed(
            "kolumner som mappningen nämner saknas: "
            + ", ".join(missing)
            + " (filen har: "
            + ", ".join(header)
            + ")",
            str(path),
        )
    try:
        return [
            {
                (k or "").strip(): (v if isinstance(v, str) else "")
                for k, v in row.items()
            }
            for row in reader
        ]
    except csv.Error as exc:
        raise ImportFailed(f"trasig CSV ({exc})", str(path)) from exc


def _position(
    row: Mapping[str, str], mapping: CsvMapping
) -> tuple[float | None, float | None, str | None]:
    """(lat, lon, note); None coordinates when the cells are unreadable."""
    if mapping.lat_column and mapping.lon_column:
        lat = parse_number(row[mapping.lat_column])
        return lat, parse_number(row[mapping.lon_column]), None
    # load_mapping guarantees the SWEREF columns when lat/lon are absent
    north = parse_number(row.get(mapping.northing_column or "", ""))
    east = parse_number(row.get(mapping.easting_column or "", ""))
    if north is None or east is None:
        return None, None, None
    note = None
    if not _in(north, _NORTHING_RANGE) and _in(east, _NORTHING_RANGE):
        north, east = east, north
        note = "northing och easting var omkastade; rättat"
    if not (_in(north, _NORTHING_RANGE) and _in(east, _EASTING_RANGE)):
        return math.nan, math.nan, None
    lat, lon = sweref99tm_to_wgs84(north, east)
    return round(lat, 7), round(lon, 7), note


def _in(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _categories(
    row: Mapping[str, str], mapping: CsvMapping
) -> tuple[list[str], str | None]:
    """(categories, reason if the row's value is not in the mapping)."""
    cats = list(mapping.fixed_categories)
    if mapping.category_column:
        cell = clean_text(row[mapping.category_column]) or ""
        sep = mapping.category_separator
        parts = cell.split(sep) if sep else [cell]
        for part in (p.strip() for p in parts):
            if not part:
                continue
            mapped = mapping.category_values.get(part.casefold())
            if mapped is None:
                return [], (
                    f"värdet {part!r} i kolumnen {mapping.category_column} finns inte "
                    "i mappningens 'values'"
                )
            cats.extend(mapped)
    return list(dict.fromkeys(cats)), None


def import_csv(
    input_path: Path,
    mapping_path: Path,
    output: Path,
    *,
    merge: bool = False,
    locator: Locator | None = None,
    use_gazetteer: bool = True,
) -> ImportReport:
    """Import a CSV export into a registry file using a mapping YAML file.

    Args:
        input_path: the CSV file.
        mapping_path: the mapping (format in the module docstring).
        output: the registry file to (re)write.
        merge: keep other records already in `output`.
        locator: fills a missing ort/kommun; default the gazetteer.
        use_gazetteer: False to require the columns.

    Raises:
        ImportFailed: bad mapping, unreadable CSV, missing columns, or no
            valid row; `output` is then left untouched.
    """
    mapping = load_mapping(Path(mapping_path))
    rows = _read_rows(Path(input_path), mapping)
    report = ImportReport(importer="csv", input=str(input_path))
    report.source_date = mapping.source_date
    if locator is None and use_gazetteer:
        locator = default_locator()
    builder = PointBuilder(report, locator=locator)
    taken: set[str] = set()
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        ref = f"rad {line}"
        cats, reason = _categories(row, mapping)
        if reason:
            builder.skip(ref, reason)
            continue
        props: dict[str, Any] = {
            field: clean_text(row[column]) for field, column in mapping.fields.items()
        }
        for field, value in mapping.defaults.items():
            if not props.get(field):
                props[field] = value
        props["categories"] = cats
        props["source"] = mapping.source
        props["source_date"] = (
            clean_text(row[mapping.source_date_column])
            if mapping.source_date_column
            else None
        ) or mapping.source_date
        if isinstance(props["source_date"], str):
            # unreadable: left as text, the registry check names the bad date
            with contextlib.suppress(ValueError):
                props["source_date"] = parse_day(props["source_date"])
        name = props.get("name")
        if mapping.id_column:
            raw_id = clean_text(row[mapping.id_column])
            props["id"] = f"{mapping.id_prefix}{raw_id}" if raw_id else None
        elif name:
            base = slugify(f"{name} {props.get('locality') or ''}")
            props["id"] = unique_id(f"{mapping.id_prefix}{base}", taken)
        if mapping.lat_column and mapping.lon_column:
            problem = coordinate_problem(
                row[mapping.lat_column], row[mapping.lon_column]
            )
            if problem:
                builder.skip(ref, problem)
                continue
        lat, lon, note = _position(row, mapping)
        if lat is None or lon is None:
            builder.skip(ref, "koordinaterna saknas eller är inga tal")
            continue
        if isinstance(lat, float) and math.isnan(lat):
            builder.skip(ref, "koordinaterna ligger inte i SWEREF 99 TM över Sverige")
            continue
        if builder.add(ref, props, lat, lon) is not None and note:
            builder.note(ref, note)
    return write_import(builder.finish(), Path(output), report, merge=merge)
