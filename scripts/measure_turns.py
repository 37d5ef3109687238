"""Latency of a find-service turn over REST against the same stack's /model/parse.

Starts the real action server and Rasa on free ports (default registry), sends
N find-service questions, each in a new conversation (a full turn: NLU, form,
action server, index), and N /model/parse calls with the same texts, one at a
time, and prints p50/p95/p99 in milliseconds. Run it on a quiet machine; the
benchmark issue's `make bench` builds on it.

Usage: .venv-actions/bin/python scripts/measure_turns.py [-n 200]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.stack import Stack, actions_service, rasa_service, stack_env

QUESTIONS = [
    "var finns närmaste apotek i Ronneby",
    "finns det någon affär i Rödeby",
    "bankomat i Jämjö",
    "var kan jag tanka i Tving",
    "närmaste matbutik i Kyrkhult",
    "apotek i Karlshamn",
    "var ligger närmsta ica i Nättraby",
    "vårdcentral i Sölvesborg",
]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(url: str, payload: dict[str, str]) -> float:
    req = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = json.loads(resp.read())
    elapsed = (time.perf_counter() - start) * 1000
    if not body:
        raise RuntimeError("empty reply")
    return elapsed


def _summary(name: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=100)
    return (
        f"{name:<28} n={len(times):<4} p50 {statistics.median(times):6.1f} ms   "
        f"p95 {q[94]:6.1f} ms   p99 {q[98]:6.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        env = stack_env(
            {
                "RASA_PORT": str(_port()),
                "ACTIONS_PORT": str(_port()),
                "SERVICELOTSEN_TRACKER_DB": str(Path(tmp) / "tracker.db"),
            }
        )
        stack = Stack(
            [actions_service(env, Path(tmp)), rasa_service(env, log_dir=Path(tmp))], env
        )
        stack.start(timeout=300)
        try:
            base = f"http://127.0.0.1:{env['RASA_PORT']}"
            for i in range(10):  # warm-up: first parse, first action, caches
                _post(
                    f"{base}/webhooks/rest/webhook",
                    {"sender": f"w{i}", "message": QUESTIONS[i % 8]},
                )
            turns = [
                _post(
                    f"{base}/webhooks/rest/webhook",
                    {"sender": f"m{i}", "message": QUESTIONS[i % len(QUESTIONS)]},
                )
                for i in range(args.n)
            ]
            parses = [
                _post(f"{base}/model/parse", {"text": QUESTIONS[i % len(QUESTIONS)]})
                for i in range(args.n)
            ]
        finally:
            stack.stop()
    print(_summary("find-service turn (REST)", turns))
    print(_summary("/model/parse", parses))
    ratio = statistics.median(turns) / statistics.median(parses)
    print(f"turn / parse (p50): {ratio:.1f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
