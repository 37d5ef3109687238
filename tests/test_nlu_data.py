"""Checks on the NLU training data (data/nlu) and the held-out data (tests/nlu).

Runs without Rasa: the parsing and the checks live in `bot.editor_checks`
(the same ones `make validate` runs for editors), which reads the annotation
syntax with the regular expression Rasa uses for `[text](entity)` and
`[text]{"entity": ..., "value": ...}`. `rasa data validate` (make
validate-rasa) checks the files as Rasa reads them.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from bot import editor_checks as ec
from bot.editor_checks import Example, Finding, parse_example, resolved_value
from bot.gazetteer import Gazetteer
from bot.registry import load_registry
from bot.service_types import ServiceType, load_service_types
from scripts import build_nlu_data

ROOT = Path(__file__).resolve().parents[1]
NLU_DIR = ROOT / "data" / "nlu"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
#: Every held-out file (Swedish, everyday Swedish, English): none may be trained on.
HELDOUT_FILES = sorted((ROOT / "tests" / "nlu").glob("heldout*.yml"))
#: The training-data writers' own dev sets (tests/nlu_dev/): not trained on either,
#: or their scores say nothing.
DEV_FILES = sorted((ROOT / "tests" / "nlu_dev").glob("*.yml"))
PROJECT = ec.Project(ROOT)

MIN_HELDOUT_PER_INTENT = 15
MIN_HELDOUT_TOTAL = 250


def _key(text: str) -> str:
    """Comparison key: case, spacing and punctuation do not make a new example."""
    return ec.example_key(text)


def _report(findings: list[Finding]) -> str:
    return "\n".join(f.format() for f in findings)


@pytest.fixture(scope="module")
def domain() -> ec.Domain:
    return ec.load_domain(PROJECT)


@pytest.fixture(scope="module")
def training_data() -> ec.NluData:
    return ec.load_nlu(PROJECT)


@pytest.fixture(scope="module")
def heldout_data() -> ec.NluData:
    return ec.load_nlu(PROJECT, files=[HELDOUT])


@pytest.fixture(scope="module")
def training(training_data: ec.NluData) -> list[Example]:
    return training_data.examples


@pytest.fixture(scope="module")
def heldout(heldout_data: ec.NluData) -> list[Example]:
    return heldout_data.examples


@pytest.fixture(scope="module")
def synonyms(training_data: ec.NluData) -> dict[str, str]:
    return training_data.synonym_table()


def test_training_files_parse(
    training_data: ec.NluData, heldout_data: ec.NluData
) -> None:
    assert training_data.problems == []
    assert heldout_data.problems == []


# --- generated files ------------------------------------------------------------


GENERATED = [
    build_nlu_data.SYNONYMS_PATH,
    build_nlu_data.PLACE_LOOKUP_PATH,
    build_nlu_data.POINT_LOOKUP_PATH,
]


@pytest.mark.parametrize("path", GENERATED)
def test_generated_files_are_up_to_date(path: Path) -> None:
    fresh = build_nlu_data.render_all()[path]
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    assert current == fresh, (
        f"{path.relative_to(ROOT)} är inaktuell: data/service_types.yml, "
        "ortregistret eller servicepunkterna har ändrats. Kör: "
        ".venv-actions/bin/python scripts/build_nlu_data.py"
    )


@pytest.mark.parametrize("path", GENERATED)
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
        ("hamta ut medicin", "apotek"),
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


def _lookup_entries(path: Path) -> list[str]:
    return [
        line.strip()[2:]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("      - ")
    ]


@pytest.mark.parametrize(
    ("name", "brand", "locality", "expected"),
    [
        (
            "Coop Nära i Svängsta",
            None,
            "Svängsta",
            ["Coop Nära Svängsta", "Coop Svängsta"],
        ),
        (
            "ICA Nära Träffen, Jämshög",
            "ICA",
            "Jämshög",
            [
                "ICA Nära Träffen Jämshög",
                "ICA Träffen Jämshög",
                "ICA Nära Träffen",
                "ICA Träffen",
                "ICA Jämshög",
            ],
        ),
        (
            "Apotek Hjärtat Sölvesborg",
            "Apotek Hjärtat",
            "Sölvesborg",
            [
                "Apotek Hjärtat Sölvesborg",
                "Apoteket Hjärtat Sölvesborg",
                "Hjärtat Sölvesborg",
            ],
        ),
        (
            "Uttagsautomat (Nordea) (Kungsgatan 44)",
            None,
            "Karlshamn",
            ["Uttagsautomat"],
        ),
    ],
)
def test_point_name_forms(
    name: str, brand: str | None, locality: str, expected: list[str]
) -> None:
    assert build_nlu_data.point_name_forms(name, brand, locality) == expected


def test_point_lookup_has_the_names_residents_write() -> None:
    entries = {e.casefold() for e in _lookup_entries(build_nlu_data.POINT_LOOKUP_PATH)}
    for name in (
        "ica nära nättran",
        "ica nara nattran",
        "ica nättran",
        "coop svängsta",
        "apoteket hjärtat sölvesborg",
        "hjärtat rödeby",
        "din x hasslö",
        "willys lyckeby",
        "maxi ronneby",
        "tempo tving",
    ):
        assert name in entries, name
    for kind_and_place in (
        "coop",  # a service type in find_service
        "apoteksgruppen",
        "ronneby vårdcentral",  # a kind in a place
        "bräkne hoby vårdcentral",
        "bankomat mjällby",  # residents ask for "bankomaten"
        "uttagsautomat",
        "instabox paketskåp olofström",
        "coop i svängsta",  # a name and a place, annotated apart
    ):
        assert kind_and_place not in entries, kind_and_place


def test_point_lookup_puts_a_longer_name_first() -> None:
    """Rasa's lookup regex takes the first alternative that matches."""
    entries = _lookup_entries(build_nlu_data.POINT_LOOKUP_PATH)
    assert entries.index("ICA Nära Träffen Jämshög") < entries.index("ICA Nära Träffen")
    assert sorted(entries, key=build_nlu_data._longest_first) == entries


