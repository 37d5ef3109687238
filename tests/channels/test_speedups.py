"""channels.speedups: Rasa's action-reply validation, compiled once, same verdicts.

Runs in Rasa's own environment (.venv-rasa) in a subprocess, because Rasa is
not installed in the action server's environment that runs pytest.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

# Replies an action server might send: valid ones and broken ones.
REPLIES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "location", "value": "Jämjö"}],
     "responses": [{"text": "Hej", "buttons": [], "custom": {"places": []}}]},
    {"events": [{"event": "followup", "name": "action_listen"}]},
    {"responses": [{"response": "utter_greet"}]},
    {"events": "not a list"},
    {"events": [{"name": "no event key"}]},
    {"responses": "not a list"},
    {"events": [{"event": 5}]},
    [],
    "text",
]

SCRIPT = r"""
import json, sys, time
import jsonschema
from rasa.core.actions.action import RemoteAction
schema = RemoteAction.action_response_format_spec()
replies = json.loads(sys.argv[1])
def verdicts():
    out = []
    for reply in replies:
        try:
            RemoteAction("x", None)._validate_action_result(reply)
            out.append("ok")
        except jsonschema.ValidationError as err:
            out.append("invalid: " + err.message.split(".")[0])
    return out
before = verdicts()
action = RemoteAction("x", None)
t0 = time.perf_counter(); [action._validate_action_result(replies[1]) for _ in range(20)]
slow = (time.perf_counter() - t0) / 20
import channels  # installs the speed-up, as Rasa does when it loads channels.rest
from channels import speedups
after = verdicts()
action = RemoteAction("x", None)
t0 = time.perf_counter(); [action._validate_action_result(replies[1]) for _ in range(20)]
fast = (time.perf_counter() - t0) / 20
print(json.dumps({"before": before, "after": after, "installed": speedups.installed(),
                  "slow_ms": slow * 1000, "fast_ms": fast * 1000}))
"""


def run_in_rasa(script: str, *args: str) -> dict[str, object]:
    """Run `script` in Rasa's environment; its last output line, parsed as JSON."""
    if not RASA_PYTHON.exists():
        pytest.fail("Rasa's environment is missing: run `make setup` (make test does).")
    proc = subprocess.run(
        [str(RASA_PYTHON), "-c", script, *args],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def outcome() -> dict[str, object]:
    return run_in_rasa(SCRIPT, json.dumps(REPLIES))


def test_installed_when_channels_load(outcome: dict[str, object]) -> None:
    assert outcome["installed"] is True


def test_same_verdicts_as_rasas_own_validation(outcome: dict[str, object]) -> None:
    before = outcome["before"]
    assert isinstance(before, list)
    assert before[:4] == ["ok"] * 4
    assert all(str(v).startswith("invalid") for v in before[4:])
    assert outcome["after"] == before


def test_rejects_what_rasa_rejects_with_rasas_message(outcome: dict[str, object]) -> None:
    after = outcome["after"]
    assert isinstance(after, list)
    assert after[4].startswith("invalid: 'not a list' is not of type 'array'")


# --- pooled connections to the action server ----------------------------------

POOL_SCRIPT = r"""
import asyncio, json
from aiohttp import web
import channels  # installs the speed-ups
from rasa.utils.endpoints import EndpointConfig, ClientResponseError

peers = []

async def webhook(request):
    peers.append(request.transport.get_extra_info("peername"))
    if request.query.get("token") != "s3cret":
        return web.json_response({"error": "token"}, status=401)
    body = await request.json()
    return web.json_response({"echo": body, "ct": request.headers.get("Content-Type")})

async def text(request):
    peers.append(request.transport.get_extra_info("peername"))
    return web.Response(text="not json")

async def close_after(request):
    peers.append(request.transport.get_extra_info("peername"))
    resp = web.json_response({"ok": True})
    resp.force_close()
    return resp

async def main():
    app = web.Application()
    app.router.add_post("/webhook", webhook)
    app.router.add_post("/text", text)
    app.router.add_post("/close", close_after)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", token="s3cret")
    out = {}
    out["replies"] = [await endpoint.request(json={"n": i}, method="post", timeout=5) for i in range(5)]
    out["connections"] = len(set(peers))
    bad = EndpointConfig(f"http://127.0.0.1:{port}/webhook", token="wrong")
    try:
        await bad.request(json={}, method="post")
        out["error"] = None
    except ClientResponseError as err:
        out["error"] = err.status
    out["text"] = await EndpointConfig(f"http://127.0.0.1:{port}/text").request(json={})
    closing = EndpointConfig(f"http://127.0.0.1:{port}/close")
    out["after_close"] = [await closing.request(json={}) for _ in range(3)]
    from channels import speedups
    await speedups.close_sessions()
    await runner.cleanup()
    print(json.dumps(out))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def pooled() -> dict[str, object]:
    return run_in_rasa(POOL_SCRIPT)


def test_action_calls_share_one_connection(pooled: dict[str, object]) -> None:
    replies = pooled["replies"]
    assert replies == [
        {"echo": {"n": i}, "ct": "application/json"} for i in range(5)
    ]
    assert pooled["connections"] == 1


def test_pooled_requests_keep_rasas_errors_and_replies(pooled: dict[str, object]) -> None:
    assert pooled["error"] == 401
    assert pooled["text"] is None


def test_a_connection_the_server_closed_is_replaced(pooled: dict[str, object]) -> None:
    assert pooled["after_close"] == [{"ok": True}] * 3


# --- event classes by name -----------------------------------------------------

EVENT_SCRIPT = r"""
import json
import rasa.shared.utils.common as common
from rasa.shared.core.events import Event
names = sorted({c.type_name for c in common.all_subclasses(Event)})
def table():
    out = {n: Event.resolve_by_type(n).__name__ for n in names}
    out["topic"] = repr(Event.resolve_by_type("topic"))
    out["default"] = Event.resolve_by_type("nope", Event).__name__
    try:
        Event.resolve_by_type("nope")
        out["unknown"] = "no error"
    except ValueError as err:
        out["unknown"] = str(err)
    return out
before = table()
import channels  # installs the speed-ups
after = table()
print(json.dumps({"before": before, "after": after, "count": len(names)}))
"""


def test_event_classes_resolve_as_rasa_does() -> None:
    result = run_in_rasa(EVENT_SCRIPT)
    assert result["count"] > 20
    assert result["after"] == result["before"]
    assert result["after"]["user"] == "UserUttered"
    assert result["after"]["unknown"] == "Unknown event name 'nope'."
