"""One shop, one point: merging records of several sources into service points.

A village shop can be a grocery store in the chain's store finder, an
apoteksombud in Pipos and a PostNord and DHL agent in the carriers' lists.
Those are records of one place and become one point with several categories,
each category keeping its own source and date (`sources`). Two different
shops in one building stay two.

Two records are the same place when all of these hold:

* they are of the same *kind* (`MERGE_KINDS`): a shop (groceries, fuel,
  agents) never merges with a pharmacy, a health centre or a parcel locker
  in the same building; a locker merges only with the same carrier's locker;
* they lie within `SAME_PLACE_M` (about 150 m);
* they are not of two different chains (`data/importers/chains.yml`);
* their names agree: the same chain, the same name once spelling, case and
  diacritics are folded, or a distinctive word in common (not a chain word,
  not a place name, not a generic word like "livs"). The same address
  without any name in common is *not* enough (two shops in one building):
  it is printed as a near miss instead.

Everything the merge decides is logged: each merge with its distance and
why, and each near miss (a pair that almost matched, and what was missing),
so an editor can check it and extend the chain table.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ImportFailed
from bot.geo import haversine_km
from bot.registry import Carrier, SourceEntry
from bot.text import fold

__all__ = [
    "CHAINS_PATH",
    "GROCERY_CATEGORY",
    "MERGE_KINDS",
    "NEAR_MISS_M",
    "SAME_ADDRESS_M",
    "SAME_NAME_M",
    "SAME_PLACE_M",
    "Chain",
    "ChainTable",
    "MergeLog",
    "Record",
    "address_key",
    "load_chains",
    "merge_records",
    "name_words",
]

CHAINS_PATH = Path(__file__).resolve().parents[2] / "data" / "importers" / "chains.yml"

#: Records farther apart than this (metres) are never one place.
SAME_PLACE_M = 150.0
#: ... or this far when they also give the same street address: the lists'
#: positions for one address differ by up to ~270 m (Listermacken, Mjällby).
SAME_ADDRESS_M = 300.0
#: ... or this far when they have the same name in the same ort: the chain
#: lists and Pipos place one village shop up to ~830 m apart (ICA Nära
#: Bräkne-Hoby), and a village has one shop of that name.
SAME_NAME_M = 1000.0
#: Records with matching names this close are printed as a near miss; the
#: same chain at the same street address in the same ort is one shop up to
#: this far apart (one list puts Time, Ronnebygatan 30, 1.7 km off).
NEAR_MISS_M = 2000.0
#: What a record is, for merging: records merge only within one kind.
MERGE_KINDS = ("shop", "locker", "apotek", "vårdcentral", "atm", "bibliotek")
#: Kinds never merged here: ATMs are deduplicated by their own rules (several
#: machines of different banks stand side by side).
UNMERGED_KINDS = frozenset({"atm"})
GROCERY_CATEGORY = "dagligvaror"

#: Words that say nothing about which shop it is.
_GENERIC = frozenset(
    fold(w)
    for w in (
        "ab",
        "hb",
        "i",
        "och",
        "o",
        "&",
        "c",
        "livs",
        "butik",
        "butiken",
        "kiosk",
        "kiosken",
        "tobak",
        "spel",
        "servicebutik",
        "vårdcentral",
        "vårdcentralen",
        "hälsocentral",
        "apotek",
        "apoteket",
        "paketbox",
        "paketskåp",
        "box",
        "nära",
        "supermarket",
        "stormarknad",
        "maxi",
        "kvantum",
        "city",
        "centrum",
        "macken",
    )
)


#: Words naming a trade other than groceries: such a shop without a chain
#: is not the chain shop it shares a name with (Cityhallen Spel & Tobak is
#: not ICA Supermarket Cityhallen).
_TRADE_WORDS = frozenset(
    fold(w)
    for w in (
        "tobak",
        "spel",
        "kiosk",
        "kiosken",
        "grill",
        "grillen",
        "café",
        "cafe",
        "foto",
        "radio",
        "färg",
        "pizzeria",
        "bokhandel",
    )
)


@dataclass(frozen=True)
class Chain:
    """One chain of the chain table."""

    name: str
    grocery: bool
    pharmacy: bool
    spellings: tuple[tuple[str, ...], ...]  # folded words of each spelling


@dataclass(frozen=True)
class ChainTable:
    """The chains and how to find one in a name."""

    chains: tuple[Chain, ...]
    source: str = ""

    def find(self, name: str | None) -> Chain | None:
        """The chain whose spelling starts earliest in `name` (longest first)."""
        if not name:
            return None
        words = _fold_words(name)
        best: tuple[int, int, Chain] | None = None
        for chain in self.chains:
            for spelling in chain.spellings:
                n = len(spelling)
                for i in range(len(words) - n + 1):
                    if tuple(words[i : i + n]) == spelling:
                        key = (i, -n)
                        if best is None or key < best[:2]:
                            best = (i, -n, chain)
                        break
        return best[2] if best else None

    def words(self) -> frozenset[str]:
        """Every folded word of every spelling (not distinctive in a name)."""
        return frozenset(w for c in self.chains for s in c.spellings for w in s)


def _fold_words(text: str) -> list[str]:
    text = re.sub(r"['´`’]", "", text)
    return fold(text).split()


def load_chains(path: Path | None = None) -> ChainTable:
    """Read `data/importers/chains.yml`.

    Raises:
        ImportFailed: missing file or an entry without name or spellings.
    """
    file = path or CHAINS_PATH
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ImportFailed(f"kan inte läsa kedjetabellen ({exc})", str(file)) from exc
    entries = raw.get("chains") if isinstance(raw, Mapping) else None
    if not isinstance(entries, list):
        raise ImportFailed("kedjetabellen saknar listan 'chains'", str(file))
    chains: list[Chain] = []
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping) or not entry.get("name"):
            raise ImportFailed(f"kedja {i}: 'name' saknas", str(file))
        spellings = entry.get("spellings") or [entry["name"]]
        if not isinstance(spellings, list):
            raise ImportFailed(
                f"kedja {entry['name']}: 'spellings' ska vara en lista", str(file)
            )
        chains.append(
            Chain(
                name=str(entry["name"]),
                grocery=bool(entry.get("grocery")),
                pharmacy=bool(entry.get("pharmacy")),
                spellings=tuple(
                    tuple(_fold_words(str(s))) for s in spellings if _fold_words(str(s))
                ),
            )
        )
    return ChainTable(tuple(chains), str(file))


@cache
def default_chains() -> ChainTable:
    """The chain table of the repository (read once)."""
    return load_chains()


# ---------------------------------------------------------------- records


@dataclass
class Record:
    """One source's statement about one place, on its way to a point.

    Attributes:
        ref: how the printout names it ("paketombud rad 12: ICA NÄRA LAXEN").
        origin: which source ("pipos", "carriers", "sepoi", "osm", "1177");
            `merge_records` ranks the records of a point by `rank`.
        kind: one of MERGE_KINDS.
        notes: category -> how it was derived (host shop of a grocery chain).
        rank: lower wins: whose id, name, position and place the point gets.
        id_hint: the id the point gets if this record ranks first.
        chain: the chain's name when known from the source (brand, operator).
    """

    ref: str
    origin: str
    kind: str
    name: str
    categories: list[str]
    lat: float
    lon: float
    source: str
    source_date: datetime.date
    locality: str | None = None
    municipality: str | None = None
    address: str | None = None
    postcode: str | None = None
    brand: str | None = None
    operator: str | None = None
    phone: str | None = None
    website: str | None = None
    opening_hours: str | None = None
    carriers: list[Carrier] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    rank: int = 50
    id_hint: str = ""
    chain: str | None = None
    places: frozenset[str] = frozenset()  # folded place words, not distinctive
    keep_id: bool = False  # an id already published: the point keeps it
    position_rank: int = 50  # lower: whose position the point gets


def address_key(address: str | None) -> str | None:
    """Street and number, spelling folded ("Värendsväg 53" = "VÄRENDSVÄGEN 53").

    None when the address has no house number (a building name is no address
    to compare).
    """
    if not address:
        return None
    first = address.split(",")[0]
    words = fold(first).split()
    at = next((i for i, w in enumerate(words) if re.match(r"\d", w)), None)
    if at is None or at == 0:
        return None
    street = "".join(words[:at])
    street = re.sub(r"(vagen|vag|v)$", "vag", street)
    street = re.sub(r"(gatan|gata|g)$", "gat", street)
    number = re.match(r"\d+", words[at])
    return f"{street}{number.group(0) if number else ''}"


def name_words(record: Record, chains: ChainTable) -> frozenset[str]:
    """The distinctive words of a record's name (see the module docstring)."""
    skip = _GENERIC | chains.words() | record.places
    out: set[str] = set()
    for word in _fold_words(record.name):
        if word in skip or len(word) < 3 or word.isdigit():
            continue
        stem = word[:-1] if len(word) > 4 and word.endswith("s") else word
        if stem in skip:
            continue
        out.add(stem)
    return frozenset(out)


