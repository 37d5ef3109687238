"""Servicelotsen's action server: Rasa SDK's app plus an authenticated `/reload`.

`python -m actions.server` serves the same `/webhook`, `/health` and
`/actions` as `python -m rasa_sdk --actions actions`, in one process (no
Sanic worker manager, so models and data are loaded once), and adds:

* `POST /reload` – read the registry, gazetteer and knowledge files again
  after editors published new data, without dropping a conversation (the
  old data keeps serving until the new has loaded and validated). It needs
  `Authorization: Bearer <SERVICELOTSEN_ACTIONS_TOKEN>` when that variable
  is set, and otherwise a request from this machine (loopback).

When SERVICELOTSEN_ACTIONS_TOKEN is set, `/webhook` and `/actions` need it
too: Rasa sends it as `?token=…` (endpoints.yml, `action_endpoint.token`),
other callers may use the same Bearer header. Unset, the server relies on
listening only on loopback or on an internal network.

Settings: ACTIONS_HOST (127.0.0.1) and ACTIONS_PORT (5055); SANIC_HOST is
read when ACTIONS_HOST is unset (older settings files).
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import Any

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.common import reload_knowledge
from actions.offload import ThreadedActionExecutor, debug_event_loop, preload_data
from bot.errors import ServicelotsenError
from bot.lotsen import reload_lotsen

logger = logging.getLogger(__name__)

TOKEN_ENV = "SERVICELOTSEN_ACTIONS_TOKEN"
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
#: Rasa SDK's routes that run or list actions: the token guards them when set.
_GUARDED = frozenset({"/webhook", "/actions"})


def _bearer_ok(request: Request, token: str) -> bool:
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _allowed(request: Request) -> bool:
    token = os.environ.get(TOKEN_ENV)
    if token:
        return _bearer_ok(request, token)
    return request.ip in _LOOPBACK


async def require_token(request: Request) -> HTTPResponse | None:
    """Request middleware: `/webhook` and `/actions` need the token when it is set."""
    token = os.environ.get(TOKEN_ENV)
    if not token or request.path.rstrip("/") not in _GUARDED:
        return None
    given = request.args.get("token") or ""
    if hmac.compare_digest(given.encode(), token.encode()) or _bearer_ok(
        request, token
    ):
        return None
    return response.json({"error": "not allowed"}, status=401)


async def reload_data(request: Request) -> HTTPResponse:
    """Reload the registry, the gazetteer and the knowledge files."""
    if not _allowed(request):
        return response.json({"error": "not allowed"}, status=403)
    executor: ThreadedActionExecutor = request.app.ctx.executor
    try:  # seconds on a large registry: not on the event loop
        lotsen = await executor.in_thread(reload_lotsen)
        found = await executor.in_thread(reload_knowledge)
    except ServicelotsenError as exc:
        logger.error("Reload failed, the old data stays in use: %s", exc)
        return response.json({"reloaded": False, "error": str(exc)}, status=500)
    body: dict[str, Any] = {
        "reloaded": True,
        "service_points": len(lotsen.registry.points),
        "rejected": len(lotsen.registry.rejected),
        "knowledge_entries": len(found.entries),
    }
    logger.info("Reloaded data: %s", body)
    return response.json(body)


def build_app() -> Sanic[Any, Any]:
    """The action server app: our actions, Rasa SDK's routes, and `/reload`."""
    # actions run in worker threads, off the event loop (actions/offload.py)
    executor = ThreadedActionExecutor()
    executor.register_package("actions")
    app: Sanic[Any, Any] = create_app(executor, cors_origins=None)
    app.ctx.executor = executor
    app.add_route(reload_data, "/reload", methods=["POST"])
    app.register_middleware(require_token, "request")

    async def before_start(app: Sanic[Any, Any], loop: Any) -> None:
        debug_event_loop(loop)

    async def after_start(app: Sanic[Any, Any], loop: Any) -> None:
        app.add_task(executor.in_thread(preload_data))

    app.register_listener(before_start, "before_server_start")
    app.register_listener(after_start, "after_server_start")
    return app


def main() -> None:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s - %(message)s",
    )
    host = (
        os.environ.get("ACTIONS_HOST") or os.environ.get("SANIC_HOST") or "127.0.0.1"
    )
    port = int(os.environ.get("ACTIONS_PORT", "5055"))
    app = build_app()
    logger.info("Action server on http://%s:%s", host, port)
    if host not in _LOOPBACK and not os.environ.get(TOKEN_ENV):
        logger.warning(
            "Listening on %s without %s: anyone who reaches this address can run "
            "actions. Keep it on an internal network or set the token (README).",
            host,
            TOKEN_ENV,
        )
    app.run(host=host, port=port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
