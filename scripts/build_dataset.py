"""Build data/service_points/blekinge.geojson, the default Blekinge dataset.

Facts (a store's chain, name, address, position) are derived from the
reference data in ../shared/reference by this script; no reference file is
copied into the project (see docs: data policy). The result is committed so a
fresh machine needs nothing from ../shared.

Sources:

- se-poi (blekinge_se_poi.csv): chain store locations collected from the
  chains' own store finders, mostly 2023. No licence is stated; individual
  facts are carried with source "kedjans butikssök (insamlat 2023)" and the
  date PROVENANCE.txt gives for the chain (CHAINS below).
- osm-hotosm-health (ODbL, © OpenStreetMap contributors, 2020-09-04):
  health centres whose name says vårdcentral; its pharmacies only where the
  chains' newer lists lack them (in practice none, see the printout).

What the script does, and why:

- Categories per chain are a table (CHAINS): grocery chains -> dagligvaror,
  pharmacies -> apotek, ATMs -> uttagsautomat, fuel -> drivmedel. Layers with
  no service type of ours (Systembolaget, clothes, restaurants...) are left out.
- Left out on purpose: Direkten (the layer mixes kiosks, tobacconists and
  gaming shops; nothing in the source shows a grocery store), Pressbyrån (a
  kiosk chain), bank branches (the source does not say they have an ATM;
  many are cashless), OKQ8 car washes ("Tvätt ..."), Shell truck-diesel sites.
- Mojibake ("Nã?Ttraby") is repaired only when the repair is a known place
  name or occurs in the record's own name; otherwise the record is reported.
- Duplicates: the same chain (Tanka counts as OKQ8) within MERGE_CHAIN_M, and
  any two ATMs within MERGE_ATM_M (the Bankomat layer lists one row per
  machine; uttagsautomater.se lists the same machines under bank names). The
  newest record of a group is kept; the others are reported as merged.
- ort (locality): the source's city field, spelled as in our gazetteer. ICA's
  store finder gives the kommun as city for every store, HOT OSM gives none:
  for those, a place the store's name mentions, else the place the store is
  in (see NEAR_PLACE_KM, TOWN_RADIUS_KM; ICA Nära Torhallen: Torhamn).
- kommun: the reference data's own kommun field (from the kommun polygons).
- Nothing is invented: no opening hours (no source states them), no phone
  numbers; apoteksombud and paketombud stay empty (no open source).

Usage:
    python scripts/build_dataset.py [--reference DIR] [--output FILE] [--check]

Prints counts per category and per kommun, and every record left out or
merged, with the reason. With --check, compares with the existing output
instead of writing it (exit code 1 when they differ).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime
import functools
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.errors import ServicelotsenError  # noqa: E402
from bot.geo import haversine_km  # noqa: E402
from bot.importers.base import (  # noqa: E402
    ImportReport,
    PointBuilder,
    clean_text,
    slugify,
    unique_id,
)
from bot.importers.merge import (  # noqa: E402
    NEAR_MISS_M,
    SAME_PLACE_M,
    MergeLog,
    Record,
    default_chains,
    group_position,
    group_properties,
    merge_records,
    place_words,
)
from bot.importers.osm import OSM_SOURCE  # noqa: E402
from bot.importers.presets import (  # noqa: E402
    CARRIERS_PRESET,
    PIPOS_PRESET,
    PlaceNames,
    carrier_records,
    load_preset,
    pipos_records,
    source_date_for,
)
from bot.registry import ServicePoint, load_registry, write_registry  # noqa: E402
from scripts import reference_data  # noqa: E402

DEFAULT_OUTPUT = ROOT / "data" / "service_points" / "blekinge.geojson"

SEPOI_SOURCE = "kedjans butikssök (insamlat 2023)"
#: HOT OSM export "hotosm_swe_health_facilities", last updated (HDX README).
HOTOSM_DATE = datetime.date(2020, 9, 4)

#: PROVENANCE.txt gives no date for some layers, only "content mostly last
#: edited Feb-Aug 2023". They get the earliest date it names, so the bot
#: never presents them as newer than they may be.
UNDATED = datetime.date(2023, 2, 11)

#: Same chain closer than this (metres): one store listed twice. The OKQ8
#: list's "(Tanka)" stations lie 10-62 m from the Tanka list's.
MERGE_CHAIN_M = 100.0
#: Two ATM rows are one machine if they lie within this distance (metres)
#: and give the same street address: the two lists' positions for one
#: address differ by up to ~90 m.
MERGE_ATM_SAME_ADDRESS_M = 150.0
#: ... or if they lie this close whatever the address (rows listed twice).
MERGE_ATM_SAME_SPOT_M = 5.0
#: An OSM pharmacy this close (metres) to one of the same chain in the 2023
#: lists is that pharmacy; this close to any listed one, a renamed pharmacy.
OSM_PHARMACY_SAME_M = 300.0
OSM_PHARMACY_RENAMED_M = 50.0
#: Where the source gives only the kommun (ICA) or no ort (HOT OSM): a place
#: the record's name mentions wins; else a place whose centre is within
#: NEAR_PLACE_KM; else the kommun's main town if within TOWN_RADIUS_KM (its
#: outskirts: Kungsmarken in Karlskrona, 4.2 km); else the nearest place.
NEAR_PLACE_KM = 1.0
TOWN_RADIUS_KM = 4.5


@dataclass(frozen=True)
class Chain:
    """How one se-poi layer enters the dataset."""

    brand: str | None
    category: str | None  # None: left out, see `reason`
    date: datetime.date = UNDATED
    group: str = ""  # merge group; default: the brand
    reason: str = ""  # why a layer is left out
    city_is_kommun: bool = False  # the city field names the kommun, not the ort

    @property
    def merge_group(self) -> str:
        return self.group or self.brand or ""


def _d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


#: se-poi layer (file name without .yaml) -> how it enters the dataset.
#: Dates from se-poi/PROVENANCE.txt ("Data date"); the Apoteket AB / Hjärtat
#: / Kronans / Apoteksgruppen range 2023-02-24..26 is taken at its start.
CHAINS: dict[str, Chain] = {
    "ica": Chain("ICA", "dagligvaror", _d("2023-02-16"), city_is_kommun=True),
    "coop": Chain("Coop", "dagligvaror", _d("2023-08-28")),
    "willys": Chain("Willys", "dagligvaror", _d("2023-02-11")),
    "lidl": Chain("Lidl", "dagligvaror", _d("2025-04-24")),
    "hemköp": Chain("Hemköp", "dagligvaror"),
    "citygross": Chain("City Gross", "dagligvaror"),
    "tempo": Chain("Tempo", "dagligvaror"),
    "direkten": Chain(
        "Direkten",
        None,
        reason="Direkten: kedjan blandar kiosker, tobaks- och spelbutiker; "
        "inget i källan visar att det är en matbutik",
    ),
    "pressbyrån": Chain(
        "Pressbyrån", None, reason="Pressbyrån: kiosk, inte en matbutik"
    ),
    "apoteket-ab": Chain("Apoteket", "apotek", _d("2023-02-24")),
    "apoteket-hjärtat": Chain("Apotek Hjärtat", "apotek", _d("2023-02-24")),
    "kronans-apotek": Chain("Kronans Apotek", "apotek", _d("2023-02-24")),
    "apoteksgruppen": Chain("Apoteksgruppen", "apotek", _d("2023-02-24")),
    "doz-apotek": Chain("DOZ Apotek", "apotek"),
    "bankomat": Chain("Bankomat", "uttagsautomat", _d("2023-02-12"), group="atm"),
    "uttagsautomater": Chain(None, "uttagsautomat", _d("2025-07-16"), group="atm"),
    "okq8": Chain("OKQ8", "drivmedel", _d("2023-07-11")),
    "tanka": Chain("Tanka", "drivmedel", group="OKQ8"),  # OKQ8's own low-price brand
    "preem": Chain("Preem", "drivmedel", _d("2023-03-11")),
    "st1-sverige": Chain("St1", "drivmedel"),
    "shell-sverige": Chain("Shell", "drivmedel"),
    "ingo": Chain("Ingo", "drivmedel"),
    "din-x": Chain("Din-X", "drivmedel"),
    "gulf": Chain("Gulf", "drivmedel"),
    "qstar": Chain("Qstar", "drivmedel"),
    "swedbank": Chain(
        "Swedbank",
        None,
        reason="bankkontor: källan säger inte att det finns en uttagsautomat",
    ),
    "handelsbanken": Chain(
        "Handelsbanken",
        None,
        reason="bankkontor: källan säger inte att det finns en uttagsautomat",
    ),
    "nordea": Chain(
        "Nordea",
        None,
        reason="bankkontor: källan säger inte att det finns en uttagsautomat",
    ),
}

#: Rows of an included chain that are something else (name pattern, reason).
EXCLUDED_NAMES: dict[str, tuple[re.Pattern[str], str]] = {
    "okq8": (re.compile(r"^Tvätt\b"), "OKQ8: biltvätt, inte en bensinstation"),
    "shell-sverige": (
        re.compile(r"Truck Diesel"),
        "Shell: lastbilsstation (diesel för tung trafik)",
    ),
}

#: uttagsautomater.se writes names without å/ä/ö and in title case; these
#: words are put back as the banks and places write them.
ATM_WORD_SPELLING = {
    "Foreningssparbanken": "Föreningssparbanken",
    "Ab": "",
    "Solvesborg": "Sölvesborg",
    "Mjallby": "Mjällby",
    "I": "i",
    "Seb": "SEB",
    "Se": "SE",
    "Lf": "LF",
    "Ica": "ICA",
}


def _atm_operator(text: str) -> str:
    words = re.split(r"(\W+)", text)
    fixed = "".join(ATM_WORD_SPELLING.get(w, w) for w in words)
    return " ".join(fixed.split())


# ---------------------------------------------------------------- records


@dataclass
class Candidate:
    """A record on its way into the dataset."""

    ref: str  # how the printout names it: "se-poi: ICA Nära Jämjö"
    layer: str
    name: str
    category: str
    lat: float
    lon: float
    city: str | None
    municipality: str
    source: str
    source_date: datetime.date
    brand: str | None = None
    address: str | None = None
    group: str = ""
    id_hint: str = ""  # fixed id (OSM) or the base for a slug
    locality: str | None = None
    city_is_kommun: bool = False
    prefixed: bool = False  # the brand was put in front of the source's name
    operators: list[str] = field(default_factory=list)  # ATM: banks named
    merged: list[str] = field(default_factory=list)


@dataclass
class Log:
    """What the build left out, merged and changed, for the printout."""

    dropped: list[tuple[str, str]] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    ignored_layers: Counter[str] = field(default_factory=Counter)

    def drop(self, ref: str, reason: str) -> None:
        self.dropped.append((ref, reason))


# ---------------------------------------------------------------- places


class Places:
    """Place names and positions from the gazetteer (bot/gazetteer.py).

    Falls back to "no places" when the gazetteer is missing: the city field
    is then used as given, and the printout says so.
    """

    def __init__(self) -> None:
        self.available = False
        self.error = ""
        self._by_key: dict[str, str] = {}
        self._located: list[tuple[str, str, float, float]] = []
        self._named: list[tuple[str, str]] = []  # (name, kommun), also unlocated
        self._blekinge: set[str] = set()
        try:
            from bot.gazetteer import KIND_ORT, KIND_TATORT, default_gazetteer

            gazetteer = default_gazetteer()
        except (ImportError, ServicelotsenError, OSError) as exc:
            self.error = str(exc)
            return
        self.available = True
        for place in gazetteer.places:
            if place.kind not in (KIND_TATORT, KIND_ORT):
                continue
            for name in (place.name, *place.aliases):
                self._by_key.setdefault(_key(name), place.name)
            self._named.append((place.name, place.municipality))
            if place.in_blekinge:
                self._blekinge.add(place.name)
            if place.lat is not None and place.lon is not None:
                self._located.append(
                    (place.name, place.municipality, place.lat, place.lon)
                )

    def canonical(self, name: str) -> str | None:
        """The gazetteer's spelling of a place name, or None if unknown."""
        return self._by_key.get(_key(name))

    def position(self, name: str, municipality: str) -> tuple[float, float] | None:
        for place, mun, lat, lon in self._located:
            if place == name and mun == municipality:
                return lat, lon
        return None

    def nearest(
        self, lat: float, lon: float, municipality: str
    ) -> tuple[str, float] | None:
        """The nearest located place of this kommun, and its distance (km)."""
        best: tuple[str, float] | None = None
        for place, mun, plat, plon in self._located:
            if mun != municipality:
                continue
            km = haversine_km(lat, lon, plat, plon)
            if best is None or km < best[1]:
                best = (place, km)
        return best

    def named_in(self, text: str, municipality: str) -> str | None:
        """The longest place name of this kommun that occurs as words in text."""
        found: list[str] = []
        words = f" {_key_words(text)} "
        for place, mun in self._named:
            if mun == municipality and f" {_key_words(place)} " in words:
                found.append(place)
        return max(found, key=len) if found else None

    def blekinge_place(self, name: str) -> str | None:
        """The name of a Blekinge tätort/ort written `name`, or None."""
        canonical = self.canonical(name)
        if canonical is None:
            return None
        return canonical if canonical in self._blekinge else None

    def known_names(self) -> set[str]:
        return set(self._by_key.values())


