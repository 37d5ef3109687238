"""Service gaps: how far every locality and postcode area is from each service.

For each area and each service group (`bot.report.config`), the nearest
point of the group's categories by the registry's index (`ServiceIndex`,
crow-flies on the sphere), its road estimate, and whether the compared
distance (road estimate or crow-flies, as configured) is beyond the
group's threshold. The second nearest is kept too: it is where residents
would go if the nearest closed (`bot.report.closure`).

A group without any point in the registry has no distances at all: the
report says "inga uppgifter" for it instead of calling every area a gap.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from bot.gazetteer import Place
from bot.index import Nearby, ServiceIndex
from bot.registry import Registry, ServicePoint
from bot.report.areas import LOCALITY, POSTCODE, Areas, Population, area_kind
from bot.report.config import ReportConfig, ServiceGroup

__all__ = [
    "GapAnalysis",
    "GapRow",
    "GroupData",
    "MunicipalityCount",
    "Nearest",
    "analyse_gaps",
]


@dataclass(frozen=True)
class Nearest:
    """A point and how far it is: crow-flies, road estimate, compared distance."""

    point: ServicePoint
    crow_km: float
    road_km: float
    basis_km: float


@dataclass(frozen=True)
class GapRow:
    """One area and one service group.

    Attributes:
        place: the locality or postcode area.
        group: the service group.
        nearest: its nearest point (None when the group has no data).
        second: the next nearest (None when there is only one point).
        population: residents, when a population file covers this area.
    """

    place: Place
    group: ServiceGroup
    nearest: Nearest | None
    second: Nearest | None
    population: int | None = None

    @property
    def kind(self) -> str:
        return area_kind(self.place)

    @property
    def beyond(self) -> bool:
        """The nearest point is farther than the threshold (False without data)."""
        return self.nearest is not None and self.nearest.basis_km > self.group.km

    @property
    def excess_km(self) -> float:
        """How far beyond the threshold (0 within it or without data)."""
        if self.nearest is None:
            return 0.0
        return max(0.0, self.nearest.basis_km - self.group.km)


@dataclass(frozen=True)
class GroupData:
    """What the registry holds for one group: points and their dates."""

    group: ServiceGroup
    points: tuple[ServicePoint, ...]

    @property
    def has_data(self) -> bool:
        return bool(self.points)

    @property
    def oldest(self) -> datetime.date | None:
        return min((p.source_date for p in self.points), default=None)

    @property
    def newest(self) -> datetime.date | None:
        return max((p.source_date for p in self.points), default=None)

    def count(self, category: str) -> int:
        return sum(1 for p in self.points if category in p.categories)


@dataclass(frozen=True)
class MunicipalityCount:
    """Counts for one kommun and one group (the report's summary table)."""

    municipality: str
    group: ServiceGroup
    localities: int
    localities_beyond: int
    postcodes: int
    postcodes_beyond: int
    residents: int | None
    residents_beyond: int | None
    residents_unknown_areas: int


@dataclass(frozen=True)
class GapAnalysis:
    """Every area's distances to every group, and what they were computed on."""

    config: ReportConfig
    areas: Areas
    groups: tuple[GroupData, ...]
    rows: tuple[GapRow, ...]
    population: Population | None

    @property
    def weighted(self) -> bool:
        return self.population is not None

    def data(self, group: ServiceGroup) -> GroupData:
        return next(d for d in self.groups if d.group.id == group.id)

    def rows_for(self, group: ServiceGroup, kind: str | None = None) -> list[GapRow]:
        return [
            r
            for r in self.rows
            if r.group.id == group.id and (kind is None or r.kind == kind)
        ]

    def rows_for_kind(self, kind: str) -> list[GapRow]:
        """Every row of one kind of area, group by group in report order."""
        return [r for r in self.rows if r.kind == kind]

    def gaps(self, group: ServiceGroup, kind: str = LOCALITY) -> list[GapRow]:
        """The areas of a kind beyond the threshold, farthest first."""
        found = [r for r in self.rows_for(group, kind) if r.beyond]
        return sorted(found, key=lambda r: (-r.excess_km, r.place.name, r.place.id))

    def largest(self, n: int = 5, kind: str = LOCALITY) -> list[GapRow]:
        """The n largest gaps over all groups: farthest beyond the threshold."""
        found = [r for r in self.rows if r.kind == kind and r.beyond]
        found.sort(key=lambda r: (-r.excess_km, r.place.name, r.group.id, r.place.id))
        return found[:n]

    def municipalities(self) -> list[str]:
        return sorted({p.municipality for p in self.areas.all})

    def counts(self, group: ServiceGroup) -> list[MunicipalityCount]:
        """Per kommun: areas and (if weighted) residents beyond the threshold."""
        level = self.population.level if self.population else None
        out: list[MunicipalityCount] = []
        for muni in self.municipalities():
            rows = [r for r in self.rows_for(group) if r.place.municipality == muni]
            loc = [r for r in rows if r.kind == LOCALITY]
            post = [r for r in rows if r.kind == POSTCODE]
            residents: int | None = None
            beyond_res: int | None = None
            unknown = 0
            if level is not None:
                weighted = [r for r in rows if r.kind == level]
                residents = sum(r.population or 0 for r in weighted)
                beyond_res = sum(r.population or 0 for r in weighted if r.beyond)
                unknown = sum(1 for r in weighted if r.population is None)
            out.append(
                MunicipalityCount(
                    municipality=muni,
                    group=group,
                    localities=len(loc),
                    localities_beyond=sum(r.beyond for r in loc),
                    postcodes=len(post),
                    postcodes_beyond=sum(r.beyond for r in post),
                    residents=residents,
                    residents_beyond=beyond_res,
                    residents_unknown_areas=unknown,
                )
            )
        return out


def _nearest(hit: Nearby, config: ReportConfig) -> Nearest:
    return Nearest(
        hit.point,
        hit.distance_km,
        hit.road_estimate_km,
        config.basis.of(hit.distance_km),
    )


def group_points(
    points: Iterable[ServicePoint], group: ServiceGroup
) -> tuple[ServicePoint, ...]:
    """The points of any of the group's categories, each once, in registry order."""
    wanted = set(group.categories)
    return tuple(p for p in points if wanted.intersection(p.categories))


def analyse_gaps(
    registry: Registry,
    areas: Areas,
    config: ReportConfig,
    population: Population | None = None,
    index: ServiceIndex | None = None,
) -> GapAnalysis:
    """Nearest and second-nearest point of every group from every area."""
    index = index or ServiceIndex(registry)
    groups = tuple(
        GroupData(g, group_points(registry.points, g)) for g in config.groups
    )
    rows: list[GapRow] = []
    for data in groups:
        for place in areas.all:
            assert place.lat is not None and place.lon is not None  # areas are located
            hits = (
                index.nearest(place.lat, place.lon, data.group.categories, k=2)
                if data.has_data
                else []
            )
            rows.append(
                GapRow(
                    place=place,
                    group=data.group,
                    nearest=_nearest(hits[0], config) if hits else None,
                    second=_nearest(hits[1], config) if len(hits) > 1 else None,
                    population=population.of(place) if population else None,
                )
            )
    return GapAnalysis(config, areas, groups, tuple(rows), population)
