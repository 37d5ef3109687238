"""Places of Blekinge and its border areas, and turning what a resident wrote into one.

Residents name places the way they speak: "i Ronneby", "Karlshamns", "jamjo",
"bräkne hoby", "372 30". `Gazetteer.resolve` maps such text to a `Place`, or
says honestly that it is ambiguous (several places share the name: the bot
asks which one) or unknown. It never guesses: a wrong place sends an elderly
resident to the wrong shop, while "which place do you mean?" costs one turn.

The data (`data/gazetteer/places.json`) is built by `scripts/build_gazetteer.py`
from open reference data; see `data/ATTRIBUTION.md`.

Matching, in order (the first step that matches decides):

1. A postcode ("372 30", "37230", "SE-372 30") -> its postnummerområde.
2. The whole text as a name, then the words after the last preposition
   ("affär nära Kallinge" -> "Kallinge"), with prepositions and words like
   "kommun" or "centrum" stripped; each also as a genitive ("Karlshamns").
   Names compare by `bot.text.compact_key`: case, å/ä/ö, hyphens and spaces
   do not matter.
3. A Swedish place outside our area ("Malmö", "Växjö") -> unknown, so it is
   never bent into a local name by the fuzzy step.
4. A known name anywhere in a longer text ("apotek i Jämjö centrum");
   two different names ("Jämjö eller Lyckeby") are ambiguous.
5. Typos: rapidfuzz, see `FUZZY_MIN_SCORE`, `close_enough` and
   `FUZZY_SAME_FIRST_LETTER`. A truncated name is a typo like any other
   ("Ronneb"); there is no separate prefix search, which matched ordinary
   words ("hallå" -> Hallabro) far more often than real names.

A kommun named after the place ("Ryd i Tingsryds kommun", "Ryd, Tingsryd")
narrows the candidates; `Gazetteer.choose` reads the answer to "which one?".
A "found" with `method == "fuzzy"` is a corrected typo: a caller may confirm
it ("Menar du Kallinge?") before acting on it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from bot.errors import GazetteerError
from bot.geo import haversine_km
from bot.lang import swedish
from bot.messages import say
from bot.text import compact_key, fold, fold_diacritics, tokens

__all__ = [
    "APPROXIMATE_POSITION_NOTE",
    "DEFAULT_GAZETTEER_PATH",
    "FUZZY_MIN_SCORE",
    "FUZZY_SAME_FIRST_LETTER",
    "FUZZY_TIE_MARGIN",
    "KIND_ORT",
    "KIND_POSTNUMMEROMRADE",
    "KIND_TATORT",
    "NEAREST_PLACE_MAX_KM",
    "Gazetteer",
    "Municipality",
    "Place",
    "Resolution",
    "ResolutionStatus",
    "close_enough",
    "default_gazetteer",
    "max_edits",
    "parse_postcode",
]

DEFAULT_GAZETTEER_PATH = (
    Path(__file__).resolve().parents[1] / "data" / "gazetteer" / "places.json"
)

KIND_TATORT = "tätort"
KIND_ORT = "ort"
KIND_POSTNUMMEROMRADE = "postnummerområde"
#: Kinds that are found by name; postnummerområden are found by postcode only
#: (otherwise "Karlskrona" would match a hundred postcode areas).
_NAMED_KINDS = frozenset({KIND_TATORT, KIND_ORT})

#: Minimum rapidfuzz `fuzz.ratio` (normalised Indel similarity, 0-100) for a
#: typo candidate. A missing, extra or swapped letter scores 85-95
#: ("Karlshmn" 94, "Ronneb" 92); two replaced letters score 80 in a ten-letter
#: name (accepted) and 75 in an eight-letter one (rejected). The score alone
#: is too lenient for short names, so `close_enough` also caps the edits by
#: length: the two rules together are the threshold.
FUZZY_MIN_SCORE = 80.0
#: Two typo candidates for different names whose scores differ by less than
#: this are a tie: the answer is "ambiguous", not the marginally better one.
FUZZY_TIE_MARGIN = 3.0
#: Typo candidates must begin with the same letter as the text. People
#: rarely mistype the first letter, while ordinary words one letter away from
#: a name mostly differ there ("många" / Vånga, "förrum" / Mörrum).
FUZZY_SAME_FIRST_LETTER = True
#: Genitive forms are corrected for typos only from this many letters.
_FUZZY_INFLECTION_MIN = 8
#: Said of a village whose position is geocoded, not surveyed (Swedish;
#: answers take `approximate_position` in their own language).
APPROXIMATE_POSITION_NOTE = say("approximate_position")
#: `nearest_place` answers nothing beyond this distance (km): "you are near
#: Sölvesborg" is wrong for a position in Malmö.
NEAREST_PLACE_MAX_KM = 30.0

_SV = swedish()
#: Words in front of a place name ("i", "på", "utanför", "i närheten av"),
#: folded. The words after the last of them are the most likely place name.
_PREPOSITIONS = frozenset(
    fold(w) for w in _SV.place_prepositions + _SV.other_prepositions
)
#: Words that may surround a name without being part of it ("strax utanför
#: Tving", "Karlskrona centrum", "Ronneby kommun"). Stripped from both ends.
_LEADING_FILLERS = _PREPOSITIONS | frozenset(fold(w) for w in _SV.words_before_a_name)
_TRAILING_FILLERS = frozenset(fold(w) for w in _SV.words_after_a_name)
#: Shorter texts are never called "outside_area" even when a place elsewhere
#: has that name: too many are ordinary words ("vad", "bara", "vara"). They
#: are unknown either way, and too short for the typo step anyway.
_OUTSIDE_MIN_LENGTH = 5
#: Answers to "which one?" that pick by position (0 = the first listed).
_ORDINALS = {fold(word): n - 1 for word, n in _SV.ordinals.items()}
#: Longest name, in words, looked for inside a longer text.
_MAX_NAME_WORDS = 4

#: Swedish postcodes: "372 30", "37230", "SE-372 30", "S-372 30".
_POSTCODE_RE = re.compile(
    r"(?<![\w-])(?:s|se)?[\s-]*([1-9]\d{2})[\s-]?(\d{2})(?!\d)", re.I
)


def max_edits(length: int) -> int:
    """How many typing errors a name of `length` letters may have and still match.

    Short names need exact matching: one edit turns "Ryd" into "Rya" or "Vång"
    into "Våga", other words or other places. Five to seven letters allow one
    error ("Ronneb", "Kalinge"), eight or more allow two ("Karlskrne").
    Edits are optimal-string-alignment operations (a swapped pair of letters
    counts once). See `close_enough` for the extra rule on 5-6 letters.
    """
    if length <= 4:
        return 0
    if length <= 7:
        return 1
    return 2


def close_enough(typed: str, name: str) -> bool:
    """Whether a typed key may be a misspelling of a name key (both `compact_key`).

    Within `max_edits` of the shorter of the two, and for names of five or six
    letters the one error must be a missing, extra or swapped letter, not a
    replaced one: "Mörum" and "Tvnig" are typos, while "vänta" / Vånga and
    "välja" / Valje are other words. Measured on the 738,727 Swedish word forms
    of spaCy's lookup table, this rule with `FUZZY_MIN_SCORE` and
    `FUZZY_SAME_FIRST_LETTER` lets 0.01 % of words through as a place
    (mostly rare forms such as "berguvar" / Bergkvara).
    """
    if FUZZY_SAME_FIRST_LETTER and typed[:1] != name[:1]:
        return False
    shorter = min(len(typed), len(name))
    edits = OSA.distance(typed, name)
    if edits > max_edits(shorter):
        return False
    if shorter <= 6 and edits == 1:
        return Indel.distance(typed, name) == 1 or sorted(typed) == sorted(name)
    return True


def parse_postcode(text: str) -> list[str]:
    """Every Swedish postcode in `text`, as five digits ("SE-372 30" -> ["37230"])."""
    return [m.group(1) + m.group(2) for m in _POSTCODE_RE.finditer(text)]


@dataclass(frozen=True, slots=True)
class Place:
    """A tätort, a smaller ort, or a postnummerområde.

    `lat`/`lon` are None for the few places the open sources name but do not
    locate reliably (see `notes`): the bot can still recognise the place and
    its kommun, and must ask for a postcode or a shared position instead of
    inventing a distance.
    """

    id: str
    name: str
    kind: str
    municipality: str  # short kommun name: "Karlshamn"
    municipality_code: str  # SCB code: "1082"
    municipality_name: str  # as written in Swedish: "Karlshamns kommun"
    county: str  # "Blekinge", "Skåne", "Kronoberg", "Kalmar"
    lat: float | None
    lon: float | None
    postcodes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    locality_id: str | None = None  # postnummerområde: the ort it is named after
    notes: tuple[str, ...] = ()
    #: The position is approximate (a village geocoded from OpenStreetMap).
    approximate: bool = False

    @property
    def has_coordinates(self) -> bool:
        """True if the place has a position to measure distances from."""
        return self.lat is not None and self.lon is not None

    @property
    def position_note(self) -> str:
        """What a resident may be told about the position ("" when exact or none)."""
        if self.has_coordinates and self.approximate:
            return APPROXIMATE_POSITION_NOTE
        return ""

    @property
    def in_blekinge(self) -> bool:
        """True for Blekinge's own places (False for the border neighbours)."""
        return self.county == "Blekinge"

    @property
    def label(self) -> str:
        """Name with kommun, to tell same-named places apart: "Ryd (Tingsryds kommun)"."""
        return f"{self.name} ({self.municipality_name})"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Place:
        """Build from one record of places.json."""
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            kind=str(data["kind"]),
            municipality=str(data["municipality"]),
            municipality_code=str(data["municipality_code"]),
            municipality_name=str(data["municipality_name"]),
            county=str(data["county"]),
            lat=None if data.get("lat") is None else float(data["lat"]),
            lon=None if data.get("lon") is None else float(data["lon"]),
            postcodes=tuple(data.get("postcodes", ())),
            sources=tuple(data.get("sources", ())),
            aliases=tuple(data.get("aliases", ())),
            locality_id=data.get("locality_id"),
            notes=tuple(data.get("notes", ())),
            approximate=bool(data.get("approximate", False)),
        )