def _key(name: str) -> str:
    return slugify(name).replace("-", "")


def _key_words(text: str) -> str:
    return slugify(text).replace("-", " ")


# ---------------------------------------------------------------- text repair

_LOST_BYTE = re.compile(r"[ãÃ]\?(\w)")


def repair_mojibake(text: str, known: Iterable[str]) -> str | None:
    """Undo UTF-8 read as Latin-1 ("NÃ¤ttraby", "Nã?Ttraby" -> "Nättraby").

    When the second byte was lost ("?"), the letter could be å, ä or ö: the
    repair is accepted only if it gives a name in `known` (gazetteer names
    and the record's own name). Returns None if no safe repair exists; the
    text itself if it needs none.
    """
    if "Ã" not in text and "ã" not in text:
        return text
    try:
        fixed = text.encode("latin-1").decode("utf-8")
        if fixed != text:
            return fixed
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    known_keys = {k.casefold(): k for k in known}
    for letter in "äåöé":

        def put_back(m: re.Match[str], letter: str = letter) -> str:
            return letter + m.group(1).lower()

        candidate = _LOST_BYTE.sub(put_back, text)
        if candidate.casefold() in known_keys:
            return known_keys[candidate.casefold()]
    return None


# ---------------------------------------------------------------- reading


def _layer(path: str) -> str:
    return Path(path).name.removesuffix(".yaml")


