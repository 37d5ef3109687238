"""Checks on the NLU training data (data/nlu) and the held-out data (tests/nlu).

Runs without Rasa: the annotation syntax is parsed here with the same regular
expression Rasa uses for `[text](entity)` and `[text]{"entity": ..., "value": ...}`.
`rasa data validate` (make validate-rasa) checks the files as Rasa reads them.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.gazetteer import Gazetteer
from bot.service_types import ServiceType, load_service_types
from bot.text import normalize
from scripts import build_nlu_data

ROOT = Path(__file__).resolve().parents[1]
NLU_DIR = ROOT / "data" / "nlu"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
DOMAIN = ROOT / "domain.yml"

#: Rasa's entity annotation (rasa/shared/nlu/training_data/entities_parser.py).
_ENTITY_RE = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(\((?P<entity>[^:)]+?)(?:\:(?P<value>[^)]+))?\)|\{(?P<dict>[^}]+?)\})"
)

#: Minimum number of training examples per intent (the conversation issue).
MIN_TRAINING = {"find_service": 150, "share_location": 10}
MIN_TRAINING_DEFAULT = 30
#: Intents whose training files predate this data set (greetings and the like).
SMALL_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help",
    "out_of_scope",
}  # fmt: skip
MIN_HELDOUT_PER_INTENT = 15
MIN_HELDOUT_TOTAL = 250


@dataclass(frozen=True)
class Entity:
    """One annotated entity: its written text, type and (mapped) value."""

    text: str
    entity: str
    value: str
    explicit: bool
    start: int


@dataclass(frozen=True)
class Example:
    """One example: intent, plain text, entities and where it came from."""

    intent: str
    text: str
    entities: tuple[Entity, ...]
    source: str


def parse_example(raw: str) -> tuple[str, tuple[Entity, ...]]:
    """Plain text and entities of one annotated example, as Rasa reads them."""
    entities: list[Entity] = []
    plain = ""
    last = 0
    for match in _ENTITY_RE.finditer(raw):
        plain += raw[last : match.start()]
        start = len(plain)
        plain += match["text"]
        last = match.end()
        if match["dict"] is not None:
            data: dict[str, Any] = json.loads("{" + match["dict"] + "}")
            value = str(data.get("value", match["text"]))
            entity, explicit = str(data["entity"]), "value" in data
        else:
            value = match["value"] or match["text"]
            entity, explicit = match["entity"], bool(match["value"])
        entities.append(Entity(match["text"], entity, value, explicit, start))
    return plain + raw[last:], tuple(entities)


def _items(path: Path) -> Iterator[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    yield from data.get("nlu", []) or []


def _lines(block: str) -> Iterator[str]:
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            yield line[2:].strip()


def load_examples(paths: list[Path]) -> list[Example]:
    """Every intent example in `paths`, parsed."""
    examples = []
    for path in paths:
        for item in _items(path):
            if "intent" not in item:
                continue
            for raw in _lines(item["examples"]):
                text, entities = parse_example(raw)
                where = f"{path.relative_to(ROOT)}: {raw}"
                examples.append(Example(item["intent"], text, entities, where))
    return examples


def training_files() -> list[Path]:
    return sorted(NLU_DIR.rglob("*.yml"))


def file_synonyms() -> dict[str, str]:
    """Rasa's synonym table from the `synonym:` blocks, as EntitySynonymMapper keeps it.

    Keys are lower case, and every target maps to itself ("APOTEK" -> "apotek").
    """
    table: dict[str, str] = {}
    for path in training_files():
        for item in _items(path):
            if "synonym" in item:
                target = str(item["synonym"])
                for word in _lines(item["examples"]):
                    table[word.lower()] = target
                table.setdefault(target.lower(), target)
    return table


def resolved_value(entity: Entity, synonyms: dict[str, str]) -> str:
    """The value Rasa's EntitySynonymMapper hands on for this annotation."""
    if entity.explicit:
        return entity.value
    return synonyms.get(entity.value.lower(), entity.value)


def _key(text: str) -> str:
    """Comparison key: case, spacing and punctuation do not make a new example."""
    return normalize(text)


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    return yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def training() -> list[Example]:
    return load_examples(training_files())


@pytest.fixture(scope="module")
def heldout() -> list[Example]:
    return load_examples([HELDOUT])


@pytest.fixture(scope="module")
def synonyms() -> dict[str, str]:
    return file_synonyms()


# --- generated files ------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [build_nlu_data.SYNONYMS_PATH, build_nlu_data.PLACE_LOOKUP_PATH]
)
def test_generated_files_are_up_to_date(path: Path) -> None:
    fresh = build_nlu_data.render_all()[path]
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    assert current == fresh, (
        f"{path.relative_to(ROOT)} är inaktuell: data/service_types.yml eller "
        "ortregistret har ändrats. Kör: "
        ".venv-actions/bin/python scripts/build_nlu_data.py"
    )


