"""`make validate-rasa`: Rasa's own data check, its findings without the noise.

`rasa data validate` prints some 30 lines of Python, TensorFlow and Rasa
warnings with site-packages paths before anything an editor can act on. This
runs it, keeps the whole output in var/log/rasa-validate.log, and shows only
Rasa's findings about our files, one line each, in Swedish framing.

Usage (the Makefile passes the command)::

    python scripts/rasa_validate.py [--log FILE] -- .venv-rasa/bin/rasa data validate ...

Exit code: Rasa's (0 when its check passed).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.cli_common import SwedishParser  # noqa: E402

DEFAULT_LOG = ROOT / "var" / "log" / "rasa-validate.log"

#: "…/site-packages/rasa/validator.py:123: UserWarning: The intent 'x' …"
_WARNING = re.compile(r"^(?P<path>\S+?\.py):\d+: (?P<kind>\w*Warning): (?P<text>.*)$")
#: "2026-11-30 10:00:00 ERROR    rasa.validator  - …"
_LOGGED = re.compile(
    r"\b(?P<level>ERROR|WARNING)\s+(?P<logger>[\w.]+)\s+-\s+(?P<text>.*)$"
)
#: Warnings about libraries and Python itself, not about our data.
_NOISE_KINDS = {"DeprecationWarning", "FutureWarning", "PendingDeprecationWarning"}
_NOISE_WORDS = ("tensorflow", "sqlalchemy", "numpy", "pkg_resources", "jax", "keras")
#: Rasa's notes that are not findings: many responses are sent by our actions,
#: not by stories (the check `svar-saknas` covers what is really missing).
_NOT_FINDINGS = (
    re.compile(r"^The utterance '.*' is not used in any story or rule\.$"),
)
#: Terminal colours Rasa puts around its warnings ("\x1b[93m").
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def findings(output: str) -> list[str]:
    """Rasa's own findings about the training data and domain, deduplicated."""
    found: list[str] = []
    for raw in output.splitlines():
        line = _ANSI.sub("", raw).strip()
        warning = _WARNING.match(line)
        if warning:
            path = warning.group("path").replace("\\", "/")
            text = warning.group("text").strip()
            if warning.group("kind") in _NOISE_KINDS or "/rasa/" not in path:
                continue
            if any(word in text.casefold() for word in _NOISE_WORDS):
                continue
            if any(p.match(text) for p in _NOT_FINDINGS):
                continue
            found.append(text)
            continue
        logged = _LOGGED.search(line)
        if logged and logged.group("logger").startswith("rasa"):
            found.append(logged.group("text").strip())
    return list(dict.fromkeys(found))


def report(code: int, found: Iterable[str], log: Path) -> str:
    """What the editor sees."""
    items = list(found)
    shown = _shown(log)
    if code == 0:
        # --fail-on-warnings: a pass means Rasa's validator found nothing; what
        # it printed is about libraries (kept in the log)
        return f"Rasas kontroll: inga anmärkningar (hela utskriften: {shown})."
    lines = [
        "Rasas kontroll hittade fel "
        "(Rasas egna meddelanden på engelska; docs/redaktorsguide.md förklarar de "
        "vanligaste):"
    ]
    lines += [f"  - {text}" for text in items]
    if code and not items:
        lines.append("  (inga meddelanden att visa; läs loggen)")
    lines.append(f"Hela utskriften: {shown}")
    return "\n".join(lines)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = SwedishParser(
        description="Kör Rasas datakontroll och visa bara dess anmärkningar."
    )
    parser.add_argument("--log", type=Path, default=DEFAULT_LOG, help="loggfilen")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="kommandot att köra")
    args = parser.parse_args(argv)
    command = [c for c in args.command if c != "--"]
    if not command:
        parser.error("kommandot saknas (efter --)")
    args.log.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=ROOT
    )
    output = result.stdout + result.stderr
    args.log.write_text(output, encoding="utf-8")
    print(report(result.returncode, findings(output), args.log))
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