def _name_with_brand(name: str, brand: str | None) -> str:
    if brand and brand.casefold() not in name.casefold():
        return f"{brand} {name}"
    return name


def read_sepoi(ref_dir: Path, places: Places, log: Log) -> list[Candidate]:
    """The se-poi rows that become service points (others go to the log)."""
    path = ref_dir / "se-poi" / "blekinge_se_poi.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    known = places.known_names()
    out: list[Candidate] = []
    for row in rows:
        layer = _layer(row["layer_file"])
        raw_name = clean_text(row["name"]) or ""
        ref = f"se-poi {row['chain']}: {raw_name} ({row['city']})"
        chain = CHAINS.get(layer)
        if chain is None:
            log.ignored_layers[row["chain"]] += 1
            continue
        if chain.category is None:
            log.drop(ref, chain.reason)
            continue
        excluded = EXCLUDED_NAMES.get(layer)
        if excluded and excluded[0].search(raw_name):
            log.drop(ref, excluded[1])
            continue
        city = clean_text(row["city"])
        if city:
            repaired = repair_mojibake(city, known | set(raw_name.split()))
            if repaired is None:
                log.drop(ref, f"ortnamnet {city!r} är trasigt och går inte att laga")
                continue
            if repaired != city:
                log.changed.append((ref, f"ort {city!r} -> {repaired!r} (teckenfel)"))
            city = repaired
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except ValueError:
            log.drop(ref, "koordinaterna är inga tal")
            continue
        brand, name, address = chain.brand, raw_name, clean_text(row["address"])
        operators: list[str] = []
        if layer == "okq8" and "(Tanka)" in name:
            # OKQ8 lists its Tanka stations as "Asarum Karlshamn (Tanka)"
            brand, name = "Tanka", name.replace("(Tanka)", "").strip()
        if layer == "uttagsautomater":
            operators = [_atm_operator(name)]
            name = _atm_name(operators)
        elif layer == "bankomat":
            # "Bankomat - Östra storgatan 11": the part after the dash is the site
            site = name.split(" - ", 1)[-1]
            name = f"Bankomat {site}"
            if re.search(r"\d", site):
                address = site
        prefixed = False
        if layer not in ("uttagsautomater", "bankomat"):
            prefixed = bool(brand and brand.casefold() not in name.casefold())
            name = _name_with_brand(name, brand)
        out.append(
            Candidate(
                ref=ref,
                layer=layer,
                name=name,
                category=chain.category,
                lat=lat,
                lon=lon,
                city=city,
                municipality=row["kommun"],
                source=SEPOI_SOURCE,
                source_date=chain.date,
                brand=brand,
                address=address,
                group=chain.merge_group,
                id_hint=slugify(brand or layer),
                city_is_kommun=chain.city_is_kommun,
                prefixed=prefixed,
                operators=operators,
            )
        )
    return out


def _atm_name(operators: Sequence[str]) -> str:
    return f"Uttagsautomat ({', '.join(operators)})"


