"""Build the Swedish spaCy pipeline folder Rasa's SpacyNLP loads (models/spacy_sv).

No trained Swedish spaCy pipeline can be installed offline, so this is a blank
`sv` pipeline with the lookup lemmatizer from spacy-lookups-data, patched with
the corrections in data/lang/sv_lemma_overrides.yml.

Run with the Rasa environment's Python (the folder must be written by the same
spaCy version Rasa loads). Skips the work when the folder is up to date.

Usage: python scripts/build_spacy_sv.py [--out models/spacy_sv] [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import shutil
import sys
import tempfile
from pathlib import Path

import spacy
import yaml

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ROOT / "data" / "lang" / "sv_lemma_overrides.yml"
STAMP = ".servicelotsen-build.json"


def fingerprint() -> dict[str, str]:
    """What the folder depends on: spaCy's version, the overrides and this script."""
    digest = hashlib.sha256()
    for path in (OVERRIDES, Path(__file__)):
        digest.update(path.read_bytes())
    return {"spacy": importlib.metadata.version("spacy"), "inputs": digest.hexdigest()}


def load_overrides() -> dict[str, str]:
    raw = yaml.safe_load(OVERRIDES.read_text(encoding="utf-8")) or {}
    table = raw.get("overrides") or {}
    if not isinstance(table, dict):
        raise SystemExit(f"{OVERRIDES}: 'overrides' ska vara en tabell ord: lemma")
    return {str(k).lower(): str(v).lower() for k, v in table.items()}


def build(out: Path) -> None:
    nlp = spacy.blank("sv")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    table = lemmatizer.lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]
    for word, lemma in load_overrides().items():
        table[word] = lemma
    tmp = Path(tempfile.mkdtemp(prefix=".spacy_sv-", dir=out.parent))
    try:
        nlp.to_disk(tmp)
        (tmp / STAMP).write_text(json.dumps(fingerprint()), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def up_to_date(out: Path) -> bool:
    stamp = out / STAMP
    if not stamp.is_file():
        return False
    try:
        return bool(json.loads(stamp.read_text(encoding="utf-8")) == fingerprint())
    except (OSError, ValueError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "spacy_sv")
    parser.add_argument(
        "--force", action="store_true", help="rebuild even if up to date"
    )
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not args.force and up_to_date(out):
        print(f"spaCy-pipelinen är aktuell: {out}")
        return 0
    build(out)
    print(f"Byggde spaCy-pipelinen (blank sv + lookup-lemmatiserare): {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
