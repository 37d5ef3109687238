"""Make the whole report: compute, draw, write (`make report`, `python -m bot report`)."""

from __future__ import annotations

import datetime
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import KnowledgeError, TrackerStoreError
from bot.gazetteer import DEFAULT_GAZETTEER_PATH, Gazetteer
from bot.inbox import TIMEZONE
from bot.knowledge import Entry, Knowledge
from bot.registry import Registry, load_registry
from bot.report.areas import Areas, Population, load_population, report_areas
from bot.report.borders import DEFAULT_BORDERS_PATH, load_borders
from bot.report.config import ReportConfig, load_config
from bot.report.demand import DemandReport, collect_demand
from bot.report.gaps import GapAnalysis, analyse_gaps
from bot.report.maps import draw_group_map
from bot.report.population import (
    ATTRIBUTION,
    DEFAULT_TATORTER,
    CategoryAge,
    ResidentGap,
    TatortWeighting,
    category_ages,
    load_tatorter,
    resident_gaps,
)
from bot.report.render import Meta, SourceLine, date_range, render_html
from bot.report.tables import Table, build_tables, write_csv
from bot.service_types import load_service_types
from bot.tracker_db import ENV_TRACKER_URL, shown_url, sqlite_path, tracker_url

__all__ = ["DEFAULT_OUT", "ReportResult", "build_report"]

DEFAULT_OUT = Path("var") / "report"


@dataclass
class ReportResult:
    """What was written, what was found, and how long each step took."""

    out_dir: Path
    html: Path
    csvs: list[Path]
    maps: dict[str, Path]
    analysis: GapAnalysis
    demand: DemandReport | None
    meta: Meta
    demand_note: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    weighting: TatortWeighting | None = None
    resident_gaps: list[ResidentGap] = field(default_factory=list)
    ages: list[CategoryAge] = field(default_factory=list)


def _sources(
    registry: Registry,
    gazetteer_path: Path,
    borders_path: Path,
    weighting: TatortWeighting | None = None,
) -> list[SourceLine]:
    lines: list[SourceLine] = []
    by_source: dict[str, list[datetime.date]] = {}
    for p in registry.points:
        for cat in p.categories:
            entry = p.source_for(cat)
            by_source.setdefault(entry.source, []).append(entry.source_date)
    for source, dates in sorted(by_source.items()):
        if "OpenStreetMap" in source:
            licence = "ODbL 1.0 (© OpenStreetMap contributors)"
        elif "Pipos" in source:
            licence = (
                "Pipos villkor: för offentlig serviceplanering (data/ATTRIBUTION.md)"
            )
        else:
            licence = "se data/ATTRIBUTION.md"
        lines.append(
            SourceLine(
                f"Servicepunkter ({len(dates)} tjänster vid punkterna)",
                source,
                date_range(min(dates), max(dates)),
                licence,
            )
        )
    try:
        meta = json.loads(gazetteer_path.read_text("utf-8")).get("sources", {})
    except (OSError, ValueError):
        meta = {}
    for key, info in meta.items():
        if key == "sweden-geojson" or not isinstance(info, dict):
            continue
        lines.append(
            SourceLine(
                "Orter och postnummer",
                f"{info.get('title', key)} ({info.get('attribution', '')})",
                str(info.get("version", "")).split("@")[-1][:7],
                str(info.get("licence", "")),
            )
        )
    if weighting is not None:
        lines.append(
            SourceLine(
                "Invånare per tätort (viktning)",
                f"SCB, Statistiska tätorter 2020; {ATTRIBUTION}",
                "2020-12-31",
                "CC BY 4.0",
            )
        )
    try:
        border = json.loads(borders_path.read_text("utf-8")).get("source", {})
    except (OSError, ValueError):
        border = {}
    if border:
        lines.append(
            SourceLine(
                "Kommungränser (kartor)",
                f"{border.get('title', '')} ({border.get('attribution', '')})",
                str(border.get("version", "")).split("@")[-1][:7],
                str(border.get("licence", "")),
            )
        )
    return lines


def _demand(
    gazetteer: Gazetteer,
    registry: Registry,
    config: ReportConfig,
    url: str | None,
    since: datetime.date | None,
) -> tuple[DemandReport | None, str]:
    """The demand, or None with the reason when the default store is not there.

    A store named with --tracker or SERVICELOTSEN_TRACKER_URL must be
    readable. The default SQLite file (SERVICELOTSEN_TRACKER_DB) may be
    missing or empty on a machine where the bot has not run yet: then the
    report says so instead of failing.

    Raises:
        TrackerStoreError: a named store cannot be read.
    """
    store = tracker_url(url)
    named = url is not None or bool(os.environ.get(ENV_TRACKER_URL, "").strip())
    path = sqlite_path(store)
    try:
        entries: tuple[Entry, ...] = Knowledge.load().entries
    except KnowledgeError:
        entries = ()  # without the knowledge files, topics stay unnamed
    try:
        return collect_demand(
            gazetteer, registry, config, url=store, since=since, entries=entries
        ), ""
    except TrackerStoreError as exc:
        if named or path is None:
            raise
        missing = not path.is_file()
        return None, (
            f"Ingen samtalsdatabas hittades ({shown_url(store)})"
            if missing
            else f"Samtalsdatabasen {shown_url(store)} går inte att läsa ({exc.reason})"
        ) + (
            ", så avsnittet om efterfrågan är tomt. Det fylls i när boten har körts "
            "(make run) och invånare har ställt frågor; ange annars databasen med "
            "--tracker eller SERVICELOTSEN_TRACKER_URL."
        )


