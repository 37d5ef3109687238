"""End to end: the real Rasa server and action server, Swedish messages over REST
(and English ones where the channel answers by itself)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bot.service_types import load_service_types
from channels.messages import is_no_reply, no_reply_text
from scripts.stack import ROOT, Stack, descendants, rasa_service

from .conftest import Chat, e2e_env, post_json

pytestmark = pytest.mark.e2e


def test_greeting_is_swedish(chat: Chat) -> None:
    reply = chat.texts("e2e-greet", "hej")
    assert "Servicelotsen" in reply
    assert "Vad letar du efter?" in reply


def test_help_comes_from_the_action_server_and_names_every_service_type(
    chat: Chat,
) -> None:
    reply = chat.texts("e2e-help", "vad kan du hjälpa mig med?")
    for service_type in load_service_types().values():
        assert service_type.plural in reply
    assert "Var finns närmaste apotek i Ronneby?" in reply


def test_unclear_message_gets_the_fallback(chat: Chat) -> None:
    reply = chat.texts("e2e-fallback", "qwxz plopp brrr")
    assert reply, "never silence"
    # the two-stage fallback ("Menade du att …?", "skriv på ett annat sätt")
    # or the out-of-scope answer; never a made-up search
    assert any(
        phrase in reply
        for phrase in ("förstod", "kan tyvärr inte", "tyvärr inte svara")
    ), reply
    assert "Närmaste" not in reply


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("detta är inte json", "Skicka JSON"),
        ('["en", "lista"]', "Skicka JSON"),
        ('{"sender": "x"}', "'message'"),
        ('{"sender": "x", "message": 42}', "'message'"),
        ('{"sender": {"a": 1}, "message": "hej"}', "'sender'"),
    ],
)
def test_malformed_payload_gets_a_clear_error(
    chat: Chat, body: str, fragment: str
) -> None:
    status, reply = post_json(chat.url, body)
    assert status == 400
    assert fragment in reply["error"]


def test_conversation_is_stored_in_the_tracker_store(chat: Chat) -> None:
    chat.say("e2e-store", "hej")
    port = chat.env["RASA_PORT"]
    token = chat.env["SERVICELOTSEN_AUTH_TOKEN"]
    url = f"http://127.0.0.1:{port}/conversations/e2e-store/tracker?token={token}"
    with urllib.request.urlopen(url, timeout=10) as resp:
        tracker = json.loads(resp.read())
    texts = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert "hej" in texts


def test_reply_when_the_action_server_is_down(stack: Stack, chat: Chat) -> None:
    """Rasa alone answers an empty list; the resident must get a message."""
    stack.by_name("action server").stop()
    try:
        reply = chat.say("e2e-down", "vad kan du hjälpa mig med?")
        assert [m["text"] for m in reply] == [no_reply_text("sv")]
        assert is_no_reply(reply[0])  # the outcome as data (scripts/bench.py)
        # in the language of the message (channels/messages.py, reply_language)
        reply = chat.say("e2e-down-en", "what can you help me with?")
        assert [m["text"] for m in reply] == [no_reply_text("en")]
        assert reply[0]["text"].startswith("Sorry, I cannot answer right now")
        # the language the resident chose with the widget's switch wins
        status, body = post_json(
            chat.url,
            {
                "sender": "e2e-down-switch",
                "message": "vad kan du hjälpa mig med?",
                "metadata": {"language": "en", "language_source": "switch"},
            },
        )
        assert status == 200, body
        assert [m["text"] for m in body] == [no_reply_text("en")]
        # answers that need no action server still work
        assert "Servicelotsen" in chat.texts("e2e-down", "hej")
    finally:
        stack.by_name("action server").start(stack.env)
        stack.wait_healthy(120)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_make_run_answers_and_ctrl_c_leaves_no_process(tmp_path: Path) -> None:
    env = e2e_env(tmp_path)
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
    )
    chat = Chat(env)
    try:
        deadline = time.monotonic() + 240
        while not rasa_service(env).healthy():
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "make run did not come up"
            time.sleep(1)
        # Rasa answers; wait for the action server too (make run prints when both are up)
        while not any("Stoppa med Ctrl-C" in line for line in _read_available(proc)):
            assert time.monotonic() < deadline, "make run never said it was ready"
            time.sleep(0.5)
        assert "Servicelotsen" in chat.texts("e2e-make-run", "hej")
        started = descendants(proc.pid)
        assert len(started) >= 3  # supervisor, action server, Rasa
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        proc.wait(60)
        time.sleep(1)
        left = {pid for pid in started if _alive(pid)}
        assert not left, f"processes left after Ctrl-C: {left}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


_seen: list[str] = []


def _read_available(proc: subprocess.Popen[str]) -> list[str]:
    """Lines of make's output so far, without blocking."""
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    chunk = proc.stdout.read() or ""
    _seen.extend(chunk.splitlines())
    return _seen