@pytest.mark.parametrize(
    "path", [build_nlu_data.SYNONYMS_PATH, build_nlu_data.PLACE_LOOKUP_PATH]
)
def test_generated_files_have_header(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith(build_nlu_data.HEADER + "\n")


def test_every_service_type_word_maps_to_its_id(synonyms: dict[str, str]) -> None:
    for st in load_service_types().values():
        for word in (st.name, st.plural, *st.synonyms):
            assert synonyms.get(word.lower(), word.lower()) == st.id, word


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("affar", "dagligvaror"),
        ("mataffaren", "dagligvaror"),
        ("matbutiken", "dagligvaror"),
        ("vardcentral", "vårdcentral"),
        ("apoteket", "apotek"),
        ("paketskap", "paketombud"),
        ("hamta ut medicin", "apoteksombud"),
        ("uttagsautomaten", "uttagsautomat"),
        ("bensinstationerna", "drivmedel"),
    ],
)
def test_generated_synonyms(synonyms: dict[str, str], word: str, expected: str) -> None:
    assert synonyms[word] == expected


@pytest.mark.parametrize(
    ("name", "plural", "expected"),
    [
        ("apotek", "apotek", ["apoteket", "apoteken"]),
        ("matbutik", "matbutiker", ["matbutiken", "matbutikerna"]),
        ("bensinstation", "bensinstationer", ["bensinstationen", "bensinstationerna"]),
        ("macka", "mackor", []),  # irregular: better nothing than a wrong form
        ("lån böcker", "lån böcker", []),
    ],
)
def test_definite_forms(name: str, plural: str, expected: list[str]) -> None:
    assert build_nlu_data.definite_forms(name, plural) == expected


def _type(type_id: str, *synonyms: str) -> ServiceType:
    return ServiceType(type_id, type_id, type_id, synonyms, ())


def test_terms_drop_a_folded_spelling_two_types_share() -> None:
    terms = build_nlu_data.service_type_terms(
        [_type("a", "får", "bröd"), _type("o", "far")]
    )
    assert terms == {"a": ["brod", "bröd", "får"], "o": ["far"]}


def test_terms_refuse_a_word_under_two_types() -> None:
    with pytest.raises(ValueError, match=r"(?i)ica"):
        build_nlu_data.service_type_terms([_type("a", "ica"), _type("b", "ICA")])


def test_check_mode_reports_up_to_date_files() -> None:
    assert build_nlu_data.main(["--check"]) == 0


def test_place_lookup_has_every_gazetteer_name_and_variants() -> None:
    text = build_nlu_data.PLACE_LOOKUP_PATH.read_text(encoding="utf-8")
    entries = {line.strip()[2:].casefold() for line in text.splitlines()}
    for name in Gazetteer.load().names(folded=True):
        assert name.casefold() in entries, name
    for variant in ("bräkne hoby", "brakne hoby", "karlshamns", "jamjos"):
        assert variant in entries


def test_synonym_words_are_unique() -> None:
    """Rasa keeps the last of two conflicting synonyms; we want neither."""
    seen: dict[str, str] = {}
    for path in training_files():
        for item in _items(path):
            if "synonym" not in item:
                continue
            for word in _lines(item["examples"]):
                first = seen.setdefault(word.lower(), item["synonym"])
                assert first == item["synonym"], (
                    f"'{word}' är synonym till både {first} och {item['synonym']}"
                )


# --- annotations ----------------------------------------------------------------


def _all(training: list[Example], heldout: list[Example]) -> list[Example]:
    return training + heldout


def test_intents_and_entities_are_in_the_domain(
    domain: dict[str, Any], training: list[Example], heldout: list[Example]
) -> None:
    intents = set(domain["intents"])
    entities = set(domain["entities"])
    for ex in _all(training, heldout):
        assert ex.intent in intents, ex.source
        for ent in ex.entities:
            assert ent.entity in entities, ex.source
            assert ent.entity not in {"latitude", "longitude"}, (
                f"koordinater annoteras inte i text: {ex.source}"
            )


def test_every_service_type_annotation_maps_to_a_canonical_id(
    training: list[Example], heldout: list[Example], synonyms: dict[str, str]
) -> None:
    ids = set(load_service_types())
    for ex in _all(training, heldout):
        for ent in ex.entities:
            if ent.entity == "service_type":
                assert resolved_value(ent, synonyms) in ids, (
                    f"'{ent.text}' blir inte ett service-typ-id: {ex.source}"
                )


