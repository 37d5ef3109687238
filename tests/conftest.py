"""Shared test setup: the repository root on sys.path, so `bot`, `actions` and
`scripts` import; the one running stack of the end-to-end suites (`shared_stack`)."""

from __future__ import annotations

import secrets
import socket
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.stack import (  # noqa: E402
    MODEL,
    Stack,
    actions_service,
    rasa_service,
    stack_env,
    web_service,
)

# --- the one running stack the end-to-end suites share ------------------------------

#: The obviously fake registry every shared-stack suite talks to (answers are known).
E2E_REGISTRY = ROOT / "tests" / "fixtures" / "e2e" / "registry.geojson"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def shared_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One stack as `make run` starts it (action server, Rasa, web front), started
    once for every end-to-end suite (tests/e2e, tests/web, tests/editors and
    tests/report's *_e2e): free ports, the fake e2e registry, both tokens set
    (SERVICELOTSEN_AUTH_TOKEN, SERVICELOTSEN_ACTIONS_TOKEN), the default log
    levels, and one embedding site allowed (`kommun.test` on a free port, for the
    widget's CORS tests).

    Suites that must change it for good (tests/e2e/test_publish.py: a new model
    and registry) start their own. A test that stops a process starts it again.
    Each suite uses its own sender ids, so conversations never mix.
    """
    if not MODEL.is_file():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    tmp = tmp_path_factory.mktemp("shared-stack")
    env = stack_env(
        {
            "RASA_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()),
            "WEB_PORT": str(free_port()),
            "SERVICELOTSEN_TRACKER_DB": str(tmp / "tracker.db"),
            "SERVICELOTSEN_REGISTRY": str(E2E_REGISTRY),
            "SERVICELOTSEN_AUTH_TOKEN": "rasa-" + secrets.token_hex(16),
            "SERVICELOTSEN_ACTIONS_TOKEN": "actions-" + secrets.token_hex(16),
            "SERVICELOTSEN_ALLOWED_ORIGINS": f"http://kommun.test:{free_port()}",
        }
    )
    for variable in ("LOG_LEVEL", "LOG_LEVEL_LIBRARIES", "LOG_LEVEL_RABBITMQ"):
        env.pop(variable, None)  # the defaults, as an operator gets them
    stack = Stack(
        [
            actions_service(env, log_dir=tmp),
            rasa_service(env, log_dir=tmp),
            web_service(env, log_dir=tmp),
        ],
        env,
    )
    stack.start(timeout=240)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def copy_conversations(shared_stack: Stack) -> Callable[[Sequence[str], Path], Path]:
    """`copy(prefixes, out)`: a copy of the shared stack's tracker store at `out`
    with only the conversations whose sender id starts with one of `prefixes`,
    as a stack of their own would have written it (for the tools that read the
    whole store: the inbox, the report)."""

    def copy(prefixes: Sequence[str], out: Path) -> Path:
        source = sqlite3.connect(shared_stack.env["SERVICELOTSEN_TRACKER_DB"])
        target = sqlite3.connect(out)
        try:
            source.backup(target)
            kept = " OR ".join("sender_id LIKE ?" for _ in prefixes)
            target.execute(
                f"DELETE FROM events WHERE NOT ({kept})", [f"{p}%" for p in prefixes]
            )
            target.commit()
        finally:
            source.close()
            target.close()
        return out

    return copy