@dataclass(frozen=True)
class Misplaced:
    """A chain's store in a Blekinge place whose listed position is elsewhere."""

    layer: str
    brand: str
    name: str
    city: str
    lat: float
    lon: float


#: Roughly Blekinge with a margin: a chain-listed position outside it, for a
#: store whose city is a Blekinge place, is an error in the source.
_BLEKINGE_BOX = (55.9, 56.6, 14.3, 16.2)


def find_misplaced(ref_dir: Path, places: Places, log: Log) -> list[Misplaced]:
    """Stores of our chains in Blekinge places that the CSV lost (raw/ files).

    blekinge_se_poi.csv keeps rows by position, so a store whose position is
    wrong in its chain's list (City Gross Karlshamn lies in Denmark there) is
    missing from it. They are reported, never placed by guesswork; a pharmacy
    among them confirms an OpenStreetMap pharmacy at that place.
    """
    import yaml

    found: list[Misplaced] = []
    raw = ref_dir / "se-poi" / "raw"
    if not raw.is_dir() or not places.available:
        return found
    lat0, lat1, lon0, lon1 = _BLEKINGE_BOX
    for layer, chain in CHAINS.items():
        file = raw / f"{layer}.yaml"
        if chain.category is None or not file.is_file():
            continue
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue
        for loc in (data or {}).get("locations") or []:
            city = places.blekinge_place(str(loc.get("city") or ""))
            if city is None:
                continue
            try:
                lat, lon = float(loc["latitude"]), float(loc["longitude"])
            except (KeyError, TypeError, ValueError):
                lat, lon = float("nan"), float("nan")
            if lat0 <= lat <= lat1 and lon0 <= lon <= lon1:
                continue
            name = clean_text(loc.get("location")) or "?"
            found.append(Misplaced(layer, chain.brand or layer, name, city, lat, lon))
            log.drop(
                f"se-poi raw/{layer}.yaml: {name} ({city})",
                f"kedjans position ({lat:.4f}, {lon:.4f}) ligger utanför Blekinge: "
                "fel i källan, platsen gissas inte",
            )
    return found


def read_hotosm(
    ref_dir: Path,
    sepoi: Sequence[Candidate],
    log: Log,
    places: Places,
    misplaced: Sequence[Misplaced] = (),
    osm_pharmacies: list[Candidate] | None = None,
) -> list[Candidate]:
    """Health centres (and, if the chains lack them, pharmacies) from HOT OSM.

    With `osm_pharmacies` given, every OSM pharmacy is put there instead (the
    one-shop-one-point merge compares them with Pipos 2025 and the chains).
    """
    path = ref_dir / "osm-hotosm-health" / "blekinge_health_facilities.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    pharmacies = [c for c in sepoi if c.category == "apotek"]
    chain_brands = {c.brand.casefold() for c in pharmacies if c.brand}
    out: list[Candidate] = []
    for row in rows:
        name = clean_text(row["name"]) or ""
        ref = f"OSM node {row['osm_id']}: {name} ({row['facility']})"
        lat, lon = float(row["latitude"]), float(row["longitude"])
        facility = row["facility"]
        candidate = functools.partial(
            Candidate,
            ref=ref,
            layer="hotosm",
            name=name,
            lat=lat,
            lon=lon,
            city=None,
            municipality=row["kommun"],
            source=OSM_SOURCE,
            source_date=HOTOSM_DATE,
            group=f"osm-{row['osm_id']}",
            id_hint=f"osm-node-{row['osm_id']}",
        )
        category: str | None = None
        if facility == "pharmacy" and osm_pharmacies is not None:
            osm_pharmacies.append(candidate(category="apotek"))
            continue
        if facility == "pharmacy":
            brand = next(
                (b for b in chain_brands if name.casefold().startswith(b)), None
            )
            same = _nearest(
                [
                    c
                    for c in pharmacies
                    if brand and c.brand and c.brand.casefold() == brand
                ],
                lat,
                lon,
            )
            any_near = _nearest(pharmacies, lat, lon)
            if same and same[1] <= OSM_PHARMACY_SAME_M:
                near, metres = same
            elif any_near and any_near[1] <= OSM_PHARMACY_RENAMED_M:
                near, metres = any_near  # e.g. ICA Cura, renamed Apotek Hjärtat
            else:
                near = None
            if near is not None:
                log.merged.append(
                    (ref, f"samma apotek som {near.name} ({metres:.0f} m) i "
                     "kedjans lista från 2023 (nyare)")
                )  # fmt: skip
                continue
            confirmed = _confirmed_by_chain(brand, lat, lon, row, places, misplaced)
            if confirmed is not None:
                log.changed.append(
                    (ref, f"behålls: kedjans lista 2023 har {confirmed.name} i "
                     f"{confirmed.city} men med fel position; läget från OSM")
                )  # fmt: skip
            elif brand is not None:
                log.drop(
                    ref,
                    "finns inte i kedjans egen lista från 2023 (uppgiften från "
                    "2020 är troligen inaktuell)",
                )
                continue
            category = "apotek"
        elif facility in ("clinic", "doctors") and re.search(
            r"vårdcentral|hälsocentral", name, re.IGNORECASE
        ):
            category = "vårdcentral"
        else:
            log.drop(
                ref,
                "ingen av bottens tjänstetyper"
                if facility in ("dentist", "hospital")
                else "namnet säger inte att det är en vårdcentral",
            )
            continue
        out.append(candidate(category=category))
    return out


def _confirmed_by_chain(
    brand: str | None,
    lat: float,
    lon: float,
    row: dict[str, str],
    places: Places,
    misplaced: Sequence[Misplaced],
) -> Misplaced | None:
    """A misplaced store of the same chain in the place this OSM point is in."""
    if brand is None:
        return None
    nearest = places.nearest(lat, lon, row["kommun"])
    if nearest is None or nearest[1] > 2.0:
        return None
    for m in misplaced:
        if m.brand.casefold() == brand and m.city == nearest[0]:
            return m
    return None


