"""All of Servicelotsen's domain errors, in one place.

Kept together so callers (actions, CLI, editors' checks) can see every failure
the library can raise and catch them by kind. Helpers append here; messages a
person reads are in Swedish.
"""

from __future__ import annotations

__all__ = [
    "InvalidOpeningHours",
    "InvalidRecord",
    "RegistryError",
    "ServiceTypesError",
    "ServicelotsenError",
]


class ServicelotsenError(Exception):
    """Base class, so a caller can catch every domain error at once."""


class ServiceTypesError(ServicelotsenError):
    """`data/service_types.yml` is missing or malformed (an editor must fix it)."""


class RegistryError(ServicelotsenError):
    """The registry path is missing or unreadable as a whole.

    The message names the path and what the operator should do; single bad
    records never raise this (they are reported and left out).
    """


class InvalidRecord(ServicelotsenError):
    """One registry record is invalid; `reason` is plain Swedish for editors."""

    def __init__(self, reason: str, record_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.record_id = record_id


class InvalidOpeningHours(ServicelotsenError, ValueError):
    """An `opening_hours` value is not valid OSM syntax (or not supported)."""

    def __init__(self, value: str, detail: str = "") -> None:
        message = f"ogiltiga öppettider: {value!r}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)
        self.value = value
        self.detail = detail
