"""The service types the bot knows, read from `data/service_types.yml`.

That YAML file is the single source of truth for category ids, Swedish names,
synonyms and related categories; the NLU data, the actions, the registry
validation and the tests all read it through this module so they cannot drift
apart.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ServiceTypesError
from bot.text import fold

__all__ = [
    "DEFAULT_SERVICE_TYPES_PATH",
    "Carrier",
    "Mention",
    "ServiceType",
    "alternative_types",
    "carrier_service_type",
    "carriers_in_text",
    "closest_service_type",
    "load_ambiguous",
    "load_carriers",
    "load_service_types",
    "normalise_service_type",
    "related_types",
    "service_types_in_text",
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
    name_en: str = ""
    plural_en: str = ""
    synonyms_en: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        """Every word that names this type, in both languages."""
        english = [w for w in (self.name_en, self.plural_en) if w]
        return (self.name, self.plural, *self.synonyms, *self.synonyms_en, *english)

    def display_name(self, language: str = "sv") -> str:
        """One such place, in the answer's language ("apotek", "pharmacy")."""
        return self.name_en if language == "en" and self.name_en else self.name

    def display_plural(self, language: str = "sv") -> str:
        """Several, in the answer's language."""
        return self.plural_en if language == "en" and self.plural_en else self.plural


@dataclass(frozen=True)
class Carrier:
    """A parcel carrier residents name ("DHL-ombud")."""

    id: str
    name: str
    words: tuple[str, ...]
    needs_context: bool = False


@dataclass(frozen=True)
class Mention:
    """A service type or carrier found in a text, with its character span."""

    value: str
    start: int
    end: int
    text: str


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
            name_en=str(entry.get("name_en") or "").strip(),
            plural_en=str(entry.get("plural_en") or "").strip(),
            synonyms_en=_str_list(entry.get("synonyms_en"), f"{where}, synonyms_en"),
        )
    for st in types.values():
        for rel in st.related:
            if rel not in types:
                raise ServiceTypesError(
                    f"{path}: '{st.id}' har okänd relaterad typ '{rel}'"
                )
    return types


@functools.lru_cache(maxsize=32)
def _resolve(path: Path | None) -> Path:
    """The file's absolute path, resolved once per path (every answer asks)."""
    return (path or DEFAULT_SERVICE_TYPES_PATH).resolve()


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
    resolved = _resolve(path)
    return dict(_load_cached(resolved))


@functools.lru_cache(maxsize=8)
def _lookup_tables(path: Path) -> tuple[dict[str, str], dict[str, str | None]]:
    exact: dict[str, str] = {}
    loose: dict[str, str | None] = {}
    words = [(st.id, w) for st in _load_cached(path).values() for w in (st.id, *st.words)]
    implied = carrier_service_type(path)
    if implied is not None:
        # a carrier names its service type too ("DHL" -> paketombud)
        words += [(implied, w) for c in _carriers_cached(path) for w in (c.id, *c.words)]
    for type_id, word in words:
        exact.setdefault(fold(word, keep_accents=True), type_id)
        key = fold(word)
        # an ASCII form shared by two types is ambiguous: refuse to guess
        if key in loose and loose[key] != type_id:
            loose[key] = None
        else:
            loose[key] = type_id
    return exact, loose


def normalise_service_type(word: str, path: Path | None = None) -> str | None:
    """Map a resident's word ("ICA", "affär", "macka") to a canonical id.

    Exact (case- and space-insensitive) matches win; then a match that ignores
    diacritics ("affar"), if that is unambiguous. Returns None otherwise, so
    the caller asks instead of guessing.
    """
    if not word or not word.strip():
        return None
    exact, loose = _lookup_tables(_resolve(path))
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
    _exact, loose = _lookup_tables(_resolve(path))
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


# --- carriers, ambiguous words, service words in a whole sentence -------------

_TOKEN = re.compile(r"[^\W_]+")
#: Longest phrase (in words) looked for in a sentence.
_MAX_PHRASE = 5
#: A carrier word this long is also found at the start of a compound
#: ("postnordombud", "instaboxskåp").
_COMPOUND_MIN = 5


@functools.lru_cache(maxsize=8)
def _raw(path: Path) -> dict[str, Any]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return raw if isinstance(raw, dict) else {}


@functools.lru_cache(maxsize=8)
def _carriers_cached(path: Path) -> tuple[Carrier, ...]:
    entries = _raw(path).get("carriers") or []
    if not isinstance(entries, list):
        raise ServiceTypesError(f"{path}: 'carriers' ska vara en lista")
    carriers = []
    for i, entry in enumerate(entries):
        where = f"{path}, carriers post {i + 1}"
        if not isinstance(entry, dict) or not str(entry.get("id") or "").strip():
            raise ServiceTypesError(f"{where}: 'id' saknas")
        carrier_id = str(entry["id"]).strip()
        carriers.append(
            Carrier(
                id=carrier_id,
                name=str(entry.get("name") or carrier_id).strip(),
                words=_str_list(entry.get("words"), f"{where}, words") or (carrier_id,),
                needs_context=bool(entry.get("needs_context", False)),
            )
        )
    return tuple(carriers)


def carrier_service_type(path: Path | None = None) -> str | None:
    """The service type a carrier implies (`carrier_service_type`: paketombud)."""
    resolved = _resolve(path)
    value = _raw(resolved).get("carrier_service_type")
    return str(value) if value and str(value) in _load_cached(resolved) else None


def load_carriers(path: Path | None = None) -> tuple[Carrier, ...]:
    """The parcel carriers of `data/service_types.yml` (section `carriers`)."""
    return _carriers_cached(_resolve(path))