def _nearest(
    candidates: Sequence[Candidate], lat: float, lon: float
) -> tuple[Candidate, float] | None:
    """The nearest candidate and its distance in metres."""
    best = min(
        candidates, key=lambda c: haversine_km(lat, lon, c.lat, c.lon), default=None
    )
    if best is None:
        return None
    return best, 1000 * haversine_km(lat, lon, best.lat, best.lon)


# ---------------------------------------------------------------- merging


def _same_place(a: Candidate, b: Candidate) -> tuple[bool, float]:
    metres = 1000 * haversine_km(a.lat, a.lon, b.lat, b.lon)
    if a.group != b.group or a.category != b.category:
        return False, metres
    if a.group != "atm":
        return metres <= MERGE_CHAIN_M, metres
    same_address = bool(a.address and b.address and _key(a.address) == _key(b.address))
    return (
        metres <= MERGE_ATM_SAME_SPOT_M
        or (same_address and metres <= MERGE_ATM_SAME_ADDRESS_M)
    ), metres


def merge_duplicates(candidates: Sequence[Candidate], log: Log) -> list[Candidate]:
    """One record per place (see `_same_place`).

    The newest record of a group is kept, then one whose name came with its
    brand, one with an address, the shortest name. Greedy, so a row of
    nearby records is not merged end to end. ATM rows of the same list merged
    into one keep every bank name ("Uttagsautomat (SEB, Cekab SE-Banken)").
    """

    def rank(c: Candidate) -> tuple[int, bool, bool, int, str]:
        return (
            -c.source_date.toordinal(),
            c.prefixed,
            c.address is None,
            len(c.name),
            c.name,
        )

    kept: list[Candidate] = []
    for c in sorted(candidates, key=rank):
        for k in kept:
            same, metres = _same_place(c, k)
            if not same:
                continue
            k.merged.append(c.ref)
            if c.layer == k.layer and c.operators:
                k.operators += [o for o in c.operators if o not in k.operators]
                k.name = _atm_name(k.operators)
            log.merged.append((c.ref, f"samma ställe som {k.name} ({metres:.0f} m)"))
            break
        else:
            kept.append(c)
    return kept


# ---------------------------------------------------------------- places


def assign_localities(
    candidates: Iterable[Candidate], places: Places, log: Log
) -> None:
    """Set `locality` from the city field, refined as the module docstring says."""
    for c in candidates:
        city = c.city
        if city and places.available:
            city = places.canonical(city) or city
        c.locality = city
        if not places.available or (city is not None and not c.city_is_kommun):
            continue
        town = c.municipality
        named = places.named_in(c.name, c.municipality)
        nearest = places.nearest(c.lat, c.lon, c.municipality)
        town_pos = places.position(town, c.municipality)
        town_km = haversine_km(c.lat, c.lon, *town_pos) if town_pos else None
        if named:
            c.locality = named  # the chain's own name for the store says where
        elif nearest is not None and nearest[1] <= NEAR_PLACE_KM:
            c.locality = nearest[0]
        elif town_km is not None and town_km <= TOWN_RADIUS_KM:
            c.locality = town
        elif nearest is not None:
            c.locality = nearest[0]
        if c.locality != city:
            log.changed.append((c.ref, f"ort {city or '(saknas)'} -> {c.locality}"))


# ---------------------------------------------------------------- ids and output


def assign_ids(candidates: Sequence[Candidate]) -> dict[str, Candidate]:
    """Stable ids: "sepoi-<brand>-<name>", "osm-node-<id>"; locality on clashes."""
    bases: dict[int, str] = {}
    for i, c in enumerate(candidates):
        if c.layer == "hotosm":
            bases[i] = c.id_hint
            continue
        if c.layer == "uttagsautomater":
            text = f"uttagsautomat {c.address or c.name} {c.locality or ''}"
            bases[i] = f"sepoi-{slugify(text)}"
            continue
        slug = slugify(c.name)
        prefix = c.id_hint or slugify(c.layer)
        if not slug.startswith(prefix):
            slug = f"{prefix}-{slug}"
        bases[i] = f"sepoi-{slug}"
    clashes = Counter(bases.values())
    taken: set[str] = set()
    out: dict[str, Candidate] = {}
    order = sorted(range(len(candidates)), key=lambda i: (bases[i], candidates[i].ref))
    for i in order:
        c, base = candidates[i], bases[i]
        if clashes[base] > 1 and c.locality:
            base = f"{base}-{slugify(c.locality)}"
        out[unique_id(base, taken)] = c
    return out


def to_points(by_id: dict[str, Candidate], log: Log) -> list[ServicePoint]:
    """Validate every record exactly as the bot's registry loader will."""
    report = ImportReport(importer="build_dataset", input="reference")
    builder = PointBuilder(report)
    for point_id, c in by_id.items():
        builder.add(
            c.ref,
            {
                "id": point_id,
                "name": c.name,
                "categories": [c.category],
                "locality": c.locality,
                "municipality": c.municipality,
                "address": c.address,
                "brand": c.brand,
                "source": c.source,
                "source_date": c.source_date,
            },
            c.lat,
            c.lon,
        )
    for skipped in report.skipped:
        log.drop(skipped.ref, skipped.reason)
    return builder.finish()


# ---------------------------------------------------------------- one shop, one point

