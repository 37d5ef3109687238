"""Parcel carriers: their names, and which carriers a parcel point serves.

A parcel point's `carriers` (docs/contracts.md) says which carriers hand out
parcels there and whether it is an `ombud` (a shop counter) or a `paketskåp`
(a locker). `carriers_of` reads that tolerantly: a list of ids, a list of
`{"id"|"carrier": …, "kind": …}` entries, a mapping id -> kind, or objects with
`id`/`carrier` and `kind` attributes all give the same `CarrierAt` tuple.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ServicelotsenError
from bot.messages import DEFAULT_LANGUAGE, join_words, say
from bot.text import fold as _fold

__all__ = [
    "CARRIERS_PATH",
    "KIND_LOCKER",
    "KIND_OMBUD",
    "Carrier",
    "CarrierAt",
    "alias_key",
    "carrier_id",
    "carrier_name",
    "carrier_names",
    "carriers_of",
    "is_locker",
    "load_carriers",
    "parcel_label",
]

CARRIERS_PATH = Path(__file__).resolve().parents[1] / "data" / "carriers.yml"
KIND_OMBUD = "ombud"
KIND_LOCKER = "paketskåp"

#: Ways a kind is written -> the canonical kind.
_KINDS = {
    "ombud": KIND_OMBUD,
    "postombud": KIND_OMBUD,
    "utlämningsställe": KIND_OMBUD,
    "paketskåp": KIND_LOCKER,
    "paketskap": KIND_LOCKER,
    "box_paketskåp": KIND_LOCKER,
    "box": KIND_LOCKER,
    "locker": KIND_LOCKER,
    "paketbox": KIND_LOCKER,
}


def fold(text: str) -> str:
    """Lower case, spaces collapsed, accents kept ("PostNord-ombud" -> "postnord ombud")."""
    return _fold(text, keep_accents=True)


@dataclass(frozen=True, slots=True)
class Carrier:
    """A carrier as data/carriers.yml names it."""

    id: str
    name: str
    finder: str
    finder_en: str = ""

    def finder_in(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """Where to search, in the answer's language ("" when not written)."""
        return self.finder_en if lang == "en" else self.finder


@dataclass(frozen=True, slots=True)
class CarrierAt:
    """One carrier at one parcel point, and the kind of point it is there."""

    id: str
    kind: str = KIND_OMBUD


@functools.cache
def _load(path: Path) -> dict[str, Carrier]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ServicelotsenError(f"Kan inte läsa {path}: {exc}") from exc
    found: dict[str, Carrier] = {}
    for item in data.get("carriers") or []:
        if not isinstance(item, Mapping) or not item.get("id") or not item.get("name"):
            raise ServicelotsenError(
                f"{path}: varje transportföretag behöver id och name ({item!r})"
            )
        cid = str(item["id"]).strip().lower()
        found[cid] = Carrier(
            cid,
            str(item["name"]),
            str(item.get("finder") or ""),
            str(item.get("finder_en") or ""),
        )
    return found


def load_carriers(path: Path | None = None) -> dict[str, Carrier]:
    """The carriers by id (data/carriers.yml), read once."""
    return _load(path or CARRIERS_PATH)


def alias_key(word: str) -> str:
    """What a carrier's other spellings are compared by: folded (accents kept),
    without spaces or underscores ("DHL_Express", "dhl-express" -> "dhlexpress")."""
    return fold(word).replace(" ", "").replace("_", "")


@functools.cache
def _aliases(path: Path) -> dict[str, str]:
    """The other ways lists and residents write a carrier (`aliases` in
    data/carriers.yml, "Posten", "DHL Express"), by `alias_key` -> id."""
    _load(path)  # the file is readable and every carrier has an id
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table: dict[str, str] = {}
    for item in data.get("carriers") or []:
        cid = str(item["id"]).strip().lower()
        words = item.get("aliases") or []
        if not isinstance(words, list) or not all(
            isinstance(w, str) and w.strip() for w in words
        ):
            raise ServicelotsenError(
                f"{path}: aliases för {cid} ska vara en lista av ord ({words!r})"
            )
        table.update((alias_key(w), cid) for w in words)
    return table


