"""The dependency audit (scripts/audit.py): pip-audit's answer, judged against
the accepted exceptions; and never a pass when nothing could be audited."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts import audit
from scripts.audit import (
    Accepted,
    ExceptionsError,
    LockResult,
    parse_report,
    read_exceptions,
)

ROOT = Path(__file__).resolve().parents[1]

REPORT: dict[str, Any] = {  # pip-audit 2.x --format json
    "dependencies": [
        {"name": "sanic", "version": "21.12.2", "vulns": [
            {"id": "GHSA-aaaa-bbbb-cccc", "fix_versions": ["23.12.0"],
             "aliases": ["CVE-2099-0001"], "description": "made up"},
        ]},
        {"name": "requests", "version": "2.19.0", "vulns": [
            {"id": "PYSEC-2018-28", "fix_versions": ["2.20.0"], "aliases": ["CVE-2018-18074"]},
        ]},
        {"name": "pyyaml", "version": "6.0.2", "vulns": []},
        {"name": "torch", "skip_reason": "Dependency not found on PyPI and could not be audited: torch (2.13.0+cpu)"},
    ],
    "fixes": [],
}  # fmt: skip


def test_pip_audit_json_is_read() -> None:
    result = parse_report("requirements/rasa.lock", REPORT)
    assert result.reachable
    assert result.audited == 3
    assert result.skipped == ["torch"]
    assert [(f.package, f.id) for f in result.findings] == [
        ("sanic", "GHSA-aaaa-bbbb-cccc"),
        ("requests", "PYSEC-2018-28"),
    ]


def test_a_run_that_audited_nothing_is_not_a_pass() -> None:
    all_skipped = {"dependencies": [{"name": "x", "skip_reason": "not found"}]}
    assert not parse_report("l", all_skipped).reachable
    assert not parse_report("l", {"oops": 1}).reachable


def test_exceptions_match_by_id_or_alias_and_stale_ones_are_flagged() -> None:
    result = parse_report("requirements/rasa.lock", REPORT)
    exceptions = [
        Accepted("CVE-2099-0001", "sanic", "only the channel webhooks are exposed", 3),
        Accepted("PYSEC-2000-1", "jinja2", "gone: this should be flagged", 4),
    ]
    new, accepted, stale = audit.judge([result], exceptions)
    assert [f.id for f in new] == ["PYSEC-2018-28"]
    assert [(f.package, e.line) for f, e in accepted] == [("sanic", 3)]
    assert [e.id for e in stale] == ["PYSEC-2000-1"]
    unreachable = LockResult("requirements/actions.lock", error="no route")
    assert audit.judge([result, unreachable], exceptions)[2] == []  # unknown: not stale


def test_the_exceptions_file(tmp_path: Path) -> None:
    assert read_exceptions(ROOT / "requirements" / "audit-exceptions.txt") is not None
    good = tmp_path / "ok.txt"
    good.write_text("# comment\n\nGHSA-aaaa-bbbb-cccc  Sanic  not reachable: loopback only\n")
    [only] = read_exceptions(good)
    assert (only.id, only.package, only.line) == ("GHSA-AAAA-BBBB-CCCC", "sanic", 3)
    bad = tmp_path / "bad.txt"
    bad.write_text("GHSA-aaaa-bbbb-cccc sanic\n")
    with pytest.raises(ExceptionsError, match=r"bad\.txt:1"):
        read_exceptions(bad)


@pytest.mark.parametrize(
    ("results", "if_reachable", "code"),
    [
        ([parse_report("a", REPORT)], False, audit.EXIT_FINDINGS),
        ([parse_report("a", {"dependencies": [{"name": "x", "version": "1", "vulns": []}]})],
         False, audit.EXIT_OK),
        ([LockResult("a", error="no route")], False, audit.EXIT_UNREACHABLE),
        ([LockResult("a", error="no route")], True, audit.EXIT_OK),
        ([parse_report("a", REPORT), LockResult("b", error="no route")], True, audit.EXIT_FINDINGS),
    ],
)  # fmt: skip
def test_exit_codes(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    results: list[LockResult],
    if_reachable: bool,
    code: int,
) -> None:
    queue = list(results)
    monkeypatch.setattr(audit, "audit_lock", lambda lock, service, timeout: queue.pop(0))
    locks = [str(tmp_path / f"{n}.lock") for n in range(len(results))]
    args = [*locks, "--exceptions", str(tmp_path / "none.txt")]
    assert audit.main(args + (["--if-reachable"] if if_reachable else [])) == code
    out = capsys.readouterr()
    if code == audit.EXIT_FINDINGS:
        assert "VULNERABLE requests 2.19.0" in out.out
    if any(not r.reachable for r in results):
        assert "NOT AUDITED" in out.out


@pytest.mark.slow
def test_a_real_pip_audit_run_finds_an_old_requests_or_says_it_could_not_look(
    tmp_path: Path,
) -> None:
    """requests 2.19.0 has CVE-2018-18074. Either the advisory service answers
    and the audit fails on it, or it cannot be reached and the audit says so:
    never a silent pass."""
    lock = tmp_path / "old.lock"
    lock.write_text("requests==2.19.0\n")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "audit.py"), str(lock),
         "--exceptions", str(tmp_path / "none.txt"), "--timeout", "60"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if done.returncode == audit.EXIT_FINDINGS:
        assert "VULNERABLE requests 2.19.0" in done.stdout
    else:
        assert done.returncode == audit.EXIT_UNREACHABLE, done.stdout + done.stderr
        assert "NOT AUDITED" in done.stdout
        assert "could not be reached" in done.stderr
