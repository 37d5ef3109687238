"""Entities as the actions want them: canonical service types, carriers.

Pure functions (no Rasa) behind components/service_type_normalizer.py, so they
can be tested and reused on their own. The words and phrases are in
data/service_types.yml.
"""

from __future__ import annotations

from typing import Any

from bot.service_types import (
    carrier_service_type,
    carriers_in_text,
    closest_service_type,
    service_types_in_text,
)

__all__ = [
    "CARRIER",
    "ENTITY",
    "SCAN_INTENTS",
    "canonical_service_type",
    "normalise_entities",
]

ENTITY = "service_type"
CARRIER = "carrier"
#: Intents whose messages are about a service: a service word in them is meant.
#: (Not the questions about home delivery and doing it online: there "mat" is
#: the goods, not a kind of place.)
SCAN_INTENTS = ("find_service", "inform", "ask_opening_hours")


def canonical_service_type(value: str) -> str | None:
    """A service_type entity value as a canonical id, or None (drop it)."""
    mapped = closest_service_type(value)
    if mapped is not None:
        return mapped
    found = service_types_in_text(value)
    return found[0].value if found else None


def _outside(text: str, entities: list[dict[str, Any]]) -> str:
    """The text with the spans of other entities blanked out (same length)."""
    chars = list(text)
    for entity in entities:
        if entity.get("entity") == ENTITY:
            continue
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int):
            chars[start:end] = " " * (end - start)
    return "".join(chars)


def normalise_entities(
    text: str, intent: str | None, entities: list[dict[str, Any]], extractor: str
) -> list[dict[str, Any]]:
    """Steps 2-4 of the module docstring on one message's entities."""
    kept: list[dict[str, Any]] = []
    for entity in entities:
        if entity.get("entity") != ENTITY:
            kept.append(entity)
            continue
        value = str(entity.get("value", ""))
        mapped = canonical_service_type(value)
        if mapped is None:
            continue
        if any(e.get("entity") == ENTITY and e.get("value") == mapped for e in kept):
            continue  # "avi från PostNord": one service type, said twice
        if mapped != value:
            entity["value"] = mapped
            entity.setdefault("processors", []).append(extractor)
        kept.append(entity)
    about_service = intent in SCAN_INTENTS
    if about_service and not any(e.get("entity") == CARRIER for e in kept):
        for mention in carriers_in_text(_outside(text, kept)):
            kept.append(
                {
                    "entity": CARRIER,
                    "value": mention.value,
                    "start": mention.start,
                    "end": mention.end,
                    "extractor": extractor,
                }
            )
    if about_service and not any(e.get("entity") == ENTITY for e in kept):
        found = service_types_in_text(_outside(text, kept))
        implied = carrier_service_type()
        carrier = next((e for e in kept if e.get("entity") == CARRIER), None)
        start: Any
        end: Any
        if found:
            value, start, end = found[0].value, found[0].start, found[0].end
        elif carrier is not None and implied is not None:
            # "postnordombud", "mitt DHL-paket": the carrier implies its type
            value, start, end = implied, carrier.get("start"), carrier.get("end")
        else:
            return kept
        kept.append(
            {
                "entity": ENTITY,
                "value": value,
                "start": start,
                "end": end,
                "extractor": extractor,
            }
        )
    return kept
