"""The operators' files work as written (issue 17, point 2).

* deploy/servicelotsen.env.example is read the way systemd's EnvironmentFile=
  reads it: comments only on lines of their own, no unquoted spaces;
* every unit's ExecStart (and ExecStartPre) rendered with it has no leftover
  variable and no comment text in an argument; `--interface`/`--host` get an
  address;
* README, docs/drift.md and the code name the same settings;
* the token refusal holds however Rasa is started (stack, cluster, unit);
* the privacy text matches the retention and the backups.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bot.retention import DEFAULT_RETENTION_DAYS
from scripts.rasa_guard import refusal
from scripts.stack import StartupError, rasa_service, stack_env

ROOT = Path(__file__).resolve().parents[1]
ENV_EXAMPLE = ROOT / "deploy" / "servicelotsen.env.example"
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_environment_file(text: str) -> dict[str, str]:
    """systemd's EnvironmentFile= rules, strict: what systemd would keep, or an error.

    systemd takes everything after "=" as the value (a "#" after a value is
    part of it); a value with spaces must be quoted. Such lines fail here.
    """
    env: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        name, sep, value = line.partition("=")
        assert sep and _NAME.fullmatch(name.strip()), f"rad {number}: {raw!r}"
        value = value.strip()
        if value[:1] in {'"', "'"}:
            assert value.endswith(value[0]) and len(value) > 1, f"rad {number}"
            value = value[1:-1]
        else:
            assert " " not in value and "\t" not in value, (
                f"rad {number}: blanksteg i ett ociterat värde (systemd tar med "
                f"kommentaren i värdet): {raw!r}"
            )
        assert "#" not in value, f"rad {number}: '#' i värdet: {raw!r}"
        env[name.strip()] = value
    return env


def exec_lines(unit: Path) -> list[tuple[str, str]]:
    """(directive, command) for ExecStart/ExecStartPre, continuation lines joined."""
    text = unit.read_text(encoding="utf-8").replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() in {"ExecStart", "ExecStartPre"}:
            found.append((key.strip(), value.strip()))
    return found


def render(command: str, env: dict[str, str]) -> list[str]:
    """systemd's ${NAME} (one word) and $NAME (split on spaces) substitution."""
    words = []
    for word in shlex.split(command):
        whole = re.fullmatch(r"\$\{(\w+)\}", word)
        if whole:
            assert whole.group(1) in env, f"{whole.group(1)} saknas i env-exemplet"
            words.append(env[whole.group(1)])
            continue

        def sub(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            if name.islower():  # a shell variable inside sh -c, not systemd's
                return match.group(0)
            assert name in env, f"{name} saknas i env-exemplet"
            return env[name]

        words.append(re.sub(r"\$\{(\w+)\}|\$([A-Z_][A-Z0-9_]*)", sub, word))
    return words


@pytest.fixture(scope="module")
def example() -> dict[str, str]:
    return parse_environment_file(ENV_EXAMPLE.read_text(encoding="utf-8"))


def test_env_example_parses_like_systemd(example: dict[str, str]) -> None:
    assert example["RASA_HOST"] == "10.0.0.11"
    assert example["ACTIONS_HOST"] == "10.0.0.11"
    assert example["WEB_HOST"] == "10.0.0.11"


def test_the_parser_rejects_inline_comments() -> None:
    with pytest.raises(AssertionError):
        parse_environment_file("RASA_HOST=10.0.0.11  # ÄNDRA\n")
    assert parse_environment_file('A="två ord"\n# kommentar\n') == {"A": "två ord"}


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_every_unit_renders_with_the_example(
    unit: Path, example: dict[str, str]
) -> None:
    commands = exec_lines(unit)
    assert commands, unit
    for directive, command in commands:
        argv = render(command, example)
        assert argv[0].startswith("/"), (directive, argv)
        assert not any("#" in a or "ÄNDRA:" in a for a in argv), argv
        for flag in ("--interface", "--host"):
            if flag in argv:
                ipaddress.ip_address(argv[argv.index(flag) + 1])


def test_the_rasa_unit_runs_the_guard_first() -> None:
    unit = ROOT / "deploy" / "systemd" / "servicelotsen-rasa.service"
    directives = [d for d, _ in exec_lines(unit)]
    assert directives == ["ExecStartPre", "ExecStart"]
    assert "scripts/rasa_guard.py" in exec_lines(unit)[0][1]


@pytest.mark.parametrize(
    ("env", "refused"),
    [
        ({"RASA_HOST": "10.0.0.11"}, True),
        ({"RASA_HOST": "10.0.0.11", "SERVICELOTSEN_AUTH_TOKEN": ""}, True),
        ({"RASA_HOST": "10.0.0.11", "SERVICELOTSEN_AUTH_TOKEN": "ÄNDRA"}, True),
        ({"RASA_HOST": "0.0.0.0"}, True),
        ({"RASA_HOST": "10.0.0.11", "SERVICELOTSEN_AUTH_TOKEN": "a" * 64}, False),
        ({"RASA_HOST": "127.0.0.1"}, False),
        ({}, False),
    ],
)
def test_guard_script_and_stack_refuse_alike(
    env: dict[str, str], refused: bool
) -> None:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"RASA_HOST", "SERVICELOTSEN_AUTH_TOKEN"}
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "rasa_guard.py")],
        env=clean | env, capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip
    assert (result.returncode == 1) is refused, result.stderr
    if refused:
        assert result.stderr.startswith("Fel: ")
        with pytest.raises(StartupError):
            rasa_service(stack_env(env))
    else:
        assert refusal(env) is None
        rasa_service(stack_env(env))


