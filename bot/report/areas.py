"""What the report measures from: Blekinge's localities and postcode areas,
and (optionally) how many people live in each.

Localities are the gazetteer's tätorter and orter, postcode areas its
postnummerområden (their position is the post town's centroid from GeoNames,
so several areas of one town often share it). Places without a position are
kept aside and listed, never guessed.

Population comes from a CSV the region imports (`--population`), one row per
locality or per postcode: see `load_population` for the columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ServicelotsenError
from bot.gazetteer import (
    KIND_ORT,
    KIND_POSTNUMMEROMRADE,
    KIND_TATORT,
    Gazetteer,
    Place,
    parse_postcode,
)
from bot.text import compact_key

__all__ = [
    "LOCALITY",
    "POSTCODE",
    "Areas",
    "Population",
    "PopulationError",
    "Skipped",
    "area_kind",
    "load_population",
    "report_areas",
]

#: The two kinds of area the report has tables for.
LOCALITY = "ort"
POSTCODE = "postnummerområde"

_KEY_COLUMNS = {
    "postnummer": "postcode",
    "postnr": "postcode",
    "postcode": "postcode",
    "postal_code": "postcode",
    "ort": "locality",
    "tätort": "locality",
    "tatort": "locality",
    "locality": "locality",
    "namn": "locality",
    "id": "id",
    "place_id": "id",
}
_VALUE_COLUMNS = (
    "invånare",
    "invanare",
    "befolkning",
    "folkmängd",
    "folkmangd",
    "population",
    "antal",
)
_MUNICIPALITY_COLUMNS = ("kommun", "municipality", "kommunnamn")


class PopulationError(ServicelotsenError):
    """The population file cannot be used at all (Swedish message)."""


def area_kind(place: Place) -> str:
    """LOCALITY for a tätort or ort, POSTCODE for a postnummerområde."""
    return POSTCODE if place.kind == KIND_POSTNUMMEROMRADE else LOCALITY


@dataclass(frozen=True)
class Areas:
    """The places the report measures from.

    Attributes:
        localities: tätorter and orter with a position, by kommun and name.
        postcodes: postnummerområden with a position, by postcode.
        unlocated: places of the county without a position (listed only).
    """

    localities: tuple[Place, ...]
    postcodes: tuple[Place, ...]
    unlocated: tuple[Place, ...]

    @property
    def all(self) -> tuple[Place, ...]:
        return self.localities + self.postcodes


def report_areas(gazetteer: Gazetteer, county: str = "Blekinge") -> Areas:
    """The county's localities and postcode areas in a stable order."""
    own = [p for p in gazetteer.places if p.county == county]
    located = [p for p in own if p.has_coordinates]
    localities = sorted(
        (p for p in located if p.kind in (KIND_TATORT, KIND_ORT)),
        key=lambda p: (p.municipality, p.name, p.id),
    )
    postcodes = sorted(
        (p for p in located if p.kind == KIND_POSTNUMMEROMRADE),
        key=lambda p: (p.postcodes[:1], p.id),
    )
    unlocated = sorted(
        (p for p in own if not p.has_coordinates),
        key=lambda p: (p.kind != KIND_TATORT, p.municipality, p.name, p.id),
    )
    return Areas(tuple(localities), tuple(postcodes), tuple(unlocated))


@dataclass(frozen=True)
class Skipped:
    """A population row that was not used, and why (Swedish)."""

    line: int
    reason: str


@dataclass(frozen=True)
class Population:
    """Residents per place id, from one CSV file.

    Attributes:
        source: the file, as given.
        level: LOCALITY or POSTCODE (the rows' key decides; one level per file).
        residents: place id -> residents.
        skipped: rows not used, with line number and reason.
    """

    source: str
    level: str
    residents: dict[str, int]
    skipped: tuple[Skipped, ...] = field(default_factory=tuple)

    def of(self, place: Place) -> int | None:
        return self.residents.get(place.id)


