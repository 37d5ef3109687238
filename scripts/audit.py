"""Known vulnerabilities in the locked dependencies (`make audit`, and `make test`).

Runs pip-audit on each lock file (requirements/rasa.lock and actions.lock:
exact pins, so `--no-deps --disable-pip`, no install, well under a minute),
asking PyPI's advisory data (`--vulnerability-service pypi`, the same
advisories as OSV's PyPI feed), and compares what it finds with the accepted
exceptions in requirements/audit-exceptions.txt (one line each: the
advisory's id, the package, and why we accept it).

Exit codes:
    0  no vulnerability except the accepted ones;
    1  a vulnerability that is not accepted (the table says what to do);
    2  wrong usage, or the exceptions file is malformed;
    3  nothing could be audited: the advisory service did not answer.

pip-audit itself reports success when PyPI answers "not found" for every
package (it then "skips" them all), so a run that audited nothing is treated
as unreachable here, never as a pass. With --if-reachable (what `make test`
uses: CI may have no route to the advisory service) that case prints a
warning that nothing was audited and exits 0; findings still fail.

Standard library only (pip-audit runs as a subprocess from .venv-actions).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCKS = (ROOT / "requirements" / "rasa.lock", ROOT / "requirements" / "actions.lock")
EXCEPTIONS = ROOT / "requirements" / "audit-exceptions.txt"
PIP_AUDIT = ROOT / ".venv-actions" / "bin" / "pip-audit"
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
_ID = re.compile(r"^(?:PYSEC|GHSA|CVE|OSV|PVE)-[\w-]+$", re.IGNORECASE)


@dataclass(frozen=True)
class Accepted:
    """One accepted vulnerability: `id package reason`."""

    id: str
    package: str
    reason: str
    line: int


@dataclass(frozen=True)
class Finding:
    lock: str
    package: str
    version: str
    id: str
    aliases: tuple[str, ...]
    fix_versions: tuple[str, ...]

    @property
    def ids(self) -> set[str]:
        return {self.id.upper(), *(a.upper() for a in self.aliases)}


@dataclass
class LockResult:
    lock: str
    audited: int = 0
    skipped: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None

    @property
    def reachable(self) -> bool:
        return self.error is None and self.audited > 0


class ExceptionsError(ValueError):
    """The exceptions file has a line that is not `ID package reason`."""


def read_exceptions(path: Path) -> list[Accepted]:
    """The accepted vulnerabilities; blank lines and # comments are skipped.

    Raises:
        ExceptionsError: a line lacks the id, the package or the reason.
    """
    if not path.is_file():
        return []
    found: list[Accepted] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3 or not _ID.match(parts[0]) or len(parts[2]) < 10:
            raise ExceptionsError(
                f"{path.name}:{number}: write `ID package why` (for example "
                "`PYSEC-2023-1 sanic not reachable: …`); the reason is required."
            )
        found.append(Accepted(parts[0].upper(), parts[1].lower(), parts[2], number))
    return found


def parse_report(lock: str, report: dict[str, object]) -> LockResult:
    """pip-audit's JSON (`--format json`) for one lock file."""
    result = LockResult(lock)
    dependencies = report.get("dependencies")
    if not isinstance(dependencies, list):
        result.error = "pip-audit gave no dependency list"
        return result
    for dep in dependencies:
        if not isinstance(dep, dict):
            continue
        name = str(dep.get("name", "?"))
        if dep.get("skip_reason"):
            result.skipped.append(name)
            continue
        result.audited += 1
        for vuln in dep.get("vulns") or []:
            if isinstance(vuln, dict):
                result.findings.append(
                    Finding(
                        lock=lock,
                        package=name.lower(),
                        version=str(dep.get("version", "?")),
                        id=str(vuln.get("id", "?")),
                        aliases=tuple(str(a) for a in vuln.get("aliases") or []),
                        fix_versions=tuple(str(v) for v in vuln.get("fix_versions") or []),
                    )
                )
    return result