def carrier_id(word: object) -> str | None:
    """A carrier as a list or a resident writes it ("PostNord", "DHL_Express") -> id."""
    if not isinstance(word, str) or not word.strip():
        return None
    key = fold(word).strip().replace("-", " ")
    key = " ".join(key.split())
    for suffix in ("ombud", "skåp", "paket", "paketet"):
        key = key.removesuffix(suffix).strip()
    known = load_carriers()
    if key in known:
        return key
    compact = key.replace(" ", "").replace("_", "")
    aliases = _aliases(CARRIERS_PATH)
    if compact in aliases:
        return aliases[compact]
    return compact if compact in known else None


def _kind(value: object) -> str:
    if isinstance(value, str):
        return _KINDS.get(fold(value).strip(), KIND_OMBUD)
    return KIND_OMBUD


def _entry(item: object) -> CarrierAt | None:
    if isinstance(item, str):
        cid = carrier_id(item)
        return CarrierAt(cid) if cid else None
    if isinstance(item, Mapping):
        raw = item.get("id") or item.get("carrier") or item.get("operator")
        kind = item.get("kind") or item.get("type")
    elif isinstance(item, tuple | list) and item:
        raw, kind = item[0], (item[1] if len(item) > 1 else None)
    else:
        raw = getattr(item, "id", None) or getattr(item, "carrier", None)
        kind = getattr(item, "kind", None)
    cid = carrier_id(raw)
    return CarrierAt(cid, _kind(kind)) if cid else None


def carriers_of(point: object) -> tuple[CarrierAt, ...]:
    """The carriers a point serves (empty for a point without `carriers`).

    Order as the record has it; one entry per carrier id (the first kind wins
    when a list names a carrier twice).
    """
    raw: Any = getattr(point, "carriers", None)
    if not raw:
        return ()
    items: Iterable[object]
    if isinstance(raw, Mapping):
        items = [{"id": k, "kind": v} for k, v in raw.items()]
    elif isinstance(raw, str):
        items = [raw]
    else:
        items = raw
    found: dict[str, CarrierAt] = {}
    for item in items:
        entry = _entry(item)
        if entry is not None and entry.id not in found:
            found[entry.id] = entry
    return tuple(found.values())


def is_locker(point: object) -> bool:
    """A parcel point where every carrier is a locker (paketskåp)."""
    found = carriers_of(point)
    return bool(found) and all(c.kind == KIND_LOCKER for c in found)


def carrier_name(cid: str) -> str:
    """ "postnord" -> "PostNord" (the id itself for one not in data/carriers.yml)."""
    known = load_carriers().get(cid)
    return known.name if known else cid


def carrier_names(point: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """ "PostNord och DHL" ("PostNord and DHL") for a point's carriers ("" without)."""
    return join_words([carrier_name(c.id) for c in carriers_of(point)], lang)


def parcel_label(
    point: object, only: str | None = None, lang: str = DEFAULT_LANGUAGE
) -> str:
    """How an answer names a parcel point's carriers and kind.

    "Instabox paketskåp" for a locker, "ombud för PostNord och DHL" for a shop
    ("Instabox parcel locker", "parcel point for PostNord and DHL"), "" for a
    point without carriers. With `only`, just that carrier.
    """
    found = [c for c in carriers_of(point) if only is None or c.id == only]
    if not found:
        return ""
    lockers = [c for c in found if c.kind == KIND_LOCKER]
    counters = [c for c in found if c.kind != KIND_LOCKER]
    parts: list[str] = []
    if lockers:
        names = join_words([carrier_name(c.id) for c in lockers], lang)
        parts.append(say("carrier_locker", lang, carriers=names))
    if counters:
        names = join_words([carrier_name(c.id) for c in counters], lang)
        parts.append(say("carrier_counter", lang, carriers=names))
    return ", ".join(parts)
