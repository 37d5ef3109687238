"""The whole stack with its tokens set: who can reach what, and what the logs keep.

One stack as `make run` starts it (action server, Rasa, web front), with
SERVICELOTSEN_AUTH_TOKEN and SERVICELOTSEN_ACTIONS_TOKEN set and no log
level chosen (the defaults), on free ports and the fake e2e registry.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bot.retention import purge
from scripts.stack import (
    MODEL,
    ROOT,
    Stack,
    StartupError,
    is_loopback,
    rasa_service,
    stack_env,
)

from .conftest import post_json

pytestmark = pytest.mark.e2e

SENDER = "e2e-integritet-" + secrets.token_hex(4)
#: Words and numbers found nowhere else, so any trace of them in a log is a leak.
SECRET_WORDS = ("Zebulon", "Kvarnqvist", "0709876543")
SECRET_TEXT = "Jag heter Zebulon Kvarnqvist och har nummer 0709876543, var finns apotek i Ronneby?"
POSITION = {"latitude": 56.17313, "longitude": 15.59461}
POSITION_TRACES = ("56.17313", "15.59461", "56.173", "15.594")


@pytest.fixture(scope="module")
def secured(shared_stack: Stack) -> Stack:
    """The shared stack (tests/conftest.py): both tokens set, default log levels."""
    assert shared_stack.env["SERVICELOTSEN_AUTH_TOKEN"]
    assert shared_stack.env["SERVICELOTSEN_ACTIONS_TOKEN"]
    assert not {"LOG_LEVEL", "LOG_LEVEL_LIBRARIES"} & set(shared_stack.env)
    return shared_stack


def rasa_token(stack: Stack) -> str:
    return stack.env["SERVICELOTSEN_AUTH_TOKEN"]


def actions_token(stack: Stack) -> str:
    return stack.env["SERVICELOTSEN_ACTIONS_TOKEN"]


def url(stack: Stack, service: str, path: str) -> str:
    port = stack.env[{"rasa": "RASA_PORT", "actions": "ACTIONS_PORT", "web": "WEB_PORT"}[service]]
    return f"http://127.0.0.1:{port}{path}"


def get(address: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(address, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        body = err.read()
        try:
            return err.code, json.loads(body or b"null")
        except ValueError:
            return err.code, body.decode(errors="replace")


# --- tokens and addresses -----------------------------------------------------------


def test_rasa_http_api_needs_the_token(secured: Stack) -> None:
    status, _ = get(url(secured, "rasa", "/status"))
    assert status == 401
    status, _ = get(url(secured, "rasa", "/status?token=fel"))
    assert status == 401
    status, body = get(url(secured, "rasa", f"/status?token={rasa_token(secured)}"))
    assert status == 200 and body["model_file"]
    status, body = post_json(
        url(secured, "rasa", f"/model/parse?token={rasa_token(secured)}"), {"text": "hej"}
    )
    assert status == 200 and body["intent"]["name"] == "greet"
    status, _ = post_json(url(secured, "rasa", "/model/parse"), {"text": "hej"})
    assert status == 401


def test_the_rest_channel_reaches_the_action_server_with_its_token(secured: Stack) -> None:
    """Channels need no token; Rasa passes the action server's token on."""
    status, body = post_json(
        url(secured, "rasa", "/webhooks/rest/webhook"),
        {"sender": "e2e-token-help", "message": "vad kan du hjälpa mig med?"},
    )
    assert status == 200
    text = "\n".join(m.get("text", "") for m in body)
    assert "apotek" in text.lower()  # the help text comes from action_help
    assert "tekniskt fel" not in text


def test_the_action_server_refuses_calls_without_its_token(secured: Stack) -> None:
    request = {"next_action": "action_help", "sender_id": "x", "tracker": {}, "domain": {}}
    status, _ = post_json(url(secured, "actions", "/webhook"), request)
    assert status == 401
    status, _ = post_json(url(secured, "actions", "/webhook?token=fel"), request)
    assert status == 401
    status, _ = get(url(secured, "actions", "/actions"))
    assert status == 401
    status, _ = post_json(url(secured, "actions", f"/webhook?token={actions_token(secured)}"), request)
    assert status != 401  # let in (the made-up tracker is another matter)
    status, _ = get(url(secured, "actions", "/health"))
    assert status == 200


