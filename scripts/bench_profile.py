"""Where a turn's time goes: py-spy on Rasa and the action server under load.

Starts the stack (Rasa + action server) on the default registry with
synthetic opening hours on every point (scripts/bench_registry.py), warms it
up, then runs `--concurrency` conversations at once (the find-service
questions of scripts/bench.py) for `--seconds` while py-spy samples both
processes (all threads, idle frames left out). Prints, per process, the share
of samples that fall in each part of a turn (a sample counts for the first
part its stack matches, from the top of this list), and the msg/s of the run.

py-spy is a profiling tool, not a dependency of the project: install it
anywhere (`pip install --target /tmp/tools py-spy`) and pass `--py-spy`.

Run (holds nothing itself; take the heavy lock):
    flock /tmp/servicelotsen-heavy.lock .venv-actions/bin/python scripts/bench_profile.py \\
        --py-spy /tmp/tools/bin/py-spy [--seconds 30] [--concurrency 20] [--out DIR]
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.bench import QUESTIONS, free_port, load, post_json  # noqa: E402
from scripts.bench_registry import write_realistic  # noqa: E402
from scripts.stack import Stack, actions_service, rasa_service, stack_env  # noqa: E402

#: (part, substrings of a frame): the first part whose substring occurs in a
#: sample's stack gets the sample.
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("TED-policyn", ("ted_policy.py",)),
    ("UnexpecTED/andra policyer", ("unexpected_intent_policy", "memoization.py", "rule_policy.py")),
    ("DIET (NLU)", ("diet_classifier.py",)),
    ("övrig NLU", ("/nlu/",)),
    ("spårningslagret (SQL)", ("tracker_store.py", "sqlalchemy", "sqlite3")),
    ("anrop till action-servern", ("core/actions/action.py", "aiohttp")),
    ("jsonschema", ("jsonschema",)),
    ("grafkörning (dask)", ("dask", "graph.py", "engine/runner")),
    ("tensorflow övrigt", ("tensorflow",)),
    ("action: öppettider", ("opening_hours.py",)),
    ("action: index/svar", ("bot/index.py", "bot/answers.py", "bot/lotsen.py")),
    ("action: kunskap/inbäddning", ("bot/knowledge.py", "bot/embeddings.py", "torch")),
    ("action: rasa_sdk", ("rasa_sdk",)),
    ("sanic/http", ("sanic", "httptools", "uvloop")),
    ("json", ("json",)),
)


def summarise(raw: Path) -> tuple[int, list[tuple[str, int]]]:
    """py-spy's raw (collapsed) output: total samples and samples per part."""
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, n_text = line.rpartition(" ")
        if not n_text.isdigit():
            continue
        n = int(n_text)
        total += n
        for part, needles in PARTS:
            if any(needle in stack for needle in needles):
                counts[part] += n
                break
        else:
            counts["övrigt"] += n
    return total, counts.most_common()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--py-spy", required=True, help="path to the py-spy program")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "profile")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="servicelotsen-profile-") as tmp_name:
        tmp = Path(tmp_name)
        env = stack_env(
            {
                "RASA_PORT": str(free_port()),
                "ACTIONS_PORT": str(free_port()),
                "SERVICELOTSEN_TRACKER_DB": str(tmp / "tracker.db"),
                "SERVICELOTSEN_REGISTRY": str(write_realistic(tmp / "registries")),
            }
        )
        actions, rasa = actions_service(env, tmp), rasa_service(env, log_dir=tmp)
        stack = Stack([actions, rasa], env)
        url = f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook"
        stack.start(timeout=300)
        try:
            for i in range(30):
                post_json(url, {"sender": f"warm-{i}", "message": QUESTIONS[i % len(QUESTIONS)]})
            assert rasa.process is not None and actions.process is not None
            spies = []
            for name, proc in (("rasa", rasa.process), ("actions", actions.process)):
                raw = args.out / f"{name}.txt"
                spies.append(
                    (
                        name,
                        raw,
                        subprocess.Popen(
                            [
                                args.py_spy, "record", "--pid", str(proc.pid), "--rate", "100",
                                "--duration", str(int(args.seconds)), "--format", "raw",
                                "--output", str(raw), "--nonblocking", "--subprocesses",
                            ],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                        ),
                    )
                )
            time.sleep(1)
            result = load(url, QUESTIONS, args.concurrency, args.seconds, "profile")
            for _name, _raw, spy in spies:
                spy.wait(timeout=120)
        finally:
            stack.stop()
    print(
        f"{args.concurrency} samtidiga samtal i {result['seconds']} s: "
        f"{result['msgs_per_s']:.1f} meddelanden/s, p95 {result['p95_ms']:.0f} ms, "
        f"p99 {result['p99_ms']:.0f} ms, fel {result['errors']}"
    )
    for name, raw, _spy in spies:
        total, parts = summarise(raw)
        print(f"\n{name}: {total} stickprov (100 Hz, alla trådar, tomgång ej med)")
        for part, n in parts:
            print(f"  {part:32} {100 * n / max(1, total):5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