#: Which kind of place a category of the chain lists is (bot.importers.merge).
KIND_OF_CATEGORY = {
    "dagligvaror": "shop",
    "drivmedel": "shop",
    "apotek": "apotek",
    "uttagsautomat": "atm",
    "vårdcentral": "vårdcentral",
}
#: Whose record leads a merged point (name, position, place): lower first.
#: A point keeps an id it already had (se-poi, OSM) so answers and tests that
#: name it stay valid.
RANK = {
    ("apotek", "pipos"): 10,
    ("apotek", "sepoi"): 20,
    ("apotek", "osm"): 30,
    ("vårdcentral", "1177"): 10,
    ("vårdcentral", "osm"): 30,
    ("shop", "sepoi"): 10,
    ("shop", "pipos"): 20,
    ("shop", "carriers"): 60,
    ("locker", "carriers"): 60,
    ("atm", "sepoi"): 10,
}
#: Whose position a merged point gets: Pipos 2025 (Läkemedelsverket's
#: register, SWEREF 99 TM) first, then the chains' own finders.
POSITION_RANK = {"pipos": 10, "sepoi": 20, "1177": 20, "osm": 30, "carriers": 40}
#: The list that decides whether a place of this kind still exists: a
#: pharmacy missing from Pipos 2025, or a health centre missing from the
#: 1177 list, is left out (with a line in the printout), not kept silently.
AUTHORITY = {"apotek": "pipos", "vårdcentral": "1177"}

PIPOS_DIR = "pipos-apoteksvaror-2025"
CARRIERS_FILE = ("paketombud-2021", "blekinge_paketombud_2021.csv")
VARDCENTRAL_FILE = (
    "vardcentraler-blekinge",
    "blekinge_vardcentraler_jagvillhavaccin.csv",
)
VARDCENTRAL_SOURCE = (
    "1177 Vårdguiden (Region Blekinge), sammanställt av Jag vill ha vaccin "
    "(civictechsweden/JagVillHaVaccin)"
)
#: centers.json (the 1177 contact cards) last changed 2021-11-08; the
#: details were scraped 2021-2022. The earlier date: never newer than it is.
VARDCENTRAL_DATE = datetime.date(2021, 11, 8)
#: Units of the 1177 list not placed, and why (its PROVENANCE caveats).
VARDCENTRAL_NOT_PLACED = {
    "Nättraby vårdcentral": "listans position är vaccinationsställets "
    "(Blekingesjukhuset, byggnad 13, Karlskrona) och adressen är trasig: "
    "vårdcentralen placeras inte i Nättraby från den här källan",
}


@dataclass
class MergeReport:
    """What the one-shop-one-point step did, for the printout."""

    merged: list[str] = field(default_factory=list)
    near_misses: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)
    closed_kept: list[str] = field(default_factory=list)


def _rank(kind: str, origin: str) -> int:
    return RANK.get((kind, origin), 50)


def _records_from_points(points: Sequence[ServicePoint]) -> list[Record]:
    """The chain lists' and OSM's points as records for the merge."""
    out: list[Record] = []
    for p in points:
        kind = KIND_OF_CATEGORY[p.categories[0]]
        origin = "osm" if p.id.startswith("osm-") else "sepoi"
        out.append(
            Record(
                ref=f"{origin}: {p.name} ({p.locality}) [{p.id}]",
                origin=origin,
                kind=kind,
                name=p.name,
                categories=list(p.categories),
                lat=p.lat,
                lon=p.lon,
                source=p.source,
                source_date=p.source_date,
                locality=p.locality,
                municipality=p.municipality,
                address=p.address,
                postcode=p.postcode,
                brand=p.brand,
                rank=_rank(kind, origin),
                id_hint=p.id,
                chain=_chain_name(p.brand),
                places=place_words(p.locality, p.municipality),
                keep_id=True,
            )
        )
    return out


def _chain_name(brand: str | None) -> str | None:
    """The chain table's name for a brand ("DOZ Apotek" -> "LloydsApotek")."""
    if not brand:
        return None
    found = default_chains().find(brand)
    return found.name if found else None


def _osm_pharmacy_records(found: Sequence[Candidate], places: Places) -> list[Record]:
    out: list[Record] = []
    for c in found:
        nearest = (
            places.nearest(c.lat, c.lon, c.municipality) if places.available else None
        )
        locality = places.named_in(c.name, c.municipality) if places.available else None
        locality = locality or (nearest[0] if nearest else c.municipality)
        out.append(
            Record(
                ref=c.ref,
                origin="osm",
                kind="apotek",
                name=c.name,
                categories=["apotek"],
                lat=c.lat,
                lon=c.lon,
                source=c.source,
                source_date=c.source_date,
                locality=locality,
                municipality=c.municipality,
                rank=_rank("apotek", "osm"),
                id_hint=c.id_hint,
                places=place_words(locality, c.municipality),
                keep_id=True,
            )
        )
    return out


def _locality(name: str, lat: float, lon: float, kommun: str, places: Places) -> str:
    """A place the name mentions, else the place it lies in (as assign_localities)."""
    if not places.available:
        return kommun
    named = places.named_in(name, kommun)
    if named:
        return named
    nearest = places.nearest(lat, lon, kommun)
    town = places.position(kommun, kommun)
    if nearest is not None and nearest[1] <= NEAR_PLACE_KM:
        return nearest[0]
    if town is not None and haversine_km(lat, lon, *town) <= TOWN_RADIUS_KM:
        return kommun
    return nearest[0] if nearest else kommun


_SUFFIX_AB = re.compile(r"\s+AB$")


def read_vardcentraler(
    ref_dir: Path, places: Places, report: MergeReport
) -> list[Record]:
    """The 1177-derived list of primary-care units (PROVENANCE caveats heeded)."""
    path = ref_dir.joinpath(*VARDCENTRAL_FILE)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: list[Record] = []
    for line, row in enumerate(rows, start=2):
        raw = clean_text(row["name"]) or ""
        ref = f"1177 rad {line}: {raw}"
        kommun = clean_text(row["kommun"]) or ""
        # "Brunnsgårdens vårdcentral, Karlshamn": the town after the comma
        name = raw.rsplit(", ", 1)[0] if ", " in raw else raw
        name = _SUFFIX_AB.sub("", name)
        if name in VARDCENTRAL_NOT_PLACED:
            report.dropped.append(f"{ref}: {VARDCENTRAL_NOT_PLACED[name]}")
            continue
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except ValueError:
            report.dropped.append(f"{ref}: koordinaterna är inga tal")
            continue
        locality = _locality(name, lat, lon, kommun, places)
        out.append(
            Record(
                ref=ref,
                origin="1177",
                kind="vårdcentral",
                name=name,
                categories=["vårdcentral"],
                lat=lat,
                lon=lon,
                source=VARDCENTRAL_SOURCE,
                source_date=VARDCENTRAL_DATE,
                locality=locality,
                municipality=kommun,
                address=_clinic_address(row["address"], name, kommun, locality),
                phone=clean_text(row["phone"]),
                website=clean_text(row["url_1177"]),
                rank=_rank("vårdcentral", "1177"),
                id_hint="vc-" + slugify(name),
                places=place_words(locality, kommun),
            )
        )
    return out