def audit_lock(lock: Path, service: str, timeout: float) -> LockResult:
    """Run pip-audit on one lock file."""
    name = str(lock.relative_to(ROOT)) if lock.is_relative_to(ROOT) else str(lock)
    argv = [
        str(PIP_AUDIT),
        "--vulnerability-service",
        service,
        "--no-deps",
        "--disable-pip",
        "--requirement",
        str(lock),
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        return LockResult(name, error=f"{PIP_AUDIT} is missing: run `make setup`")
    except subprocess.TimeoutExpired:
        return LockResult(name, error=f"pip-audit took longer than {timeout:.0f} s")
    try:
        report = json.loads(done.stdout)
    except ValueError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return LockResult(name, error=f"pip-audit failed: {last[:300]}")
    return parse_report(name, report)


def judge(
    results: Sequence[LockResult], exceptions: Iterable[Accepted]
) -> tuple[list[Finding], list[tuple[Finding, Accepted]], list[Accepted]]:
    """(findings not accepted, accepted findings with their exception, stale exceptions)."""
    accepted_ids = {e.id: e for e in exceptions}
    new: list[Finding] = []
    accepted: list[tuple[Finding, Accepted]] = []
    used: set[str] = set()
    for result in results:
        for finding in result.findings:
            match = next((accepted_ids[i] for i in finding.ids if i in accepted_ids), None)
            if match is None:
                new.append(finding)
            else:
                accepted.append((finding, match))
                used.add(match.id)
    everything_audited = all(r.reachable for r in results)
    stale = [e for e in accepted_ids.values() if e.id not in used] if everything_audited else []
    return new, accepted, stale


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("locks", nargs="*", type=Path, help="lock files (default: both)")
    parser.add_argument("--exceptions", type=Path, default=EXCEPTIONS)
    parser.add_argument("--service", choices=("pypi", "osv"), default="pypi")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per lock file")
    parser.add_argument(
        "--if-reachable",
        action="store_true",
        help="exit 0 with a warning when the advisory service cannot be reached",
    )
    args = parser.parse_args(argv)
    try:
        exceptions = read_exceptions(args.exceptions)
    except ExceptionsError as err:
        print(f"audit: {err}", file=sys.stderr)
        return EXIT_USAGE
    started = time.monotonic()
    results = [audit_lock(lock, args.service, args.timeout) for lock in args.locks or LOCKS]
    seconds = time.monotonic() - started
    new, accepted, stale = judge(results, exceptions)

    for result in results:
        state = (
            f"{result.audited} packages audited, {len(result.findings)} advisories"
            if result.reachable
            else f"NOT AUDITED ({result.error or 'the advisory service answered for no package'})"
        )
        print(f"audit: {result.lock}: {state}")
        if result.reachable and result.skipped:
            print(f"audit:   not on PyPI, not audited: {', '.join(sorted(result.skipped))}")
    for finding, exception in accepted:
        print(
            f"audit: accepted {finding.id} in {finding.package} {finding.version} "
            f"({args.exceptions.name}:{exception.line}: {exception.reason})"
        )
    for exception in stale:
        print(
            f"audit: warning: {exception.id} ({exception.package}) is no longer reported; "
            f"remove line {exception.line} of {args.exceptions.name}"
        )
    for finding in new:
        fix = ", ".join(finding.fix_versions) or "no fixed version yet"
        print(
            f"audit: VULNERABLE {finding.package} {finding.version} ({finding.lock}): "
            f"{finding.id} {' '.join(finding.aliases)}; fixed in: {fix}"
        )
    print(f"audit: {seconds:.1f} s")
    if new:
        print(
            "audit: upgrade the package in requirements/*.in and re-lock, or, if it cannot "
            f"be upgraded and does not affect us, add `ID package why` to {args.exceptions.name}.",
            file=sys.stderr,
        )
        return EXIT_FINDINGS
    if not all(r.reachable for r in results):
        message = (
            "the advisory service (PyPI's vulnerability data via pip-audit) could not be "
            "reached from this machine, so the dependencies were NOT checked for known "
            "vulnerabilities. Run `make audit` where PyPI's JSON API "
            "(https://pypi.org/pypi/NAME/VERSION/json) is reachable."
        )
        if args.if_reachable:
            print(f"audit: WARNING: {message}")
            return EXIT_OK
        print(f"audit: {message}", file=sys.stderr)
        return EXIT_UNREACHABLE
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
