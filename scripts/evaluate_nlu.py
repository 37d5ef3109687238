"""Score the trained Rasa NLU on the held-out messages and gate on the targets.

Why our own scorer and not only `rasa test nlu`: we want one readable table,
entity scores on (synonym-mapped) values rather than character spans, the
intent confusions with examples, and a comparison with the last recorded
scores, in one JSON file a test can read.

Run with the Rasa environment's Python (Rasa is not in the action server's):

    .venv-rasa/bin/python scripts/evaluate_nlu.py [--model PATH] [--record] [--summary-only]

Every tests/nlu/heldout*.yml is scored, each language apart (a file's language
is in its name: heldout_en.yml is English, the others Swedish), against that
language's targets (TARGETS). --summary-only prints figures only, never a
held-out message (for whoever writes training data).

Exit status: 0 when the targets below are met, 1 when not, 2 when the model
or the held-out file is missing or unreadable.

How it counts (printed with the results as well):
- Intent: the intent Rasa would have predicted without the FallbackClassifier
  (as `rasa test nlu` does); how often the fallback fired is reported apart.
  Macro F1 is the mean F1 over the intents of the held-out set.
- Entity: per message, the gold and the predicted entities are multisets of
  (type, value); a value is case-folded and mapped through the training data's
  synonyms, so "Apoteket" counts as "apotek" if the training data maps it.
  A predicted entity is right when type and value match a gold one (the
  character span is not compared). Several extractors finding the same
  (type, value) count once. Micro precision/recall/F1 over all types.
  Predicted types that domain.yml does not declare are left out (Rasa fills
  no slot from them) and listed apart, e.g. a regex named after its pattern.

The scoring functions at the top are pure Python (no Rasa), so the action
server's environment can import and test them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

# --- targets (the quality gate) ---------------------------------------------
#: Swedish (the names kept for the Swedish figures, as before English came).
INTENT_ACCURACY_TARGET = 0.97
ENTITY_F1_TARGET = 0.95
#: Per language: (intent accuracy, entity F1).
TARGETS: dict[str, tuple[float, float]] = {
    "sv": (INTENT_ACCURACY_TARGET, ENTITY_F1_TARGET),
    "en": (0.92, 0.90),
}
#: Entities that are not the resident's words (none now; the language is a
#: slot set by an action): not scored as entities.
NOT_SCORED: frozenset[str] = frozenset()

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "models" / "rasa" / "servicelotsen.tar.gz"
DEFAULT_TESTS = ROOT / "tests" / "nlu"
#: The held-out files in DEFAULT_TESTS; a file's language is in its name
#: (heldout_en.yml -> en), Swedish otherwise.
HELDOUT_GLOB = "heldout*.yml"
DEFAULT_TRAIN_NLU = ROOT / "data" / "nlu"
DEFAULT_DOMAIN = ROOT / "domain.yml"
DEFAULT_OUT = ROOT / "var" / "results" / "evaluation.json"
DEFAULT_SCORES = ROOT / "docs" / "nlu-scores.json"

FALLBACK_INTENT = "nlu_fallback"
MAX_EXAMPLES = 3

COUNTING_NOTE = (
    "Intent: Rasas förutsägelse utan FallbackClassifier (som `rasa test nlu`); "
    "hur ofta fallback slog till redovisas för sig. Makro-F1: medel av F1 per intent "
    "i testmängden. Entitet: rätt när typ och värde stämmer (värdet gemener och "
    "mappat genom träningsdatans synonymer; teckenpositionen jämförs inte). Samma "
    "(typ, värde) från flera extraktorer räknas en gång. Totalt: mikro-P/R/F1."
)


# --- data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One held-out message with its gold intent and entities."""

    text: str
    intent: str
    entities: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Prediction:
    """What the model said about one message."""

    intent: str
    confidence: float
    fell_back: bool
    # (entity type, value, extractor)
    entities: tuple[tuple[str, str, str], ...] = ()
    latency_ms: float = 0.0


@dataclass
class _Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def prf(self) -> dict[str, float | int]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "support": self.tp + self.fn,
        }


