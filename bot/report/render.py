"""The report as one Swedish HTML page (maps embedded, prints well to PDF).

Plain HTML and CSS, no scripts and nothing loaded from elsewhere: the page
opens from a file, in a mail attachment or on an intranet the same way.
Every table on it is also a CSV file next to it (`bot.report.tables`).

The page is the Jinja2 template `templates/report.html.j2` (with its
`report.css`), autoescaped: this module only computes what it shows.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from bot.geo import ROAD_DETOUR_FACTOR
from bot.report.areas import LOCALITY, POSTCODE
from bot.report.closure import rank_closures
from bot.report.config import Basis, ServiceGroup, report_km
from bot.report.demand import (
    ALL_TYPES,
    HIDDEN,
    MIN_CONVERSATIONS,
    DemandReport,
    Outcome,
)
from bot.report.gaps import GapAnalysis, GapRow
from bot.report.population import (
    ResidentGap,
    TatortWeighting,
    kommun_name,
    sentence,
)
from bot.report.tables import Table, Value, month_name

__all__ = ["Meta", "SourceLine", "render_html"]


@dataclass(frozen=True)
class SourceLine:
    """One data source for the method section."""

    what: str
    source: str
    date: str
    licence: str


@dataclass(frozen=True)
class Meta:
    """What the page says about itself and its data."""

    created: datetime.date
    registry_files: tuple[str, ...]
    points: int
    rejected: int
    oldest: datetime.date | None
    newest: datetime.date | None
    sources: tuple[SourceLine, ...]
    type_names: dict[str, str]
    demand_note: str = ""
    population_skipped: tuple[str, ...] = field(default_factory=tuple)

    @property
    def data_date(self) -> str:
        """ "2023-02-11 – 2025-07-16" (or one date)."""
        return date_range(self.oldest, self.newest)


def date_range(oldest: datetime.date | None, newest: datetime.date | None) -> str:
    if oldest is None or newest is None:
        return "okänt"
    if oldest == newest:
        return oldest.isoformat()
    return f"{oldest.isoformat()} – {newest.isoformat()}"


_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False
    title: str = ""


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    cls: str = ""


@dataclass(frozen=True)
class Header:
    text: str
    numeric: bool


@dataclass(frozen=True)
class Grid:
    """A table as the page shows it: numbers right-aligned, Swedish style."""

    headers: tuple[Header, ...]
    rows: tuple[Row, ...]


def _km(value: float | None) -> str:
    return "–" if value is None else report_km(value)


def _thin(value: int) -> str:
    """12 345 with a narrow no-break space, as Swedish writes thousands."""
    return f"{value:,}".replace(",", "\u202f")


def _cell(value: Value) -> Cell:
    if value is None:
        return Cell("–", numeric=True)
    if isinstance(value, bool):
        return Cell("ja" if value else "nej")
    if isinstance(value, int):
        return Cell(_thin(value), numeric=True)
    if isinstance(value, float):
        return Cell(f"{value:.1f}".replace(".", ","), numeric=True)
    if value == HIDDEN:
        return Cell(HIDDEN, numeric=True, title=f"dolt: färre än {MIN_CONVERSATIONS} samtal")
    return Cell(str(value))


def _numeric(value: Value) -> bool:
    return (
        value is None
        or value == HIDDEN
        or (isinstance(value, int | float) and not isinstance(value, bool))
    )


def _grid(
    headers: Sequence[str], rows: Sequence[Sequence[Value]], cls: str = ""
) -> Grid:
    return Grid(
        headers=tuple(
            Header(h, bool(rows) and all(_numeric(r[i]) for r in rows))
            for i, h in enumerate(headers)
        ),
        rows=tuple(Row(tuple(_cell(v) for v in r), cls) for r in rows),
    )


def _group_cats(group: ServiceGroup, names: dict[str, str]) -> str:
    return " eller ".join(names.get(c, c) for c in group.categories)


def _gap_rows(
    rows: Sequence[GapRow],
    *,
    with_group: bool,
    postcode: bool = False,
    weighted: bool = False,
) -> list[list[Value]]:
    out: list[list[Value]] = []
    for r in rows:
        near = r.nearest
        assert near is not None
        place = (
            [
                f"{r.place.postcodes[0] if r.place.postcodes else ''} {r.place.name}".strip()
            ]
            if postcode
            else [r.place.name]
        )
        cells: list[Value] = [*place, r.place.municipality]
        if with_group:
            cells.append(r.group.name)
        cells += [
            f"{near.point.name} ({near.point.locality})",
            _km(near.crow_km),
            _km(near.road_km),
            f"+{_km(r.excess_km)}",
        ]
        if weighted:
            cells.append(r.population)
        out.append(cells)
    return out


def _gap_headers(*, place: str, with_group: bool, weighted: bool) -> list[str]:
    return (
        [place, "Kommun"]
        + (["Tjänst"] if with_group else [])
        + ["Närmaste", "Fågelvägen", "På väg (uppskattat)", "Över gränsen"]
        + (["Invånare"] if weighted else [])
    )


def _count(localities: int, postcodes: int) -> str:
    """ "1 ort, 3 postnr" / "2 orter, 0 postnr"."""
    return f"{localities} {'ort' if localities == 1 else 'orter'}, {postcodes} postnr"


def _group_view(
    analysis: GapAnalysis, data_index: int, maps: dict[str, Path], names: dict[str, str]
) -> dict[str, Any]:
    """What the page says about one service: summary, map, gaps, counts, closures."""
    data = analysis.groups[data_index]
    g = data.group
    weighted = analysis.population is not None
    view: dict[str, Any] = {
        "group": g,
        "has_data": data.has_data,
        "categories": _group_cats(g, names),
        "map": None,
    }
    if g.id in maps:
        png = base64.b64encode(maps[g.id].read_bytes()).decode("ascii")
        view["map"] = {"data": png, "name": maps[g.id].name}
    if not data.has_data:
        return view
    loc = analysis.rows_for(g, LOCALITY)
    post = analysis.rows_for(g, POSTCODE)
    residents = ""
    if analysis.population is not None:
        rows = loc if analysis.population.level == LOCALITY else post
        beyond = sum(r.population or 0 for r in rows if r.beyond)
        total = sum(r.population or 0 for r in rows)
        residents = f"{_thin(beyond)} av {_thin(total)}"
    gaps = analysis.gaps(g, LOCALITY)
    counts: list[list[Value]] = []
    for c in analysis.counts(g):
        row: list[Value] = [
            c.municipality,
            c.localities,
            c.localities_beyond,
            c.postcodes,
            c.postcodes_beyond,
        ]
        if weighted:
            row += [c.residents, c.residents_beyond]
        counts.append(row)
    closures: list[list[Value]] = []
    for rank, impact in enumerate(rank_closures(analysis, g)[:10], start=1):
        lost = "; ".join(
            f"{e.row.place.name} {_km(e.next.basis_km if e.next else None)}"
            for e in impact.new_gap_localities
        )
        closure: list[Value] = [
            rank,
            impact.point.name,
            impact.point.locality,
            _count(len(impact.localities), len(impact.postcodes)),
            _count(len(impact.new_gap_localities), len(impact.new_gap_postcodes)),
            lost or "–",
        ]
        if weighted:
            closure.append(impact.residents_new_gap)
        closures.append(closure)
    view |= {
        "points": len(data.points),
        "per_category": ", ".join(
            f"{data.count(c)} {names.get(c, c)}" for c in g.categories if data.count(c)
        ),
        "dates": date_range(data.oldest, data.newest),
        "localities": len(loc),
        "postcodes": len(post),
        "localities_beyond": sum(r.beyond for r in loc),
        "postcodes_beyond": sum(r.beyond for r in post),
        "residents": residents,
        "gaps": _grid(
            _gap_headers(place="Ort", with_group=False, weighted=weighted),
            _gap_rows(gaps, with_group=False, weighted=weighted),
            "gap",
        ),
        "counts": _grid(
            ["Kommun", "Orter", "Utanför", "Postnummerområden", "Utanför"]
            + (["Invånare", "Utanför"] if weighted else []),
            counts,
        ),
        "closures": _grid(
            ["#", "Servicepunkt", "Ort", "Närmast för", "Nya glapp",
             "Orter som får glapp (nästa)"]
            + (["Invånare i nya glapp"] if weighted else []),
            closures,
        ),
    }
    return view


def _type_name(value: Value, names: dict[str, str]) -> Value:
    """A service type id as its Swedish name ("dagligvaror" -> "Matbutik")."""
    if value == ALL_TYPES:
        return "Alla tjänster"
    if isinstance(value, str) and value in names:
        return names[value].capitalize()
    return value


def _shown_columns(table: Table) -> set[int]:
    """The columns the page shows: outcome columns that are all 0 and ids are
    left out (the CSV keeps every column)."""
    keep: set[int] = set()
    for i, header in enumerate(table.headers):
        values = [r[i] for r in table.rows]
        if header.endswith("(id)"):
            continue
        outcome = header in {o.value.capitalize() for o in Outcome}
        if outcome and values and all(v == 0 for v in values):
            continue
        keep.add(i)
    return keep


def _demand_grid(table: Table, names: dict[str, str]) -> Grid:
    """A demand table as shown: months and service types in words."""
    keep = _shown_columns(table)
    kind = table.headers.index("Tjänst") if "Tjänst" in table.headers else -1
    rows = [
        [
            month_name(str(v)) if i == 0 else _type_name(v, names) if i == kind else v
            for i, v in enumerate(r)
            if i in keep
        ]
        for r in table.rows
    ]
    return _grid([h for i, h in enumerate(table.headers) if i in keep], rows)


def _residents_view(
    analysis: GapAnalysis,
    gaps: Sequence[ResidentGap],
    weighting: TatortWeighting | None,
) -> list[dict[str, Any]]:
    """Per kommun: "N invånare (X %) i … bor längre än Y km från …", and how
    many live outside the tätorter (not placed)."""
    road = analysis.config.basis is Basis.ROAD
    kommuner: list[dict[str, Any]] = []
    for kommun in sorted({g.kommun for g in gaps}):
        k = weighting.kommun(kommun) if weighting is not None else None
        outside = ""
        if k is not None and k.outside is not None:
            count = f"{k.outside:,}".replace(",", "\u00a0")
            outside = f"{'ungefär ' if k.outside_rough else ''}{count}"
        kommuner.append(
            {
                "name": kommun_name(kommun),
                "sentences": [
                    sentence(g, road) for g in gaps if g.kommun == kommun and g.beyond
                ],
                "outside": outside,
                "outside_how": k.outside_how if k is not None else "",
            }
        )
    return kommuner


def render_html(
    analysis: GapAnalysis,
    demand: DemandReport | None,
    tables: Sequence[Table],
    maps: dict[str, Path],
    meta: Meta,
    resident_gaps: Sequence[ResidentGap] = (),
    weighting: TatortWeighting | None = None,
) -> str:
    """The whole report page."""
    by_name = {t.name: t for t in tables}
    names = meta.type_names
    weighted = analysis.population is not None
    cfg = analysis.config
    population = analysis.population
    unlocated = by_name["orter_utan_position"]
    demand_names = ("efterfragan_per_manad", "efterfragan_per_ort", "digitala_alternativ")
    page = _TEMPLATES.get_template("report.html.j2").render(
        meta=meta,
        basis_label=cfg.basis.label,
        road=cfg.basis is Basis.ROAD,
        factor=str(ROAD_DETOUR_FACTOR).replace(".", ","),
        weighted=weighted,
        localities=len(analysis.areas.localities),
        postcodes=len(analysis.areas.postcodes),
        groups=[_group_view(analysis, i, maps, names) for i in range(len(analysis.groups))],
        population=None
        if population is None
        else {
            "level": "ort" if population.level == LOCALITY else "postnummerområde",
            "file": Path(population.source).name,
            "areas": len(population.residents),
            "skipped": len(population.skipped),
        },
        largest=_grid(
            _gap_headers(place="Ort", with_group=True, weighted=weighted),
            _gap_rows(analysis.largest(5), with_group=True, weighted=weighted),
            "gap",
        ),
        postcode_gaps=_grid(
            _gap_headers(place="Postnummerområde", with_group=True, weighted=weighted),
            _gap_rows(
                [r for d in analysis.groups for r in analysis.gaps(d.group, POSTCODE)],
                with_group=True,
                postcode=True,
                weighted=weighted,
            ),
        ),
        tables=by_name,
        residents=_residents_view(analysis, resident_gaps, weighting),
        tatort_weighting=weighting is not None,
        scb_points=", ".join(weighting.scb_points) if weighting is not None else "",
        age=_grid(
            by_name["dataalder_per_kategori"].headers,
            by_name["dataalder_per_kategori"].rows,
        ),
        demand=demand,
        demand_note=meta.demand_note,
        demand_months=", ".join(month_name(m) for m in demand.months) or "inga"
        if demand is not None
        else "",
        demand_tables=[
            {"source": by_name[n], "grid": _demand_grid(by_name[n], names)}
            for n in demand_names
            if demand is not None
        ],
        changes=None
        if demand is None
        else {
            "source": by_name["rapporterade_andringar"],
            "grid": _grid(
                list(by_name["rapporterade_andringar"].headers),
                [
                    [_type_name(kind, names), count]
                    for kind, count in by_name["rapporterade_andringar"].rows
                ],
            ),
        },
        min_conversations=MIN_CONVERSATIONS,
        hidden=HIDDEN,
        sources=_grid(
            ["Vad", "Källa", "Datum/version", "Licens"],
            [[s.what, s.source, s.date, s.licence] for s in meta.sources],
        ),
        thresholds=_grid(
            ["Tjänst", "Räknas som", "Gräns"],
            [[g.name, _group_cats(g, names), g.km_text] for g in cfg.groups],
        ),
        thresholds_file=Path(cfg.source).name if cfg.source else "standardvärdena",
        unlocated=_grid(unlocated.headers, unlocated.rows),
        population_skipped=meta.population_skipped[:50],
        all_tables=tables,
    )
    return page
