"""Keep the action server's event loop free: actions run in worker threads.

Rasa SDK runs every action on the one event loop that also reads requests and
writes replies. Our actions are synchronous work written as coroutines (the
search, opening hours, the answer text; the knowledge search embeds the
question with the sentence model, ~15-20 ms; the first call loads the
registry, seconds on 10^5 points), so while one runs every other
conversation's request waits (issue 14). `ThreadedActionExecutor` runs each
action call, tracker parsing included, on a small thread pool, each thread
with its own event loop for the action's coroutine; the loop only parses
requests and writes replies. Torch and the Rust opening-hours library release
the GIL while they work, so a pool also overlaps an embedding with other
conversations' turns.

Settings: SERVICELOTSEN_ACTION_THREADS (default 4) threads, 0 for Rasa SDK's
own way (actions on the event loop; for comparisons);
SERVICELOTSEN_SLOW_CALLBACK_MS, when set, turns on asyncio's debug mode with
that slow-callback threshold, so the log shows asyncio's "Executing ... took"
warning for anything that still blocks the loop (tests/e2e/test_event_loop.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rasa_sdk.executor import ActionExecutor

logger = logging.getLogger(__name__)

THREADS_ENV = "SERVICELOTSEN_ACTION_THREADS"
SLOW_CALLBACK_ENV = "SERVICELOTSEN_SLOW_CALLBACK_MS"
DEFAULT_THREADS = 4

_local = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    """This worker thread's own event loop (created once per thread)."""
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None:
        loop = asyncio.new_event_loop()
        _local.loop = loop
    return loop


def thread_count() -> int:
    raw = os.environ.get(THREADS_ENV, "").strip()
    try:
        return max(0, int(raw)) if raw else DEFAULT_THREADS
    except ValueError:
        return DEFAULT_THREADS


class ThreadedActionExecutor(ActionExecutor):
    """Rasa SDK's executor, with each unary action call run in a worker thread."""

    def __init__(self, threads: int | None = None) -> None:
        super().__init__()
        count = thread_count() if threads is None else threads
        self._on_loop = count == 0
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, count), thread_name_prefix="action"
        )

    async def run(
        self,
        action_call: dict[str, Any],
        sink: asyncio.Queue[Any] | None = None,
        dispatcher: Any = None,
    ) -> Any:
        if sink is not None or self._on_loop:  # streaming: the sink is this loop's
            return await super().run(action_call, sink, dispatcher)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._run_here, action_call)

    def _run_here(self, action_call: dict[str, Any]) -> Any:
        return _thread_loop().run_until_complete(ActionExecutor.run(self, action_call))

    async def in_thread(self, func: Any, *args: Any) -> Any:
        """Run other blocking work (data reload, warm-up) on the same pool."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, func, *args)


def preload_data() -> None:
    """Load the registry and gazetteer in a worker thread once the server runs,
    and start embedding the knowledge's example questions, so neither the
    first resident nor the first minutes of load wait for it (a failure is
    told by the first action that needs the data)."""
    from actions.common import warm_up_in_background
    from bot.errors import ServicelotsenError
    from bot.lotsen import get_lotsen

    warm_up_in_background()
    with contextlib.suppress(ServicelotsenError):
        get_lotsen()


def debug_event_loop(loop: asyncio.AbstractEventLoop) -> None:
    """asyncio debug mode with SERVICELOTSEN_SLOW_CALLBACK_MS, when that is set."""
    raw = os.environ.get(SLOW_CALLBACK_ENV, "").strip()
    if not raw:
        return
    loop.set_debug(True)
    loop.slow_callback_duration = float(raw) / 1000
    logging.getLogger("asyncio").setLevel(logging.WARNING)
    logger.info("asyncio debug on, slow callbacks over %s ms are logged", raw)
