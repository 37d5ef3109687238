"""What every importer shares: validated points, the report, the atomic write.

Real data reaches Servicelotsen through importers (OpenStreetMap, GeoJSON, CSV),
never by hand. They all follow the same contract, kept here so it holds the
same way for each of them:

* every record goes through `bot.registry.parse_feature`, the same check the
  bot applies when it loads the registry, so an import never writes a record
  the bot would reject;
* a bad record is skipped and the report says which and why (in Swedish);
* an unusable input as a whole (bad JSON, missing columns, a truncated file)
  raises `ImportFailed` before anything is written, and so does an import
  with no valid record at all (it would wipe the registry);
* the registry file is replaced atomically (`write_registry`), so a failed
  import leaves the old file exactly as it was.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import (
    ImportFailed,
    InvalidOpeningHours,
    InvalidRecord,
    RegistryError,
    ServicelotsenError,
)
from bot.opening_hours import validate_opening_hours
from bot.registry import ServicePoint, load_registry, parse_feature, write_registry
from bot.service_types import load_service_types
from bot.text import fold_diacritics

__all__ = [
    "ImportFailed",
    "ImportReport",
    "Locator",
    "PointBuilder",
    "Skipped",
    "clean_text",
    "default_locator",
    "normalise_postcode",
    "parse_day",
    "polygon_centroid",
    "slugify",
    "unique_id",
    "write_import",
]

#: (lat, lon) -> (locality, municipality); either may be None when unknown.
Locator = Callable[[float, float], tuple[str | None, str | None]]


@dataclass(frozen=True)
class Skipped:
    """A record an import left out (or a field it dropped), and why.

    Attributes:
        ref: how an editor finds the record in the input ("node 123",
            "rad 7", an id).
        reason: plain Swedish.
    """

    ref: str
    reason: str


@dataclass
class ImportReport:
    """What an import did, for the editor who ran it.

    Attributes:
        importer: "osm", "geojson" or "csv".
        input: the file read.
        output: the registry file written (None until written).
        imported: records taken from the input.
        by_category: imported records per category.
        skipped: records left out, with the reason.
        notes: records kept but changed (a field dropped or filled in).
        kept: records of the old file kept (merge mode).
        replaced: records of the old file replaced by the import (same id).
        updated: records of other files in the registry folder that this
            import supersedes (same id, later source date: the registry then
            uses the new one, see `bot.registry.load_registry`).
        source_date: the date the import stamped on its records, if one.
        written: True once the registry file was replaced.
    """

    importer: str
    input: str
    output: str | None = None
    imported: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Skipped] = field(default_factory=list)
    kept: int = 0
    replaced: int = 0
    updated: int = 0
    source_date: datetime.date | None = None
    written: bool = False

    def skip_reasons(self) -> Counter[str]:
        """How often each reason occurred (the reason without the record)."""
        return Counter(s.reason for s in self.skipped)

    def summary(self, *, max_lines: int = 20) -> str:
        """The report as short Swedish text (what the CLI prints)."""
        lines = [f"Import ({self.importer}) från {self.input}"]
        lines.append(f"  importerade: {self.imported}")
        for cat, n in sorted(self.by_category.items()):
            lines.append(f"    {cat}: {n}")
        if self.source_date is not None:
            lines.append(f"  källdatum: {self.source_date.isoformat()}")
        if self.kept or self.replaced:
            lines.append(
                f"  sammanslaget med befintlig fil: {self.kept} behölls, "
                f"{self.replaced} ersattes"
            )
        if self.updated:
            lines.append(
                f"  uppdaterade: {self.updated} (samma id fanns i en annan registerfil "
                "med äldre källdatum; den nya posten används)"
            )
        lines.append(f"  hoppade över: {len(self.skipped)}")
        for s in self.skipped[:max_lines]:
            lines.append(f"    {s.ref}: {s.reason}")
        if len(self.skipped) > max_lines:
            lines.append(f"    … och {len(self.skipped) - max_lines} till")
        if self.notes:
            lines.append(f"  anmärkningar: {len(self.notes)}")
            for s in self.notes[:max_lines]:
                lines.append(f"    {s.ref}: {s.reason}")
            if len(self.notes) > max_lines:
                lines.append(f"    … och {len(self.notes) - max_lines} till")
        if self.written:
            lines.append(f"  skrev {self.output}")
        else:
            lines.append("  ingen fil skrevs")
        return "\n".join(lines)


# ---------------------------------------------------------------- small helpers


def clean_text(value: Any) -> str | None:
    """Trimmed text with single spaces, or None for empty/missing values."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return text or None