@dataclass
class _Confusion:
    count: int = 0
    examples: list[str] = field(default_factory=list)


# --- scoring (pure) -------------------------------------------------------------


def normalise_value(value: str, synonyms: Mapping[str, str]) -> str:
    """Case-folds a value and maps it through the synonyms (keys case-folded)."""
    folded = " ".join(str(value).split()).casefold()
    return synonyms.get(folded, folded).casefold()


def _gold_entities(
    example: Example, synonyms: Mapping[str, str]
) -> Counter[tuple[str, str]]:
    return Counter((t, normalise_value(v, synonyms)) for t, v in example.entities)


def _predicted_entities(
    prediction: Prediction,
    synonyms: Mapping[str, str],
    extractors: frozenset[str] | None,
    entity_types: frozenset[str] | None,
    ignored: Counter[str],
) -> Counter[tuple[str, str]]:
    """(type, value) counts; duplicates across extractors count once (the max)."""
    per_extractor: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for etype, value, extractor in prediction.entities:
        if extractors is not None and extractor not in extractors:
            continue
        if entity_types is not None and etype not in entity_types:
            ignored[etype] += 1
            continue
        per_extractor[extractor][(etype, normalise_value(value, synonyms))] += 1
    merged: Counter[tuple[str, str]] = Counter()
    for counts in per_extractor.values():
        merged |= counts  # union of multisets = max count per key
    return merged


