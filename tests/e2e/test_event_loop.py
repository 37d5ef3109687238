"""Nothing heavy on the action server's event loop (issue 14).

The real Rasa server and action server run on the default registry with
(synthetic) opening hours on every point, the action server in asyncio's
debug mode with a 50 ms slow-callback threshold. A realistic mix of
conversations (find-service, "visa fler", opening hours of 24-hour ATMs and
Sunday-closed pharmacies, the knowledge search that embeds the question,
home delivery, help, fallback) runs in four conversations at once; the test
fails on any asyncio "Executing ... took" warning in the action server's log.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from channels.messages import no_reply_text
from scripts.bench_registry import write_realistic
from scripts.stack import Stack, actions_service, rasa_service

from .conftest import Chat, e2e_env

pytestmark = pytest.mark.e2e

SLOW_MS = 50
#: Slow-callback lines that run none of our code: Sanic's start-up task (before
#: any resident is served) and asyncio's own hand-over of an executor's result.
#: On a loaded 2-core CI machine they show the process being descheduled
#: (seen: 59 and 62 ms in a fresh-clone `make test`), not work on the loop.
NOT_OUR_CODE = ("Sanic._prep_task", "_chain_future.<locals>._set_state")

CONVERSATIONS = (
    (
        "var finns närmaste apotek i Ronneby",
        "visa fler",
        "har apoteket öppet på söndag?",
    ),
    ("bankomat i Jämjö", "när stänger bankomaten i Jämjö?"),
    (
        "kan jag handla mat på nätet?",
        "finns det hemleverans av varor i Ronneby kommun?",
    ),
    ("jag letar efter en matbutik", "Rödeby", "visa fler"),
    ("vad finns i Kyrkhult?", "hej", "hjälp"),
    ("finns det en mack i Olofström", "har macken i Olofström öppet nu?"),
    ("var kan jag ta ut pengar i Lyckeby", "jag vill prata med en människa"),
    ("närmaste vårdcentral i Sölvesborg", "qwxz plopp", "apotek i Karlshamn"),
)
_ids = itertools.count()


@pytest.fixture(scope="module")
def loop_stack(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Stack, Path]]:
    tmp = tmp_path_factory.mktemp("event-loop")
    env = e2e_env(tmp)
    env["SERVICELOTSEN_REGISTRY"] = str(write_realistic(tmp / "registries"))
    env["SERVICELOTSEN_SLOW_CALLBACK_MS"] = str(SLOW_MS)
    actions = actions_service(env, log_dir=tmp)
    stack = Stack([actions, rasa_service(env, log_dir=tmp)], env)
    stack.start(timeout=240)
    try:
        yield stack, actions.log_path
    finally:
        stack.stop()


def _converse(chat: Chat, turns: tuple[str, ...]) -> list[str]:
    me = f"loop-{next(_ids)}"
    return [chat.texts(me, text) for text in turns]


def test_no_slow_callback_on_the_action_servers_loop(
    loop_stack: tuple[Stack, Path],
) -> None:
    stack, log_path = loop_stack
    chat = Chat(stack.env)
    # one pass through every conversation first, one at a time: the first
    # call of each code path (lazy imports, first parse of a place) is
    # start-up, not what residents wait for under load
    for conversation in CONVERSATIONS:
        _converse(chat, conversation)
    warmed_up = log_path.stat().st_size
    rng = random.Random(14)
    work = [
        c for _round in range(3) for c in rng.sample(CONVERSATIONS, len(CONVERSATIONS))
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = [
            r for conv in pool.map(lambda c: _converse(chat, c), work) for r in conv
        ]

    assert len(replies) == sum(len(c) for c in work)
    assert all(r.strip() for r in replies)
    assert not any(no_reply_text() in r for r in replies)
    # the registry has hours on every point, and they were told
    assert any("I dag " in r for r in replies)
    assert any("dygnet runt" in r for r in replies)

    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "asyncio debug on" in log[:warmed_up]
    log = log_path.read_bytes()[warmed_up:].decode("utf-8", errors="replace")
    # (the check below is live: "asyncio debug on" was asserted above)
    slow = [
        line
        for line in re.findall(r"Executing .* took \d+\.\d+ seconds", log)
        if not any(plumbing in line for plumbing in NOT_OUR_CODE)
    ]
    assert not slow, "\n".join(slow[:10])
