"""The editors' checks: is the training data, the knowledge and the registry fit to publish?

Editors at the region add phrasings, synonyms, answers and service-point data
without being programmers. Every check here returns `Finding`s instead of
raising, so one run reports everything at once, and each finding names the
file, the line (read from YAML's own position marks, so it is the line the
editor sees) and, in plain Swedish, what is wrong and what to do about it.
`scripts/validate.py` (`make validate`) runs them after `rasa data validate`
and prints the report; `tests/test_nlu_data.py` reuses the same parsing.

Nothing here imports Rasa: the annotation syntax is parsed with the regular
expression Rasa itself uses, so the checks run in the action environment.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from bot.errors import (
    GazetteerError,
    InvalidRecord,
    KnowledgeError,
    ServiceTypesError,
)
from bot.lang import english, swedish
from bot.messages import (
    RULE_ENGLISH,
    RULE_ENTRY,
    RULE_NAMES,
    RULE_SPACES,
    entry_problems,
)
from bot.text import describe_character, fold, invisible_characters, normalize

__all__ = [
    "DEFAULT_ROOT",
    "ENTITY_RE",
    "MIN_DISTINCT_SHARE",
    "MIN_EXAMPLES",
    "MIN_EXAMPLES_DEFAULT",
    "MIN_EXAMPLES_SMALL",
    "NEAR_DUPLICATE_FLOOR",
    "NEAR_DUPLICATE_SPELLING",
    "NEAR_DUPLICATE_THRESHOLD",
    "SMALL_INTENTS",
    "Domain",
    "Entity",
    "Example",
    "Finding",
    "NluData",
    "Project",
    "Response",
    "Severity",
    "SynonymWord",
    "check_carriers",
    "check_duplicates",
    "check_english_data",
    "check_entities",
    "check_generated",
    "check_intent_examples",
    "check_invisible",
    "check_knowledge",
    "check_messages",
    "check_near_duplicates",
    "check_places",
    "check_registry",
    "check_responses",
    "check_synonyms",
    "cross_intent_similarities",
    "example_key",
    "load_domain",
    "load_nlu",
    "load_service_type_ids",
    "looks_english",
    "looks_swedish",
    "parse_example",
    "place_resolver",
    "resolved_value",
    "template_key",
    "used_responses",
]

DEFAULT_ROOT = Path(__file__).resolve().parents[1]

#: Rasa's entity annotation (rasa/shared/nlu/training_data/entities_parser.py):
#: `[text](entity)`, `[text](entity:value)` and `[text]{"entity": ..., "value": ...}`.
ENTITY_RE = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(\((?P<entity>[^:)]+?)(?:\:(?P<value>[^)]+))?\)|\{(?P<dict>[^}]+?)\})"
)

#: Fewest training examples per intent (the conversation issue): find_service
#: carries the form and most of the traffic; share_location is mostly a button.
MIN_EXAMPLES: Mapping[str, int] = {"find_service": 150, "share_location": 10}
MIN_EXAMPLES_DEFAULT = 30
#: Short social intents ("hej", "tack", "ja") have few ways to be said.
SMALL_INTENTS: frozenset[str] = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "bot_challenge",
        "help",
        "out_of_scope",
    }
)
MIN_EXAMPLES_SMALL = 10

#: Share of an intent's examples that must be distinct sentences once the
#: annotated words are set aside ("apotek i [Jämjö]" and "apotek i [Tving]"
#: are the same sentence); bare answers ("[Jämjö]") are not counted. Measured
#: on the data of 2026-11-29: lowest find_service 0.66, then inform 0.83,
#: most intents 1.0 (docs/redaktorsguide.md). Below half, an intent is mostly
#: one sentence with the place swapped, which teaches the model place names
#: instead of the ways residents ask.
MIN_DISTINCT_SHARE = 0.5

#: Cosine similarity (multilingual-e5-small, both sides as E5 queries) at or
#: above which two examples under different intents are "nearly the same".
#: Measured on the data of 2026-11-29 (847 examples; the distribution is in
#: docs/redaktorsguide.md): the most similar pair of genuinely different
#: examples in two intents scores 0.9696 ("pratar jag med en människa?" /
#: "jag vill prata med en människa"), while an example with one word added or
#: dropped scores 0.977-0.980 at the median against its original.
NEAR_DUPLICATE_THRESHOLD = 0.975
#: Below this similarity two examples are never "nearly the same", however
#: alike they are spelt; from it up to the threshold, a spelling similarity
#: (rapidfuzz `ratio` of the folded texts, 0-100) of `NEAR_DUPLICATE_SPELLING`
#: or more is enough. E5 scores typos low (median 0.966), spelling catches
#: them; the most alike-spelt different pair in the data scores 87.
NEAR_DUPLICATE_FLOOR = 0.93
NEAR_DUPLICATE_SPELLING = 90.0

Vectors = NDArray[np.float32]
Encode = Callable[[Sequence[str]], Vectors]


class Severity(str, Enum):
    """An error stops publishing; a warning asks the editor to look."""

    ERROR = "fel"
    WARNING = "varning"


@dataclass(frozen=True)
class Finding:
    """One problem: where it is, what is wrong and what to do (Swedish)."""

    check: str
    severity: Severity
    file: str
    line: int | None
    message: str
    fix: str

    @property
    def where(self) -> str:
        """`fil:rad` as editors' tools (and editors) read it."""
        return f"{self.file}:{self.line}" if self.line else self.file

    def format(self) -> str:
        """Two lines for the report: the problem, then what to do.

        The check's name in brackets is the heading that explains it in
        docs/redaktorsguide.md.
        """
        label = "FEL" if self.severity is Severity.ERROR else "VARNING"
        return (
            f"{self.where}: {label} [{self.check}]: {self.message}\n"
            f"    Gör så här: {self.fix}"
        )


# ------------------------------------------------------------------ project


@dataclass(frozen=True)
class Project:
    """Where the files live; a copy of the tree in a temporary folder works too."""

    root: Path = DEFAULT_ROOT
    registry: Path | None = None

    @property
    def nlu_dir(self) -> Path:
        return self.root / "data" / "nlu"

    @property
    def domain(self) -> Path:
        return self.root / "domain.yml"

    @property
    def service_types(self) -> Path:
        return self.root / "data" / "service_types.yml"

    @property
    def carriers(self) -> Path:
        return self.root / "data" / "carriers.yml"

    @property
    def carrier_import(self) -> Path:
        return self.root / "data" / "importers" / "carriers.yml"

    @property
    def messages(self) -> Path:
        return self.root / "data" / "lang" / "messages.yml"

    @property
    def gazetteer(self) -> Path:
        return self.root / "data" / "gazetteer" / "places.json"

    @property
    def alternatives(self) -> Path:
        return self.root / "data" / "knowledge" / "digitala_alternativ.yml"

    @property
    def municipalities(self) -> Path:
        return self.root / "data" / "knowledge" / "kommuner.yml"

    @property
    def registry_path(self) -> Path:
        return self.registry or self.root / "data" / "service_points"

    @property
    def story_files(self) -> list[Path]:
        folders = (self.root / "data" / "stories", self.root / "data" / "rules")
        return sorted(p for d in folders if d.is_dir() for p in d.rglob("*.yml"))

    @property
    def action_files(self) -> list[Path]:
        folder = self.root / "actions"
        return sorted(folder.rglob("*.py")) if folder.is_dir() else []

    def nlu_files(self) -> list[Path]:
        """Every training file, the generated ones included (Rasa reads them all)."""
        return sorted(self.nlu_dir.rglob("*.yml")) if self.nlu_dir.is_dir() else []

    def rel(self, path: Path) -> str:
        """The path as the editor sees it from the repository root."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


# ------------------------------------------------------------------ YAML with lines


def _compose(path: Path) -> yaml.Node | None:
    """The YAML node tree of a file (it keeps line numbers); None when empty."""
    return yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)


def _mapping(node: yaml.Node | None) -> dict[str, yaml.Node]:
    """A mapping node's children by key (scalar keys only)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _sequence(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _line(node: yaml.Node) -> int:
    """1-based line of a node's first character."""
    return int(node.start_mark.line) + 1