@dataclass(frozen=True, slots=True)
class Municipality:
    """A Blekinge kommun named as such ("Ronneby kommun"): the whole kommun."""

    code: str  # "1081"
    short: str  # "Ronneby"
    name: str  # "Ronneby kommun"


class ResolutionStatus(str, Enum):
    """What `Gazetteer.resolve` concluded."""

    FOUND = "found"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Resolution:
    """The answer of `Gazetteer.resolve`.

    Attributes:
        status: found (use `place`), ambiguous (ask among `candidates`) or
            unknown (say so; `reason` tells why).
        query: the text as given.
        place: the place, when found.
        candidates: the place (found) or the places to choose from (ambiguous),
            sorted by kommun and name.
        method: how it matched: "postcode", "exact", "inflection", "in_text",
            "fuzzy"; "" when unknown.
        score: 100 for exact matches, the rapidfuzz score for typos.
        matched: the name (or postcode) that matched, as written in our data.
        reason: for unknown: "empty", "no_match", "outside_area" (a Swedish
            place outside Blekinge and its border areas) or "postcode_unknown".
    """

    status: ResolutionStatus
    query: str
    place: Place | None = None
    candidates: tuple[Place, ...] = ()
    method: str = ""
    score: float = 0.0
    matched: str = ""
    reason: str = ""

    @property
    def found(self) -> bool:
        """True when exactly one place matched."""
        return self.status is ResolutionStatus.FOUND

    @property
    def ambiguous(self) -> bool:
        """True when several places match equally well."""
        return self.status is ResolutionStatus.AMBIGUOUS

    @property
    def unknown(self) -> bool:
        """True when nothing matched well enough."""
        return self.status is ResolutionStatus.UNKNOWN


