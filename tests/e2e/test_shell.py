"""`make shell`: staff talk to the bot in a terminal (driven through tmux)."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from scripts.stack import ROOT

from .conftest import e2e_env, free_port

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def _screen(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-t", session, "-p", "-S", "-200"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout


def _wait_for(session: str, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = _screen(session)
        if text in screen:
            return screen
        time.sleep(1)
    raise AssertionError(f"{text!r} never appeared; screen:\n{_screen(session)}")


def _start_make_shell(tmp_path: Path) -> tuple[dict[str, str], str]:
    """`make shell` in a fresh tmux session on free ports: (env, session name)."""
    env = e2e_env(tmp_path)
    env["SHELL_RASA_PORT"] = str(free_port())
    session = f"shell-{uuid.uuid4().hex[:8]}"
    exports = " ".join(
        f"{k}={env[k]}"
        for k in ("ACTIONS_PORT", "SHELL_RASA_PORT", "SERVICELOTSEN_TRACKER_DB")
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "60",
         f"cd {ROOT} && env {exports} make --no-print-directory shell"],
        check=True,
    )  # fmt: skip
    return env, session


def test_make_shell_holds_a_swedish_conversation(tmp_path: Path) -> None:
    env, session = _start_make_shell(tmp_path)
    try:
        _wait_for(session, "Your input ->", 240)
        subprocess.run(["tmux", "send-keys", "-t", session, "hej", "Enter"], check=True)
        _wait_for(session, "Jag är Servicelotsen", 60)
        subprocess.run(
            ["tmux", "send-keys", "-t", session, "vad kan du hjälpa mig med", "Enter"],
            check=True,
        )
        _wait_for(session, "Jag kan hjälpa dig att hitta", 60)
        subprocess.run(
            ["tmux", "send-keys", "-t", session, "/stop", "Enter"], check=True
        )
        _assert_stops(env["ACTIONS_PORT"])
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)


def test_closing_the_terminal_stops_everything(tmp_path: Path) -> None:
    """rasa shell ignores SIGHUP; the supervisor must still stop it all."""
    env, session = _start_make_shell(tmp_path)
    try:
        _wait_for(session, "Your input ->", 240)
        assert _actions_answer(env["ACTIONS_PORT"])
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    _assert_stops(env["ACTIONS_PORT"])
    assert not _port_open(env["SHELL_RASA_PORT"]), "rasa shell left running"


def _assert_stops(port: str) -> None:
    deadline = time.monotonic() + 30
    while _actions_answer(port) and time.monotonic() < deadline:
        time.sleep(1)
    assert not _actions_answer(port), "action server left running"


def _actions_answer(port: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
            return True
    except OSError:
        return False


def _port_open(port: str) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", int(port))) == 0