@functools.lru_cache(maxsize=8)
def _ambiguous_cached(path: Path) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    entries = _raw(path).get("ambiguous") or []
    if not isinstance(entries, list):
        raise ServiceTypesError(f"{path}: 'ambiguous' ska vara en lista")
    types = _load_cached(path)
    rules = []
    for i, entry in enumerate(entries):
        where = f"{path}, ambiguous post {i + 1}"
        if not isinstance(entry, dict):
            raise ServiceTypesError(f"{where}: ska vara en mappning")
        kinds = _str_list(entry.get("types"), f"{where}, types")
        words = _str_list(entry.get("words"), f"{where}, words")
        unknown = [k for k in kinds if k not in types]
        if len(kinds) < 2 or unknown:
            raise ServiceTypesError(
                f"{where}: 'types' ska nämna minst två kända typer"
                + (f" (okänd: {', '.join(unknown)})" if unknown else "")
            )
        for word in words:
            if normalise_service_type(word, path) not in kinds:
                raise ServiceTypesError(
                    f"{where}: '{word}' måste också stå som synonym till någon av "
                    f"{', '.join(kinds)}"
                )
        rules.append((tuple(fold(w) for w in words), kinds))
    return tuple(rules)


def load_ambiguous(path: Path | None = None) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(folded words, types) for the words that fit two or more types."""
    return _ambiguous_cached(_resolve(path))


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end) for each word; hyphens and punctuation split."""
    return [(fold(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


@functools.lru_cache(maxsize=8)
def _phrases(path: Path) -> dict[tuple[str, ...], str]:
    _exact, loose = _lookup_tables(path)
    return {tuple(k.split()): v for k, v in loose.items() if v is not None and k}


def _context_words(path: Path) -> frozenset[str]:
    """Carrier words that count only in a parcel context ("bring", "ups")."""
    return frozenset(
        fold(w) for c in load_carriers(path) if c.needs_context for w in c.words
    )


def _scan(
    tokens: list[tuple[str, int, int]], table: dict[tuple[str, ...], str]
) -> list[tuple[str, int, int]]:
    """Longest phrases of `table` in the tokens, left to right: (value, i, j)."""
    found = []
    i = 0
    while i < len(tokens):
        for n in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
            value = table.get(tuple(t for t, _s, _e in tokens[i : i + n]))
            if value is not None:
                found.append((value, i, i + n))
                i += n
                break
        else:
            i += 1
    return found


def carriers_in_text(text: str, path: Path | None = None) -> list[Mention]:
    """The parcel carriers a text names, once each, in order of appearance.

    "Närmaste DHL-ombud" -> dhl; "postnordombud" -> postnord. Words that are
    also everyday words ("bring", "ups") count only capitalised ("Bring",
    "UPS") or beside another parcel word ("paket", "ombud", "parcel").
    """
    resolved = _resolve(path)
    carriers = load_carriers(resolved)
    table = {tuple(fold(w).split()): c.id for c in carriers for w in c.words}
    needs_context = {c.id for c in carriers if c.needs_context}
    tokens = _tokens(text)
    hits = _scan(tokens, table)
    covered = {k for _v, i, j in hits for k in range(i, j)}
    for k, (word, _s, _e) in enumerate(tokens):
        if k in covered:
            continue
        for carrier in carriers:
            if carrier.needs_context:
                continue
            if any(
                len(w) >= _COMPOUND_MIN and " " not in w and word.startswith(fold(w))
                for w in carrier.words
            ):
                hits.append((carrier.id, k, k + 1))
                break
    hits.sort(key=lambda h: h[1])
    parcel_words = [
        (v, i, j)
        for v, i, j in _scan(tokens, _phrases(resolved))
        if v == "paketombud" and not any(
            tuple(t for t, _s, _e in tokens[i:j]) == tuple(fold(w).split())
            for c in carriers
            for w in c.words
        )
    ]
    mentions: list[Mention] = []
    seen: set[str] = set()
    for value, i, j in hits:
        if value in seen:
            continue
        start, end = tokens[i][1], tokens[j - 1][2]
        written = text[start:end]
        if value in needs_context and written.islower() and not parcel_words:
            continue
        seen.add(value)
        mentions.append(Mention(value, start, end, written))
    return mentions


def service_types_in_text(text: str, path: Path | None = None) -> list[Mention]:
    """The service types a sentence names, once each, in order of appearance.

    Looks for every word and phrase of data/service_types.yml in the whole
    sentence, ignoring case and diacritics ("bankomat pa hasslo",
    "köpa mjölk", "Närmaste DHL-ombud"), longest phrase first. A carrier
    word that needs context ("bring") counts only when `carriers_in_text`
    accepts it.
    """
    resolved = _resolve(path)
    tokens = _tokens(text)
    context_words = _context_words(resolved)
    accepted = {m.text.casefold() for m in carriers_in_text(text, resolved)}
    mentions: list[Mention] = []
    seen: set[str] = set()
    for value, i, j in _scan(tokens, _phrases(resolved)):
        start, end = tokens[i][1], tokens[j - 1][2]
        written = text[start:end]
        if j - i == 1 and tokens[i][0] in context_words and written.casefold() not in accepted:
            continue
        if value in seen:
            continue
        seen.add(value)
        mentions.append(Mention(value, start, end, written))
    return mentions


def alternative_types(text: str, path: Path | None = None) -> tuple[str, ...]:
    """The types to offer together when the text has a word that fits several.

    "var kan jag hämta ut medicin" -> ("apoteksombud", "apotek"); otherwise ().
    """
    resolved = _resolve(path)
    folded = " " + " ".join(t for t, _s, _e in _tokens(text)) + " "
    for words, kinds in load_ambiguous(resolved):
        if any(f" {w} " in folded for w in words):
            return kinds
    return ()