def build_report(
    out_dir: Path = DEFAULT_OUT,
    *,
    registry: Registry | None = None,
    registry_path: str | Path | None = None,
    gazetteer_path: Path | None = None,
    config: ReportConfig | None = None,
    population_path: Path | None = None,
    tracker: str | None = None,
    since: datetime.date | None = None,
    demand: bool = True,
    borders_path: Path | None = None,
    created: datetime.date | None = None,
    weighted: bool = True,
) -> ReportResult:
    """Compute the report and write report.html, the CSVs and the maps to `out_dir`.

    Weighted by residents per tätort (SCB 2020, `bot.report.population`)
    with the default gazetteer, unless `population_path` gives the region's
    own file or `weighted` is False.

    Raises:
        RegistryError, GazetteerError, ReportConfigError, PopulationError,
        BordersError, TrackerStoreError: with a Swedish message.
    """
    timings: dict[str, float] = {}
    start = time.perf_counter()
    registry = registry or load_registry(registry_path)
    gaz_path = gazetteer_path or DEFAULT_GAZETTEER_PATH
    gazetteer = Gazetteer.load(gaz_path)
    config = config or load_config()
    areas: Areas = report_areas(gazetteer)
    weighting: TatortWeighting | None = None
    population: Population | None = None
    if population_path:
        population = load_population(population_path, areas)
    elif (
        weighted
        and DEFAULT_TATORTER.is_file()
        and gaz_path.resolve() == DEFAULT_GAZETTEER_PATH.resolve()
    ):
        # the SCB file names places of the default gazetteer; another
        # gazetteer (a test, another region) brings its own --population
        weighting = load_tatorter(areas)
        areas, population = weighting.areas, weighting.population
    b_path = borders_path or DEFAULT_BORDERS_PATH
    borders = load_borders(b_path)
    types = load_service_types()
    names = {k: v.name for k, v in types.items()}
    timings["läsa data"] = time.perf_counter() - start

    t = time.perf_counter()
    analysis = analyse_gaps(registry, areas, config, population)
    gaps_by_residents = resident_gaps(analysis, weighting)
    ages = category_ages(registry, list(types), limit_years=config.age_years)
    timings["avstånd och stängningar"] = time.perf_counter() - t

    t = time.perf_counter()
    demand_report: DemandReport | None = None
    note = "Efterfrågan togs inte med (--no-demand)."
    if demand:
        demand_report, note = _demand(gazetteer, registry, config, tracker, since)
    timings["samtal"] = time.perf_counter() - t

    out_dir.mkdir(parents=True, exist_ok=True)
    map_dir = out_dir / "kartor"
    t = time.perf_counter()
    maps: dict[str, Path] = {}
    for stale in map_dir.glob("karta-*.png"):
        stale.unlink()  # a service dropped from the thresholds leaves no old map
    for data in analysis.groups:
        maps[data.group.id] = draw_group_map(
            analysis,
            data,
            borders,
            map_dir / f"karta-{data.group.id}.png",
            category_names=names,
            data_date=date_range(data.oldest, data.newest) if data.has_data else "–",
        )
    timings["kartor"] = time.perf_counter() - t

    t = time.perf_counter()
    tables: list[Table] = build_tables(
        analysis, demand_report, areas, gaps_by_residents, ages, weighting
    )
    csvs = [write_csv(table, out_dir) for table in tables]
    used = [p for data in analysis.groups for p in data.points]
    meta = Meta(
        created=created or datetime.datetime.now(TIMEZONE).date(),
        registry_files=tuple(_shown(f) for f in registry.files),
        points=len(registry.points),
        rejected=len(registry.rejected),
        oldest=min((p.source_date for p in used), default=None),
        newest=max((p.source_date for p in used), default=None),
        sources=tuple(_sources(registry, gaz_path, b_path, weighting)),
        type_names=names,
        demand_note=note,
        population_skipped=tuple(
            f"rad {s.line}: {s.reason}"
            for s in (population.skipped if population else ())
        ),
    )
    html_path = out_dir / "report.html"
    tmp = html_path.with_suffix(".html.tmp")
    tmp.write_text(
        render_html(
            analysis, demand_report, tables, maps, meta, gaps_by_residents, weighting
        ),
        "utf-8",
    )
    os.replace(tmp, html_path)
    timings["tabeller och sida"] = time.perf_counter() - t
    timings["totalt"] = time.perf_counter() - start
    return ReportResult(
        out_dir,
        html_path,
        csvs,
        maps,
        analysis,
        demand_report,
        meta,
        note,
        timings,
        weighting,
        gaps_by_residents,
        ages,
    )


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
