"""Conversations under load through the balancer (`make cluster`, tests/cluster/).

Each simulated resident holds one conversation: a scripted dialogue sent turn
after turn over Rasa's REST channel, the next message as soon as the reply has
come (no pause: the worst case), with the X-Conversation-Id header the web
front sends. Every turn is recorded, so a test can compare what was sent with
what the tracker store kept.

Usage (against a running `make cluster`, or `make run`):
    .venv-actions/bin/python scripts/cluster_load.py --conversations 50 --seconds 60

Prints messages per second, latency percentiles and errors. Only talks to the
address given (default the local balancer).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import aiohttp

#: A resident's dialogue, repeated: greeting, a search the bot asks the place
#: for, the place, a follow-up that needs the remembered place, more results.
#: {place} differs between conversations.
DIALOGUE: tuple[str, ...] = (
    "hej",
    "jag letar efter en matbutik",
    "{place}",
    "och apotek då?",
    "visa fler",
    "tack",
)
PLACES: tuple[str, ...] = (
    "Rödeby",
    "Jämjö",
    "Ronneby",
    "Kallinge",
    "Karlskrona",
    "Eringsboda",
    "Tving",
    "Kyrkhult",
)
#: Texts of our channel that mean "this turn failed" (channels/messages.py, channels/stores.py).
ERROR_MARKERS = ("tekniskt fel",)


@dataclass
class Turn:
    """One message and what came back."""

    sender: str
    index: int
    message: str
    started: float
    seconds: float
    status: int
    texts: list[str] = field(default_factory=list)
    request_id: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return (
            self.status == 200
            and not self.error
            and bool(self.texts)
            and not any(m in t for t in self.texts for m in ERROR_MARKERS)
        )


@dataclass
class LoadResult:
    """Every turn of a run, and its figures."""

    conversations: int
    seconds: float
    turns: list[Turn]

    @property
    def failed(self) -> list[Turn]:
        return [t for t in self.turns if not t.ok]

    def by_sender(self) -> dict[str, list[Turn]]:
        out: dict[str, list[Turn]] = {}
        for turn in sorted(self.turns, key=lambda t: (t.sender, t.index)):
            out.setdefault(turn.sender, []).append(turn)
        return out

    def summary(self) -> dict[str, float | int]:
        ok = [t.seconds for t in self.turns if t.ok]
        ok.sort()

        def pct(p: float) -> float:
            if not ok:
                return float("nan")
            return round(ok[min(len(ok) - 1, int(p * len(ok)))] * 1000, 1)

        return {
            "conversations": self.conversations,
            "seconds": round(self.seconds, 1),
            "turns": len(self.turns),
            "ok": len(ok),
            "errors": len(self.turns) - len(ok),
            "messages_per_second": round(len(ok) / self.seconds, 2)
            if self.seconds
            else 0,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "max_ms": round(max(ok) * 1000, 1) if ok else float("nan"),
            "mean_ms": round(statistics.fmean(ok) * 1000, 1) if ok else float("nan"),
        }


def dialogue_for(number: int) -> list[str]:
    place = PLACES[number % len(PLACES)]
    return [m.format(place=place) for m in DIALOGUE]


async def send_turn(
    session: aiohttp.ClientSession,
    url: str,
    sender: str,
    index: int,
    message: str,
    *,
    timeout: float = 60.0,
) -> Turn:
    """One REST turn through the balancer, with the conversation header."""
    started = time.monotonic()
    turn = Turn(sender, index, message, time.time(), 0.0, 0)
    try:
        async with session.post(
            url,
            json={"sender": sender, "message": message},
            headers={"X-Conversation-Id": sender},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as resp:
            turn.status = resp.status
            turn.request_id = resp.headers.get("X-Request-Id", "")
            body = await resp.read()
        try:
            replies = json.loads(body)
        except ValueError:
            replies = None
        if isinstance(replies, list):
            turn.texts = [
                str(r.get("text", "")) for r in replies if isinstance(r, dict)
            ]
        else:
            turn.error = f"not a reply list: {body[:200]!r}"
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        turn.error = f"{type(exc).__name__}: {exc}"
    turn.seconds = time.monotonic() - started
    return turn


async def run_load(
    base_url: str,
    conversations: int,
    seconds: float,
    *,
    prefix: str | None = None,
    think: float = 0.0,
    timeout: float = 60.0,
    first_number: int = 0,
) -> LoadResult:
    """`conversations` residents at once, each talking for `seconds`.

    A conversation that has started a turn finishes it after the deadline;
    none starts a new one then.
    """
    url = base_url.rstrip("/") + "/webhooks/rest/webhook"
    prefix = prefix or f"load-{uuid.uuid4().hex[:8]}"
    turns: list[Turn] = []
    deadline = time.monotonic() + seconds

    async def resident(number: int, session: aiohttp.ClientSession) -> None:
        sender = f"{prefix}-{number:03d}"
        script = dialogue_for(number)
        index = 0
        while time.monotonic() < deadline:
            message = script[index % len(script)]
            turns.append(
                await send_turn(session, url, sender, index, message, timeout=timeout)
            )
            index += 1
            if think:
                await asyncio.sleep(think)

    started = time.monotonic()
    connector = aiohttp.TCPConnector(limit=conversations + 10)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(
            *(resident(first_number + n, session) for n in range(conversations))
        )
    return LoadResult(conversations, time.monotonic() - started, turns)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005", help="the balancer")
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=0.0, help="pause between turns")
    parser.add_argument("--json", action="store_true", help="every turn as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.conversations <= 500 or not 0 < args.seconds <= 600:
        print("1–500 conversations for at most 600 s.", file=sys.stderr)
        return 2
    result = asyncio.run(
        run_load(args.url, args.conversations, args.seconds, think=args.think)
    )
    if args.json:
        print(json.dumps([asdict(t) for t in result.turns], ensure_ascii=False))
    print(json.dumps(result.summary()), file=sys.stderr if args.json else sys.stdout)
    return 0 if not result.failed else 1


if __name__ == "__main__":
    sys.exit(main())