def test_point_variants_leave_out_kind_and_place() -> None:
    points = load_registry(build_nlu_data.DEFAULT_REGISTRY_PATH).points
    point = next(p for p in points if p.name == "Coop Hasslö")
    renamed = dataclasses.replace(point, name="Hasslö apoteksombud Coop", brand=None)
    variants = build_nlu_data.point_variants
    assert variants([renamed], ["apoteksombud", "coop"], ["Hasslö"]) == []
    assert variants([renamed], ["apoteksombud"], ["Hasslö"]) == [
        "Hasslo apoteksombud Coop",
        "Hasslö apoteksombud Coop",
    ]


def test_synonym_words_are_unique(training_data: ec.NluData) -> None:
    """Rasa keeps the last of two conflicting synonyms; we want neither."""
    ids = load_service_types()
    assert ec.check_synonyms(training_data, ids) == []


# --- annotations ----------------------------------------------------------------


@pytest.mark.parametrize("which", ["training", "heldout"])
def test_annotations_are_usable(
    which: str,
    domain: ec.Domain,
    training_data: ec.NluData,
    heldout_data: ec.NluData,
    synonyms: dict[str, str],
) -> None:
    """Entities in the domain, no coordinates in text, service types that map
    to a canonical id (and do not contradict the synonyms), places and points
    kept as written, annotations on whole words."""
    data = training_data if which == "training" else heldout_data
    findings = ec.check_entities(data, domain, load_service_types(), synonyms)
    assert findings == [], _report(findings)


@pytest.mark.parametrize("which", ["training", "heldout"])
def test_every_location_is_a_known_place(
    which: str, training_data: ec.NluData, heldout_data: ec.NluData
) -> None:
    data = training_data if which == "training" else heldout_data
    gazetteer = Gazetteer.load()
    findings = ec.check_places(data, lambda text: gazetteer.resolve(text).found)
    assert findings == [], _report(findings)


def test_intents_are_in_the_domain(
    domain: ec.Domain, training: list[Example], heldout: list[Example]
) -> None:
    for ex in training + heldout:
        assert ex.intent in domain.intents, ex.source


def test_resolved_value_follows_synonyms(synonyms: dict[str, str]) -> None:
    _, (ica,) = parse_example("[ICA](service_type)")
    _, (explicit,) = parse_example('[ica]{"entity": "service_type", "value": "x"}')
    assert resolved_value(ica, synonyms) == "dagligvaror"
    assert resolved_value(explicit, synonyms) == "x"


# --- training data ----------------------------------------------------------------


def test_every_intent_has_enough_and_varied_training_examples(
    domain: ec.Domain, training_data: ec.NluData
) -> None:
    findings = ec.check_intent_examples(training_data, domain, project=PROJECT)
    assert findings == [], _report(findings)


def test_training_examples_are_unique_and_in_one_intent(
    training_data: ec.NluData,
) -> None:
    findings = ec.check_duplicates(training_data)
    assert findings == [], _report(findings)


def test_find_service_examples_mention_a_service(training: list[Example]) -> None:
    """A find_service example without a service word teaches nothing to the form.

    A carrier counts: it implies its service type (paketombud).
    """
    for ex in training:
        if ex.intent == "find_service":
            assert any(
                e.entity in ("service_type", "carrier") for e in ex.entities
            ), ex.source


# --- held-out data ----------------------------------------------------------------


def test_heldout_is_big_enough(domain: ec.Domain, heldout: list[Example]) -> None:
    counts = Counter(ex.intent for ex in heldout)
    assert sum(counts.values()) >= MIN_HELDOUT_TOTAL
    for intent in domain.intents:
        assert counts[intent] >= MIN_HELDOUT_PER_INTENT, f"{intent}: {counts[intent]}"
    with_entities = sum(1 for ex in heldout if ex.entities)
    assert with_entities >= 100


@pytest.mark.parametrize(
    "held_file", HELDOUT_FILES + DEV_FILES, ids=lambda p: p.name
)
def test_heldout_is_never_trained_on(training: list[Example], held_file: Path) -> None:
    # names file and line of the training example, never the sentence: whoever writes
    # training data must not read the held-out set (docs/redaktorsguide.md)
    held = {_key(ex.text) for ex in ec.load_nlu(PROJECT, files=[held_file]).examples}
    assert held, held_file
    leaked = [f"{ex.file}:{ex.line}" for ex in training if _key(ex.text) in held]
    assert not leaked, (
        f"{len(leaked)} träningsexempel finns också i utvärderingsdatan; ta bort dem "
        f"ur träningsdatan (skriv inga ersättare ur minnet): {leaked}"
    )
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