def score(
    examples: Sequence[Example],
    predictions: Sequence[Prediction],
    synonyms: Mapping[str, str],
    extractors: Iterable[str] | None = None,
    entity_types: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Scores predictions against the held-out examples (see module docstring).

    Args:
        examples: the held-out messages.
        predictions: one per example, same order.
        synonyms: case-folded synonym -> canonical value, from the training data.
        extractors: count only entities from these extractors (None: all).
        entity_types: the domain's entity types; predicted others are left out
            and counted under "ignored_types" (None: keep all).
    """
    if len(examples) != len(predictions):
        raise ValueError("one prediction per example is needed")
    only = frozenset(extractors) if extractors is not None else None
    types = frozenset(entity_types) if entity_types is not None else None
    ignored: Counter[str] = Counter()

    intent_tally: dict[str, _Tally] = defaultdict(_Tally)
    confusions: dict[tuple[str, str], _Confusion] = defaultdict(_Confusion)
    correct = fell_back = fell_back_correct = 0
    entity_tally: dict[str, _Tally] = defaultdict(_Tally)
    entity_errors: list[dict[str, Any]] = []

    for example, prediction in zip(examples, predictions, strict=True):
        gold, guess = example.intent, prediction.intent
        if gold == guess:
            correct += 1
            intent_tally[gold].tp += 1
        else:
            intent_tally[gold].fn += 1
            intent_tally[guess].fp += 1
            confusion = confusions[(gold, guess)]
            confusion.count += 1
            if len(confusion.examples) < MAX_EXAMPLES:
                confusion.examples.append(example.text)
        if prediction.fell_back:
            fell_back += 1
            fell_back_correct += gold == guess

        gold_ents = _gold_entities(example, synonyms)
        pred_ents = _predicted_entities(prediction, synonyms, only, types, ignored)
        hits = gold_ents & pred_ents
        missed = gold_ents - pred_ents
        spurious = pred_ents - gold_ents
        for (etype, _), n in hits.items():
            entity_tally[etype].tp += n
        for (etype, _), n in missed.items():
            entity_tally[etype].fn += n
        for (etype, _), n in spurious.items():
            entity_tally[etype].fp += n
        if missed or spurious:
            entity_errors.append(
                {
                    "text": example.text,
                    "missed": sorted(f"{t}={v}" for t, v in missed.elements()),
                    "spurious": sorted(f"{t}={v}" for t, v in spurious.elements()),
                }
            )

    n = len(examples)
    gold_intents = sorted({e.intent for e in examples})
    per_intent = {name: intent_tally[name].prf() for name in gold_intents}
    macro_f1 = (
        statistics.fmean(float(per_intent[i]["f1"]) for i in gold_intents)
        if gold_intents
        else 0.0
    )
    micro = _Tally(
        tp=sum(t.tp for t in entity_tally.values()),
        fp=sum(t.fp for t in entity_tally.values()),
        fn=sum(t.fn for t in entity_tally.values()),
    )
    latencies = [p.latency_ms for p in predictions if p.latency_ms > 0]
    return {
        "n_messages": n,
        "intent": {
            "accuracy": round(correct / n, 4) if n else 0.0,
            "macro_f1": round(macro_f1, 4),
            "per_intent": per_intent,
            "fallback_count": fell_back,
            "fallback_but_right_intent": fell_back_correct,
            # what a resident meets: a fallback reply is not an answer
            "accuracy_fallback_as_error": (
                round((correct - fell_back_correct) / n, 4) if n else 0.0
            ),
        },
        "confusions": [
            {"true": t, "predicted": p, "count": c.count, "examples": c.examples}
            for (t, p), c in sorted(
                confusions.items(), key=lambda kv: (-kv[1].count, kv[0])
            )
        ],
        "entity": {
            "micro": micro.prf(),
            "per_entity": {
                name: entity_tally[name].prf() for name in sorted(entity_tally)
            },
            "errors": entity_errors,
            "ignored_types": dict(sorted(ignored.items())),
        },
        "parse_latency_ms": {
            "median": round(statistics.median(latencies), 2) if latencies else None,
            "p95": (
                round(sorted(latencies)[int(0.95 * (len(latencies) - 1))], 2)
                if latencies
                else None
            ),
        },
        "counting": COUNTING_NOTE,
    }


def language_of_file(path: Path) -> str:
    """A held-out file's language from its name: "heldout_en.yml" -> "en"."""
    stem = path.stem.casefold()
    for lang in TARGETS:
        if stem.endswith(f"_{lang}") or f"_{lang}_" in stem:
            return lang
    return "sv"


def heldout_files(tests: Path) -> dict[str, list[Path]]:
    """The held-out files grouped by language (a file, or a folder of them)."""
    files = sorted(tests.glob(HELDOUT_GLOB)) if tests.is_dir() else [tests]
    grouped: dict[str, list[Path]] = {}
    for path in files:
        grouped.setdefault(language_of_file(path), []).append(path)
    return grouped


def gate_failures(result: Mapping[str, Any], language: str = "sv") -> list[str]:
    """The targets the result misses, as Swedish sentences (empty: all met).

    `result` is one language's scores, or a full result with `languages`
    (then every language is checked against its own targets).
    """
    if "languages" in result:
        return [
            f
            for lang, part in result["languages"].items()
            for f in gate_failures(part, lang)
        ]
    intent_target, entity_target = TARGETS.get(language, TARGETS["sv"])
    failures = []
    accuracy = float(result["intent"]["accuracy"])
    entity_f1 = float(result["entity"]["micro"]["f1"])
    tag = f"[{language}] "
    if accuracy < intent_target:
        failures.append(
            f"{tag}Intent-träffsäkerheten {accuracy:.3f} är under målet {intent_target:.2f}."
        )
    if entity_f1 < entity_target:
        failures.append(
            f"{tag}Entitets-F1 {entity_f1:.3f} är under målet {entity_target:.2f}."
        )
    return failures


def headline(result: Mapping[str, Any]) -> dict[str, float]:
    """The figures worth comparing between runs, flat.

    For a result with `languages`: the Swedish figures under their plain
    names (as recorded before English came), the others prefixed ("en.").
    """
    if "languages" in result:
        merged: dict[str, float] = {}
        for lang, part in result["languages"].items():
            for key, value in headline(part).items():
                merged[key if lang == "sv" else f"{lang}.{key}"] = value
        return merged
    flat = {
        "intent_accuracy": float(result["intent"]["accuracy"]),
        "intent_macro_f1": float(result["intent"]["macro_f1"]),
        "entity_f1": float(result["entity"]["micro"]["f1"]),
    }
    for name, prf in result["entity"]["per_entity"].items():
        flat[f"entity_f1.{name}"] = float(prf["f1"])
    for name, prf in result["intent"]["per_intent"].items():
        flat[f"intent_f1.{name}"] = float(prf["f1"])
    if "language_detection" in result:
        flat["language_accuracy"] = float(result["language_detection"]["accuracy"])
    return flat


def compare_with_recorded(
    current: Mapping[str, float],
    recorded: Mapping[str, float],
    tolerance: float = 0.0005,
) -> list[str]:
    """Lines describing what changed since the recorded scores (Swedish)."""
    lines = []
    for key in sorted(set(current) | set(recorded)):
        now, then = current.get(key), recorded.get(key)
        if now is None:
            lines.append(f"  {key}: fanns förut ({then:.3f}), saknas nu")
        elif then is None:
            lines.append(f"  {key}: ny ({now:.3f})")
        elif abs(now - then) > tolerance:
            arrow = "bättre" if now > then else "SÄMRE"
            lines.append(
                f"  {key}: {then:.3f} -> {now:.3f} ({now - then:+.3f}, {arrow})"
            )
    return lines


def language_detection(
    said: Sequence[str | None], language: str
) -> dict[str, float | int]:
    """How often the detected language (`bot.language.message_language`, what
    action_detect_language sets) was the held-out file's language.

    Undecided (None: too short to tell, the slot keeps the conversation's
    language) is counted apart from wrong.
    """
    right = sum(1 for s in said if s == language)
    undecided = sum(1 for s in said if s is None)
    wrong = len(said) - right - undecided
    n = len(said)
    return {
        "accuracy": round(right / n, 4) if n else 0.0,
        "right": right,
        "wrong": wrong,
        "undecided": undecided,
        "n": n,
    }


def detect_languages(
    examples: Sequence[Example], predictions: Sequence[Prediction]
) -> list[str | None]:
    """The bot's language decision for each message, names as the NLU found them."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bot.language import message_language

    out = []
    for example, prediction in zip(examples, predictions, strict=True):
        names = [
            w
            for t, v, _x in prediction.entities
            if t in ("location", "point_name")
            for w in v.split()
        ]
        out.append(message_language(example.text, names))
    return out


# --- printing -------------------------------------------------------------------


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=False))
        )

    return "\n".join(
        [fmt(header), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)]
    )


def render(
    result: Mapping[str, Any], summary_only: bool = False, language: str = "sv"
) -> str:
    """The human-readable report (Swedish headings, figures as decimals).

    With `summary_only`, only figures: no held-out message is quoted (for
    whoever writes training data and must not read the held-out sets).
    A result with `languages` is rendered one language after the other.
    """
    if "languages" in result:
        parts = [
            f"=== {lang} ===\n" + render(part, summary_only, lang)
            for lang, part in result["languages"].items()
        ]
        return "\n\n".join(parts)
    intent_target, entity_target = TARGETS.get(language, TARGETS["sv"])
    intent = result["intent"]
    entity = result["entity"]
    out = [
        f"[{language}] Utvärdering av NLU på {result['n_messages']} testmeningar "
        f"({result.get('tests', '')}, modell {result.get('model', '')})",
        "",
        f"[{language}] Intent-träffsäkerhet (accuracy): {intent['accuracy']:.3f}   "
        f"makro-F1: {intent['macro_f1']:.3f}   (mål: {intent_target:.2f})",
        f"Fallback slog till på {intent['fallback_count']} meningar "
        f"({intent['fallback_but_right_intent']} av dem med rätt intent under tröskeln); "
        f"räknas fallback som fel: {intent['accuracy_fallback_as_error']:.3f}",
        "",
    ]
    rows = [
        [
            name,
            f"{p['precision']:.3f}",
            f"{p['recall']:.3f}",
            f"{p['f1']:.3f}",
            str(p["support"]),
        ]
        for name, p in intent["per_intent"].items()
    ]
    out += [_table(rows, ["intent", "precision", "recall", "F1", "antal"]), ""]
    micro = entity["micro"]
    rows = [
        [
            name,
            f"{p['precision']:.3f}",
            f"{p['recall']:.3f}",
            f"{p['f1']:.3f}",
            str(p["support"]),
        ]
        for name, p in entity["per_entity"].items()
    ]
    rows.append(
        [
            "TOTALT (mikro)",
            f"{micro['precision']:.3f}",
            f"{micro['recall']:.3f}",
            f"{micro['f1']:.3f}",
            str(micro["support"]),
        ]
    )
    out += [
        f"[{language}] Entiteter: F1 {micro['f1']:.3f} (mål: {entity_target:.2f})",
        _table(rows, ["entitet", "precision", "recall", "F1", "antal"]),
        "",
    ]
    detection = result.get("language_detection")
    if detection:
        out += [
            f"[{language}] Språkigenkänning: {detection['accuracy']:.3f} rätt "
            f"({detection['wrong']} fel, {detection['undecided']} obestämda av "
            f"{detection['n']})",
            "",
        ]
    if summary_only:
        confusions = sum(c["count"] for c in result["confusions"])
        out.append(
            f"[{language}] {confusions} förväxlade intent, "
            f"{len(entity['errors'])} meningar med entitetsfel "
            "(meningarna visas inte med --summary-only)"
        )
        return "\n".join(out)
    if result["confusions"]:
        out.append("Förväxlingar (rätt -> gissat, antal, exempel):")
        for c in result["confusions"]:
            examples = " | ".join(f'"{e}"' for e in c["examples"])
            out.append(f"  {c['true']} -> {c['predicted']}: {c['count']}   {examples}")
    else:
        out.append("Inga förväxlingar av intent.")
    if entity["errors"]:
        out.append("")
        out.append(f"Entitetsfel ({len(entity['errors'])} meningar; visar högst 15):")
        for err in entity["errors"][:15]:
            bits = []
            if err["missed"]:
                bits.append("missade " + ", ".join(err["missed"]))
            if err["spurious"]:
                bits.append("felaktiga " + ", ".join(err["spurious"]))
            out.append(f'  "{err["text"]}": ' + "; ".join(bits))
    if entity.get("ignored_types"):
        ignored = ", ".join(f"{t} ({n})" for t, n in entity["ignored_types"].items())
        out += ["", f"Ej räknade entitetstyper (finns inte i domain.yml): {ignored}"]
    latency = result["parse_latency_ms"]
    if latency["median"] is not None:
        out += [
            "",
            f"Tolkningstid per mening: median {latency['median']:.1f} ms, p95 {latency['p95']:.1f} ms",
        ]
    out += ["", "Så räknas det: " + result["counting"]]
    return "\n".join(out)


# --- Rasa I/O (needs the Rasa environment) ---------------------------------------


def quiet_rasa() -> None:
    """Silences TensorFlow, deprecation warnings and Rasa's debug log lines."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    # imported libraries re-add their own filters ("once" for deprecations),
    # so silence the output itself: this CLI reports, it does not debug Rasa
    warnings.showwarning = lambda *args, **kwargs: None
    logging.getLogger().setLevel(logging.ERROR)
    for name in ("rasa", "tensorflow", "absl", "h5py", "matplotlib"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from rasa.utils.log_utils import configure_structlog
    except ImportError:
        return
    configure_structlog(logging.ERROR)


def load_examples(path: Path) -> list[Example]:
    """Reads a Rasa NLU YAML file (or folder) into examples with an intent."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    examples = []
    for message in data.training_examples:
        intent = message.get("intent")
        text = message.get("text")
        if not intent or not text:
            continue
        entities = tuple(
            (str(e["entity"]), str(e.get("value", text[e["start"] : e["end"]])))
            for e in message.get("entities") or []
        )
        examples.append(Example(text=str(text), intent=str(intent), entities=entities))
    return examples


def load_synonyms(path: Path) -> dict[str, str]:
    """Case-folded synonym -> value, from synonym blocks and annotated values."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    synonyms = {str(k).casefold(): str(v) for k, v in data.entity_synonyms.items()}
    for message in data.training_examples:
        text = str(message.get("text") or "")
        for e in message.get("entities") or []:
            original = text[e["start"] : e["end"]].casefold()
            value = str(e.get("value", original))
            if original and value.casefold() != original:
                synonyms.setdefault(original, value)
    return synonyms


def _to_prediction(parsed: Mapping[str, Any], latency_ms: float) -> Prediction:
    intent = parsed.get("intent") or {}
    name = str(intent.get("name") or "")
    confidence = float(intent.get("confidence") or 0.0)
    fell_back = name == FALLBACK_INTENT
    if fell_back:
        # as `rasa test nlu`: the intent the classifier would have chosen
        for ranked in parsed.get("intent_ranking") or []:
            if ranked.get("name") != FALLBACK_INTENT:
                name = str(ranked["name"])
                confidence = float(ranked.get("confidence") or 0.0)
                break
    entities = tuple(
        (str(e["entity"]), str(e.get("value")), str(e.get("extractor", "")))
        for e in parsed.get("entities") or []
    )
    return Prediction(name, confidence, fell_back, entities, latency_ms)


def predict(model: Path, texts: Sequence[str]) -> list[Prediction]:
    """Parses each text with the trained model (one at a time, timed)."""
    import asyncio

    from rasa.core.agent import Agent

    async def run() -> list[Prediction]:
        agent = Agent.load(str(model))
        await agent.parse_message("hej")  # warm-up: lazy loads are not latency
        out = []
        for text in texts:
            start = time.perf_counter()
            parsed = await agent.parse_message(text)
            out.append(_to_prediction(parsed, (time.perf_counter() - start) * 1000))
        return out

    return asyncio.run(run())


def load_entity_types(domain: Path) -> list[str]:
    """The entity names domain.yml declares (plain or with roles/groups)."""
    import yaml

    data = yaml.safe_load(domain.read_text(encoding="utf-8")) or {}
    names = []
    for entry in data.get("entities") or []:
        names.append(str(next(iter(entry))) if isinstance(entry, dict) else str(entry))
    return names


def evaluate(
    model: Path,
    tests: Path = DEFAULT_TESTS,
    train_nlu: Path = DEFAULT_TRAIN_NLU,
    domain: Path = DEFAULT_DOMAIN,
    extractors: Iterable[str] | None = None,
    predictions: Sequence[Prediction] | None = None,
) -> dict[str, Any]:
    """Loads, predicts and scores one held-out file; `predictions` may be passed."""
    examples = load_examples(tests)
    synonyms = load_synonyms(train_nlu)
    if predictions is None:
        predictions = predict(model, [e.text for e in examples])
    types = [t for t in load_entity_types(domain) if t not in NOT_SCORED]
    result = score(examples, predictions, synonyms, extractors, types)
    for name in NOT_SCORED:
        result["entity"]["ignored_types"].pop(name, None)
    result["model"] = relative(model)
    result["tests"] = relative(tests)
    return result


def evaluate_languages(
    model: Path,
    tests: Path = DEFAULT_TESTS,
    train_nlu: Path = DEFAULT_TRAIN_NLU,
    domain: Path = DEFAULT_DOMAIN,
) -> dict[str, Any]:
    """Scores every held-out file, each language apart (`languages`).

    The Swedish figures are also at the top level, as before English came.
    """
    grouped = heldout_files(tests)
    if not grouped:
        raise FileNotFoundError(f"inga testmeningar i {tests}")
    synonyms = load_synonyms(train_nlu)
    types = [t for t in load_entity_types(domain) if t not in NOT_SCORED]
    languages: dict[str, Any] = {}
    for lang in sorted(grouped, key=lambda k: (k != "sv", k)):
        examples = [e for path in grouped[lang] for e in load_examples(path)]
        predictions = predict(model, [e.text for e in examples])
        part = score(examples, predictions, synonyms, None, types)
        for name in NOT_SCORED:
            part["entity"]["ignored_types"].pop(name, None)
        part["language_detection"] = language_detection(
            detect_languages(examples, predictions), lang
        )
        part["tests"] = ", ".join(relative(p) for p in grouped[lang])
        part["model"] = relative(model)
        languages[lang] = part
    first = languages.get("sv") or next(iter(languages.values()))
    result: dict[str, Any] = {**first, "languages": languages}
    result["tests"] = relative(tests)
    result["n_messages"] = sum(p["n_messages"] for p in languages.values())
    return result


def relative(path: Path) -> str:
    """The path relative to the repository when inside it (shorter output)."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _load_recorded(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    recorded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return recorded


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    tmp.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        description="Utvärdera Servicelotsens NLU på testmeningarna."
    )
    parser.add_argument(
        "--model", type=Path, default=DEFAULT_MODEL, help="tränad Rasa-modell (.tar.gz)"
    )
    parser.add_argument(
        "--tests", type=Path, default=DEFAULT_TESTS, help="testmeningar (Rasa NLU YAML)"
    )
    parser.add_argument(
        "--nlu",
        type=Path,
        default=DEFAULT_TRAIN_NLU,
        help="träningsdata (för synonymerna)",
    )
    parser.add_argument(
        "--domain",
        type=Path,
        default=DEFAULT_DOMAIN,
        help="domänen (dess entitetstyper räknas)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON-resultat")
    parser.add_argument(
        "--summary-only",
        action="store_true",
        help="skriv bara siffrorna, inga testmeningar (för den som skriver träningsdata)",
    )
    parser.add_argument(
        "--scores", type=Path, default=DEFAULT_SCORES, help="senast sparade resultat"
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="spara resultatet som nytt jämförelsevärde",
    )
    args = parser.parse_args(argv)

    for path, what in (
        (args.model, "Modellen"),
        (args.tests, "Testmeningarna"),
        (args.nlu, "Träningsdatan"),
    ):
        if not path.exists():
            print(
                f"{what} saknas: {path}. Kör `make train` först."
                if what == "Modellen"
                else f"{what} saknas: {path}.",
                file=sys.stderr,
            )
            return 2
    try:
        quiet_rasa()
        import rasa  # noqa: F401
    except ImportError:
        print(
            "Kör skriptet med Rasa-miljöns Python: .venv-rasa/bin/python scripts/evaluate_nlu.py",
            file=sys.stderr,
        )
        return 2

    result = evaluate_languages(args.model, args.tests, args.nlu, args.domain)
    result["evaluated_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    result["targets"] = {
        lang: {"intent_accuracy": intent, "entity_f1": entity}
        for lang, (intent, entity) in TARGETS.items()
    }
    failures = gate_failures(result)
    result["passed"] = not failures
    print(render(result, summary_only=args.summary_only))

    print("")
    recorded = _load_recorded(args.scores)
    if recorded is None:
        print(f"Inga sparade resultat att jämföra med ({relative(args.scores)}).")
    else:
        changes = compare_with_recorded(headline(result), recorded.get("scores", {}))
        when = recorded.get("recorded_at", "?")
        if changes:
            print(f"Ändringar sedan sparade resultat ({when}):")
            print("\n".join(changes))
        else:
            print(f"Samma som sparade resultat ({when}).")
    result["changes"] = (
        compare_with_recorded(headline(result), recorded.get("scores", {}))
        if recorded
        else []
    )
    _write_json(args.out, result)
    print(f"JSON: {relative(args.out)}")
    if args.record:
        _write_json(
            args.scores,
            {
                "recorded_at": result["evaluated_at"],
                "model": result["model"],
                "tests": result["tests"],
                "n_messages": result["n_messages"],
                "scores": headline(result),
            },
        )
        print(f"Sparade resultaten som jämförelsevärde: {relative(args.scores)}")

    if failures:
        print(
            "\nUNDER MÅLEN:\n" + "\n".join("  " + f for f in failures), file=sys.stderr
        )
        return 1
    print("\nMålen är nådda.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