def _construct(node: yaml.Node) -> Any:
    """Plain Python data from a node (safe types only)."""
    return yaml.SafeLoader("").construct_document(node)


def _yaml_error(project: Project, path: Path, exc: yaml.YAMLError) -> Finding:
    mark = getattr(exc, "problem_mark", None)
    line = int(mark.line) + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    return Finding(
        "yaml",
        Severity.ERROR,
        project.rel(path),
        line,
        f"filen kan inte läsas som YAML ({problem})",
        "Kontrollera indraget (två mellanslag per nivå), att varje exempel börjar "
        "med '- ' och att citattecken och hakparenteser är parade.",
    )


# ------------------------------------------------------------------ NLU data


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
    """One training example: intent, plain text, entities and where it stands."""

    intent: str
    text: str
    entities: tuple[Entity, ...]
    file: str
    line: int
    raw: str = ""

    @property
    def source(self) -> str:
        """`fil:rad: exempel`, for messages."""
        return f"{self.file}:{self.line}: {self.raw or self.text}"


@dataclass(frozen=True)
class SynonymWord:
    """One word of a `synonym:` block and the value it maps to."""

    word: str
    target: str
    file: str
    line: int


@dataclass
class NluData:
    """Everything in data/nlu that the checks look at, with positions."""

    examples: list[Example] = field(default_factory=list)
    synonyms: list[SynonymWord] = field(default_factory=list)
    lookups: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)

    def synonym_table(self) -> dict[str, str]:
        """Rasa's synonym table, as EntitySynonymMapper keeps it.

        Keys are lower case, and every target maps to itself ("APOTEK" ->
        "apotek"); of two conflicting entries the last one wins, as in Rasa.
        """
        table: dict[str, str] = {}
        for syn in self.synonyms:
            table[syn.word.lower()] = syn.target
        for syn in self.synonyms:
            table.setdefault(syn.target.lower(), syn.target)
        return table


def parse_example(raw: str) -> tuple[str, tuple[Entity, ...]]:
    """Plain text and entities of one annotated example, as Rasa reads them.

    Raises:
        ValueError: a `{...}` annotation is not valid JSON or lacks "entity".
    """
    entities: list[Entity] = []
    plain = ""
    last = 0
    for match in ENTITY_RE.finditer(raw):
        plain += raw[last : match.start()]
        start = len(plain)
        plain += match["text"]
        last = match.end()
        if match["dict"] is not None:
            data = json.loads("{" + match["dict"] + "}")
            if not isinstance(data, dict) or "entity" not in data:
                raise ValueError("annoteringen saknar 'entity'")
            value = str(data.get("value", match["text"]))
            entity, explicit = str(data["entity"]), "value" in data
        else:
            value = match["value"] or match["text"]
            entity, explicit = match["entity"], bool(match["value"])
        entities.append(Entity(match["text"], entity, value, explicit, start))
    return plain + raw[last:], tuple(entities)


def _block_items(node: yaml.Node) -> Iterator[tuple[int, str]]:
    """(line, text) of each `- item` in an `examples: |` block.

    A literal block's lines are the file's lines from the one after `|`, so
    the position of an item is the block's line plus its index.
    """
    value = node.value if isinstance(node, yaml.ScalarNode) else ""
    first = _line(node) + (1 if getattr(node, "style", None) in ("|", ">") else 0)
    for i, text in enumerate(str(value).splitlines()):
        stripped = text.strip()
        if stripped.startswith("- "):
            yield first + i, stripped[2:].strip()
        elif stripped == "-":
            yield first + i, ""


def _read_nlu_file(project: Project, path: Path, data: NluData) -> None:
    rel = project.rel(path)
    try:
        root = _compose(path)
    except yaml.YAMLError as exc:
        data.problems.append(_yaml_error(project, path, exc))
        return
    for item in _sequence(_mapping(root).get("nlu")):
        fields = _mapping(item)
        examples = fields.get("examples")
        if examples is None:
            continue
        if "intent" in fields:
            intent = str(fields["intent"].value)
            for line, raw in _block_items(examples):
                try:
                    text, entities = parse_example(raw)
                except (ValueError, json.JSONDecodeError) as exc:
                    data.problems.append(
                        Finding(
                            "annotering",
                            Severity.ERROR,
                            rel,
                            line,
                            f"annoteringen i {raw!r} kan inte läsas ({exc})",
                            'Skriv [ord](entitet) eller [ord]{"entity": "service_type", '
                            '"value": "dagligvaror"} med raka citattecken.',
                        )
                    )
                    continue
                data.examples.append(Example(intent, text, entities, rel, line, raw))
        elif "synonym" in fields:
            target = str(fields["synonym"].value)
            for line, word in _block_items(examples):
                data.synonyms.append(SynonymWord(word, target, rel, line))
        elif "lookup" in fields:
            words = [w for _, w in _block_items(examples)]
            data.lookups.setdefault(str(fields["lookup"].value), []).extend(words)


def load_nlu(
    project: Project | None = None, files: Iterable[Path] | None = None
) -> NluData:
    """Read the training files (default: every file under data/nlu)."""
    project = project or Project()
    data = NluData()
    for path in files if files is not None else project.nlu_files():
        _read_nlu_file(project, path, data)
    return data


def resolved_value(entity: Entity, synonyms: Mapping[str, str]) -> str:
    """The value Rasa's EntitySynonymMapper hands on for this annotation."""
    if entity.explicit:
        return entity.value
    return synonyms.get(entity.value.lower(), entity.value)


def example_key(text: str) -> str:
    """Comparison key: case, spacing and punctuation do not make a new example."""
    return normalize(text)


def template_key(example: Example) -> str:
    """The sentence with each annotated word replaced by its entity type.

    "apotek i [Jämjö](location)" and "apotek i [Tving](location)" both give
    "apotek i [location]": the second teaches the model no new way of asking.
    """
    parts: list[str] = []
    last = 0
    for ent in sorted(example.entities, key=lambda e: e.start):
        parts.append(fold(example.text[last : ent.start]))
        parts.append(f"[{ent.entity}]")
        last = ent.start + len(ent.text)
    parts.append(fold(example.text[last:]))
    return " ".join(p for p in parts if p)


def _ex(text: str, limit: int = 70) -> str:
    """An example quoted for a message, shortened if long."""
    text = " ".join(text.split())
    return f'"{text if len(text) <= limit else text[: limit - 1] + "…"}"'


# ------------------------------------------------------------------ domain


@dataclass(frozen=True)
class Response:
    """One variant of a domain response, with its line."""

    name: str
    text: str | None
    has_content: bool
    line: int
    #: the `language` slot value the variant is for ("en"); "sv" without one
    language: str = "sv"


@dataclass
class Domain:
    """The parts of domain.yml the checks need, with lines."""

    intents: dict[str, int] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)
    responses: dict[str, list[Response]] = field(default_factory=dict)
    response_lines: dict[str, int] = field(default_factory=dict)
    form_slots: list[tuple[str, int]] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)


def _names(node: yaml.Node | None) -> dict[str, int]:
    """Names of a domain list (plain or `- name: {...}` items) with their lines."""
    names: dict[str, int] = {}
    for item in _sequence(node):
        if isinstance(item, yaml.ScalarNode):
            names.setdefault(str(item.value), _line(item))
        elif isinstance(item, yaml.MappingNode):
            for key in _mapping(item):
                names.setdefault(key, _line(item))
    return names


def _variant_language(fields: dict[str, yaml.Node]) -> str:
    """The language a response variant is for: its `language` slot condition."""
    for condition in _sequence(fields.get("condition")):
        parts = {k: _construct(v) for k, v in _mapping(condition).items()}
        if parts.get("type") == "slot" and parts.get("name") == "language":
            return str(parts.get("value") or "sv")
    return "sv"


