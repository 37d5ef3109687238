"""Closure impact: what if this service point closed?

Every area whose nearest point of a group is the closed one would turn to
its second nearest (`GapRow.second`, computed with the gaps). The areas
that had the closed point within the threshold and would have nothing
within it afterwards are *new gaps*; ranking all points of a group by the
new gaps their closure would create answers the programme's question:
which shops matter most to keep.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.registry import ServicePoint
from bot.report.areas import LOCALITY, POSTCODE
from bot.report.config import ServiceGroup
from bot.report.gaps import GapAnalysis, GapRow, Nearest

__all__ = [
    "ClosureEffect",
    "ClosureImpact",
    "closure_impact",
    "point_closures",
    "rank_closures",
]


@dataclass(frozen=True)
class ClosureEffect:
    """One area that has the closed point as its nearest.

    Attributes:
        row: the area's gap row (its nearest is the closed point).
        next: where its residents would go instead (None: nowhere left).
    """

    row: GapRow
    next: Nearest | None

    @property
    def was_within(self) -> bool:
        return not self.row.beyond

    @property
    def now_beyond(self) -> bool:
        return self.next is None or self.next.basis_km > self.row.group.km

    @property
    def new_gap(self) -> bool:
        """Within the threshold before the closure, beyond it after."""
        return self.was_within and self.now_beyond

    @property
    def added_km(self) -> float | None:
        """How much farther (compared distance); None when nothing is left."""
        if self.next is None or self.row.nearest is None:
            return None
        return self.next.basis_km - self.row.nearest.basis_km


@dataclass(frozen=True)
class ClosureImpact:
    """What closing one point would do for one service group."""

    point: ServicePoint
    group: ServiceGroup
    effects: tuple[ClosureEffect, ...]

    def _of(self, kind: str) -> list[ClosureEffect]:
        return [e for e in self.effects if e.row.kind == kind]

    @property
    def localities(self) -> list[ClosureEffect]:
        """Localities whose nearest it is, farthest-after first."""
        return self._of(LOCALITY)

    @property
    def postcodes(self) -> list[ClosureEffect]:
        return self._of(POSTCODE)

    @property
    def new_gap_localities(self) -> list[ClosureEffect]:
        return [e for e in self.localities if e.new_gap]

    @property
    def new_gap_postcodes(self) -> list[ClosureEffect]:
        return [e for e in self.postcodes if e.new_gap]

    @property
    def residents_new_gap(self) -> int | None:
        """Residents newly beyond the threshold (None: no population figures)."""
        counted = [
            e for e in self.effects if e.new_gap and e.row.population is not None
        ]
        if not any(e.row.population is not None for e in self.effects):
            return None
        return sum(e.row.population or 0 for e in counted)

    @property
    def residents_served(self) -> int | None:
        if not any(e.row.population is not None for e in self.effects):
            return None
        return sum(e.row.population or 0 for e in self.effects)

    @property
    def added_km_total(self) -> float:
        """Sum over localities of the extra distance (compared basis)."""
        return sum(e.added_km or 0.0 for e in self.localities)


def _sort_effects(effects: list[ClosureEffect]) -> tuple[ClosureEffect, ...]:
    def key(e: ClosureEffect) -> tuple[bool, float, str, str]:
        after = e.next.basis_km if e.next else float("inf")
        return (not e.new_gap, -after, e.row.place.name, e.row.place.id)

    return tuple(sorted(effects, key=key))


def closure_impact(
    analysis: GapAnalysis, point: ServicePoint, group: ServiceGroup
) -> ClosureImpact:
    """The areas that would lose `point` as their nearest of `group`."""
    effects = [
        ClosureEffect(row, row.second)
        for row in analysis.rows_for(group)
        if row.nearest is not None and row.nearest.point.id == point.id
    ]
    return ClosureImpact(point, group, _sort_effects(effects))


def point_closures(analysis: GapAnalysis, point: ServicePoint) -> list[ClosureImpact]:
    """The impact for every group the point belongs to (report order)."""
    return [
        closure_impact(analysis, point, g)
        for g in analysis.config.groups
        if set(g.categories).intersection(point.categories)
    ]


def rank_closures(analysis: GapAnalysis, group: ServiceGroup) -> list[ClosureImpact]:
    """Every point of a group, the one whose closure hurts most first.

    Order: residents newly beyond the threshold (when population figures
    are imported), localities newly beyond, postcode areas newly beyond,
    localities that have it as their nearest, the summed extra distance.
    """
    by_point: dict[str, list[ClosureEffect]] = {}
    for row in analysis.rows_for(group):
        if row.nearest is not None:
            by_point.setdefault(row.nearest.point.id, []).append(
                ClosureEffect(row, row.second)
            )
    impacts = [
        ClosureImpact(p, group, _sort_effects(by_point.get(p.id, [])))
        for p in analysis.data(group).points
    ]

    def key(i: ClosureImpact) -> tuple[int, int, int, int, float, str, str]:
        return (
            -(i.residents_new_gap or 0),
            -len(i.new_gap_localities),
            -len(i.new_gap_postcodes),
            -len(i.localities),
            -i.added_km_total,
            i.point.name,
            i.point.id,
        )

    return sorted(impacts, key=key)
