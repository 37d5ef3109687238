"""Measure the ways to tell a message's language, on the held-out sets.

Prints aggregate figures only (never a held-out message): per held-out
language, how many messages each detector got right, wrong, or left
undecided (too short to tell: the slot keeps the conversation's language).

Detectors compared (all offline):
- ngram: `bot.language.NgramDetector`, learnt from data/nlu (intent blocks
  with `metadata: {language: en}` are English), place names left out. The one
  the bot uses (actions/language.py).
- vocabulary: `bot.language.VocabularyDetector`: which language's training
  words cover more of the message (what one mixed DIET model has seen).
- langdetect: the PyPI package (profiles shipped in the package), restricted
  to sv/en, when importable (`--langdetect-path` adds a folder to sys.path;
  not a project dependency).

Usage:
    .venv-actions/bin/python scripts/compare_language_detection.py [--langdetect-path DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import editor_checks as ec  # noqa: E402
from bot.language import (  # noqa: E402
    NgramDetector,
    VocabularyDetector,
    place_words,
    training_samples,
)


def heldout(project: ec.Project) -> dict[str, list[str]]:
    """Held-out texts (names kept: the detector must cope) by file language."""
    grouped: dict[str, list[str]] = {}
    for path in sorted((project.root / "tests" / "nlu").glob("heldout*.yml")):
        language = "en" if path.stem.endswith("_en") else "sv"
        grouped.setdefault(language, []).extend(
            ex.text for ex in ec.load_nlu(project, files=[path]).examples
        )
    return grouped


def _langdetect(path: str | None) -> Callable[[str], str | None] | None:
    if path:
        sys.path.insert(0, path)
    try:
        from langdetect import DetectorFactory, detect_langs  # type: ignore[import-not-found]
    except ImportError:
        return None
    DetectorFactory.seed = 0

    def detect(text: str) -> str | None:
        try:
            ranked = detect_langs(text)
        except Exception:  # langdetect raises on text without letters
            return None
        for guess in ranked:
            if guess.lang in ("sv", "en"):
                return str(guess.lang)
        return None

    return detect


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langdetect-path", default=None)
    args = parser.parse_args(argv)
    project = ec.Project(ROOT)
    samples = training_samples(project.nlu_dir)
    ignore = place_words(project.nlu_dir)
    ngram = NgramDetector.train(samples, ignore=ignore)
    vocabulary = VocabularyDetector.train(samples, ignore=ignore)
    def both(text: str) -> str | None:
        said = ngram.detect(text)
        other = vocabulary.detect(text)
        return said if other in (None, said) else None

    detectors: dict[str, Callable[[str], str | None]] = {
        "ngram": ngram.detect,
        "vocabulary": vocabulary.detect,
        "ngram+vocab": both,
    }
    other = _langdetect(args.langdetect_path)
    if other is not None:
        detectors["langdetect"] = other
    counts = {lang: sum(1 for _t, lg in samples if lg == lang) for lang in ("sv", "en")}
    print(f"Träningsexempel: sv {counts['sv']}, en {counts['en']}")
    print("detektor     språk  antal  rätt  fel  obestämd  andel rätt  ms/mening")
    for name, detect in detectors.items():
        for language, texts in heldout(project).items():
            start = time.perf_counter()
            said = [detect(t) for t in texts]
            ms = (time.perf_counter() - start) * 1000 / max(1, len(texts))
            right = sum(s == language for s in said)
            undecided = sum(s is None for s in said)
            wrong = len(said) - right - undecided
            print(
                f"{name:12} {language:5} {len(texts):6} {right:5} {wrong:4} "
                f"{undecided:9} {right / max(1, len(texts)):11.3f} {ms:10.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
