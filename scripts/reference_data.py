"""What every data builder (scripts/build_*.py) needs of the reference data.

The builders derive committed files (data/gazetteer/*, data/service_points/*)
from the open reference data in ../shared/reference; none of it is copied
(docs/data-policy.md). One place for where that folder is, how a builder is
told, what it says when the folder is missing, and how it writes or checks
its output.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_ENV = "SERVICELOTSEN_REFERENCE_DIR"

__all__ = [
    "REFERENCE_ENV",
    "add_arguments",
    "default_reference",
    "reference_dir",
    "write_or_check",
]


def default_reference() -> Path:
    """$SERVICELOTSEN_REFERENCE_DIR, else ../shared/reference beside the repository."""
    env = os.environ.get(REFERENCE_ENV)
    return Path(env) if env else (ROOT.parent / "shared" / "reference")


def add_arguments(parser: argparse.ArgumentParser, output: Path) -> None:
    """`--reference DIR`, `--output FILE` and `--check`, as every builder has them."""
    parser.add_argument(
        "--reference",
        type=Path,
        default=None,
        help=f"referensmappen (standard: ${REFERENCE_ENV} eller ../shared/reference)",
    )
    parser.add_argument("--output", type=Path, default=output)
    parser.add_argument(
        "--check",
        action="store_true",
        help="jämför med befintlig fil i stället för att skriva",
    )


def reference_dir(given: Path | None, marker: str, what: str = "referensdata") -> Path | None:
    """The reference folder, if `marker` (a file inside it) is there; else None,
    after telling standard error where it looked."""
    ref = given or default_reference()
    if (ref / marker).is_file():
        return ref
    print(
        f"Hittar inte {what} i {ref} (ange --reference eller ${REFERENCE_ENV}).",
        file=sys.stderr,
    )
    return None


def write_or_check(text: str, output: Path, check: bool, script: str) -> int:
    """Write `text` to `output` atomically, or with `check` only compare: 0 when
    written or up to date, 1 when stale (saying which script rebuilds it)."""
    if check:
        current = output.read_text(encoding="utf-8") if output.is_file() else ""
        if current != text:
            print(f"{output} är inte uppdaterad: kör python {script}", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, output)
    return 0
