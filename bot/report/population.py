"""The report's default weighting: residents per tätort (SCB 2020).

`data/population/tatorter_2020.csv` and `kommuner_2020.csv` are built by
`scripts/build_population.py` from SCB's Statistiska tätorter 2020
("Bearbetning av data från SCB", CC BY 4.0). Each tätort weighs with its
residents, measured from our gazetteer's place, or from SCB's own reference
point for a tätort our gazetteer lacks. Residents outside tätorter have no
place in these figures: the report states them per kommun as not placed and
never spreads them over invented points.

A region's own file (`--population`) replaces all of this.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bot.gazetteer import KIND_TATORT, Place
from bot.registry import Registry
from bot.report.areas import LOCALITY, Areas, Population, PopulationError
from bot.report.gaps import GapAnalysis

__all__ = [
    "ATTRIBUTION",
    "DEFAULT_KOMMUNER",
    "DEFAULT_TATORTER",
    "CategoryAge",
    "KommunResidents",
    "ResidentGap",
    "TatortWeighting",
    "category_ages",
    "kommun_name",
    "load_tatorter",
    "resident_gaps",
    "sentence",
]

_DATA = Path(__file__).resolve().parents[2] / "data" / "population"
DEFAULT_TATORTER = _DATA / "tatorter_2020.csv"
DEFAULT_KOMMUNER = _DATA / "kommuner_2020.csv"
ATTRIBUTION = "Bearbetning av data från SCB (Statistiska tätorter 2020)"

_CODES = {
    "Olofström": ("1060", "Olofströms kommun"),
    "Karlskrona": ("1080", "Karlskrona kommun"),
    "Ronneby": ("1081", "Ronneby kommun"),
    "Karlshamn": ("1082", "Karlshamns kommun"),
    "Sölvesborg": ("1083", "Sölvesborgs kommun"),
}


@dataclass(frozen=True)
class KommunResidents:
    """Residents of one kommun: placed (in tätorter) and not placed."""

    kommun: str
    in_tatorter: int
    outside: int | None
    outside_rough: bool
    outside_how: str


@dataclass(frozen=True)
class TatortWeighting:
    """The default weighting: the population, extra areas, the unplaced."""

    population: Population
    areas: Areas
    kommuner: tuple[KommunResidents, ...]
    scb_points: tuple[str, ...]  # tätorter measured from SCB's own point

    def kommun(self, name: str) -> KommunResidents | None:
        return next((k for k in self.kommuner if k.kommun == name), None)


def _int(text: str, where: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise PopulationError(f"{where}: {text!r} är inget heltal") from None


def load_tatorter(
    areas: Areas,
    tatorter: Path = DEFAULT_TATORTER,
    kommuner: Path = DEFAULT_KOMMUNER,
) -> TatortWeighting:
    """Residents per tätort as the report's population, and the areas to use.

    Raises:
        PopulationError: a file is missing or broken.
    """
    try:
        with tatorter.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        with kommuner.open(encoding="utf-8", newline="") as fh:
            kom_rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise PopulationError(
            f"befolkningsfilerna i {tatorter.parent} saknas ({exc}); kör "
            "scripts/build_population.py"
        ) from None
    by_id = {p.id: p for p in areas.localities}
    residents: dict[str, int] = {}
    extra: list[Place] = []
    scb: list[str] = []
    for line, row in enumerate(rows, start=2):
        where = f"{tatorter.name} rad {line}"
        n = _int(row["invanare"], where)
        place = by_id.get(row["ortregister_id"] or "")
        if place is None:
            code, full = _CODES.get(row["kommun"], ("", f"{row['kommun']} kommun"))
            place = Place(
                id=f"scb-{row['tatortskod']}",
                name=row["ort"],
                kind=KIND_TATORT,
                municipality=row["kommun"],
                municipality_code=code,
                municipality_name=full,
                county="Blekinge",
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                sources=("SCB Statistiska tätorter 2020 (tätortens referenspunkt)",),
                notes=("position: SCB:s referenspunkt för tätorten",),
            )
            extra.append(place)
            scb.append(f"{row['ort']} ({row['kommun']})")
        residents[place.id] = residents.get(place.id, 0) + n
    localities = tuple(
        sorted(
            (*areas.localities, *extra), key=lambda p: (p.municipality, p.name, p.id)
        )
    )
    kommun_list = tuple(
        KommunResidents(
            kommun=r["kommun"],
            in_tatorter=_int(r["invanare_i_tatorter"], kommuner.name),
            outside=_int(r["invanare_utanfor_tatorter"], kommuner.name)
            if r["invanare_utanfor_tatorter"]
            else None,
            outside_rough=r["utanfor_ungefar"] == "ja",
            outside_how=r["utanfor_hur"],
        )
        for r in kom_rows
    )
    population = Population(f"{tatorter.name} ({ATTRIBUTION})", LOCALITY, residents, ())
    return TatortWeighting(
        population, replace(areas, localities=localities), kommun_list, tuple(scb)
    )


@dataclass(frozen=True)
class ResidentGap:
    """Residents of one kommun beyond one service's threshold."""

    kommun: str
    group_id: str
    group_name: str
    km: float
    residents: int  # placed residents (the weighted areas)
    beyond: int
    not_placed: int | None
    not_placed_rough: bool

    @property
    def share(self) -> float:
        return 100.0 * self.beyond / self.residents if self.residents else 0.0


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " %"