def _chain_of(record: Record, chains: ChainTable) -> str | None:
    if record.chain:
        return record.chain
    found = chains.find(record.name)
    return found.name if found else None


@dataclass
class MergeLog:
    """What merging decided, for the printout."""

    merged: list[str] = field(default_factory=list)
    near_misses: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


@dataclass
class _Group:
    records: list[Record]


def _metres(a: Record, b: Record) -> float:
    return 1000 * haversine_km(a.lat, a.lon, b.lat, b.lon)


def _compare(a: Record, b: Record, chains: ChainTable) -> tuple[bool, str, float]:
    """(same place?, why / what was missing, metres)."""
    metres = _metres(a, b)
    if a.kind != b.kind:
        return False, f"olika slag ({a.kind}, {b.kind})", metres
    if a.kind in UNMERGED_KINDS:
        return False, f"{a.kind} slås inte ihop", metres
    if a.kind == "locker" and {c.id for c in a.carriers} != {c.id for c in b.carriers}:
        return False, "paketskåp för olika transportföretag", metres
    chain_a, chain_b = _chain_of(a, chains), _chain_of(b, chains)
    if chain_a and chain_b and chain_a != chain_b:
        return False, f"olika kedjor ({chain_a}, {chain_b})", metres
    same_address = address_key(a.address) is not None and address_key(
        a.address
    ) == address_key(b.address)
    reasons: list[str] = []
    if chain_a and chain_a == chain_b:
        reasons.append(f"samma kedja ({chain_a})")
    if fold(a.name) == fold(b.name):
        reasons.append("samma namn")
    else:
        common = name_words(a, chains) & name_words(b, chains)
        if common:
            reasons.append("namnen har gemensamt: " + ", ".join(sorted(common)))
    if same_address:
        reasons.append("samma adress")
    named = any(not r.startswith("samma adress") for r in reasons)
    if named and (chain_a is None) != (chain_b is None):
        plain = a if chain_a is None else b
        trade = set(_fold_words(plain.name)) & _TRADE_WORDS
        if trade:
            return (
                False,
                (f"olika slags butiker ({', '.join(sorted(trade))} i en kedjebutik?)"),
                metres,
            )
    limit = SAME_ADDRESS_M if same_address and named else SAME_PLACE_M
    same_ort = bool(a.locality and b.locality and fold(a.locality) == fold(b.locality))
    if (
        metres > limit
        and named
        and same_ort
        and metres <= SAME_NAME_M
        and (
            "samma namn" in reasons or any(r.startswith("namnen har") for r in reasons)
        )
    ):
        reasons.append(f"samma ort ({a.locality}), lägena skiljer {metres:.0f} m")
        return True, ", ".join(reasons), metres
    if (
        metres > limit
        and chain_a
        and chain_a == chain_b
        and same_address
        and same_ort
        and metres <= NEAR_MISS_M
    ):
        # one chain at one street address is one shop, wherever a list put it
        reasons.append(f"samma ort ({a.locality}), lägena skiljer {metres:.0f} m")
        return True, ", ".join(reasons), metres
    if metres > limit:
        why = ", ".join(reasons) if reasons else "inget gemensamt"
        return False, f"för långt isär ({why})", metres
    if not named:
        why = (
            "samma adress men inget gemensamt i namnen"
            if same_address
            else "inget gemensamt i namn eller adress"
        )
        return False, why, metres
    return True, ", ".join(reasons), metres