def _listening(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (from /proc/net)."""
    found: set[str] = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            if width == 8:
                found.add(".".join(str(b) for b in reversed(raw)))
            else:  # four little-endian 32-bit words
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                import ipaddress

                found.add(str(ipaddress.IPv6Address(words)))
    return found


def test_everything_listens_on_loopback_only(secured: Stack) -> None:
    for variable in ("RASA_PORT", "ACTIONS_PORT", "WEB_PORT"):
        addresses = _listening(int(secured.env[variable]))
        assert addresses, f"nothing listens on {variable}"
        assert all(is_loopback(a) for a in addresses), (variable, addresses)


def test_rasa_is_not_started_beyond_loopback_without_a_token() -> None:
    env = stack_env({"RASA_HOST": "0.0.0.0", "SERVICELOTSEN_AUTH_TOKEN": ""})
    with pytest.raises(StartupError, match="SERVICELOTSEN_AUTH_TOKEN"):
        rasa_service(env)
    env["SERVICELOTSEN_AUTH_TOKEN"] = "t" * 32
    argv = list(rasa_service(env).argv)
    assert argv[argv.index("--interface") + 1] == "0.0.0.0"
    assert argv[argv.index("--auth-token") + 1] == "t" * 32
    default = list(rasa_service(stack_env({"SERVICELOTSEN_AUTH_TOKEN": ""})).argv)
    assert default[default.index("--interface") + 1] == "127.0.0.1"
    assert "--auth-token" not in default
    assert stack_env({"ACTIONS_HOST": ""})["SANIC_HOST"] == "127.0.0.1"
    assert stack_env({"ACTIONS_HOST": "10.0.0.5"})["SANIC_HOST"] == "10.0.0.5"


def test_make_run_explains_why_it_will_not_start() -> None:
    if not MODEL.is_file():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    env = {k: v for k, v in os.environ.items() if k != "SERVICELOTSEN_AUTH_TOKEN"}
    env["RASA_HOST"] = "0.0.0.0"
    result = subprocess.run(
        [sys.executable, "scripts/stack.py", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "SERVICELOTSEN_AUTH_TOKEN är inte satt" in result.stderr
    assert "Startar" not in result.stdout  # nothing was started


# --- what the logs and the store keep ------------------------------------------------


def chat(stack: Stack, message: str) -> str:
    status, body = post_json(
        url(stack, "web", "/api/chat"), {"sender": SENDER, "message": message}
    )
    assert status == 200, body
    return "\n".join(m.get("text", "") for m in body["messages"])


@pytest.fixture(scope="module")
def conversation(secured: Stack) -> list[str]:
    """One resident's conversation with personal data and a shared position,
    held once for the tests below (each may run alone, in any order)."""
    return [
        chat(secured, SECRET_TEXT),
        chat(secured, "/share_location" + json.dumps(POSITION)),
        chat(secured, "apotek"),
    ]


def test_no_message_text_or_position_in_any_log(
    secured: Stack, conversation: list[str]
) -> None:
    first, shared, searched = (reply.lower() for reply in conversation)
    assert "apotek" in first
    assert "din position" in shared or "från dig" in shared
    assert "från dig" in searched  # searched from the position

    logs = {path.name: path.read_text(errors="replace") for path in secured_logs(secured)}
    assert set(logs) >= {"actions.log", "rasa.log", "web.log"}
    assert "POST /api/chat 200" in logs["web.log"]  # the logs are on...
    for name, text in logs.items():  # ...and say nothing about what was written
        for trace in SECRET_WORDS + POSITION_TRACES:
            assert trace not in text, f"{trace!r} in {name}"


def secured_logs(stack: Stack) -> list[Path]:
    folder = stack.services[0].log_path.parent
    return sorted(folder.glob("*.log"))


def store_text(stack: Stack) -> str:
    with sqlite3.connect(stack.env["SERVICELOTSEN_TRACKER_DB"]) as conn:
        rows = conn.execute("SELECT data FROM events WHERE sender_id = ?", (SENDER,))
        return "\n".join(row[0] for row in rows)


def test_the_purge_removes_the_position_and_rasa_goes_on(
    secured: Stack, conversation: list[str]
) -> None:
    assert conversation
    before = store_text(secured)
    assert "56.17313" in before  # the store did hold the position
    # the conversation counts as ended at once (0 minutes): its position goes
    report = purge(
        f"sqlite:///{secured.env['SERVICELOTSEN_TRACKER_DB']}",
        older_than_days=30,
        session_minutes_=0,
    )
    assert report.scrubbed_conversations >= 1
    after = store_text(secured)
    for trace in POSITION_TRACES:
        assert trace not in after
    assert "Zebulon" in after  # typed text is kept for the retention
    # Rasa reads the scrubbed conversation and answers on; the position is gone
    assert chat(secured, "hej")
    status, tracker = get(
        url(secured, "rasa", f"/conversations/{SENDER}/tracker?token={rasa_token(secured)}")
    )
    assert status == 200
    assert tracker["slots"]["latitude"] is None
    assert not any(trace in json.dumps(tracker) for trace in POSITION_TRACES)
    # and the retention deletes the whole conversation
    purge(
        f"sqlite:///{secured.env['SERVICELOTSEN_TRACKER_DB']}",
        older_than_days=0,
        session_minutes_=0,
    )
    assert store_text(secured) == ""
