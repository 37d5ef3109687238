"""OpenStreetMap `opening_hours` for Servicelotsen (work in progress)."""

from __future__ import annotations

import opening_hours as _oh

from bot.errors import InvalidOpeningHours

__all__ = ["validate_opening_hours"]


def validate_opening_hours(value: str) -> str:
    """Check OSM `opening_hours` syntax; return the trimmed value.

    Raises:
        InvalidOpeningHours: the text is not valid OSM syntax.
    """
    text = value.strip()
    if not text or not _oh.validate(text):
        raise InvalidOpeningHours(value)
    return text