def kommun_name(short: str) -> str:
    """ "Karlshamn" -> "Karlshamns kommun"."""
    return _CODES.get(short, ("", f"{short} kommun"))[1]


def sentence(gap: ResidentGap, road: bool = True) -> str:
    """ "1 234 invånare (5,6 %) i Ronneby kommun bor längre än 20 km från …"."""
    km = f"{gap.km:g}".replace(".", ",")
    how = "på väg, uppskattat" if road else "fågelvägen"
    return (
        f"{_n(gap.beyond)} invånare ({_pct(gap.share)} av tätortsborna) i "
        f"{kommun_name(gap.kommun)} bor längre än {km} km ({how}) från "
        f"{gap.group_name.lower()}."
    )


def resident_gaps(
    analysis: GapAnalysis, weighting: TatortWeighting | None = None
) -> list[ResidentGap]:
    """Per service group and kommun: placed residents, and those beyond."""
    if analysis.population is None:
        return []
    out: list[ResidentGap] = []
    for data in analysis.groups:
        if not data.has_data:
            continue
        for c in analysis.counts(data.group):
            k = weighting.kommun(c.municipality) if weighting else None
            out.append(
                ResidentGap(
                    kommun=c.municipality,
                    group_id=data.group.id,
                    group_name=data.group.name,
                    km=data.group.km,
                    residents=c.residents or 0,
                    beyond=c.residents_beyond or 0,
                    not_placed=k.outside if k else None,
                    not_placed_rough=bool(k and k.outside_rough),
                )
            )
    return out


@dataclass(frozen=True)
class CategoryAge:
    """How old one category's data is."""

    category: str
    points: int
    oldest: datetime.date | None
    newest: datetime.date | None
    older_than_limit: int
    limit_years: int


def category_ages(
    registry: Registry,
    categories: Sequence[str],
    *,
    limit_years: int = 3,
    today: datetime.date | None = None,
) -> list[CategoryAge]:
    """Per category: points, oldest and newest date (each category's own
    source, `ServicePoint.source_for`) and how many are older than the limit."""
    today = today or datetime.date.today()
    try:
        cutoff = today.replace(year=today.year - limit_years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - limit_years, day=28)
    out: list[CategoryAge] = []
    for cat in categories:
        dates = [p.source_for(cat).source_date for p in registry.in_category(cat)]
        out.append(
            CategoryAge(
                category=cat,
                points=len(dates),
                oldest=min(dates, default=None),
                newest=max(dates, default=None),
                older_than_limit=sum(1 for d in dates if d < cutoff),
                limit_years=limit_years,
            )
        )
    return out
