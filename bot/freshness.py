"""How old a point's information is, per category, and when to say so.

A merged point can hold categories from several sources (a shop's grocery
record from 2023, its parcel agency from 2021): `dated_sources` gives the
source and date that stand behind the category asked about. Information
older than the threshold in data/freshness.yml (3 years to start) gets one
plain line in the answer ("Uppgiften är från 2021 och kan ha ändrats.") and
where a resident can check it (data policy 3).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ServicelotsenError
from bot.messages import DEFAULT_LANGUAGE, say

__all__ = [
    "FRESHNESS_PATH",
    "FreshnessRules",
    "check_advice",
    "dated_sources",
    "is_old",
    "load_freshness",
    "old_years",
    "source_name",
]

FRESHNESS_PATH = Path(__file__).resolve().parents[1] / "data" / "freshness.yml"


@dataclass(frozen=True)
class FreshnessRules:
    """data/freshness.yml: the age threshold and how to check, per category."""

    max_age_years: int = 3
    default_check: str = "Ring gärna stället och fråga innan du åker."
    check: Mapping[str, str] = field(default_factory=dict)
    default_check_en: str = "Please call the place and ask before you go."
    check_en: Mapping[str, str] = field(default_factory=dict)
    #: Swedish source name -> how English answers name it
    sources_en: Mapping[str, str] = field(default_factory=dict)

    def advice(self, lang: str = DEFAULT_LANGUAGE) -> tuple[Mapping[str, str], str]:
        """The advice per type and the default, in `lang`."""
        if lang == "en":
            return self.check_en, self.default_check_en
        return self.check, self.default_check


@functools.cache
def _load(path: Path) -> FreshnessRules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ServicelotsenError(f"Kan inte läsa {path}: {exc}") from exc
    years = data.get("max_age_years", 3)
    if not isinstance(years, int) or isinstance(years, bool) or years < 1:
        raise ServicelotsenError(f"{path}: max_age_years ska vara ett heltal, minst 1")
    texts: dict[str, dict[str, str]] = {}
    for key in ("check", "check_en", "sources_en"):
        found = data.get(key) or {}
        if not isinstance(found, Mapping):
            raise ServicelotsenError(f"{path}: {key} ska vara tjänstetyp: text")
        texts[key] = {str(k): " ".join(str(v).split()) for k, v in found.items()}
    return FreshnessRules(
        max_age_years=years,
        default_check=" ".join(
            str(data.get("default_check") or FreshnessRules.default_check).split()
        ),
        check=texts["check"],
        default_check_en=" ".join(
            str(data.get("default_check_en") or FreshnessRules.default_check_en).split()
        ),
        check_en=texts["check_en"],
        sources_en=texts["sources_en"],
    )


def load_freshness(path: Path | None = None) -> FreshnessRules:
    """The rules in data/freshness.yml, read once."""
    return _load(path or FRESHNESS_PATH)


def dated_sources(
    point: Any, category: str | None = None
) -> list[tuple[str, datetime.date]]:
    """(source, date) behind a point's information about `category`.

    A point with `sources` gives the newest entry for that category; without
    a category, every entry. Otherwise the point's own `source`/`source_date`.
    """
    raw: Iterable[Any] = getattr(point, "sources", None) or ()
    entries: list[tuple[str, str, datetime.date]] = []
    for item in raw:
        if isinstance(item, tuple | list) and len(item) >= 3:
            cat, source, day = item[0], item[1], item[2]
        elif isinstance(item, Mapping):
            cat, source, day = (
                item.get("category"),
                item.get("source"),
                item.get("source_date"),
            )
        else:
            cat = getattr(item, "category", None)
            source = getattr(item, "source", None)
            day = getattr(item, "source_date", None)
        if isinstance(day, str):
            try:
                day = datetime.date.fromisoformat(day)
            except ValueError:
                continue
        if (
            isinstance(cat, str)
            and isinstance(source, str)
            and isinstance(day, datetime.date)
        ):
            entries.append((cat, source, day))
    if entries:
        chosen = [e for e in entries if category is None or e[0] == category]
        if chosen and category is not None:
            # the newest source of a category wins (the older stay in provenance)
            newest = max(chosen, key=lambda e: e[2])
            return [(newest[1], newest[2])]
        if chosen:
            return [(source, day) for _cat, source, day in chosen]
    return [(point.source, point.source_date)]


def is_old(day: datetime.date, today: datetime.date, years: int) -> bool:
    """`day` lies more than `years` whole years before `today`."""
    try:
        limit = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - years, day=28)
    return day < limit


def old_years(
    days: Sequence[datetime.date],
    today: datetime.date | None = None,
    rules: FreshnessRules | None = None,
) -> list[int]:
    """The years (sorted, once each) of the dates that are older than the threshold."""
    rules = rules or load_freshness()
    today = today or datetime.date.today()
    return sorted({d.year for d in days if is_old(d, today, rules.max_age_years)})


def source_name(
    source: str, lang: str = DEFAULT_LANGUAGE, rules: FreshnessRules | None = None
) -> str:
    """How an answer names a source: as written, or its English name
    (`sources_en` in data/freshness.yml) in an English answer."""
    if lang != "en":
        return source
    rules = rules or load_freshness()
    return rules.sources_en.get(source, source)


def check_advice(
    categories: Iterable[str],
    rules: FreshnessRules | None = None,
    *,
    carrier: str | None = None,
    finder: str | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    """Where to check, for the categories of an answer (the first with advice).

    {carrier} and {finder} default to "transportföretaget" and "på
    transportföretagets egen webbplats" (`any_carrier`, `any_finder` in
    data/lang/messages.yml).
    """
    rules = rules or load_freshness()
    check, default = rules.advice(lang)
    for category in categories:
        if category in check:
            return (
                check[category]
                .replace("{carrier}", carrier or say("any_carrier", lang))
                .replace("{finder}", finder or say("any_finder", lang))
            )
    return default
