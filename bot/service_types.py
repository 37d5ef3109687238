"""The service types the bot knows, read from `data/service_types.yml`.

That YAML file is the single source of truth for category ids, Swedish names,
synonyms and related categories; the NLU data, the actions, the registry
validation and the tests all read it through this module so they cannot drift
apart.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ServiceTypesError
from bot.text import fold

__all__ = [
    "DEFAULT_SERVICE_TYPES_PATH",
    "ServiceType",
    "closest_service_type",
    "load_service_types",
    "normalise_service_type",
    "related_types",
]

#: difflib similarity a misspelt word needs to count as a service word
#: ("aptek" ~ "apotek" 0.91, "bankomaat" ~ "bankomat" 0.94, "afar" ~ "affar" 0.89;
#: "pengar", "mat" and "kiosk" match nothing).
FUZZY_CUTOFF = 0.75
#: When close words belong to two types, the best must lead by this much.
FUZZY_MARGIN = 0.05

DEFAULT_SERVICE_TYPES_PATH = (
    Path(__file__).resolve().parents[1] / "data" / "service_types.yml"
)


@dataclass(frozen=True)
class ServiceType:
    """One kind of everyday service (a category id in the registry)."""

    id: str
    name: str
    plural: str
    synonyms: tuple[str, ...]
    related: tuple[str, ...]


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ServiceTypesError(f"{where}: ska vara en lista med ord")
    return tuple(v.strip() for v in value)


def _parse(path: Path) -> dict[str, ServiceType]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ServiceTypesError(f"Filen {path} saknas.") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise ServiceTypesError(f"Kan inte läsa {path}: {exc}") from exc
    entries = raw.get("service_types") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ServiceTypesError(f"{path}: nyckeln 'service_types' med en lista saknas")
    types: dict[str, ServiceType] = {}
    for i, entry in enumerate(entries):
        where = f"{path}, post {i + 1}"
        if not isinstance(entry, dict):
            raise ServiceTypesError(f"{where}: ska vara en mappning")
        fields = {}
        for key in ("id", "name", "plural"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ServiceTypesError(f"{where}: '{key}' saknas")
            fields[key] = value.strip()
        if fields["id"] in types:
            raise ServiceTypesError(f"{where}: id '{fields['id']}' finns två gånger")
        types[fields["id"]] = ServiceType(
            id=fields["id"],
            name=fields["name"],
            plural=fields["plural"],
            synonyms=_str_list(entry.get("synonyms"), f"{where}, synonyms"),
            related=_str_list(entry.get("related"), f"{where}, related"),
        )
    for st in types.values():
        for rel in st.related:
            if rel not in types:
                raise ServiceTypesError(
                    f"{path}: '{st.id}' har okänd relaterad typ '{rel}'"
                )
    return types


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path) -> dict[str, ServiceType]:
    return _parse(path)


def load_service_types(path: Path | None = None) -> dict[str, ServiceType]:
    """Load the service types, keyed by id, in file order.

    Args:
        path: another YAML file (tests); default `data/service_types.yml`.

    Returns:
        A fresh dict (the cached one is not handed out, so callers may mutate).

    Raises:
        ServiceTypesError: the file is missing or malformed.
    """
    resolved = (path or DEFAULT_SERVICE_TYPES_PATH).resolve()
    return dict(_load_cached(resolved))


@functools.lru_cache(maxsize=8)
def _lookup_tables(path: Path) -> tuple[dict[str, str], dict[str, str | None]]:
    exact: dict[str, str] = {}
    loose: dict[str, str | None] = {}
    for st in _load_cached(path).values():
        for word in (st.id, st.name, st.plural, *st.synonyms):
            exact.setdefault(fold(word, keep_accents=True), st.id)
            key = fold(word)
            # an ASCII form shared by two types is ambiguous: refuse to guess
            if key in loose and loose[key] != st.id:
                loose[key] = None
            else:
                loose[key] = st.id
    return exact, loose


def normalise_service_type(word: str, path: Path | None = None) -> str | None:
    """Map a resident's word ("ICA", "affär", "macka") to a canonical id.

    Exact (case- and space-insensitive) matches win; then a match that ignores
    diacritics ("affar"), if that is unambiguous. Returns None otherwise, so
    the caller asks instead of guessing.
    """
    if not word or not word.strip():
        return None
    exact, loose = _lookup_tables((path or DEFAULT_SERVICE_TYPES_PATH).resolve())
    found = exact.get(fold(word, keep_accents=True))
    if found is not None:
        return found
    return loose.get(fold(word))


def closest_service_type(word: str, path: Path | None = None) -> str | None:
    """A misspelt service word ("aptek", "bankomaat") to its type, else None.

    Exact and diacritic-free matches first (`normalise_service_type`), then
    the closest known word by difflib's ratio, if close enough and not torn
    between two types. Used by the NLU (components/service_type_normalizer.py)
    and by the actions, so both read words the same way.
    """
    found = normalise_service_type(word, path)
    if found is not None or not word or not word.strip():
        return found
    _exact, loose = _lookup_tables((path or DEFAULT_SERVICE_TYPES_PATH).resolve())
    terms = {k: v for k, v in loose.items() if v is not None}
    key = fold(word)
    close = difflib.get_close_matches(key, list(terms), n=3, cutoff=FUZZY_CUTOFF)
    types = {terms[c] for c in close}
    if len(types) == 1:
        return types.pop()
    if len(close) >= 2:
        best = difflib.SequenceMatcher(None, key, close[0]).ratio()
        runner = difflib.SequenceMatcher(None, key, close[1]).ratio()
        if best - runner >= FUZZY_MARGIN:
            return terms[close[0]]
    return None


def related_types(type_id: str, path: Path | None = None) -> tuple[str, ...]:
    """The categories to offer when `type_id` has nothing nearby, in order."""
    st = load_service_types(path).get(type_id)
    return st.related if st else ()