def slugify(text: str) -> str:
    """An id-safe ASCII slug ("Nättraby Idrottsv." -> "nattraby-idrottsv").

    Ids built from names must stay the same on every run, so this depends on
    the text alone.
    """
    plain = fold_diacritics(unicodedata.normalize("NFKC", text.casefold()))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… if taken; the result is added to `taken`."""
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


_POSTCODE = re.compile(r"^(?:SE-?)?\s*(\d{3})\s?(\d{2})$", re.IGNORECASE)


def normalise_postcode(value: Any) -> str | None:
    """Swedish postcodes written the usual way ("37130" -> "371 30").

    Anything that is not a five-digit code is kept as given (trimmed): we do
    not guess.
    """
    text = clean_text(value)
    if text is None:
        return None
    m = _POSTCODE.match(text)
    return f"{m.group(1)} {m.group(2)}" if m else text


def parse_day(value: Any) -> datetime.date:
    """A date from YAML, JSON or CLI text: a date, "YYYY-MM-DD" or an ISO time.

    Raises:
        ValueError: not a date.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and len(value.strip()) >= 10:
        return datetime.date.fromisoformat(value.strip()[:10])
    raise ValueError(f"not a date: {value!r}")


def polygon_centroid(ring: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Area centroid (lat, lon) of a ring of (lat, lon) points.

    Small areas (a shop's building) are flat enough to treat lon/lat as plane
    coordinates. Falls back to the mean of the points for a degenerate ring
    (zero area, or fewer than three points).
    """
    pts = list(ring)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    if not pts:
        raise ValueError("empty ring")
    mean_lat = sum(p[0] for p in pts) / len(pts)
    mean_lon = sum(p[1] for p in pts) / len(pts)
    if len(pts) < 3:
        return mean_lat, mean_lon
    area2 = cx = cy = 0.0
    for (y0, x0), (y1, x1) in zip(pts, pts[1:] + pts[:1], strict=True):
        # shift to the mean for numerical stability
        x0, y0, x1, y1 = x0 - mean_lon, y0 - mean_lat, x1 - mean_lon, y1 - mean_lat
        cross = x0 * y1 - x1 * y0
        area2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area2) < 1e-18:
        return mean_lat, mean_lon
    return mean_lat + cy / (3 * area2), mean_lon + cx / (3 * area2)


def default_locator() -> Locator | None:
    """Point -> (ort, kommun) from the gazetteer: the nearest tätort or ort.

    Importers use it for records whose source names no locality or
    municipality (OpenStreetMap rarely has `addr:municipality`). The kommun is
    the nearest place's, which can be wrong right at a kommun border; sources
    that state the kommun are always preferred. Returns None when the
    gazetteer is not available; records then need the fields themselves.
    """
    try:
        from bot.gazetteer import default_gazetteer

        gazetteer = default_gazetteer()
    except (ImportError, ServicelotsenError, OSError, ValueError):
        return None

    def locate(lat: float, lon: float) -> tuple[str | None, str | None]:
        place = gazetteer.nearest_place(lat, lon)
        if place is None:
            return None, None
        place = gazetteer.locality(place)
        return clean_text(place.name), clean_text(place.municipality)

    return locate


# ---------------------------------------------------------------- building points


def _round_coordinate(value: Any) -> Any:
    """7 decimals (about 1 cm): no float noise in the registry's diffs."""
    if isinstance(value, float) and math.isfinite(value):
        return round(value, 7)
    return value


class PointBuilder:
    """Collects validated points for one import and what it left out.

    Importers hand over plain properties plus a position; the builder cleans
    the text, fills a missing ort/kommun from the locator, drops an invalid
    `opening_hours` (keeping the record, with a note: a wrong time is worse
    than none, a missing shop is worse than a missing time), validates the
    record exactly as the registry loader would, and rejects duplicate ids.
    """

    def __init__(
        self,
        report: ImportReport,
        *,
        locator: Locator | None = None,
        known_categories: Iterable[str] | None = None,
    ) -> None:
        self.report = report
        self.locator = locator
        self.known = frozenset(
            known_categories
            if known_categories is not None
            else load_service_types().keys()
        )
        self.points: dict[str, ServicePoint] = {}

    def skip(self, ref: str, reason: str) -> None:
        """Record that `ref` was left out, and why."""
        self.report.skipped.append(Skipped(ref, reason))

    def note(self, ref: str, reason: str) -> None:
        """Record a change to a kept record."""
        self.report.notes.append(Skipped(ref, reason))

    def add(
        self, ref: str, props: Mapping[str, Any], lat: Any, lon: Any
    ) -> ServicePoint | None:
        """Validate one record and keep it; on failure skip it with the reason."""
        clean: dict[str, Any] = {}
        for key, value in props.items():
            if key in ("categories", "source_date", "carriers", "sources"):
                clean[key] = value
            elif value is not None:
                clean[key] = clean_text(value)
        if clean.get("postcode"):
            clean["postcode"] = normalise_postcode(clean["postcode"])
        if isinstance(clean.get("source_date"), datetime.date):
            clean["source_date"] = clean["source_date"].isoformat()
        hours = clean.get("opening_hours")
        if hours:
            try:
                clean["opening_hours"] = validate_opening_hours(hours)
            except InvalidOpeningHours:
                clean["opening_hours"] = None
                self.note(
                    ref, f"öppettiderna {hours!r} gick inte att tolka; utelämnade"
                )
        self._fill_place(ref, clean, lat, lon)
        lat, lon = _round_coordinate(lat), _round_coordinate(lon)
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": clean,
        }
        try:
            point = parse_feature(feature, known_categories=self.known)
        except InvalidRecord as exc:
            self.skip(ref, exc.reason)
            return None
        if point.id in self.points:
            self.skip(ref, f"id {point.id} finns redan tidigare i importen")
            return None
        self.points[point.id] = point
        return point

    def _fill_place(self, ref: str, props: dict[str, Any], lat: Any, lon: Any) -> None:
        if props.get("locality") and props.get("municipality"):
            return
        if self.locator is None:
            return
        try:
            flat, flon = float(lat), float(lon)
        except (TypeError, ValueError):
            return  # parse_feature reports the bad coordinates
        if not (math.isfinite(flat) and math.isfinite(flon)):
            return
        locality, municipality = self.locator(flat, flon)
        filled = []
        if not props.get("locality") and locality:
            props["locality"] = locality
            filled.append(f"ort {locality}")
        if not props.get("municipality") and municipality:
            props["municipality"] = municipality
            filled.append(f"kommun {municipality}")
        if filled:
            self.note(ref, "från ortsdatabasen: " + ", ".join(filled))

    def finish(self) -> list[ServicePoint]:
        """The kept points; also counts them into the report."""
        points = list(self.points.values())
        self.report.imported = len(points)
        self.report.by_category = Counter(c for p in points for c in p.categories)
        return points


# ---------------------------------------------------------------- writing


def write_import(
    points: Sequence[ServicePoint],
    output: Path,
    report: ImportReport,
    *,
    merge: bool = False,
) -> ImportReport:
    """Write the imported points to `output`, atomically.

    Args:
        points: the validated points of this import.
        output: a GeoJSON registry file (not a folder).
        report: filled in with the output and merge counts.
        merge: keep the records already in `output` and replace only those
            with the same id; otherwise `output` holds exactly this import
            (a refresh: what disappeared from the source disappears here).

    Raises:
        ImportFailed: nothing valid to write, `output` is a folder, or (merge)
            the existing file is unreadable. The old file is left untouched.
    """
    output = Path(output)
    if output.is_dir():
        raise ImportFailed(
            "ska vara en GeoJSON-fil, inte en mapp (t.ex. "
            f"{output / 'import.geojson'})",
            str(output),
        )
    if not points:
        common = "; ".join(
            f"{reason} ({n} st)" for reason, n in report.skip_reasons().most_common(3)
        )
        raise ImportFailed(
            "importen gav inga giltiga poster, så registret lämnas orört"
            + (f" (vanligaste skäl: {common})" if common else ""),
            report.input,
        )
    final = list(points)
    if merge and output.exists():
        try:
            existing = load_registry(output)
        except RegistryError as exc:
            raise ImportFailed(
                f"den befintliga filen går inte att läsa ({exc}); "
                "importera utan sammanslagning eller rätta filen",
                str(output),
            ) from exc
        new_ids = {p.id for p in points}
        kept = [p for p in existing.points if p.id not in new_ids]
        report.kept = len(kept)
        report.replaced = len(existing.points) - len(kept)
        final = kept + final
    _compare_with_siblings(points, output, report)
    try:
        write_registry(final, output)
    except (OSError, ValueError) as exc:
        raise ImportFailed(f"kunde inte skriva filen: {exc}", str(output)) from exc
    report.output = str(output)
    report.written = True
    return report


def _compare_with_siblings(
    points: Sequence[ServicePoint], output: Path, report: ImportReport
) -> None:
    """Same ids in the other files of the registry folder: update or say why not.

    The registry keeps the record with the later source date (an OSM import
    into osm.geojson updates blekinge.geojson's osm-node-* records); an
    imported record that is not newer is noted, since the older file's record
    stays in use.
    """
    by_id = {p.id: p for p in points}
    for sibling in sorted(output.parent.glob("*.geojson")):
        if sibling.resolve() == output.resolve() or not sibling.is_file():
            continue
        try:
            other = load_registry(sibling)
        except RegistryError:
            continue  # `make validate` reports it
        for old in (*other.points, *other.closed):
            new = by_id.get(old.id)
            if new is None:
                continue
            if new.source_date > old.source_date:
                report.updated += 1
            else:
                report.notes.append(
                    Skipped(
                        old.id,
                        f"finns redan i {sibling.name} med källdatum "
                        f"{old.source_date.isoformat()} (samma eller nyare än "
                        f"importens {new.source_date.isoformat()}); den posten används",
                    )
                )