def looks_english(text: str) -> bool:
    """Whether a bot text looks like English (the mirror of `looks_swedish`)."""
    text = re.sub(r"\{[^}]*\}|https?://\S+|\"[^\"]*\"", " ", text)
    words = [w.casefold() for w in _WORD_RE.findall(text)]
    if not words:
        return False
    swedish = sum(w in _SWEDISH_WORDS for w in words)
    english = sum(w in _ENGLISH_WORDS for w in words)
    if len(words) <= 2:
        return not (swedish and not english)
    return english > swedish


def load_domain(project: Project | None = None) -> Domain:
    """Read domain.yml with line numbers (problems are findings, not errors)."""
    project = project or Project()
    domain = Domain()
    rel = project.rel(project.domain)
    try:
        root = _compose(project.domain)
    except FileNotFoundError:
        domain.problems.append(
            Finding(
                "domän",
                Severity.ERROR,
                rel,
                None,
                "domain.yml saknas",
                "Återställ filen från git: git checkout domain.yml",
            )
        )
        return domain
    except yaml.YAMLError as exc:
        domain.problems.append(_yaml_error(project, project.domain, exc))
        return domain
    top = _mapping(root)
    domain.intents = _names(top.get("intents"))
    domain.entities = _names(top.get("entities"))
    domain.actions = _names(top.get("actions"))
    for key_node, value in (
        top["responses"].value
        if isinstance(top.get("responses"), yaml.MappingNode)
        else []
    ):
        name = str(key_node.value)
        domain.response_lines[name] = _line(key_node)
        variants: list[Response] = []
        for item in _sequence(value):
            fields = _mapping(item)
            text_node = fields.get("text")
            text = (
                str(text_node.value)
                if isinstance(text_node, yaml.ScalarNode)
                and text_node.tag.endswith(":str")
                else None
            )
            content = bool(text and text.strip()) or any(
                k in fields for k in ("custom", "image", "attachment")
            )
            line = _line(text_node) if text_node is not None else _line(item)
            variants.append(
                Response(name, text, content, line, _variant_language(fields))
            )
        domain.responses[name] = variants
    for form in _mapping(top.get("forms")).values():
        slots = _mapping(form).get("required_slots")
        for slot in _sequence(slots):
            domain.form_slots.append((str(slot.value), _line(slot)))
        for key in _mapping(slots):  # the older `required_slots: {slot: [...]}`
            domain.form_slots.append((key, _line(slots) if slots else 0))
    return domain


# ------------------------------------------------------------------ NLU checks


def check_duplicates(nlu: NluData) -> list[Finding]:
    """The same example twice: in one intent (noise) or in two (a contradiction).

    "Same" ignores case, punctuation and spacing; between two intents also
    å/ä/ö ("Affär?" = "affar"). Within one intent a spelling without å/ä/ö
    is a deliberate variant: residents type "jamjo".
    """
    findings: list[Finding] = []
    first: dict[str, Example] = {}
    in_intent: dict[tuple[str, str], Example] = {}
    for ex in nlu.examples:
        key = fold(ex.text)
        if not key:
            findings.append(
                Finding(
                    "tomt-exempel",
                    Severity.ERROR,
                    ex.file,
                    ex.line,
                    f"exemplet under {ex.intent} är tomt",
                    "Ta bort raden eller skriv en mening efter '- '.",
                )
            )
            continue
        twin = in_intent.setdefault((ex.intent, example_key(ex.text)), ex)
        seen = first.setdefault(key, ex)
        if twin is not ex:
            seen = twin
        elif seen is ex or seen.intent == ex.intent:
            continue
        if seen.intent == ex.intent:
            findings.append(
                Finding(
                    "dubblett",
                    Severity.ERROR,
                    ex.file,
                    ex.line,
                    f"exemplet {_ex(ex.text)} står två gånger under {ex.intent} "
                    f"(också {seen.file}:{seen.line})",
                    "Ta bort den ena raden. Skillnader i stora bokstäver, mellanslag "
                    "och skiljetecken räknas inte.",
                )
            )
        else:
            findings.append(
                Finding(
                    "samma-i-två-avsikter",
                    Severity.ERROR,
                    ex.file,
                    ex.line,
                    f"exemplet {_ex(ex.text)} står både under {ex.intent} och under "
                    f"{seen.intent} ({seen.file}:{seen.line})",
                    "Ett exempel får bara höra till en avsikt. Bestäm vad invånaren "
                    "menar och ta bort raden från den andra avsikten.",
                )
            )
    return findings


def cross_intent_similarities(
    nlu: NluData, encode: Encode
) -> tuple[Vectors, NDArray[np.bool_]]:
    """Cosine similarities of all examples, and a mask of pairs in different intents.

    Exposed for measuring the threshold (`scripts/validate.py --measure`).
    """
    texts = [ex.text for ex in nlu.examples]
    vectors = np.asarray(encode(texts), dtype=np.float32)
    sims = vectors @ vectors.T
    intents = np.array([ex.intent for ex in nlu.examples])
    return sims, intents[:, None] != intents[None, :]


def check_near_duplicates(
    nlu: NluData,
    encode: Encode,
    *,
    threshold: float = NEAR_DUPLICATE_THRESHOLD,
    floor: float = NEAR_DUPLICATE_FLOOR,
    spelling: float = NEAR_DUPLICATE_SPELLING,
) -> list[Finding]:
    """Nearly the same example under two intents (the model cannot tell them apart).

    Two examples are nearly the same when their sentence embeddings (E5, as
    queries) reach `threshold`, or reach `floor` and are spelt almost alike
    (typos, one word added or dropped). Exact duplicates are left to
    `check_duplicates`. Each pair is reported once, at the later example.
    """
    from rapidfuzz import fuzz

    if len(nlu.examples) < 2:
        return []
    sims, cross = cross_intent_similarities(nlu, encode)
    folded = [fold(ex.text) for ex in nlu.examples]
    findings: list[Finding] = []
    rows, cols = np.nonzero(np.triu(np.where(cross, sims, -1.0), k=1) >= floor)
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if folded[i] == folded[j]:
            continue  # an exact duplicate: check_duplicates says so
        score = float(sims[i, j])
        if score < threshold and fuzz.ratio(folded[i], folded[j]) < spelling:
            continue
        a, b = nlu.examples[i], nlu.examples[j]
        findings.append(
            Finding(
                "nästan-samma",
                Severity.ERROR,
                b.file,
                b.line,
                f"exemplet {_ex(b.text)} under {b.intent} är nästan samma som "
                f"{_ex(a.text)} under {a.intent} ({a.file}:{a.line}); likhet "
                + f"{score:.3f}".replace(".", ","),
                "Ett exempel ska bara passa en avsikt. Ta bort det ena, eller skriv "
                "om det så att det tydligt hör till sin avsikt (till exempel 'när "
                "öppnar' för öppettider, 'var finns' för att hitta).",
            )
        )
    return findings