def _clinic_address(text: str, name: str, kommun: str, locality: str) -> str | None:
    """ "Samaritens vårdcentral, Länsmansvägen 1, 374 80 Karlshamn" -> "Länsmansvägen 1"."""
    parts = [p.strip() for p in (clean_text(text) or "").split(",") if p.strip()]
    towns = {_key(kommun), _key(locality)}
    kept = [
        p
        for p in parts
        if not re.fullmatch(r"\d{3}\s?\d{2}\s+\S.*", p)  # "374 80 Karlshamn"
        and _key(p) not in towns
        and not re.search(r"vårdcentral|kliniken", p, re.IGNORECASE)
    ]
    if not kept:
        return None
    address = ", ".join(kept)
    for town in (locality, kommun):
        address = re.sub(rf"\s+{re.escape(town)}\.?$", "", address)
    return address or None


def _presets(ref_dir: Path, report: MergeReport) -> list[Record]:
    """Pipos 2025 (apotek, apoteksombud) and the carriers' lists, by the presets."""
    chains = default_chains()
    names = PlaceNames()
    out: list[Record] = []
    pipos = load_preset(PIPOS_PRESET, ("typ", "service", "ignore"))
    for file in sorted((ref_dir / PIPOS_DIR).glob("*.csv")):
        rep = ImportReport(importer="pipos", input=str(file))
        day = source_date_for(file, None, pipos, rep)
        records = pipos_records(
            file, preset=pipos, source_date=day, report=rep, places=names, chains=chains
        )
        for r in records:
            r.rank = _rank(r.kind, "pipos")
        out += records
        report.imports.append(_import_line("Pipos", file, records, rep))
    carriers = load_preset(CARRIERS_PRESET, ("operators", "kinds", "skip_kinds"))
    file = ref_dir.joinpath(*CARRIERS_FILE)
    rep = ImportReport(importer="carriers", input=str(file))
    day = source_date_for(file, None, carriers, rep)
    records = carrier_records(
        file, preset=carriers, source_date=day, report=rep, places=names, chains=chains
    )
    out += records
    report.imports.append(_import_line("ombudslistor", file, records, rep))
    return out


def _import_line(
    what: str, file: Path, records: Sequence[Record], rep: ImportReport
) -> str:
    cats = Counter(c for r in records for c in r.categories)
    lines = [
        f"{what} ({file.name}): {len(records)} rader tagna "
        f"({', '.join(f'{c} {n}' for c, n in sorted(cats.items()))}), "
        f"{len(rep.skipped)} utelämnade"
    ]
    lines += [f"    {s.ref}: {s.reason}" for s in rep.skipped]
    lines += [f"    {s.ref}: {s.reason}" for s in rep.notes]
    return "\n".join(lines)


def one_point_per_place(
    old: Sequence[ServicePoint],
    extra: Sequence[Record],
    report: MergeReport,
) -> list[tuple[dict[str, object], Record, tuple[float, float]]]:
    """Merge every source's records into points (bot.importers.merge)."""
    records = _records_from_points(old) + list(extra)
    for r in records:
        r.position_rank = POSITION_RANK.get(r.origin, 50)
    mlog = MergeLog()
    groups = merge_records(records, mlog)
    report.merged += mlog.merged
    report.near_misses += mlog.near_misses
    kept: list[list[Record]] = []
    for group in groups:
        kind = group[0].kind
        authority = AUTHORITY.get(kind)
        if authority and not any(r.origin == authority for r in group):
            listed = "Pipos 2025-11-12" if authority == "pipos" else "1177-listan"
            for r in group:
                near = _nearest_of(r, records, authority)
                hint = (
                    f" (närmast i {listed}: {near[0].name}, {near[1]:.0f} m bort; "
                    "är det samma ställe gäller den nyare listans läge)"
                    if near is not None
                    else ""
                )
                report.dropped.append(
                    f"{r.ref}: finns inte i den nyaste listan ({listed}) inom "
                    f"{SAME_PLACE_M:.0f} m; uppgiften från {r.source_date.year} "
                    f"tas inte med{hint}"
                )
            continue
        kept.append(group)
    out: list[tuple[dict[str, object], Record, tuple[float, float]]] = []
    for group in kept:
        props, lead = group_properties(group)
        keep = next((r for r in group if r.keep_id), None)
        if keep is not None:
            props["id"] = keep.id_hint
        out.append((props, lead, group_position(group)))
    return out


def _nearest_of(
    rec: Record, records: Sequence[Record], origin: str
) -> tuple[Record, float] | None:
    """The nearest record of `origin` of the same kind and chain within 2 km."""
    chain = rec.chain or _chain_name(rec.name)
    best: tuple[Record, float] | None = None
    for other in records:
        if other.origin != origin or other.kind != rec.kind:
            continue
        other_chain = other.chain or _chain_name(other.name)
        if chain and other_chain and chain != other_chain:
            continue
        metres = 1000 * haversine_km(rec.lat, rec.lon, other.lat, other.lon)
        if metres <= NEAR_MISS_M and (best is None or metres < best[1]):
            best = (other, metres)
    return best