def _header_map(header: Sequence[str]) -> tuple[int, str, int, int | None]:
    cleaned = [h.strip().lstrip("\ufeff").casefold() for h in header]
    key = next(
        ((i, _KEY_COLUMNS[h]) for i, h in enumerate(cleaned) if h in _KEY_COLUMNS), None
    )
    value = next((i for i, h in enumerate(cleaned) if h in _VALUE_COLUMNS), None)
    muni = next((i for i, h in enumerate(cleaned) if h in _MUNICIPALITY_COLUMNS), None)
    if key is None or value is None:
        raise PopulationError(
            "befolkningsfilen behöver en kolumn för platsen (postnummer, ort eller id) "
            "och en för antalet (invånare, befolkning eller population); rubrikraden är: "
            + ", ".join(header)
        )
    return key[0], key[1], value, muni


def _number(text: str) -> int | None:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if not re.fullmatch(r"\d+", cleaned):
        return None
    return int(cleaned)


def _by_name(places: Iterable[Place]) -> dict[str, list[Place]]:
    found: dict[str, list[Place]] = {}
    for p in places:
        for name in (p.name, *p.aliases):
            found.setdefault(compact_key(name), []).append(p)
    return found


def load_population(path: Path, areas: Areas) -> Population:
    """Read residents per locality or per postcode from a CSV file.

    The first row names the columns (case does not matter):

    * the place: `postnummer` ("372 30" or "37230"), or `ort` (a tätort's or
      ort's name; add `kommun` when two share a name), or `id` (the
      gazetteer's id, e.g. "1080-jamjo");
    * the number: `invånare` (or `befolkning`, `population`, `antal`); spaces
      as thousands separators are fine.

    Comma, semicolon or tab separate the columns. A file gives one level:
    either postcodes or localities. Rows that name no known place of the
    county, or have no number, are skipped and listed; a place named twice
    keeps the sum.

    Raises:
        PopulationError: the file is missing, empty or lacks the columns.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PopulationError(f"befolkningsfilen {path} finns inte") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PopulationError(
            f"befolkningsfilen {path} kan inte läsas som UTF-8-text ({exc})"
        ) from None
    if not text.strip():
        raise PopulationError(f"befolkningsfilen {path} är tom")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text.splitlines()[0], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    key_col, key_kind, value_col, muni_col = _header_map(rows[0])
    by_postcode = {
        code.replace(" ", ""): p for p in areas.postcodes for code in p.postcodes
    }
    by_id = {p.id: p for p in areas.all}
    names = _by_name(areas.localities)
    residents: dict[str, int] = {}
    skipped: list[Skipped] = []
    levels: set[str] = set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(key_col, value_col):
            skipped.append(Skipped(line, "för få kolumner"))
            continue
        key = row[key_col].strip()
        number = _number(row[value_col])
        if number is None:
            skipped.append(
                Skipped(line, f"antalet {row[value_col].strip()!r} är inget heltal")
            )
            continue
        place: Place | None = None
        if key_kind == "postcode":
            codes = parse_postcode(key)
            place = by_postcode.get(codes[0]) if codes else None
            if place is None:
                skipped.append(
                    Skipped(
                        line,
                        f"postnumret {key!r} finns inte i länets postnummerområden",
                    )
                )
                continue
        elif key_kind == "id":
            place = by_id.get(key)
            if place is None:
                skipped.append(
                    Skipped(
                        line,
                        f"id {key!r} finns inte bland länets orter och postnummerområden",
                    )
                )
                continue
        else:
            candidates = names.get(compact_key(key), [])
            if muni_col is not None and len(row) > muni_col and row[muni_col].strip():
                wanted = (
                    compact_key(row[muni_col]).removesuffix("kommun").removesuffix("s")
                )
                candidates = [
                    p
                    for p in candidates
                    if compact_key(p.municipality) in (wanted, wanted + "s")
                ]
            if len(candidates) != 1:
                why = (
                    "finns inte bland länets orter"
                    if not candidates
                    else ("finns i flera kommuner; ange kolumnen kommun")
                )
                skipped.append(Skipped(line, f"orten {key!r} {why}"))
                continue
            place = candidates[0]
        levels.add(area_kind(place))
        residents[place.id] = residents.get(place.id, 0) + number
    if not residents:
        raise PopulationError(
            f"befolkningsfilen {path} har ingen användbar rad"
            + (
                f" (första felet, rad {skipped[0].line}: {skipped[0].reason})"
                if skipped
                else ""
            )
        )
    if len(levels) > 1:
        raise PopulationError(
            f"befolkningsfilen {path} blandar orter och postnummerområden; "
            "använd en fil per nivå"
        )
    return Population(str(path), levels.pop(), residents, tuple(skipped))