def check_intent_examples(
    nlu: NluData,
    domain: Domain,
    *,
    project: Project | None = None,
    minimum: Mapping[str, int] = MIN_EXAMPLES,
    min_distinct_share: float = MIN_DISTINCT_SHARE,
) -> list[Finding]:
    """Intents with too few examples, or with one sentence repeated with new words.

    Also intents used in data/nlu but missing from domain.yml.
    """
    project = project or Project()
    rel_domain = project.rel(project.domain)
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for ex in nlu.examples:
        by_intent[ex.intent].append(ex)
    findings: list[Finding] = []
    for intent, examples in by_intent.items():
        if domain.intents and intent not in domain.intents:
            findings.append(
                Finding(
                    "okänd-avsikt",
                    Severity.ERROR,
                    examples[0].file,
                    examples[0].line,
                    f"avsikten {intent} finns inte i domain.yml",
                    f"Kontrollera stavningen (avsikterna står under 'intents:' i "
                    f"{rel_domain}). En ny avsikt behöver också regler och svar: "
                    "be en utvecklare om hjälp.",
                )
            )
    english_dir = project.rel(project.nlu_dir / "en") + "/"
    english: dict[str, list[Example]] = defaultdict(list)
    for intent in list(by_intent):
        swedish: list[Example] = []
        for ex in by_intent[intent]:
            (english[intent] if ex.file.startswith(english_dir) else swedish).append(ex)
        by_intent[intent] = swedish
    for intent, line in domain.intents.items():
        wanted = (
            MIN_EXAMPLES_SMALL
            if intent in SMALL_INTENTS
            else minimum.get(intent, MIN_EXAMPLES_DEFAULT)
        )
        # English (data/nlu/en/) is counted apart, once the project has any
        in_english = english.get(intent, [])
        if english and len(in_english) < min(wanted, MIN_EXAMPLES_SMALL):
            where_en = (
                (in_english[0].file, in_english[0].line)
                if in_english
                else (rel_domain, line)
            )
            findings.append(
                Finding(
                    "för-få-exempel",
                    Severity.ERROR,
                    where_en[0],
                    where_en[1],
                    f"avsikten {intent} har {len(in_english)} engelska exempel; "
                    f"minst {min(wanted, MIN_EXAMPLES_SMALL)} behövs",
                    "Lägg till fler engelska exempel i data/nlu/en/ (se "
                    "docs/redaktorsguide.md, Engelska).",
                )
            )
        examples = by_intent.get(intent, [])
        where = (examples[0].file, examples[0].line) if examples else (rel_domain, line)
        if len(examples) < wanted:
            findings.append(
                Finding(
                    "för-få-exempel",
                    Severity.ERROR,
                    where[0],
                    where[1],
                    f"avsikten {intent} har {len(examples)} exempel; minst {wanted} "
                    "behövs",
                    "Lägg till fler olika sätt att säga samma sak, gärna sådant "
                    "invånare faktiskt skrivit (se granskningskorgen, make inbox).",
                )
            )
            continue
        templates = Counter(template_key(ex) for ex in examples)
        bare = {k for k in templates if _only_placeholders(k)}
        rest = [ex for ex in examples if template_key(ex) not in bare]
        if len(rest) < 10:
            continue  # mostly bare answers ("Jämjö"): nothing to compare
        counted = Counter(template_key(ex) for ex in rest)
        share = len(counted) / len(rest)
        if share < min_distinct_share:
            common, times = counted.most_common(1)[0]
            findings.append(
                Finding(
                    "för-lika-exempel",
                    Severity.ERROR,
                    where[0],
                    where[1],
                    f"avsikten {intent} har för lika exempel: bara {len(counted)} av "
                    f"{len(rest)} är olika meningar när orden i hakparenteser "
                    f'räknas som samma (vanligast: "{common}", {times} gånger)',
                    "Byt ut en del av exemplen mot nya sätt att fråga, i stället för "
                    "samma mening med en ny ort eller tjänst. Boten lär sig "
                    "frågesätt, orterna känner den redan till.",
                )
            )
    return findings


def _only_placeholders(key: str) -> bool:
    """A bare answer such as "[location]" or "[service_type] [location]"."""
    return bool(key) and all(w.startswith("[") and w.endswith("]") for w in key.split())