def build(
    ref_dir: Path, log: Log, places: Places, report: MergeReport | None = None
) -> list[ServicePoint]:
    """All steps, from the reference folder to validated points."""
    report = report if report is not None else MergeReport()
    sepoi = read_sepoi(ref_dir, places, log)
    candidates = merge_duplicates(sepoi, log)
    misplaced = find_misplaced(ref_dir, places, log)
    osm_pharmacies: list[Candidate] = []
    candidates += read_hotosm(
        ref_dir, candidates, log, places, misplaced, osm_pharmacies
    )
    assign_localities(candidates, places, log)
    old = to_points(assign_ids(candidates), log)
    extra = _osm_pharmacy_records(osm_pharmacies, places)
    extra += read_vardcentraler(ref_dir, places, report)
    extra += _presets(ref_dir, report)
    merged = one_point_per_place(old, extra, report)
    builder = PointBuilder(ImportReport(importer="build_dataset", input="reference"))
    taken: set[str] = set()
    names = Counter(str(props["name"]) for props, _, _ in merged)
    for props, lead, (lat, lon) in merged:
        if names[str(props["name"])] > 1 and props.get("address"):
            props["name"] = f"{props['name']} ({props['address']})"
        props["id"] = unique_id(str(props["id"]), taken)
        builder.add(lead.ref, props, lat, lon)
    for skipped in builder.report.skipped:
        log.drop(skipped.ref, skipped.reason)
    return builder.finish()


def keep_closures(
    points: Sequence[ServicePoint], output: Path, report: MergeReport
) -> list[ServicePoint]:
    """Points closed in the existing file stay closed (`registry close`)."""
    if not output.is_file():
        return list(points)
    try:
        existing = load_registry(output)
    except ServicelotsenError:
        return list(points)
    closed = {p.id: p.closed for p in existing.closed}
    out: list[ServicePoint] = []
    for p in points:
        if p.id in closed:
            out.append(dataclasses.replace(p, closed=closed[p.id]))
            report.closed_kept.append(f"{p.name} [{p.id}]")
        else:
            out.append(p)
    return out


def summary(
    points: Sequence[ServicePoint],
    log: Log,
    places: Places,
    report: MergeReport | None = None,
) -> str:
    """The printout: counts, and everything left out, merged or changed."""
    report = report or MergeReport()
    live = [p for p in points if not p.is_closed]
    lines = [f"Servicepunkter: {len(live)}", "", "Per kategori:"]
    by_cat = Counter(c for p in live for c in p.categories)
    carriers = Counter(c for p in live if p.carriers for c in p.categories)
    for cat, n in sorted(by_cat.items()):
        extra = f" ({carriers[cat]} med transportföretag)" if carriers.get(cat) else ""
        lines.append(f"  {cat}: {n}{extra}")
    lines.append(
        "  bibliotek: 0 (ingen källa anger bibliotekens position; se "
        "data/knowledge/bibliotek.yml)"
    )
    lines += ["", "Per kommun:"]
    for mun, n in sorted(Counter(p.municipality for p in live).items()):
        cats = Counter(c for p in live if p.municipality == mun for c in p.categories)
        detail = ", ".join(f"{c} {k}" for c, k in sorted(cats.items()))
        lines.append(f"  {mun}: {n} ({detail})")
    lines += ["", "Per källa (kategori för kategori):"]
    per_source = Counter(p.source_for(c).source for p in live for c in p.categories)
    for src, n in sorted(per_source.items()):
        lines.append(f"  {src}: {n}")
    multi = sum(1 for p in live if len(p.sources) > 1)
    lines.append(f"  punkter med flera källor: {multi}")
    lines += ["", "Importerade listor:"]
    lines += [f"  {line}" for line in report.imports]
    lines += ["", f"Utelämnade ({len(log.dropped) + len(report.dropped)}):"]
    lines += [f"  {ref}: {reason}" for ref, reason in log.dropped]
    lines += [f"  {line}" for line in report.dropped]
    lines += ["", f"Sammanslagna dubbletter i kedjornas listor ({len(log.merged)}):"]
    lines += [f"  {ref}: {reason}" for ref, reason in log.merged]
    lines += ["", f"En butik, en punkt: sammanslagningar ({len(report.merged)}):"]
    lines += [f"  {line}" for line in report.merged]
    lines += [
        "",
        f"Nästan samma ställe, inte sammanslagna ({len(report.near_misses)}):",
    ]
    lines += [f"  {line}" for line in report.near_misses]
    lines += ["", f"Ändrade uppgifter ({len(log.changed)}):"]
    lines += [f"  {ref}: {what}" for ref, what in log.changed]
    if report.closed_kept:
        lines += [
            "",
            f"Stängda enligt registret, fortsatt stängda ({len(report.closed_kept)}):",
        ]
        lines += [f"  {line}" for line in report.closed_kept]
    ignored = ", ".join(f"{k} {n}" for k, n in sorted(log.ignored_layers.items()))
    lines += ["", f"Lager utan någon av bottens tjänstetyper (ej med): {ignored}"]
    if not places.available:
        lines += [
            "",
            f"OBS: ortsdatabasen saknas ({places.error}); orter enligt källan.",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    reference_data.add_arguments(parser, DEFAULT_OUTPUT)
    parser.add_argument("--quiet", action="store_true", help="skriv bara fel")
    args = parser.parse_args(argv)

    ref_dir = reference_data.reference_dir(args.reference, "se-poi/blekinge_se_poi.csv")
    if ref_dir is None:
        return 2
    log, places, report = Log(), Places(), MergeReport()
    points = keep_closures(build(ref_dir, log, places, report), args.output, report)
    if not args.quiet:
        print(summary(points, log, places, report))

    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "check.geojson"
            write_registry(points, fresh)
            same = (
                args.output.is_file() and fresh.read_bytes() == args.output.read_bytes()
            )
        if not same:
            print(f"{args.output} är inte aktuell: kör skriptet utan --check.")
            return 1
        print(f"{args.output} är aktuell.")
        return 0
    write_registry(points, args.output)
    if not args.quiet:
        print(f"\nSkrev {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