def _answer(
    query: str, places: Iterable[Place], method: str, matched: str, score: float = 100.0
) -> Resolution:
    unique = sorted(
        {p.id: p for p in places}.values(), key=lambda p: (p.municipality, p.name, p.id)
    )
    if len(unique) == 1:
        return Resolution(
            ResolutionStatus.FOUND,
            query,
            unique[0],
            tuple(unique),
            method,
            score,
            matched,
        )
    return Resolution(
        ResolutionStatus.AMBIGUOUS, query, None, tuple(unique), method, score, matched
    )


def _unknown(query: str, reason: str, matched: str = "") -> Resolution:
    return Resolution(ResolutionStatus.UNKNOWN, query, matched=matched, reason=reason)


def _strip_fillers(words: Sequence[str]) -> list[str]:
    start, end = 0, len(words)
    while start < end and words[start] in _LEADING_FILLERS:
        start += 1
    while end > start and words[end - 1] in _TRAILING_FILLERS:
        end -= 1
    return list(words[start:end])


def _inflections(key: str) -> list[str]:
    """Base forms a key may be an inflection of: the genitive "Karlshamns"."""
    return [key[:-1]] if key.endswith("s") and len(key) > 3 else []


class Gazetteer:
    """Look up places by name, postcode or position. Immutable after construction."""

    def __init__(
        self, places: Iterable[Place], other_names: Iterable[str] = ()
    ) -> None:
        """Index `places`; `other_names` are Swedish places outside our area."""
        self._places = tuple(places)
        self._by_id = {p.id: p for p in self._places}
        by_key: dict[str, list[Place]] = {}
        for place in self._places:
            if place.kind not in _NAMED_KINDS:
                continue
            for name in (place.name, *place.aliases):
                key = compact_key(name)
                if key and place not in by_key.setdefault(key, []):
                    by_key[key].append(place)
        self._by_key = {k: tuple(v) for k, v in by_key.items()}
        self._keys = sorted(self._by_key)
        self._by_postcode: dict[str, Place] = {}
        for place in self._places:  # postnummerområden first: they carry the kommun
            if place.kind == KIND_POSTNUMMEROMRADE:
                for code in place.postcodes:
                    self._by_postcode[code.replace(" ", "")] = place
        for place in self._places:
            if place.kind in _NAMED_KINDS:
                for code in place.postcodes:
                    self._by_postcode.setdefault(code.replace(" ", ""), place)
        self._other = frozenset(compact_key(n) for n in other_names) - set(self._by_key)
        self._municipalities: dict[str, str] = {}
        self._blekinge_municipalities: dict[str, Municipality] = {}
        for place in self._places:
            for key in self._municipality_keys(place):
                self._municipalities[key] = place.municipality_code
            if place.in_blekinge:
                self._blekinge_municipalities[compact_key(place.municipality)] = (
                    Municipality(
                        place.municipality_code,
                        place.municipality,
                        place.municipality_name,
                    )
                )
        self._located = tuple(
            (p, p.lat, p.lon)
            for p in self._places
            if p.kind in _NAMED_KINDS and p.lat is not None and p.lon is not None
        )

    @classmethod
    def load(cls, path: Path | str | None = None) -> Gazetteer:
        """Read places.json (default `DEFAULT_GAZETTEER_PATH`).

        Raises:
            GazetteerError: the file is missing or not a gazetteer.
        """
        file = Path(path) if path is not None else DEFAULT_GAZETTEER_PATH
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            places = [Place.from_dict(record) for record in data["places"]]
            other = [str(name) for name in data.get("other_names", [])]
        except FileNotFoundError as exc:
            raise GazetteerError(
                f"ortregistret {file} saknas: kör python scripts/build_gazetteer.py"
            ) from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise GazetteerError(
                f"ortregistret {file} går inte att läsa: {exc}"
            ) from exc
        return cls(places, other)

    @property
    def places(self) -> tuple[Place, ...]:
        """Every place, postnummerområden included."""
        return self._places

    def __len__(self) -> int:
        return len(self._places)

    def get(self, place_id: str) -> Place | None:
        """The place with this id, or None."""
        return self._by_id.get(place_id)

    def locality(self, place: Place) -> Place:
        """The ort a postnummerområde is named after (the place itself otherwise)."""
        if place.locality_id is not None:
            return self._by_id.get(place.locality_id, place)
        return place

    def names(self, folded: bool = False) -> list[str]:
        """Every name `resolve` finds exactly (postcodes aside), sorted.

        Args:
            folded: also list the spellings without å/ä/ö ("Jamjo"), for NLU
                lookup tables that match the raw text.
        """
        names = {
            n
            for p in self._places
            if p.kind in _NAMED_KINDS
            for n in (p.name, *p.aliases)
        }
        if folded:
            names |= {fold_diacritics(n) for n in names}
        return sorted(names, key=lambda n: (compact_key(n), n))

    def municipality(self, text: str) -> Municipality | None:
        """The Blekinge kommun `text` names as a kommun, or None.

        Only an explicit kommun counts: "Ronneby kommun", "Ronnebys kommun",
        "kommunen Ronneby", "i Karlshamns kommun", and in English "Ronneby
        municipality" (what English answers call it). Plain "Ronneby" is the
        town (`resolve`); a kommun means the whole kommun wherever a place is
        expected.
        """
        words = [w for w in tokens(text) if w]
        while words and words[0] in _LEADING_FILLERS:
            words = words[1:]
        if not words:
            return None
        if words[-1] in {"kommun", "kommuns", "municipality"}:
            words = words[:-1]
        elif words[0] in {"kommunen", "kommun"}:
            words = words[1:]
        else:
            return None
        key = "".join(words)
        for candidate in (key, *_inflections(key)):
            found = self._blekinge_municipalities.get(candidate)
            if found is not None:
                return found
        return None

    def in_municipality(self, municipality: Municipality) -> tuple[Place, ...]:
        """The kommun's tätorter and orter, largest kinds first, then by name."""
        return tuple(
            sorted(
                (
                    p
                    for p in self._places
                    if p.kind in _NAMED_KINDS
                    and p.municipality_code == municipality.code
                ),
                key=lambda p: (p.kind != KIND_TATORT, compact_key(p.name)),
            )
        )

    def by_postcode(self, code: str) -> Place | None:
        """The postnummerområde (or ort) of a postcode in any common spelling."""
        found = parse_postcode(code)
        return self._by_postcode.get(found[0]) if found else None

    def resolve(self, text: str) -> Resolution:
        """Which place does `text` name? See the module docstring for the steps."""
        codes = parse_postcode(text)
        for code in codes:
            if code in self._by_postcode:
                place = self._by_postcode[code]
                return _answer(text, [place], "postcode", f"{code[:3]} {code[3:]}")
        words = tokens(_POSTCODE_RE.sub(" ", text)) if codes else tokens(text)
        if not words:
            return _unknown(text, "postcode_unknown" if codes else "empty")

        whole = self._exact(text, "".join(words))
        if whole is not None:
            return whole
        qualified = self._split_municipality(text, words)
        if qualified is not None:
            name_words, municipality_code = qualified
            inner = self._resolve_words(text, name_words, codes)
            kept = [
                p for p in inner.candidates if p.municipality_code == municipality_code
            ]
            if kept:
                return _answer(text, kept, inner.method, inner.matched, inner.score)
            if not inner.unknown:  # "Ryd i Karlskrona kommun": no such place
                return _unknown(text, "no_match", matched=inner.matched)
        return self._resolve_words(text, words, codes)

    def choose(self, candidates: Sequence[Place], answer: str) -> Place | None:
        """Which of `candidates` (from an ambiguous resolution) the resident picked.

        Understands the kommun ("Tingsryd", "den i Tingsryds kommun"), the
        place's own name when the candidates differ by name, and an ordinal
        ("1", "den andra"). Returns None unless exactly one candidate fits.
        """
        words = tokens(answer)
        for word in words:
            index = _ORDINALS.get(word)
            if index is not None:
                return candidates[index] if index < len(candidates) else None
        keys = {
            "".join(words[i : i + n]) for n in range(1, 4) for i in range(len(words))
        }
        keys |= {base for key in keys for base in _inflections(key)}
        fits = [
            p
            for p in candidates
            if keys & (self._municipality_keys(p) | {compact_key(p.name)})
        ]
        unique = {p.id: p for p in fits}
        return next(iter(unique.values())) if len(unique) == 1 else None

    def _resolve_words(
        self, text: str, words: list[str], codes: list[str]
    ) -> Resolution:
        """Steps 2 to 5 of the module docstring on already tokenised words."""
        phrases = self._phrases(words)
        for phrase in phrases:
            exact = self._exact(text, "".join(phrase))
            if exact is not None:
                return exact
        for phrase in phrases:
            key = "".join(phrase)
            if len(key) < _OUTSIDE_MIN_LENGTH:
                continue
            if key in self._other or any(k in self._other for k in _inflections(key)):
                return _unknown(text, "outside_area", matched=" ".join(phrase))
        if len(words) > 1:
            in_text = self._in_text(text, words)
            if in_text is not None:
                return in_text
        for phrase in phrases:
            if len(phrase) <= _MAX_NAME_WORDS:
                fuzzy = self._fuzzy(text, "".join(phrase))
                if fuzzy is not None:
                    return fuzzy
        return _unknown(text, "postcode_unknown" if codes else "no_match")

    def nearest_place(
        self, lat: float, lon: float, max_km: float | None = NEAREST_PLACE_MAX_KM
    ) -> Place | None:
        """The tätort or ort closest to a position ("du är nära Jämjö").

        Args:
            lat: latitude, WGS84 degrees.
            lon: longitude, WGS84 degrees.
            max_km: beyond this distance answer None (None: no limit).
        """
        best: Place | None = None
        best_km = float("inf")
        for place, place_lat, place_lon in self._located:
            km = haversine_km(lat, lon, place_lat, place_lon)
            if km < best_km:
                best, best_km = place, km
        if max_km is not None and best_km > max_km:
            return None
        return best

    # -- matching steps ---------------------------------------------------

    @staticmethod
    def _municipality_keys(place: Place) -> set[str]:
        short = compact_key(place.municipality)
        return {
            short,
            compact_key(place.municipality_name),
            short + "kommun",
            short + "skommun",
        }

    def _split_municipality(
        self, text: str, words: list[str]
    ) -> tuple[list[str], str] | None:
        """Split "Ryd i Tingsryds kommun" into (["ryd"], "0763").

        The kommun must be marked as such, by "kommun", by "i"/"inom" before it
        or by a comma ("Ryd, Tingsryd"): in "mellan Ronneby och Karlshamn" the
        last word is a second place, not a qualifier.
        """
        after_comma = tokens(text.rsplit(",", 1)[1]) if "," in text else []
        for size in range(min(4, len(words) - 1), 0, -1):
            key = "".join(words[-size:])
            code = self._municipalities.get(key)
            if code is None:
                code = next(
                    (
                        self._municipalities[b]
                        for b in _inflections(key)
                        if b in self._municipalities
                    ),
                    None,
                )
            if code is None:
                continue
            name_words = words[:-size]
            marked = (
                key.endswith("kommun")
                or name_words[-1] in {"i", "inom"}
                or after_comma == words[-size:]
            )
            while name_words and name_words[-1] in _PREPOSITIONS:
                name_words = name_words[:-1]
            if marked and name_words:
                return name_words, code
        return None

    @staticmethod
    def _phrases(words: list[str]) -> list[list[str]]:
        """Candidate name phrases, most literal first."""
        phrases = [words]
        after = [i for i, w in enumerate(words) if w in _PREPOSITIONS]
        if after and after[-1] + 1 < len(words):
            phrases.append(_strip_fillers(words[after[-1] + 1 :]))
        phrases.append(_strip_fillers(words))
        unique: list[list[str]] = []
        for phrase in phrases:
            if phrase and phrase not in unique:
                unique.append(phrase)
        return unique

    def _exact(self, query: str, key: str) -> Resolution | None:
        if key in self._by_key:
            places = self._by_key[key]
            return _answer(query, places, "exact", places[0].name)
        for base in _inflections(key):
            if base in self._by_key:
                places = self._by_key[base]
                return _answer(query, places, "inflection", places[0].name)
        return None

    def _in_text(self, query: str, words: list[str]) -> Resolution | None:
        """Known names inside a longer text, longest first, without overlaps."""
        taken = [False] * len(words)
        hits: list[Place] = []
        matched: list[str] = []
        for size in range(min(_MAX_NAME_WORDS, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]):
                    continue
                window = words[start : start + size]
                if size == 1 and (window[0] in _LEADING_FILLERS or len(window[0]) < 3):
                    continue
                key = "".join(window)
                found = self._by_key.get(key)
                if found is None:
                    found = next(
                        (
                            self._by_key[b]
                            for b in _inflections(key)
                            if b in self._by_key
                        ),
                        None,
                    )
                if found is not None:
                    hits.extend(found)
                    matched.append(found[0].name)
                    taken[start : start + size] = [True] * size
        if not hits:
            return None
        return _answer(query, hits, "in_text", ", ".join(dict.fromkeys(matched)))

    def _fuzzy(self, query: str, key: str) -> Resolution | None:
        scored: dict[str, tuple[int, float]] = {}
        # A genitive is only tried on long keys: on short ones it doubles the
        # chances of an ordinary word looking like a name ("skrevs").
        variants = [
            key,
            *(v for v in _inflections(key) if len(v) >= _FUZZY_INFLECTION_MIN),
        ]
        for variant in variants:
            for candidate, score, _ in process.extract(
                variant,
                self._keys,
                scorer=fuzz.ratio,
                score_cutoff=FUZZY_MIN_SCORE,
                limit=10,
            ):
                if not close_enough(variant, candidate):
                    continue
                edits = OSA.distance(variant, candidate)
                previous = scored.get(candidate)
                if previous is None or (edits, -score) < (previous[0], -previous[1]):
                    scored[candidate] = (edits, score)
        if not scored:
            return None
        ranked = sorted(
            scored.items(), key=lambda item: (item[1][0], -item[1][1], item[0])
        )
        best_key, (best_edits, best_score) = ranked[0]
        tied = [
            k for k, (edits, score) in ranked
            if edits == best_edits and best_score - score < FUZZY_TIE_MARGIN
        ]  # fmt: skip
        places = [p for k in tied for p in self._by_key[k]]
        return _answer(
            query, places, "fuzzy", self._by_key[best_key][0].name, best_score
        )


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The gazetteer at `DEFAULT_GAZETTEER_PATH`, loaded once per process."""
    return Gazetteer.load()