def check_entities(
    nlu: NluData,
    domain: Domain,
    service_type_ids: Iterable[str],
    synonyms: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Annotations the bot cannot use: unknown entity, unknown service type, stray value.

    A `service_type` annotation must end up as one of the ids in
    data/service_types.yml, either because the word is a synonym there or
    because the annotation names the id itself.

    Args:
        nlu: the examples to check.
        domain: the domain (its entity names).
        service_type_ids: the canonical ids.
        synonyms: the synonym table (default: the one in `nlu`; pass the
            training data's when checking held-out examples).
    """
    ids = sorted(service_type_ids)
    synonyms = nlu.synonym_table() if synonyms is None else synonyms
    findings: list[Finding] = []

    def add(ex: Example, check: str, message: str, fix: str) -> None:
        findings.append(Finding(check, Severity.ERROR, ex.file, ex.line, message, fix))

    for ex in nlu.examples:
        for ent in ex.entities:
            shown = f'"[{ent.text}]({ent.entity})"'
            end = ent.start + len(ent.text)
            before = ex.text[ent.start - 1 : ent.start] or " "
            after = ex.text[end : end + 1] or " "
            if ent.text != ent.text.strip() or before.isalnum() or after.isalnum():
                add(
                    ex,
                    "hela-ord",
                    f"hakparentesen i {_ex(ex.raw)} delar ett ord eller har mellanslag "
                    f"vid kanten ({shown})",
                    "Sätt hakparenteserna runt hela ord, utan mellanslag innanför: "
                    "[apoteket](service_type), inte [apotek]et.",
                )
            if ent.entity in ("latitude", "longitude"):
                add(
                    ex,
                    "koordinater-i-text",
                    f"koordinater annoteras inte i exempel ({shown})",
                    "Ta bort annoteringen: positionen kommer från knappen "
                    "'dela min position', aldrig ur text.",
                )
                continue
            if domain.entities and ent.entity not in domain.entities:
                add(
                    ex,
                    "okänd-entitet",
                    f"entiteten '{ent.entity}' i {shown} finns inte i domain.yml",
                    "Använd någon av: "
                    + ", ".join(
                        e for e in domain.entities if e not in ("latitude", "longitude")
                    )
                    + ".",
                )
                continue
            if ent.entity in ("location", "point_name") and ent.explicit:
                add(
                    ex,
                    "värde-på-ort",
                    f'orter och ställen skrivs som de står, utan värde: "{ent.text}" '
                    f'har värdet "{ent.value}"',
                    f"Skriv [{ent.text}]({ent.entity}) utan värde; boten slår själv "
                    "upp orten.",
                )
            if ent.entity != "service_type":
                continue
            value = resolved_value(ent, synonyms)
            if value not in ids:
                add(
                    ex,
                    "okänd-tjänstetyp",
                    f'"{ent.text}" i {_ex(ex.raw)} blir värdet "{value}", som inte är '
                    "någon tjänstetyp eller synonym till någon",
                    "Lägg till ordet som synonym i data/service_types.yml och kör "
                    ".venv-actions/bin/python scripts/build_nlu_data.py, eller skriv "
                    f'[{ent.text}]{{"entity": "service_type", "value": "…"}} med ett '
                    f"av: {', '.join(ids)}.",
                )
                continue
            known = synonyms.get(ent.text.lower())
            if ent.explicit and known and known != ent.value:
                add(
                    ex,
                    "motsägande-värde",
                    f'"{ent.text}" har värdet "{ent.value}" här, men är synonym '
                    f'till "{known}" i data/service_types.yml',
                    f"Ta bort värdet och skriv [{ent.text}](service_type), eller flytta "
                    "ordet till rätt tjänstetyp i data/service_types.yml.",
                )
    return findings


def check_places(nlu: NluData, resolve: Callable[[str], bool]) -> list[Finding]:
    """Place names in examples that the gazetteer does not know.

    The model learns place names from the examples; a place the bot cannot
    resolve teaches it to recognise a place it will then say it does not know.

    Args:
        nlu: the training data.
        resolve: True when the gazetteer finds exactly one place for a text
            (`lambda t: gazetteer.resolve(t).found`).
    """
    findings: list[Finding] = []
    for ex in nlu.examples:
        for ent in ex.entities:
            if ent.entity == "location" and not resolve(ent.text):
                findings.append(
                    Finding(
                        "okänd-ort",
                        Severity.ERROR,
                        ex.file,
                        ex.line,
                        f'orten "{ent.text}" finns inte i ortregistret '
                        "(data/gazetteer/places.json)",
                        "Kontrollera stavningen med .venv-actions/bin/python -m bot "
                        f'resolve "{ent.text}". Finns orten inte i Blekinge eller '
                        "grannkommunerna: byt till en ort som finns, eller ta bort "
                        "hakparenteserna.",
                    )
                )
    return findings


def check_synonyms(nlu: NluData, service_type_ids: Iterable[str]) -> list[Finding]:
    """A word that is synonym to two values, or a synonym typed in the wrong file."""
    ids = set(service_type_ids)
    findings: list[Finding] = []
    first: dict[str, SynonymWord] = {}
    for syn in nlu.synonyms:
        seen = first.setdefault(syn.word.lower(), syn)
        if seen.target != syn.target:
            findings.append(
                Finding(
                    "synonym-två-gånger",
                    Severity.ERROR,
                    syn.file,
                    syn.line,
                    f'"{syn.word}" är synonym både till "{seen.target}" '
                    f'({seen.file}:{seen.line}) och till "{syn.target}"',
                    "Ett ord kan bara betyda en sak. Ta bort det från den ena "
                    "tjänstetypen i data/service_types.yml och kör "
                    ".venv-actions/bin/python scripts/build_nlu_data.py.",
                )
            )
        if syn.target in ids and "/generated/" not in f"/{syn.file}":
            findings.append(
                Finding(
                    "synonym-fel-fil",
                    Severity.WARNING,
                    syn.file,
                    syn.line,
                    f'synonymen "{syn.word}" till {syn.target} står i träningsdatan',
                    "Skriv synonymer till tjänstetyper i data/service_types.yml "
                    "(under synonyms) och kör .venv-actions/bin/python "
                    "scripts/build_nlu_data.py; då får också åtgärderna och "
                    "importen ordet.",
                )
            )
    return findings


def check_generated(project: Project, rendered: Mapping[Path, str]) -> list[Finding]:
    """Generated NLU files that no longer match their sources.

    Args:
        project: where the files are.
        rendered: path -> the text scripts/build_nlu_data.py would write now.
    """
    findings: list[Finding] = []
    for path, fresh in rendered.items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == fresh:
            continue
        line = next(
            (
                i
                for i, (a, b) in enumerate(
                    zip(current.splitlines(), fresh.splitlines(), strict=False), start=1
                )
                if a != b
            ),
            min(len(current.splitlines()), len(fresh.splitlines())) + 1,
        )
        findings.append(
            Finding(
                "inaktuell-genererad-fil",
                Severity.ERROR,
                project.rel(path),
                line,
                "filen är inaktuell: data/service_types.yml, ortregistret eller "
                "servicepunkterna (data/service_points/) har ändrats sedan den "
                "skapades (eller någon har ändrat i den för hand)",
                "Kör .venv-actions/bin/python scripts/build_nlu_data.py och ta med "
                "den nya filen i samma ändring. Ändra aldrig i data/nlu/generated/ "
                "för hand.",
            )
        )
    return findings


# ------------------------------------------------------------------ responses

_RESPONSE_IN_CODE = re.compile(r"""response\s*=\s*["'](utter_\w+)["']""")


#: Common Swedish and English words (data/lang/); a response is "Swedish-looking"
#: when it has more of the first than of the second (å/ä/ö count for Swedish).
_SWEDISH_WORDS = frozenset(swedish().common_words)
_ENGLISH_WORDS = frozenset(english().common_words)
_WORD_RE = re.compile(r"[^\W\d_]+")


def looks_swedish(text: str) -> bool:
    """Whether a bot text looks like Swedish (a cheap guard against English).

    `{placeholders}`, web addresses and quoted examples are ignored. Texts of
    one or two words pass unless they hold English but no Swedish word.
    """
    text = re.sub(r"\{[^}]*\}|https?://\S+", " ", text)
    words = [w.casefold() for w in _WORD_RE.findall(text)]
    if not words:
        return False
    swedish = sum(w in _SWEDISH_WORDS for w in words)
    english = sum(w in _ENGLISH_WORDS for w in words)
    if any(c in text.casefold() for c in "åäö"):
        swedish += 2
    if len(words) <= 2:
        return not (english and not swedish)
    return swedish > english


def _walk_actions(node: yaml.Node | None, found: list[tuple[str, int]]) -> None:
    """Every `action: name` in a stories/rules tree, with its line."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "action" and isinstance(value, yaml.ScalarNode):
                found.append((str(value.value), _line(value)))
            else:
                _walk_actions(value, found)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _walk_actions(item, found)


def used_responses(project: Project, domain: Domain) -> dict[str, tuple[str, int]]:
    """Responses the bot may send -> where first used (stories, rules, actions code)."""
    used: dict[str, tuple[str, int]] = {}
    rel_domain = project.rel(project.domain)
    for name, line in domain.actions.items():
        if name.startswith("utter_"):
            used.setdefault(name, (rel_domain, line))
    for path in project.story_files:
        found: list[tuple[str, int]] = []
        try:
            _walk_actions(_compose(path), found)
        except yaml.YAMLError:
            continue  # rasa data validate reports the file
        for name, line in found:
            if name.startswith("utter_"):
                used.setdefault(name, (project.rel(path), line))
    for path in project.action_files:
        for i, line_text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in _RESPONSE_IN_CODE.finditer(line_text):
                used.setdefault(match[1], (project.rel(path), i))
    return used


def check_responses(project: Project, domain: Domain) -> list[Finding]:
    """Responses that are missing, empty, or do not look Swedish."""
    rel = project.rel(project.domain)
    findings: list[Finding] = []
    for name, (file, line) in sorted(used_responses(project, domain).items()):
        if name not in domain.responses:
            findings.append(
                Finding(
                    "svar-saknas",
                    Severity.ERROR,
                    file,
                    line,
                    f"svaret {name} används men finns inte i domain.yml",
                    f"Lägg till {name} under 'responses:' i {rel} med en text "
                    "på svenska, eller rätta stavningen här.",
                )
            )
    for slot, line in domain.form_slots:
        ask = f"utter_ask_{slot}"
        if ask not in domain.responses and f"action_ask_{slot}" not in domain.actions:
            findings.append(
                Finding(
                    "svar-saknas",
                    Severity.ERROR,
                    rel,
                    line,
                    f"formuläret frågar efter {slot} men svaret {ask} saknas",
                    f"Lägg till {ask} under 'responses:' med frågan boten ska ställa.",
                )
            )
    for name, variants in domain.responses.items():
        languages = {v.language for v in variants}
        if variants and "en" not in languages:
            findings.append(
                Finding(
                    "saknar-engelska",
                    Severity.WARNING,
                    rel,
                    domain.response_lines[name],
                    f"svaret {name} har ingen engelsk variant",
                    "Lägg till en variant för engelska under den svenska: "
                    "- condition: [{type: slot, name: language, value: en}] "
                    'och text: "…" (se docs/redaktorsguide.md, Engelska).',
                )
            )
        if not variants:
            findings.append(
                Finding(
                    "tomt-svar",
                    Severity.ERROR,
                    rel,
                    domain.response_lines[name],
                    f"svaret {name} har ingen text",
                    """Skriv svaret som: - text: "…" på raden under namnet.""",
                )
            )
        for variant in variants:
            if not variant.has_content:
                findings.append(
                    Finding(
                        "tomt-svar",
                        Severity.ERROR,
                        rel,
                        variant.line,
                        f"svaret {name} är tomt",
                        "Skriv vad boten ska säga efter text:, inom citattecken.",
                    )
                )
            elif variant.language == "en":
                if variant.text and not looks_english(variant.text):
                    findings.append(
                        Finding(
                            "inte-engelska",
                            Severity.ERROR,
                            rel,
                            variant.line,
                            f"den engelska varianten av {name} ser inte ut att "
                            f"vara på engelska: {_ex(variant.text)}",
                            "Skriv den engelska varianten (condition: language en) "
                            "på enkel engelska; ortnamn och butiksnamn som de är.",
                        )
                    )
            elif variant.text and not looks_swedish(variant.text):
                findings.append(
                    Finding(
                        "inte-svenska",
                        Severity.ERROR,
                        rel,
                        variant.line,
                        f"svaret {name} ser inte ut att vara på svenska: "
                        f"{_ex(variant.text)}",
                        "Skriv svaret på enkel svenska (klarspråk). Invånarna "
                        "läser bara svenska svar.",
                    )
                )
    return findings


def check_english_data(project: Project) -> list[Finding]:
    """English training data (data/nlu/en/): every intent block says
    `metadata: {language: en}` (the language detector learns English from
    it), and no example there reads as Swedish."""
    findings: list[Finding] = []
    folder = project.nlu_dir / "en"
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        rel = project.rel(path)
        try:
            root = _compose(path)
        except yaml.YAMLError:
            continue  # reported by load_nlu
        for block in _sequence(_mapping(root).get("nlu")):
            fields = _mapping(block)
            if "intent" not in fields:
                continue
            metadata = _construct(fields["metadata"]) if "metadata" in fields else None
            if not isinstance(metadata, dict) or metadata.get("language") != "en":
                findings.append(
                    Finding(
                        "engelska-utan-språk",
                        Severity.ERROR,
                        rel,
                        _line(block),
                        f"intent {fields['intent'].value} i en engelsk fil saknar "
                        "metadata: language: en",
                        "Skriv under - intent: raden: metadata: och på nästa rad, "
                        "indraget, language: en (se de andra blocken i filen).",
                    )
                )
            for line, raw in _block_items(fields["examples"]) if "examples" in fields else []:
                try:
                    text, entities = parse_example(raw)
                except ValueError:
                    continue
                for ent in entities:  # place and shop names stay Swedish
                    if ent.entity in ("location", "point_name"):
                        text = text.replace(ent.text, " ")
                if len(text.split()) >= 3 and looks_swedish(text) and not looks_english(text):
                    findings.append(
                        Finding(
                            "svenska-i-engelska",
                            Severity.WARNING,
                            rel,
                            line,
                            f"exemplet {_ex(text)} ser ut att vara på svenska",
                            "Flytta det till en svensk fil i data/nlu/ eller skriv "
                            "det på engelska.",
                        )
                    )
    return findings


# ------------------------------------------------------------------ carriers

_CARRIERS_FILE = "data/carriers.yml"


def _carrier_ids(project: Project) -> list[str] | None:
    """The carrier ids of the project's data/carriers.yml (None: unreadable).

    Read as `bot.carriers` reads them (id stripped, lower case), but every
    time: the checks run on copies that tests change between runs.
    """
    try:
        data = yaml.safe_load(project.carriers.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    items = data.get("carriers") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    return [
        str(item["id"]).strip().lower()
        for item in items
        if isinstance(item, dict) and item.get("id")
    ]


def _scalar(node: yaml.Node | None) -> str | None:
    """A scalar node's text, stripped (None for anything else or empty)."""
    if isinstance(node, yaml.ScalarNode) and str(node.value).strip():
        return str(node.value).strip()
    return None


def _carrier_finding(
    project: Project, path: Path, line: int | None, message: str, fix: str
) -> Finding:
    return Finding(
        "transportföretag", Severity.ERROR, project.rel(path), line, message, fix
    )


def _read_carrier_registry(
    project: Project,
) -> tuple[dict[str, tuple[str, int]], list[Finding]]:
    """data/carriers.yml: id -> (name, line), and what is wrong in the file."""
    from bot.carriers import alias_key

    path = project.carriers
    try:
        root = _compose(path)
    except FileNotFoundError:
        return {}, [
            _carrier_finding(
                project,
                path,
                None,
                "filen med transportföretagen saknas",
                "Återställ den med git checkout data/carriers.yml.",
            )
        ]
    except yaml.YAMLError as exc:
        return {}, [_yaml_error(project, path, exc)]
    items = _mapping(root).get("carriers")
    if not isinstance(items, yaml.SequenceNode):
        return {}, [
            _carrier_finding(
                project,
                path,
                None,
                "filen saknar listan carriers:",
                "Skriv transportföretagen som en lista under carriers:, så som "
                "kommentaren överst i filen visar.",
            )
        ]
    findings: list[Finding] = []
    known: dict[str, tuple[str, int]] = {}
    spellings: dict[str, tuple[str, int]] = {}
    for item in items.value:
        fields = _mapping(item)
        raw_id, name = _scalar(fields.get("id")), _scalar(fields.get("name"))
        if raw_id is None or name is None:
            findings.append(
                _carrier_finding(
                    project,
                    path,
                    _line(item),
                    "transportföretaget saknar " + ("id" if raw_id is None else "name"),
                    "Varje transportföretag behöver id: (små bokstäver, ändras "
                    "aldrig) och name: (så som invånare läser det).",
                )
            )
        if raw_id is None:
            continue
        cid = raw_id.lower()
        if cid in known:
            findings.append(
                _carrier_finding(
                    project,
                    path,
                    _line(item),
                    f'transportföretaget "{cid}" står två gånger (också på rad '
                    f"{known[cid][1]})",
                    "Ta bort den ena posten.",
                )
            )
            continue
        known[cid] = (name or "", _line(item))
        aliases = fields.get("aliases")
        if aliases is None:
            continue
        words = _sequence(aliases)
        if not isinstance(aliases, yaml.SequenceNode) or any(
            _scalar(w) is None for w in words
        ):
            findings.append(
                _carrier_finding(
                    project,
                    path,
                    _line(aliases),
                    f"aliases för {cid} ska vara en lista av ord",
                    "Skriv till exempel aliases: [posten, post nord].",
                )
            )
            continue
        for word in words:
            key = alias_key(str(word.value))
            other, other_line = spellings.setdefault(key, (cid, _line(word)))
            if other != cid:
                findings.append(
                    _carrier_finding(
                        project,
                        path,
                        _line(word),
                        f'"{word.value}" under {cid} står redan för {other} '
                        f"(rad {other_line})",
                        "Ett sätt att skriva får bara leda till ett "
                        "transportföretag. Ta bort det från det ena.",
                    )
                )
    for key, (cid, line) in spellings.items():
        if key in known and key != cid:
            findings.append(
                _carrier_finding(
                    project,
                    path,
                    line,
                    f'aliaset "{key}" under {cid} är id för ett annat transportföretag',
                    "Ta bort aliaset: ett transportföretags id leder alltid till "
                    "det företaget.",
                )
            )
    return known, findings


def check_carriers(project: Project) -> list[Finding]:
    """The carriers agree across files; data/carriers.yml decides.

    Every carrier id in the importer's `operators` (data/importers/carriers.yml)
    and under `carriers:` in data/service_types.yml must be in
    data/carriers.yml, with the same name in service_types.yml; a carrier of
    data/carriers.yml without words in service_types.yml is a warning (the
    bot cannot tell when a resident names it). Ids in the registry's
    `carriers` are checked by `check_registry`.
    """
    known, findings = _read_carrier_registry(project)
    if not known:
        return findings
    listed = ", ".join(known)
    unknown_fix = (
        f"Skriv ett av id:na i {_CARRIERS_FILE} ({listed}), eller lägg till "
        f"transportföretaget i {_CARRIERS_FILE} först."
    )

    path = project.carrier_import
    try:
        root = _compose(path)
    except FileNotFoundError:
        root = None
    except yaml.YAMLError as exc:
        findings.append(_yaml_error(project, path, exc))
        root = None
    operators = _mapping(root).get("operators")
    if isinstance(operators, yaml.MappingNode):
        for key, value in operators.value:
            cid = _scalar(value)
            if cid not in known:
                findings.append(
                    _carrier_finding(
                        project,
                        path,
                        _line(value),
                        f'listans "{key.value}" leder till "{value.value}", som inte '
                        f"finns i {_CARRIERS_FILE}",
                        unknown_fix,
                    )
                )

    path = project.service_types
    try:
        root = _compose(path)
    except (FileNotFoundError, yaml.YAMLError):
        return findings  # reported by load_service_type_ids
    section = _mapping(root).get("carriers")
    section_line = next(
        (
            _line(k)
            for k, _ in (root.value if isinstance(root, yaml.MappingNode) else [])
            if isinstance(k, yaml.ScalarNode) and k.value == "carriers"
        ),
        None,
    )
    with_words: set[str] = set()
    for item in _sequence(section):
        fields = _mapping(item)
        cid = (_scalar(fields.get("id")) or "").lower()
        if cid not in known:
            findings.append(
                _carrier_finding(
                    project,
                    path,
                    _line(item),
                    f'transportföretaget "{cid}" finns inte i {_CARRIERS_FILE}'
                    if cid
                    else "en post under carriers: saknar id",
                    unknown_fix,
                )
            )
            continue
        name_node = fields.get("name")
        name, registry_line = known[cid]
        if name and _scalar(name_node) != name:
            written = f'"{name_node.value}"' if name_node is not None else "saknas"
            findings.append(
                _carrier_finding(
                    project,
                    path,
                    _line(name_node) if name_node is not None else _line(item),
                    f"namnet för {cid} ({written}) är inte samma som i "
                    f'{_CARRIERS_FILE} ("{name}", rad {registry_line})',
                    f"Skriv name: {name}. Namnen bestäms i {_CARRIERS_FILE}; "
                    "byter företaget namn, ändra där först och sedan här.",
                )
            )
        if any(_scalar(w) for w in _sequence(fields.get("words"))):
            with_words.add(cid)
    for cid, (written, _) in known.items():
        name = written or cid
        if cid not in with_words:
            findings.append(
                Finding(
                    "transportföretag-utan-ord",
                    Severity.WARNING,
                    project.rel(path),
                    section_line,
                    f"{name} ({cid}) har inga ord under carriers: i "
                    f"{project.rel(path)}, så boten märker inte när en invånare "
                    "skriver företagets namn",
                    f"Lägg till en post med id: {cid}, name: {name} och words: med "
                    "de ord invånare skriver (små bokstäver).",
                )
            )
    return findings


# ------------------------------------------------------------------ messages

_MESSAGE_CHECKS: Mapping[str, tuple[str, str]] = {
    RULE_ENTRY: (
        "meddelande",
        "Varje id ska ha sv: och en: med en text var, så som kommentaren överst "
        "i filen visar.",
    ),
    RULE_NAMES: (
        "meddelande-namn",
        "Skriv samma {namn} i båda språken, stavade lika (de fylls i av "
        "koden). Vill du skriva en klammerparentes som tecken, skriv {{ eller }}.",
    ),
    RULE_ENGLISH: (
        "meddelande-saknar-engelska",
        "Skriv texten på enkel engelska under en: i samma id, med samma {namn} "
        "som på svenska.",
    ),
    RULE_SPACES: (
        "meddelande-mellanslag",
        "Ta bort mellanslaget, tabben eller radbrytningen i början eller slutet. "
        "En text som läggs efter en annan mening börjar med ett vanligt "
        "mellanslag, på båda språken.",
    ),
}


def check_messages(project: Project) -> list[Finding]:
    """The bot's sentences in data/lang/messages.yml: the file's rules, with lines.

    The rules are `bot.messages.entry_problems`, the ones the bot applies
    when it reads the file: what it refuses is an error, the rest (English
    missing, white space at the edges) a warning. Also an id written twice
    (YAML keeps only the last one). Invisible characters: `check_invisible`.
    """
    path = project.messages
    rel = project.rel(path)
    try:
        root = _compose(path)
    except FileNotFoundError:
        return [
            Finding(
                "meddelande",
                Severity.ERROR,
                rel,
                None,
                "filen med botens meningar saknas",
                "Återställ den med git checkout data/lang/messages.yml.",
            )
        ]
    except yaml.YAMLError as exc:
        return [_yaml_error(project, path, exc)]
    if not isinstance(root, yaml.MappingNode):
        return [
            Finding(
                "meddelande",
                Severity.ERROR,
                rel,
                _line(root) if root is not None else None,
                "filen ska vara en lista av id: med sv: och en: under varje",
                _MESSAGE_CHECKS[RULE_ENTRY][1],
            )
        ]
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for key_node, value in root.value:
        key = str(key_node.value)
        first = seen.setdefault(key, _line(key_node))
        if first != _line(key_node):
            findings.append(
                Finding(
                    "meddelande",
                    Severity.ERROR,
                    rel,
                    _line(key_node),
                    f"id:t {key} står två gånger (också på rad {first}); boten "
                    "använder bara den senare",
                    "Ta bort den ena, eller ge den ett eget id (och be en "
                    "utvecklare använda det).",
                )
            )
        langs = _mapping(value)
        for problem in entry_problems(key, _construct(value)):
            node = langs.get(problem.lang) if problem.lang else None
            check, fix = _MESSAGE_CHECKS[problem.rule]
            findings.append(
                Finding(
                    check,
                    Severity.ERROR if problem.refused else Severity.WARNING,
                    rel,
                    _line(node) if node is not None else _line(key_node),
                    problem.reason,
                    fix,
                )
            )
    return findings


# ------------------------------------------------------------------ knowledge

_KNOWLEDGE_SOURCE_FIX = (
    "Skriv varifrån uppgiften kommer under source: (en webbadress eller ett "
    "dokument) och datumet du kontrollerade den under checked:. Boten får "
    "inte svara med uppgifter som saknar källa."
)
_ENTRY_RE = re.compile(r"^(?:post|kommun) (\d+)")


def _missing_source(node: yaml.Node | None) -> bool:
    """True when a `source:` value is absent, empty, or a list of empty items."""
    if node is None:
        return True
    value = _construct(node)
    items = value if isinstance(value, list) else [value]
    return not items or not all(isinstance(v, str) and v.strip() for v in items)


def _source_findings(
    project: Project,
    path: Path,
    items: list[yaml.Node],
    parts: Callable[[dict[str, yaml.Node]], list[tuple[str, dict[str, yaml.Node]]]],
) -> tuple[list[Finding], set[int]]:
    findings: list[Finding] = []
    flagged: set[int] = set()
    for index, item in enumerate(items, start=1):
        fields = _mapping(item)
        name_node = fields.get("id") or fields.get("name")
        name = str(name_node.value) if isinstance(name_node, yaml.ScalarNode) else ""
        for label, part in parts(fields):
            source = part.get("source")
            if _missing_source(source):
                line = _line(source) if source is not None else _line(item)
                findings.append(
                    Finding(
                        "källa-saknas",
                        Severity.ERROR,
                        project.rel(path),
                        line,
                        f'"{name or index}" saknar källa{label} (fältet source)',
                        _KNOWLEDGE_SOURCE_FIX,
                    )
                )
                flagged.add(index)
    return findings, flagged


def _alternative_parts(
    fields: dict[str, yaml.Node],
) -> list[tuple[str, dict[str, yaml.Node]]]:
    return [("", fields)]


def _municipality_parts(
    fields: dict[str, yaml.Node],
) -> list[tuple[str, dict[str, yaml.Node]]]:
    parts = [
        (" för webbplatsen", _mapping(fields.get("website"))),
        (" för kontaktuppgifterna", _mapping(fields.get("contact"))),
    ]
    home = fields.get("hemsandning")
    if isinstance(home, yaml.MappingNode):
        parts.append((" för hemsändningen", _mapping(home)))
    return parts


def check_invisible(project: Project) -> list[Finding]:
    """Invisible format characters (Unicode Cf) in everything residents read or the bot learns.

    Training data, responses (domain.yml and data/lang/messages.yml), the
    carriers' names and the knowledge files.

    A right-to-left override (U+202E) or a zero-width space cannot be seen in
    an editor but turns text around or splits a word: the bot would learn or
    say something else than the reviewer read. Each one is an error, reported
    with file, line and column.
    """
    files = [
        *project.nlu_files(),
        *project.story_files,
        project.domain,
        project.messages,
        project.carriers,
        *sorted((project.root / "data" / "knowledge").glob("*.yml")),
    ]
    findings: list[Finding] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # reported by the checks that read the file
        for number, line in enumerate(text.splitlines(), start=1):
            for column, ch in invisible_characters(line):
                findings.append(
                    Finding(
                        "osynligt-tecken",
                        Severity.ERROR,
                        project.rel(path),
                        number,
                        f"osynligt styrtecken {describe_character(ch)} i kolumn "
                        f"{column + 1}. Det syns inte men kan vända texten eller "
                        "dölja ord, så boten lär sig eller säger något annat än det "
                        "du läser.",
                        "ta bort tecknet: radera och skriv om ordet runt det "
                        "(oftast följer det med när text klistras in från en "
                        "webbsida eller ett chattmeddelande).",
                    )
                )
    return findings


def check_knowledge(project: Project) -> list[Finding]:
    """Knowledge entries without a source, and anything else `Knowledge.load` refuses.

    Every missing source is reported (with its line); the loader's own
    validation stops at the first other problem, which is reported at the
    line of the entry it names.
    """
    from bot.knowledge import Knowledge

    findings: list[Finding] = []
    items_by_file: dict[Path, list[yaml.Node]] = {}
    flagged: dict[Path, set[int]] = {}
    for path, key, parts in (
        (project.alternatives, "entries", _alternative_parts),
        (project.municipalities, "kommuner", _municipality_parts),
    ):
        try:
            root = _compose(path)
        except FileNotFoundError:
            continue  # Knowledge.load below says so
        except yaml.YAMLError as exc:
            findings.append(_yaml_error(project, path, exc))
            return findings
        items = _sequence(_mapping(root).get(key))
        items_by_file[path] = items
        found, flagged[path] = _source_findings(project, path, items, parts)
        findings += found
    try:
        Knowledge.load(
            project.alternatives,
            project.municipalities,
            service_types_path=project.service_types,
        )
    except KnowledgeError as exc:
        path = Path(exc.path)
        match = _ENTRY_RE.match(exc.entry or "")
        index = int(match[1]) if match else 0
        if index and index in flagged.get(path, set()) and "källa" in exc.reason:
            return findings  # already reported, with its line
        items = items_by_file.get(path, [])
        line = _line(items[index - 1]) if 0 < index <= len(items) else None
        entry = f" ({exc.entry})" if exc.entry else ""
        findings.append(
            Finding(
                "kunskap",
                Severity.ERROR,
                project.rel(path),
                line,
                f"{exc.reason}{entry}",
                "Rätta posten så som kommentaren överst i filen beskriver. "
                "Kontrollen visar ett fel i taget här: kör make validate igen "
                "när det är rättat.",
            )
        )
    return findings


# ------------------------------------------------------------------ registry

_REGISTRY_FIX = (
    "Posten visas inte för invånare. Rätta den i källan och importera igen "
    "(python -m bot.importers …), eller rätta raden i filen. Hitta aldrig på "
    "uppgifter: saknas en uppgift i källan, låt posten vara borta."
)


def _features_with_lines(text: str) -> list[tuple[Any, int]] | None:
    """The features of a FeatureCollection and the line each starts on.

    None when the text is not laid out as {"type": ..., "features": [...]}
    in a way this simple scan understands (the caller then uses no lines).
    """
    decoder = json.JSONDecoder()
    start = re.search(r'"features"\s*:\s*\[', text)
    if start is None:
        return None
    pos = start.end()
    features: list[tuple[Any, int]] = []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return features
        try:
            obj, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return None
        features.append((obj, text.count("\n", 0, pos) + 1))
        pos = end


def check_registry(project: Project, service_type_ids: Iterable[str]) -> list[Finding]:
    """Service-point records that would be left out when the bot loads them.

    Uses the registry's own validation (`bot.registry.parse_feature`), so
    the reasons are the ones `python -m bot validate` prints, plus the line.
    A carrier in a record's `carriers` must be one of the project's
    data/carriers.yml; when that file cannot be read, `check_carriers` says
    so and the registry is not checked.
    """
    from bot.registry import parse_feature

    known = frozenset(service_type_ids)
    carriers = _carrier_ids(project)
    if carriers is None:
        return []  # check_carriers says why
    root = project.registry_path
    files = sorted(root.glob("*.geojson")) if root.is_dir() else [root]
    rel_root = project.rel(root)
    if not root.exists() or not files:
        return [
            Finding(
                "register",
                Severity.ERROR,
                rel_root,
                None,
                "registret saknas eller har inga .geojson-filer",
                "Importera servicepunkter (se redaktörsguiden, 'Nya uppgifter "
                "om servicepunkter').",
            )
        ]
    findings: list[Finding] = []
    seen: dict[str, str] = {}
    for path in files:
        rel = project.rel(path)
        text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            findings.append(
                Finding(
                    "register",
                    Severity.ERROR,
                    rel,
                    exc.lineno,
                    f"filen är inte giltig JSON ({exc.msg})",
                    "Kör importen igen i stället för att rätta för hand, eller "
                    "återställ filen med git checkout.",
                )
            )
            continue
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list) or data.get("type") != "FeatureCollection":
            findings.append(
                Finding(
                    "register",
                    Severity.ERROR,
                    rel,
                    1,
                    "filen är ingen GeoJSON FeatureCollection",
                    'Filen ska börja med {"type": "FeatureCollection", '
                    '"features": [...]}. Kör importen igen.',
                )
            )
            continue
        positioned = _features_with_lines(text)
        if positioned is None or len(positioned) != len(features):
            positioned = [(f, 0) for f in features]
        for number, (feature, line) in enumerate(positioned, start=1):
            try:
                point = parse_feature(
                    feature, known_categories=known, known_carriers=carriers
                )
            except InvalidRecord as exc:
                who = (
                    f'"{exc.record_id}"' if exc.record_id else f"nr {number} (utan id)"
                )
                findings.append(
                    Finding(
                        "register",
                        Severity.ERROR,
                        rel,
                        line or None,
                        f"servicepunkten {who} lämnas bort: {exc.reason}",
                        _REGISTRY_FIX,
                    )
                )
                continue
            other = seen.setdefault(point.id, rel)
            if other is not rel:
                where = "tidigare i samma fil" if other == rel else f"i {other}"
                findings.append(
                    Finding(
                        "register",
                        Severity.ERROR,
                        rel,
                        line or None,
                        f'servicepunkten "{point.id}" lämnas bort: id:t finns '
                        f"redan {where}",
                        "Varje servicepunkt behöver ett eget id. Ta bort "
                        "dubbletten eller ge den ett nytt id.",
                    )
                )
    return findings


# ------------------------------------------------------------------ helpers for callers


def load_service_type_ids(project: Project) -> tuple[list[str], list[Finding]]:
    """The service-type ids, or a finding saying why data/service_types.yml is unusable."""
    from bot.service_types import load_service_types

    try:
        return list(load_service_types(project.service_types)), []
    except ServiceTypesError as exc:
        return [], [
            Finding(
                "tjänstetyper",
                Severity.ERROR,
                project.rel(project.service_types),
                None,
                str(exc),
                "Rätta filen så som kommentaren överst beskriver.",
            )
        ]


def place_resolver(
    project: Project,
) -> tuple[Callable[[str], bool] | None, list[Finding]]:
    """`resolve` for `check_places` from the project's gazetteer (or why not)."""
    from bot.gazetteer import Gazetteer

    try:
        gazetteer = Gazetteer.load(project.gazetteer)
    except GazetteerError as exc:
        return None, [
            Finding(
                "ortregister",
                Severity.ERROR,
                project.rel(project.gazetteer),
                None,
                str(exc),
                "Kör python scripts/build_gazetteer.py.",
            )
        ]
    return (lambda text: gazetteer.resolve(text).found), []
