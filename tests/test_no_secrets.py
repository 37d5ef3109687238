"""No secret in the repository: every tracked text file is scanned for keys,
tokens and passwords.

Secrets belong in the environment (SERVICELOTSEN_AUTH_TOKEN,
SERVICELOTSEN_ACTIONS_TOKEN, the database URLs), never in a file. What looks
like one but is not (a made-up password in a test) is listed in ALLOWED with
the reason.
"""

from __future__ import annotations

import math
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 2_000_000  # data files larger than this are GeoJSON/JSON exports

#: (path, text) pairs that look like secrets and are not, with why.
ALLOWED: dict[tuple[str, str], str] = {
    ("tests/editors/test_inbox.py", "hemligt"): "made-up password: the test checks it is hidden",
    ("tests/editors/test_retention.py", "hemligt"): "made-up password: the test checks it is hidden",
    ("tests/editors/test_retention.py", "p%40ss"): "made-up password: the test checks its escaping",
}

_B = "-----BEGIN"  # split so this file does not match itself
PATTERNS: dict[str, re.Pattern[str]] = {
    "private key": re.compile(_B + r" (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "API key (sk-…)": re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{24,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "JSON Web Token": re.compile(
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"
    ),
    "password in a URL": re.compile(
        r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?P<value>[^@\s/'\"]{3,})@"
    ),
    "secret assigned": re.compile(
        r"(?i)\b[\w-]*(?:password|passwd|secret|token|api[_-]?key|private[_-]?key)"
        r"(?:[_-]?(?:key|value))?[\"']?\s*[:=]\s*[\"'](?P<value>[^\"'\s]{12,})[\"']"
    ),
}
#: Values that are obviously placeholders, not secrets.
_PLACEHOLDER = re.compile(
    r"[${}<>*…]|x{4,}|\.\.\.|example|changeme|dummy|placeholder|your[_-]|lösenord|password",
    re.I,
)
#: An environment variable's name (TOKEN_ENV = "SERVICELOTSEN_ACTIONS_TOKEN").
_VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9_]+")


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def find_secrets(path: str, text: str) -> list[str]:
    """What in `text` looks like a secret: ["line 12: GitHub token"], allow-list applied."""
    found: list[str] = []
    for kind, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            value = match.groupdict().get("value") or match[0]
            if _PLACEHOLDER.search(value):
                continue
            if kind == "secret assigned" and (
                _entropy(value) < 3.0 or _VARIABLE_NAME.fullmatch(value)
            ):
                continue  # a word or a variable's name, not a random key
            if any(p == path and allowed in value for p, allowed in ALLOWED):
                continue
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path}:{line}: {kind}")
    return found


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        pytest.fail(f"git ls-files failed ({err}): the scan needs a git checkout")
    return [name for name in out.decode().split("\0") if name]


def test_no_secret_in_any_tracked_file() -> None:
    files = tracked_files()
    assert len(files) > 100  # the scan sees the repository
    problems: list[str] = []
    scanned = 0
    for name in files:
        path = ROOT / name
        if Path(name).name == ".env" or name.endswith((".pem", ".key", ".p12")):
            problems.append(f"{name}: a secrets file is tracked")
            continue
        try:
            if not path.is_file() or path.stat().st_size > MAX_BYTES:
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # binary
        scanned += 1
        problems += find_secrets(name, text)
    assert scanned > 100
    assert problems == [], "Secrets belong in the environment, not in the repository:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "planted",
    [
        _B + " OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n",
        "aws_key = '" + "AKIA" + "Q3EGRIZQ7LN5KXVM" + "'",
        "TOKEN=" + "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        "url: postgresql://rasa:" + "Tr0ub4dor3xyz" + "@db.region.se/rasa",
        'SERVICELOTSEN_AUTH_TOKEN = "' + "9f8e7d6c5b4a39281706f5e4d3c2b1a0" + '"',
        "auth_token: " + "'" + "Zk2pQ9vLm4Xr7Ts1Wb8Yc3Hn" + "'",
    ],
)
def test_the_scan_finds_planted_secrets(planted: str) -> None:
    assert find_secrets("config/planted.yml", planted)


@pytest.mark.parametrize(
    "harmless",
    [
        "token: ${SERVICELOTSEN_ACTIONS_TOKEN}",
        'token = env.get("SERVICELOTSEN_AUTH_TOKEN")',
        'TOKEN_ENV = "SERVICELOTSEN_ACTIONS_TOKEN"',
        "postgresql://bot:***@db/rasa",
        'password_hint = "samma som förut"',
        "curl http://127.0.0.1:5005/status?token=$SERVICELOTSEN_AUTH_TOKEN",
    ],
)
def test_the_scan_leaves_names_and_placeholders_alone(harmless: str) -> None:
    assert find_secrets("config/ok.py", harmless) == []


def test_the_allow_list_is_per_file() -> None:
    planted = "postgresql://bot:" + "hemligt@db/rasa"
    assert find_secrets("tests/editors/test_inbox.py", planted) == []
    assert find_secrets("deploy/settings.env", planted)
