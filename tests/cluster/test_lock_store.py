"""A message waiting behind a dead instance's lock ticket (channels/lock_store.py).

Runs Rasa's own lock store and ours, in Rasa's environment, against the real
Redis server of this module (conftest.py).
"""

from __future__ import annotations

import json
import subprocess

import pytest

from scripts.stack import RASA_VENV, ROOT

from .conftest import Servers

pytestmark = [pytest.mark.cluster]

SCRIPT = """
import asyncio, json, sys, time
from rasa.utils.endpoints import EndpointConfig
from rasa.core.lock_store import LockStore

port = int(sys.argv[1])

async def waits(kind: str, prefix: str) -> float | None:
    store = LockStore.create(
        EndpointConfig(url="127.0.0.1", type=kind, port=port, db=0, key_prefix=prefix)
    )
    store.issue_ticket("c", 1.0)  # left by an instance that died mid-turn
    await asyncio.sleep(0.3)  # the resident writes again at once
    start = time.monotonic()

    async def turn() -> None:
        # the first check (after 2 s) comes when both tickets have expired
        async with store.lock("c", lock_lifetime=1.0, wait_time_in_seconds=2):
            pass

    try:
        await asyncio.wait_for(turn(), timeout=6)
    except asyncio.TimeoutError:
        return None
    return round(time.monotonic() - start, 1)

async def main() -> None:
    print(json.dumps({
        "rasa": await waits("redis", "stock"),
        "ours": await waits("channels.lock_store.RedisLockStore", "ours"),
    }))

asyncio.run(main())
"""


def test_a_message_behind_a_dead_ticket_is_served(servers: Servers) -> None:
    done = subprocess.run(
        [str(RASA_VENV / "bin" / "python"), "-W", "ignore", "-c", SCRIPT,
         servers.env["SERVICELOTSEN_REDIS_PORT"]],
        cwd=ROOT,
        env={**servers.env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    waited = json.loads(done.stdout.strip().splitlines()[-1])
    # Rasa's own store: both tickets expired unseen, it waits for "ticket 0" for ever
    assert waited["rasa"] is None
    # ours takes a new ticket and is served at its first check
    assert waited["ours"] is not None and waited["ours"] < 4