def _conflict(a: Record, b: Record, chains: ChainTable) -> bool:
    """True when two records can never be one place (kind, chain, locker carrier)."""
    if a.kind != b.kind:
        return True
    if a.kind == "locker" and {c.id for c in a.carriers} != {c.id for c in b.carriers}:
        return True
    chain_a, chain_b = _chain_of(a, chains), _chain_of(b, chains)
    return bool(chain_a and chain_b and chain_a != chain_b)


def merge_records(
    records: Sequence[Record],
    log: MergeLog,
    chains: ChainTable | None = None,
) -> list[list[Record]]:
    """Group records into places; each group becomes one point.

    Every pair that is the same place (`_compare`) is joined, closest pairs
    first, unless the two groups hold records that can never be one place
    (two chains, two kinds): so one loose record cannot chain two shops
    together. Every merge and every near miss (the closest pair of two groups
    within SAME_PLACE_M that did not match, or with matching names up to
    NEAR_MISS_M apart) is written to `log`. Groups come out in the order of
    their best-ranked record; each group's records best rank first.
    """
    chains = chains or default_chains()
    recs = sorted(records, key=lambda r: (r.rank, r.ref))
    parent = list(range(len(recs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs: list[tuple[float, int, int, bool, str]] = []
    for i, a in enumerate(recs):
        for j in range(i + 1, len(recs)):
            b = recs[j]
            if abs(a.lat - b.lat) > 0.03 or abs(a.lon - b.lon) > 0.05:
                continue
            same, why, metres = _compare(a, b, chains)
            pairs.append((metres, i, j, same, why))
    pairs.sort()
    members: dict[int, list[int]] = {i: [i] for i in range(len(recs))}
    for metres, i, j, same, why in pairs:
        if not same:
            continue
        ri, rj = root(i), root(j)
        if ri == rj:
            continue
        if any(
            _conflict(recs[x], recs[y], chains)
            for x in members[ri]
            for y in members[rj]
        ):
            log.near_misses.append(
                f"{recs[j].ref} och {recs[i].ref}: {metres:.0f} m isär; {why}, men "
                "de hör till ställen som inte kan vara samma"
            )
            continue
        keep, gone = (ri, rj) if ri < rj else (rj, ri)
        parent[gone] = keep
        members[keep] += members.pop(gone)
        lead = recs[keep]
        log.merged.append(
            f"{recs[max(i, j)].ref} + {recs[min(i, j)].ref} -> {lead.name} "
            f"({metres:.0f} m; {why})"
        )
    reported: set[tuple[int, int]] = set()
    for metres, i, j, same, why in pairs:
        ri, rj = root(i), root(j)
        if ri == rj or same:
            continue
        key = (min(ri, rj), max(ri, rj))
        if (
            key in reported
            or recs[i].kind != recs[j].kind
            or recs[i].kind in UNMERGED_KINDS
        ):
            continue
        near = metres <= SAME_PLACE_M
        named = (
            why.startswith("för långt isär (")
            and "inget gemensamt" not in why
            and metres <= NEAR_MISS_M
        )
        if near or named:
            reported.add(key)
            log.near_misses.append(
                f"{recs[j].ref} och {recs[i].ref}: {metres:.0f} m isär; {why}"
            )
    out = [
        sorted((recs[k] for k in idx), key=lambda r: (r.rank, r.ref))
        for idx in members.values()
    ]
    return sorted(out, key=lambda g: (g[0].rank, g[0].ref))


# ---------------------------------------------------------------- groups to props


def _is_shouting(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def group_position(records: Sequence[Record]) -> tuple[float, float]:
    """The position of the record whose source places it best (`position_rank`)."""
    best = min(records, key=lambda r: (r.position_rank, r.rank, r.ref))
    return best.lat, best.lon


def group_properties(records: Sequence[Record]) -> tuple[dict[str, Any], Record]:
    """Registry properties for one group, and the record that leads it.

    The leading record (best rank; among equals one not written in capitals)
    gives id, name, position, place and address. Categories are the union;
    each category keeps every source that states it (`sources`, newest first;
    older sources stay as history). The point's own source and date are its
    oldest category's newest source, so no category reads as newer than it is.
    """
    lead = min(records, key=lambda r: (r.rank, _is_shouting(r.name), r.ref))
    categories: list[str] = []
    for r in [lead, *records]:
        categories += [c for c in r.categories if c not in categories]
    entries: list[SourceEntry] = []
    for r in records:
        for c in r.categories:
            entry = SourceEntry(c, r.source, r.source_date, r.notes.get(c))
            same = [
                e
                for e in entries
                if (e.category, e.source, e.source_date) == (c, r.source, r.source_date)
            ]
            if not same:
                entries.append(entry)
    # a derived fact (grocery chain) gives way to a source stating it outright
    stated = {e.category for e in entries if e.note is None}
    entries = [e for e in entries if e.note is None or e.category not in stated]
    entries.sort(
        key=lambda e: (categories.index(e.category), -e.source_date.toordinal())
    )
    newest: dict[str, SourceEntry] = {}
    for e in entries:
        newest.setdefault(e.category, e)
    own = min(
        newest.values(), key=lambda e: (e.source_date, categories.index(e.category))
    )
    carriers: list[Carrier] = []
    for r in [lead, *records]:
        carriers += [c for c in r.carriers if c not in carriers]
    props: dict[str, Any] = {
        "id": lead.id_hint,
        "name": lead.name,
        "categories": categories,
        "locality": lead.locality,
        "municipality": lead.municipality,
        "address": lead.address,
        "postcode": lead.postcode,
        "source": own.source,
        "source_date": own.source_date,
    }
    for key in ("brand", "operator", "phone", "website", "opening_hours"):
        value = getattr(lead, key) or next(
            (getattr(r, key) for r in records if getattr(r, key)), None
        )
        if value:
            props[key] = value
    for key in ("locality", "municipality", "address", "postcode"):
        if not props[key]:
            props[key] = next(
                (getattr(r, key) for r in records if getattr(r, key)), None
            )
    if carriers:
        props["carriers"] = [{"id": c.id, "kind": c.kind} for c in carriers]
    if len(entries) > 1 or any(e.note for e in entries):
        props["sources"] = [
            {
                "category": e.category,
                "source": e.source,
                "source_date": e.source_date.isoformat(),
                **({"note": e.note} if e.note else {}),
            }
            for e in entries
        ]
    return props, lead


def grocery_note(chain: str, table: str = "data/importers/chains.yml") -> str:
    """The provenance line of a grocery category derived from the chain."""
    return (
        f"{chain} är en dagligvarukedja ({table}): butiken räknas därför också "
        "som matbutik"
    )


def infer_grocery(record: Record, chains: ChainTable | None = None) -> None:
    """Add `dagligvaror` to a host shop of a grocery chain, with the note."""
    if record.kind != "shop" or GROCERY_CATEGORY in record.categories:
        return
    chain = (chains or default_chains()).find(record.name)
    if chain is not None and chain.grocery:
        record.categories.append(GROCERY_CATEGORY)
        record.notes[GROCERY_CATEGORY] = grocery_note(chain.name)


def place_words(*names: str | None) -> frozenset[str]:
    """Folded words of place names (with genitive s), not distinctive in a name."""
    out: set[str] = set()
    for name in names:
        for word in _fold_words(name or ""):
            out.add(word)
            out.add(word + "s")
    return frozenset(out)