def test_explicit_service_type_values_do_not_contradict_the_synonyms(
    training: list[Example], heldout: list[Example], synonyms: dict[str, str]
) -> None:
    for ex in _all(training, heldout):
        for ent in ex.entities:
            known = synonyms.get(ent.text.lower())
            if ent.entity == "service_type" and ent.explicit and known:
                assert known == ent.value, ex.source


def test_no_value_is_given_to_locations_or_point_names(
    training: list[Example], heldout: list[Example]
) -> None:
    """Places and points are kept as written; the actions resolve them."""
    for ex in _all(training, heldout):
        for ent in ex.entities:
            if ent.entity in {"location", "point_name"}:
                assert not ent.explicit, ex.source


def test_every_location_is_a_known_place(
    training: list[Example], heldout: list[Example]
) -> None:
    gazetteer = Gazetteer.load()
    for ex in _all(training, heldout):
        for ent in ex.entities:
            if ent.entity == "location":
                assert gazetteer.resolve(ent.text).found, (
                    f"'{ent.text}' finns inte i ortregistret: {ex.source}"
                )


def test_entities_are_whole_words(
    training: list[Example], heldout: list[Example]
) -> None:
    for ex in _all(training, heldout):
        for ent in ex.entities:
            end = ent.start + len(ent.text)
            assert ent.text == ent.text.strip(), ex.source
            before = ex.text[ent.start - 1 : ent.start] or " "
            after = ex.text[end : end + 1] or " "
            assert not before.isalnum() and not after.isalnum(), ex.source


# --- training data ----------------------------------------------------------------


def test_every_intent_has_enough_training_examples(
    domain: dict[str, Any], training: list[Example]
) -> None:
    counts = Counter(ex.intent for ex in training)
    for intent in domain["intents"]:
        if intent in SMALL_INTENTS:
            assert counts[intent] >= 10, intent
            continue
        wanted = MIN_TRAINING.get(intent, MIN_TRAINING_DEFAULT)
        assert counts[intent] >= wanted, f"{intent}: {counts[intent]} < {wanted}"


def test_training_examples_are_unique_and_in_one_intent(
    training: list[Example],
) -> None:
    intents: dict[str, list[str]] = defaultdict(list)
    for ex in training:
        intents[_key(ex.text)].append(ex.intent)
    repeated = {text: i for text, i in intents.items() if len(i) > 1}
    assert not repeated, f"exempel som står mer än en gång: {repeated}"


def test_find_service_examples_mention_a_service(training: list[Example]) -> None:
    """A find_service example without a service word teaches nothing to the form."""
    for ex in training:
        if ex.intent == "find_service":
            assert any(e.entity == "service_type" for e in ex.entities), ex.source


# --- held-out data ----------------------------------------------------------------


def test_heldout_is_big_enough(domain: dict[str, Any], heldout: list[Example]) -> None:
    counts = Counter(ex.intent for ex in heldout)
    assert sum(counts.values()) >= MIN_HELDOUT_TOTAL
    for intent in domain["intents"]:
        assert counts[intent] >= MIN_HELDOUT_PER_INTENT, f"{intent}: {counts[intent]}"
    with_entities = sum(1 for ex in heldout if ex.entities)
    assert with_entities >= 100


def test_heldout_is_never_trained_on(
    training: list[Example], heldout: list[Example]
) -> None:
    trained = {_key(ex.text) for ex in training}
    leaked = [ex.source for ex in heldout if _key(ex.text) in trained]
    assert not leaked, f"utvärderingsexempel finns också i träningsdatan: {leaked}"
    assert not str(HELDOUT).startswith(str(NLU_DIR))


def test_heldout_examples_are_unique(heldout: list[Example]) -> None:
    counts = Counter(_key(ex.text) for ex in heldout)
    assert [t for t, n in counts.items() if n > 1] == []


@pytest.mark.parametrize(
    ("raw", "text", "entities"),
    [
        (
            "var finns [apotek](service_type) i [Jämjö](location)",
            "var finns apotek i Jämjö",
            [("apotek", "service_type", "apotek"), ("Jämjö", "location", "Jämjö")],
        ),
        (
            '[affär]{"entity": "service_type", "value": "dagligvaror"} nu',
            "affär nu",
            [("affär", "service_type", "dagligvaror")],
        ),
        ("visa fler", "visa fler", []),
    ],
)
def test_parse_example(
    raw: str, text: str, entities: list[tuple[str, str, str]]
) -> None:
    parsed_text, parsed = parse_example(raw)
    assert parsed_text == text
    assert [(e.text, e.entity, e.value) for e in parsed] == entities
