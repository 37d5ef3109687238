"""Helpers for the suites that talk to the real stack (the shared one of
tests/conftest.py, or, for `make run`, `make shell` and publishing, their own)."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.stack import Stack, actions_service, rasa_service, stack_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post_json(url: str, payload: Any, timeout: float = 30.0) -> tuple[int, Any]:
    """POST `payload` (a str is sent as is) and return (status, decoded JSON)."""
    data = (
        payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    )
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


class Chat:
    """Talks to a running Rasa over the REST channel, as the web front will."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.url = f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook"

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        status, body = post_json(self.url, {"sender": sender, "message": text})
        assert status == 200, body
        assert isinstance(body, list)
        return body

    def texts(self, sender: str, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, text))


def e2e_env(tmp: Path) -> dict[str, str]:
    return stack_env(
        {
            "RASA_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()),
            "WEB_PORT": str(free_port()),
            "SERVICELOTSEN_TRACKER_DB": str(tmp / "tracker.db"),
        }
    )


def rasa_stack(env: dict[str, str], log_dir: Path) -> Iterator[Stack]:
    """For a fixture to `yield from`: the action server and Rasa on `env`, started."""
    stack = Stack(
        [actions_service(env, log_dir=log_dir), rasa_service(env, log_dir=log_dir)], env
    )
    stack.start(timeout=240)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def stack(shared_stack: Stack) -> Stack:
    """The shared stack (tests/conftest.py): the fake e2e registry, both tokens set."""
    return shared_stack


@pytest.fixture(scope="module")
def chat(stack: Stack) -> Chat:
    return Chat(stack.env)
