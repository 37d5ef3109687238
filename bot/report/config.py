"""The report's thresholds: which services, which categories, how far is too far.

Read from `data/report_thresholds.yml` (editable by the region), optionally
overridden per run (`--threshold dagligvaror=8`). A *service group* is what
the report measures: "apotek eller apoteksombud" is one group of two
categories, because a resident who has either nearby is served.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ServicelotsenError
from bot.geo import ROAD_DETOUR_FACTOR, format_distance_km
from bot.service_types import load_service_types

__all__ = [
    "DEFAULT_THRESHOLDS_PATH",
    "Basis",
    "ReportConfig",
    "ReportConfigError",
    "ServiceGroup",
    "load_config",
    "parse_threshold_override",
    "report_km",
]

DEFAULT_THRESHOLDS_PATH = (
    Path(__file__).resolve().parents[2] / "data" / "report_thresholds.yml"
)


def report_km(km: float) -> str:
    """A distance for the report: one decimal from 1 km ("15,3 km"), so a
    distance just over a threshold never reads as the threshold itself (the
    residents' answers round to whole km from 10 km; see `format_distance_km`)."""
    if km < 0.995:
        return format_distance_km(km)
    return f"{km:.1f}".replace(".", ",") + " km"


class ReportConfigError(ServicelotsenError):
    """The thresholds file or a --threshold flag is invalid (Swedish message)."""


class Basis(str, Enum):
    """Which distance is compared with the thresholds."""

    ROAD = "väg"
    CROW = "fågelväg"

    @property
    def label(self) -> str:
        """How the report names it."""
        if self is Basis.ROAD:
            factor = str(ROAD_DETOUR_FACTOR).replace(".", ",")
            return f"uppskattat vägavstånd (fågelvägen × {factor})"
        return "fågelvägen"

    def of(self, crow_km: float) -> float:
        """The compared distance for a crow-flies distance."""
        return crow_km * ROAD_DETOUR_FACTOR if self is Basis.ROAD else crow_km


@dataclass(frozen=True)
class ServiceGroup:
    """One service the report measures: its categories and its threshold."""

    id: str
    name: str
    categories: tuple[str, ...]
    km: float

    @property
    def km_text(self) -> str:
        """The threshold in Swedish ("10 km")."""
        return format_distance_km(self.km)


@dataclass(frozen=True)
class ReportConfig:
    """All groups, in report order, and the distance basis."""

    groups: tuple[ServiceGroup, ...]
    basis: Basis = Basis.ROAD
    source: str = ""
    age_years: int = 3  # data older than this is flagged (max_ålder_år)

    def group(self, group_id: str) -> ServiceGroup:
        """The group with this id.

        Raises:
            ReportConfigError: no such group.
        """
        for g in self.groups:
            if g.id == group_id:
                return g
        known = ", ".join(g.id for g in self.groups)
        raise ReportConfigError(f"okänd tjänst {group_id!r} (finns: {known})")

    def groups_of(self, category: str) -> tuple[ServiceGroup, ...]:
        """The groups a category belongs to (apoteksombud -> the apotek group)."""
        return tuple(g for g in self.groups if category in g.categories)

    def with_overrides(
        self,
        thresholds: Mapping[str, float] | None = None,
        basis: Basis | None = None,
    ) -> ReportConfig:
        """A copy with some thresholds (by group id) and/or the basis changed.

        Raises:
            ReportConfigError: an unknown group id.
        """
        groups = list(self.groups)
        for group_id, km in (thresholds or {}).items():
            target = self.group(group_id)
            groups = [replace(g, km=km) if g is target else g for g in groups]
        return ReportConfig(
            tuple(groups), basis or self.basis, self.source, self.age_years
        )


def _fail(where: str, message: str) -> ReportConfigError:
    return ReportConfigError(f"{where}: {message}")


def _positive_km(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, f"km ska vara ett tal, inte {value!r}")
    km = float(value)
    if not km > 0 or km != km or km == float("inf"):
        raise _fail(where, f"km ska vara större än 0, inte {value!r}")
    return km


def _basis(value: Any, where: str) -> Basis:
    text = str(value).strip().casefold() if value is not None else "väg"
    aliases = {
        "väg": Basis.ROAD,
        "vag": Basis.ROAD,
        "road": Basis.ROAD,
        "fågelväg": Basis.CROW,
        "fagelvag": Basis.CROW,
        "crow": Basis.CROW,
    }
    if text not in aliases:
        raise _fail(where, f"avstånd ska vara väg eller fågelväg, inte {value!r}")
    return aliases[text]


def parse_config(
    raw: Any, where: str, known_categories: Iterable[str] | None = None
) -> ReportConfig:
    """Build the configuration from parsed YAML.

    Raises:
        ReportConfigError: with the file and the entry that is wrong.
    """
    known = set(known_categories or load_service_types())
    if not isinstance(raw, dict):
        raise _fail(where, "ska vara en mappning med nyckeln 'tjänster'")
    entries = raw.get("tjänster")
    if not isinstance(entries, list) or not entries:
        raise _fail(where, "nyckeln 'tjänster' med en lista saknas")
    groups: list[ServiceGroup] = []
    for i, entry in enumerate(entries, start=1):
        at = f"{where}, tjänst {i}"
        if not isinstance(entry, dict):
            raise _fail(at, "ska vara en mappning (id, namn, kategorier, km)")
        group_id = entry.get("id")
        if not isinstance(group_id, str) or not re.fullmatch(
            r"[a-zåäö0-9_-]+", group_id
        ):
            raise _fail(
                at, f"id ska vara ett kort namn med små bokstäver, inte {group_id!r}"
            )
        if any(g.id == group_id for g in groups):
            raise _fail(at, f"id {group_id!r} finns två gånger")
        name = entry.get("namn")
        if not isinstance(name, str) or not name.strip():
            raise _fail(at, "namn saknas")
        cats = entry.get("kategorier")
        if (
            not isinstance(cats, list)
            or not cats
            or not all(isinstance(c, str) for c in cats)
        ):
            raise _fail(at, "kategorier ska vara en lista med tjänstetyper")
        unknown = [c for c in cats if c not in known]
        if unknown:
            raise _fail(
                at,
                f"okänd tjänstetyp {', '.join(unknown)} "
                f"(finns i data/service_types.yml: {', '.join(sorted(known))})",
            )
        groups.append(
            ServiceGroup(
                id=group_id,
                name=name.strip(),
                categories=tuple(dict.fromkeys(cats)),
                km=_positive_km(entry.get("km"), at),
            )
        )
    age = raw.get("max_ålder_år", 3)
    if isinstance(age, bool) or not isinstance(age, int) or age < 1:
        raise _fail(where, f"max_ålder_år ska vara ett helt antal år, inte {age!r}")
    return ReportConfig(tuple(groups), _basis(raw.get("avstånd"), where), where, age)


def load_config(path: Path | None = None) -> ReportConfig:
    """Read the thresholds file (default `data/report_thresholds.yml`).

    Raises:
        ReportConfigError: the file is missing, not YAML, or has a bad entry.
    """
    file = path or DEFAULT_THRESHOLDS_PATH
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportConfigError(f"Filen med gränsvärden {file} saknas.") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReportConfigError(f"Kan inte läsa {file}: {exc}") from None
    return parse_config(raw, str(file))


def parse_threshold_override(text: str) -> tuple[str, float]:
    """ "dagligvaror=8" or "apotek=12,5" -> ("dagligvaror", 8.0).

    Raises:
        ReportConfigError: not of the form TJÄNST=KM with KM > 0.
    """
    match = re.fullmatch(
        r"\s*([^=\s]+)\s*=\s*([0-9]+(?:[.,][0-9]+)?)\s*(?:km)?\s*", text
    )
    if match is None:
        raise ReportConfigError(
            f"gränsvärdet {text!r} ska skrivas TJÄNST=KM, till exempel dagligvaror=8"
        )
    km = float(match[2].replace(",", "."))
    if km <= 0:
        raise ReportConfigError(f"gränsvärdet i {text!r} ska vara större än 0 km")
    return match[1], km