def _documented(text: str) -> set[str]:
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", text))


def test_readme_drift_and_code_name_the_same_host_settings(
    example: dict[str, str],
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    drift = (ROOT / "docs" / "drift.md").read_text(encoding="utf-8")
    hosts = {"RASA_HOST", "ACTIONS_HOST", "WEB_HOST"}
    assert hosts <= _documented(readme)
    assert hosts <= _documented(drift)
    assert hosts <= set(example)
    for text in (readme, drift, ENV_EXAMPLE.read_text(encoding="utf-8")):
        assert "SANIC_HOST" not in text  # rasa_sdk's internal name, not ours
    server = (ROOT / "actions" / "server.py").read_text(encoding="utf-8")
    web = (ROOT / "bot" / "web" / "__main__.py").read_text(encoding="utf-8")
    assert '"ACTIONS_HOST"' in server and '"WEB_HOST"' in web


def test_every_example_setting_is_documented(example: dict[str, str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    drift = (ROOT / "docs" / "drift.md").read_text(encoding="utf-8")
    documented = _documented(readme) | _documented(drift)
    families = {
        re.sub(r"\*$", "", n) for n in re.findall(r"`([A-Z][A-Z0-9_]+_\*)`", drift)
    }
    quiet = {  # set by scripts/stack.py for every process (QUIET), not settings
        "SQLALCHEMY_SILENCE_UBER_WARNING", "TF_CPP_MIN_LOG_LEVEL", "HF_HUB_OFFLINE",
        "TRANSFORMERS_OFFLINE", "PYTHONUNBUFFERED", "PYTHONPATH", "HOME",
    }  # fmt: skip
    missing = [
        name
        for name in example
        if name not in documented
        and name not in quiet
        and not any(name.startswith(f) for f in families)
        and f"`{name}=" not in drift
    ]
    assert not missing, missing


def test_privacy_text_matches_retention_and_backups() -> None:
    privacy = (ROOT / "docs" / "personuppgifter.md").read_text(encoding="utf-8")
    drift = (ROOT / "docs" / "drift.md").read_text(encoding="utf-8")
    backup = (ROOT / "deploy" / "systemd" / "servicelotsen-backup.service").read_text(
        encoding="utf-8"
    )
    days = re.search(r"-mtime \+(\d+)", backup)
    assert days, "backup unit: how long copies are kept"
    kept = int(days.group(1))
    assert f"{kept} dagar" in drift
    assert f"högst {kept} dagar till" in privacy
    assert f"{DEFAULT_RETENTION_DAYS:g} dagar" in privacy
