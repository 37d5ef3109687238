"""What an answer was, as data: the outcome every action records.

The editors' inbox, the region's demand report and anything else that
counts conversations read these records, never the bot's wording, so an
answer can be reworded (or given in English) without changing a count.

The actions store one `Outcome` per answer in the `outcome` slot (domain.yml:
type any, not influencing the dialogue). Rasa's tracker store keeps every
slot event, so each answer leaves one `slot` event named "outcome" whose
value is `Outcome.to_dict()`:

    {"v": 1, "kind": "found", "question": "nearest",
     "service_type": "apotek", "carrier": null, "place": "1080-jamjo",
     "distance_km": 4.12, "language": "sv", "topic": null}

A shared position is never written here: `place` is then `SHARED_POSITION`.
`distance_km` (of the first place listed) is removed by `bot.retention`
from conversations that shared a position, with the bot's other distances.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = [
    "OUTCOME_SLOT",
    "SCHEMA_VERSION",
    "SHARED_POSITION",
    "Kind",
    "Outcome",
    "Question",
    "outcome_of_event",
]

#: The slot the actions set (domain.yml).
OUTCOME_SLOT = "outcome"
#: The `place` of an answer given from a shared position.
SHARED_POSITION = "shared_position"
#: Bumped when a field changes meaning; readers skip versions they do not know.
SCHEMA_VERSION = 1


class Kind(str, Enum):
    """How the bot answered."""

    #: it named what was asked for (places, hours, a knowledge entry)
    FOUND = "found"
    #: it has no data for it: no point of the type, no point of that name,
    #: an unknown kind of service, nothing registered in the ort
    NO_DATA = "no_data"
    #: it has data, but nothing (more) to list for this search
    NONE_WITHIN_LIMIT = "none_within_limit"
    #: the place the resident named is not in the gazetteer
    UNKNOWN_PLACE = "unknown_place"
    #: the place or shared position is outside the area we cover
    OUTSIDE_AREA = "outside_area"
    #: it did not understand the message (asked to rephrase, or "did you mean …?")
    NOT_UNDERSTOOD = "not_understood"
    #: it told the resident how to reach a person
    HANDOFF = "handoff"
    #: it asked back before answering (which place? which kommun?)
    ASKED = "asked"
    #: its data could not be read (the resident was told to try later)
    UNAVAILABLE = "unavailable"


class Question(str, Enum):
    """What the resident asked for."""

    NEAREST = "nearest"  # the nearest of a service type (first page)
    MORE = "more"  # "visa fler"
    HOURS = "hours"  # opening hours of a point
    PLACE_LIST = "place_list"  # what there is in an ort
    DIGITAL = "digital"  # a digital alternative
    HOME_DELIVERY = "home_delivery"  # home delivery of groceries
    CONTACT = "contact"  # a person to talk to
    POSITION = "position"  # a shared position, no service asked for yet
    INTENT = "intent"  # the bot was unsure what the message meant
    HELP = "help"  # what the bot can do
    #: a resident's report that a service point is wrong (`bot.change_reports`):
    #: `found` when it was stored (or the point is already marked closed),
    #: `no_data` when the point is not in the registry; `service_type` is the
    #: service the report names, if one. The report itself is its own
    #: `change_report` slot event; this only says how the bot answered.
    REPORT = "report"


@dataclass(frozen=True)
class Outcome:
    """One answer, reduced to what may be counted (no text, no position).

    Attributes:
        kind: how the bot answered.
        question: what was asked.
        service_type: the canonical service type, when there was one.
        carrier: the parcel carrier asked for ("postnord"), when there was one.
        place: the gazetteer id of the place searched from, `SHARED_POSITION`,
            or None (no place, or one the bot did not know).
        distance_km: as the crow flies to the first place listed.
        language: the answer's language ("sv", "en").
        topic: the knowledge entry quoted (digital alternatives).
    """

    kind: Kind
    question: Question
    service_type: str | None = None
    carrier: str | None = None
    place: str | None = None
    distance_km: float | None = None
    language: str = "sv"
    topic: str | None = None

    @property
    def from_position(self) -> bool:
        return self.place == SHARED_POSITION

    def to_dict(self) -> dict[str, Any]:
        """The slot value: plain JSON types, every field present."""
        return {
            "v": SCHEMA_VERSION,
            "kind": self.kind.value,
            "question": self.question.value,
            "service_type": self.service_type,
            "carrier": self.carrier,
            "place": self.place,
            "distance_km": (
                None if self.distance_km is None else round(self.distance_km, 3)
            ),
            "language": self.language,
            "topic": self.topic,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Outcome | None:
        """An outcome from a stored slot value; None when it is not one we know."""
        if not isinstance(data, Mapping) or data.get("v") != SCHEMA_VERSION:
            return None
        try:
            kind = Kind(data.get("kind"))
            question = Question(data.get("question"))
        except ValueError:
            return None
        distance = data.get("distance_km")
        if not _is_distance(distance):
            distance = None
        return cls(
            kind=kind,
            question=question,
            service_type=_text(data.get("service_type")),
            carrier=_text(data.get("carrier")),
            place=_text(data.get("place")),
            distance_km=None if distance is None else float(distance),
            language=_text(data.get("language")) or "sv",
            topic=_text(data.get("topic")),
        )


def _is_distance(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def outcome_of_event(data: Mapping[str, Any]) -> Outcome | None:
    """The outcome an event records: a `slot` event of `OUTCOME_SLOT`, else None.

    `data` is one decoded row of Rasa's `events` table (its `data` column).
    """
    if data.get("event", "slot") != "slot" or data.get("name") != OUTCOME_SLOT:
        return None
    return Outcome.from_dict(data.get("value"))
