"""`make bench`: how fast and how big Servicelotsen is, against stock Rasa, in one run.

Everything runs on this machine, one thing at a time (the machine has 2 cores;
the benchmark takes /tmp/servicelotsen-heavy.lock so that nothing else heavy of
ours runs beside it):

1. **Stock Rasa** (`rasa init`'s example bot, created and trained in
   var/bench/stock the first time): start-up to first answer, sequential REST
   turns, /model/parse, and the same concurrent load as ours. Measured in the
   same run, so the ratios hold when the machine's speed drifts.
2. **Servicelotsen** (Rasa + action server on the default registry, SQLite
   tracker store in a temporary folder): start-up to first answer; sequential
   find-service turns (each in a new conversation: NLU, form, two action-server
   calls, index, answer); /model/parse; each custom action called directly on
   the action server with a real tracker; the index query time; throughput,
   p95 and errors with 20 and 50 concurrent conversations; resident memory of
   each process; a soak of `--soak` seconds (default 600) at 20 concurrent
   conversations with memory sampled every 10 s.
3. **Training**: a timed `rasa train` of our model into a temporary folder
   (the real one is not touched), and the model's size.

Prints one table with the targets of the benchmark issue and writes
docs/benchmarks/results.json and docs/benchmarks/benchmarks.png. Method and how
to read the table: docs/benchmarks.md.

Usage:
    make bench
    .venv-actions/bin/python scripts/bench.py [--quick] [--soak SECONDS] [-n N]

`--quick` (for development and the smoke test): few turns, 5 s of load, no
soak, no training; its figures are not comparable and are written to
var/bench/ instead of docs/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from channels.messages import is_no_reply  # noqa: E402
from scripts.bench_registry import write_realistic, write_synthetic  # noqa: E402
from scripts.stack import (  # noqa: E402
    MODEL,
    QUIET,
    RASA_VENV,
    Service,
    Stack,
    actions_service,
    descendants,
    rasa_service,
    stack_env,
)

RASA = RASA_VENV / "bin" / "rasa"
STOCK_DIR = ROOT / "var" / "bench" / "stock"
DOCS_OUT = ROOT / "docs" / "benchmarks"
QUICK_OUT = ROOT / "var" / "bench"

#: Find-service questions: service types and places residents ask about, all
#: known to the default registry and gazetteer (each answer names a distance).
QUESTIONS = (
    "var finns närmaste apotek i Ronneby",
    "finns det någon affär i Rödeby",
    "bankomat i Jämjö",
    "var kan jag tanka i Tving",
    "närmaste matbutik i Kyrkhult",
    "apotek i Karlshamn",
    "var ligger närmsta ica i Nättraby",
    "vårdcentral i Sölvesborg",
    "finns det en mack i Olofström",
    "var kan jag ta ut pengar i Lyckeby",
)
#: The stock bot's own example phrases (rasa init's moodbot).
STOCK_QUESTIONS = ("hello", "I am sad", "hi there", "I feel great", "good morning")

#: Targets of the benchmark issue (docs/benchmarks.md).
TARGETS = {
    "turn_p50_ms": 60.0,
    "turn_p95_ms": 150.0,
    "turn_vs_stock_p50": 2.0,
    "c20_vs_stock": 0.6,
    "c20_p95_ms": 1000.0,
    "rasa_rss_mb": 1600.0,
    "actions_rss_mb": 1200.0,
    "soak_growth_pct": 10.0,
    "startup_s": 60.0,
    "training_s": 300.0,
}


# --- measuring helpers ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct / 100 * len(ordered))))
    return ordered[rank - 1]


@dataclass
class Latency:
    """Latencies in milliseconds with their summary."""

    samples: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float | int]:
        return {
            "n": len(self.samples),
            "p50_ms": percentile(self.samples, 50),
            "p95_ms": percentile(self.samples, 95),
            "p99_ms": percentile(self.samples, 99),
        }


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB (Linux /proc)."""
    total_kb = 0
    for current in {pid, *descendants(pid)}:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


def post_json(url: str, payload: Any, timeout: float = 60.0) -> tuple[int, Any, float]:
    """POST JSON; return (status, decoded body or None, elapsed ms)."""
    req = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = json.loads(resp.read() or b"null")
            status = resp.status
    except urllib.error.HTTPError as err:
        status, body = err.code, None
    return status, body, (time.perf_counter() - start) * 1000


def get_json(url: str, timeout: float = 30.0) -> Any:
    req = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def reply_ok(status: int, body: Any) -> bool:
    """A turn counts as answered when Rasa said something that is not the
    channel's no-reply message (known by its mark, not its text)."""
    if status != 200 or not isinstance(body, list) or not body:
        return False
    return not any(is_no_reply(m) for m in body)


def wait_first_answer(url: str, message: str, started: float, timeout: float) -> float:
    """Seconds from `started` until a REST turn is answered."""
    deadline = started + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            status, body, _ = post_json(
                url, {"sender": f"first-{time.monotonic()}", "message": message}, 10
            )
            if reply_ok(status, body):
                return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} within {timeout:.0f} s")


def sequential_turns(url: str, messages: Sequence[str], n: int, tag: str) -> tuple[Latency, int]:
    """`n` turns one at a time, each in a new conversation; (latencies, errors)."""
    lat = Latency()
    errors = 0
    for i in range(n):
        status, body, ms = post_json(url, {"sender": f"{tag}-{i}", "message": messages[i % len(messages)]})
        if reply_ok(status, body):
            lat.samples.append(ms)
        else:
            errors += 1
    return lat, errors


def sequential_parse(base: str, messages: Sequence[str], n: int) -> Latency:
    lat = Latency()
    for i in range(n):
        status, _, ms = post_json(f"{base}/model/parse", {"text": messages[i % len(messages)]})
        if status == 200:
            lat.samples.append(ms)
    return lat


async def _load(
    url: str, messages: Sequence[str], concurrency: int, seconds: float, tag: str,
    turns_per_conversation: int = 4,
) -> dict[str, Any]:
    """`concurrency` conversations at once, each sending its next message as soon as
    the previous one is answered, for `seconds`; a conversation ends after
    `turns_per_conversation` messages and a new one (new sender) begins."""
    lat: list[float] = []
    errors = 0
    timeout = aiohttp.ClientTimeout(total=30)
    stop_at = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)

    async def worker(w: int) -> None:
        nonlocal errors
        k = 0
        while time.monotonic() < stop_at:
            sender = f"{tag}-{w}-{k}"
            for t in range(turns_per_conversation):
                if time.monotonic() >= stop_at:
                    return
                message = messages[(w + k + t) % len(messages)]
                start = time.perf_counter()
                try:
                    async with session.post(url, json={"sender": sender, "message": message}) as resp:
                        body = await resp.json(content_type=None)
                        ok = reply_ok(resp.status, body)
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                    ok = False
                if ok:
                    lat.append((time.perf_counter() - start) * 1000)
                else:
                    errors += 1
            k += 1

    began = time.monotonic()
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
    elapsed = time.monotonic() - began
    summary = Latency(lat).summary()
    return {
        "concurrency": concurrency,
        "seconds": round(elapsed, 1),
        "messages": len(lat) + errors,
        "errors": errors,
        "msgs_per_s": len(lat) / elapsed if elapsed else 0.0,
        **summary,
    }


def load(url: str, messages: Sequence[str], concurrency: int, seconds: float, tag: str) -> dict[str, Any]:
    return asyncio.run(_load(url, messages, concurrency, seconds, tag))


# --- the two bots ----------------------------------------------------------------


def stock_model() -> Path | None:
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz"))
    return models[-1] if models else None


def ensure_stock_bot(log: Callable[[str], None]) -> tuple[Path, float | None]:
    """rasa init's example bot, trained; (model, training seconds if trained now)."""
    model = stock_model()
    if model is not None:
        return model, None
    log("Skapar Rasas exempelbot (rasa init) i var/bench/stock …")
    shutil.rmtree(STOCK_DIR, ignore_errors=True)
    STOCK_DIR.mkdir(parents=True)
    env = {**os.environ, **QUIET, "PYTHONWARNINGS": "ignore"}
    subprocess.run(
        [str(RASA), "init", "--no-prompt", "--init-dir", str(STOCK_DIR), "--quiet"],
        cwd=STOCK_DIR, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    # train again, timed, so the figure is training only (init also scaffolds)
    for old in (STOCK_DIR / "models").glob("*.tar.gz"):
        old.unlink()
    start = time.monotonic()
    with train_lock():
        subprocess.run(
            [str(RASA), "train", "--fixed-model-name", "stock", "--force", "--quiet"],
            cwd=STOCK_DIR, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    seconds = time.monotonic() - start
    (STOCK_DIR / "training_seconds.txt").write_text(f"{seconds:.1f}\n")
    model = stock_model()
    assert model is not None
    return model, seconds


@contextlib.contextmanager
def train_lock() -> Iterator[None]:
    import fcntl

    with open("/tmp/servicelotsen-train.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def stock_service(port: int, model: Path, log_dir: Path) -> Service:
    return Service(
        name="stock Rasa",
        argv=[
            str(RASA), "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(port),
            "--model", str(model),
            "--credentials", str(STOCK_DIR / "credentials.yml"),
            "--endpoints", str(STOCK_DIR / "endpoints.yml"),
        ],
        health_url=f"http://127.0.0.1:{port}/",
        log_path=log_dir / "stock-rasa.log",
    )


def measure_stock(args: argparse.Namespace, tmp: Path, log: Callable[[str], None]) -> dict[str, Any]:
    model, trained_s = ensure_stock_bot(log)
    training_note = "timed in this run"
    if trained_s is None:
        training_note = "timed when var/bench/stock was built (training_seconds.txt)"
        with contextlib.suppress(OSError, ValueError):
            trained_s = float((STOCK_DIR / "training_seconds.txt").read_text())
    port = free_port()
    service = stock_service(port, model, tmp)
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    log("Startar Rasas exempelbot …")
    env = stack_env(QUIET)
    started = time.monotonic()
    stack = Stack([service], env)
    try:
        service.start(env)
        startup = wait_first_answer(url, "hello", started, 300)
        for i in range(10):
            post_json(url, {"sender": f"warm-{i}", "message": STOCK_QUESTIONS[i % 5]})
        log("Mäter exempelbotens svarstider …")
        turns, errors = sequential_turns(url, STOCK_QUESTIONS, args.n, "stock")
        parse = sequential_parse(f"http://127.0.0.1:{port}", STOCK_QUESTIONS, args.n)
        loads = [load(url, STOCK_QUESTIONS, c, args.load_seconds, f"stock-c{c}") for c in (20, 50)]
        assert service.process is not None
        rss = rss_mb(service.process.pid)
    finally:
        stack.stop()
    return {
        "startup_s": startup,
        "turn": turns.summary(),
        "turn_errors": errors,
        "parse": parse.summary(),
        "load": loads,
        "rasa_rss_mb": rss,
        "model_mb": model.stat().st_size / 2**20,
        "training_s": trained_s,
        "training_note": training_note,
    }


def time_actions(base: str, actions_base: str, n: int) -> dict[str, dict[str, Any]]:
    """Each custom action called `n` times on the action server with a real tracker."""
    sender = "bench-actions"
    post_json(f"{base}/webhooks/rest/webhook", {"sender": sender, "message": QUESTIONS[0]})
    tracker = get_json(f"{base}/conversations/{sender}/tracker?include_events=ALL")
    domain = get_json(f"{base}/domain")
    names = [a for a in get_json(f"{actions_base}/actions") if isinstance(a, dict)]
    result: dict[str, dict[str, Any]] = {}
    for action in sorted(a["name"] for a in names):
        lat = Latency()
        statuses: set[int] = set()
        for _ in range(n):
            payload = {
                "next_action": action, "sender_id": sender, "tracker": tracker,
                "domain": domain, "version": "3.6.21",
            }
            status, _, ms = post_json(f"{actions_base}/webhook", payload)
            statuses.add(status)
            lat.samples.append(ms)
        result[action] = {**lat.summary(), "statuses": sorted(statuses)}
    return result


def index_query(log: Callable[[str], None]) -> dict[str, Any]:
    """Nearest-5 query time on the real registry and on 100,000 synthetic points."""
    from bot.lotsen import get_lotsen

    lotsen = get_lotsen()
    index = lotsen.index
    lat = Latency()
    positions = [(56.16 + 0.01 * (i % 40), 14.60 + 0.02 * (i % 60)) for i in range(2000)]
    types = ["dagligvaror", "apotek", "drivmedel", "uttagsautomat"]
    for i, (la, lo) in enumerate(positions):
        start = time.perf_counter()
        index.nearest(la, lo, types[i % 4], 5)
        lat.samples.append((time.perf_counter() - start) * 1000)
    log("Mäter indexet med 100 000 syntetiska punkter …")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_index.py"), "--sizes", "100000", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    synthetic = json.loads(proc.stdout)
    row = synthetic[0] if isinstance(synthetic, list) else synthetic
    return {
        "registry_points": len(lotsen.registry.points),
        "registry": lat.summary(),
        "synthetic_100k_p50_ms": row.get("query_median_ms"),
        "synthetic_100k_p95_ms": row.get("query_p95_ms"),
    }


def hours_bench(quick: bool) -> dict[str, Any]:
    """scripts/bench_hours.py in its own process: p95 per form and operation."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_hours.py"), "--json",
         "-n", "300" if quick else "2000"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    return dict(json.loads(proc.stdout))


def measure_ours(
    args: argparse.Namespace, tmp: Path, log: Callable[[str], None],
    registry: Path | None = None, full: bool = True,
) -> dict[str, Any]:
    """Our stack on `registry` (default: the shipped data). `full`: also
    /model/parse, each action, 50 concurrent and the soak; otherwise start-up,
    sequential turns and 20 concurrent only."""
    overrides = {
        "RASA_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "SERVICELOTSEN_TRACKER_DB": str(tmp / f"tracker-{time.monotonic_ns()}.db"),
    }
    if registry is not None:
        overrides["SERVICELOTSEN_REGISTRY"] = str(registry)
    env = stack_env(overrides)
    actions = actions_service(env, tmp)
    rasa = rasa_service(env, log_dir=tmp)
    stack = Stack([actions, rasa], env)
    base = f"http://127.0.0.1:{env['RASA_PORT']}"
    actions_base = f"http://127.0.0.1:{env['ACTIONS_PORT']}"
    url = f"{base}/webhooks/rest/webhook"
    log("Startar Servicelotsen (Rasa + action-server) …")
    started = time.monotonic()
    try:
        for service in stack.services:
            service.start(env)
        startup = wait_first_answer(url, QUESTIONS[0], started, 300)
        for i in range(10):
            post_json(url, {"sender": f"warm-{i}", "message": QUESTIONS[i % len(QUESTIONS)]})
        log("Mäter svarstider en i taget …")
        turns, errors = sequential_turns(url, QUESTIONS, args.n, "seq")
        parse = sequential_parse(base, QUESTIONS, args.n) if full else Latency()
        per_action: dict[str, dict[str, Any]] = {}
        if full:
            log("Mäter varje action på action-servern …")
            per_action = time_actions(base, actions_base, max(5, args.n // 10))
        levels = (20, 50) if full else (20,)
        log(f"Mäter samtidiga samtal ({', '.join(map(str, levels))}) …")
        loads = [load(url, QUESTIONS, c, args.load_seconds, f"c{c}") for c in levels]
        assert rasa.process is not None and actions.process is not None
        rasa_pid, actions_pid = rasa.process.pid, actions.process.pid
        rss = {"rasa_rss_mb": rss_mb(rasa_pid), "actions_rss_mb": rss_mb(actions_pid)}
        soak: dict[str, Any] | None = None
        if full and args.soak > 0:
            log(f"Uthållighetstest: 20 samtidiga samtal i {args.soak:.0f} s …")
            soak = run_soak(url, args.soak, rasa_pid, actions_pid)
            rss.update({
                "rasa_rss_mb_after_soak": rss_mb(rasa_pid),
                "actions_rss_mb_after_soak": rss_mb(actions_pid),
            })
    finally:
        stack.stop()
    return {
        "startup_s": startup,
        "turn": turns.summary(),
        "turn_errors": errors,
        "parse": parse.summary(),
        "actions": per_action,
        "load": loads,
        **rss,
        "soak": soak,
    }


def run_soak(url: str, seconds: float, rasa_pid: int, actions_pid: int) -> dict[str, Any]:
    """20 concurrent conversations for `seconds`, memory sampled every 10 s."""
    samples: list[dict[str, float]] = []
    began = time.monotonic()

    async def sampler(stop: asyncio.Event) -> None:
        while not stop.is_set():
            samples.append({
                "t_s": round(time.monotonic() - began, 1),
                "rasa_mb": rss_mb(rasa_pid),
                "actions_mb": rss_mb(actions_pid),
            })
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), 10)

    async def both() -> dict[str, Any]:
        stop = asyncio.Event()
        task = asyncio.create_task(sampler(stop))
        result = await _load(url, QUESTIONS, 20, seconds, "soak")
        stop.set()
        await task
        return result

    result = asyncio.run(both())

    def growth(key: str) -> float:
        # first minute (after start-up effects) against the last minute
        head = [s[key] for s in samples if s["t_s"] <= 60] or [samples[0][key]]
        tail = [s[key] for s in samples if s["t_s"] >= samples[-1]["t_s"] - 60]
        return (statistics.median(tail) / statistics.median(head) - 1) * 100

    return {
        **result,
        "rasa_growth_pct": growth("rasa_mb"),
        "actions_growth_pct": growth("actions_mb"),
        "samples": samples,
    }


def time_training(tmp: Path, log: Callable[[str], None]) -> float:
    """A full `rasa train` of our model into `tmp` (the real model stays)."""
    log("Tränar Servicelotsens modell (tidtagning, 3–5 min) …")
    env = {**stack_env(), "PYTHONWARNINGS": "ignore"}
    with train_lock():
        start = time.monotonic()
        subprocess.run(
            [str(RASA), "train", "--data", "data/nlu", "data/stories", "data/rules",
             "--domain", "domain.yml", "--config", "config.yml", "--out", str(tmp),
             "--fixed-model-name", "bench", "--force", "--quiet"],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return time.monotonic() - start


# --- the table -------------------------------------------------------------------


@dataclass
class Row:
    what: str
    ours: str
    stock: str
    target: str
    verdict: str


def _ms(value: float | None) -> str:
    return "–" if value is None or value != value else f"{value:.1f} ms"


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("nått" if ok else "EJ NÅTT")


REGISTRY_LABELS = {
    "servicelotsen": "realistiska öppettider",
    "shipped": "levererade data",
    "synthetic": "syntetiska punkter",
}


def _turn_rows(label: str, ours: dict[str, Any], stock: dict[str, Any]) -> list[Row]:
    """Sequential and 20-concurrent rows for one registry, with verdicts."""
    ot, st = ours["turn"], stock["turn"]
    ratio = ot["p50_ms"] / st["p50_ms"] if st["p50_ms"] else float("nan")
    rows = [
        Row(f"Tur, sekventiell p50 [{label}]", _ms(ot["p50_ms"]), _ms(st["p50_ms"]), "≤ 60 ms",
            _verdict(ot["p50_ms"] <= TARGETS["turn_p50_ms"])),
        Row(f"Tur, sekventiell p95 [{label}]", _ms(ot["p95_ms"]), _ms(st["p95_ms"]), "≤ 150 ms",
            _verdict(ot["p95_ms"] <= TARGETS["turn_p95_ms"])),
        Row(f"Tur, sekventiell p99 [{label}]", _ms(ot["p99_ms"]), _ms(st["p99_ms"]), "", ""),
        Row(f"Tur p50 mot exempelbot [{label}]", f"{ratio:.2f} ×", "1 ×", "≤ 2 ×",
            _verdict(ratio <= TARGETS["turn_vs_stock_p50"])),
        Row(f"Fel, sekventiellt [{label}]", str(ours["turn_errors"]), str(stock["turn_errors"]), "0",
            _verdict(ours["turn_errors"] == 0)),
    ]
    s20 = next(x for x in stock["load"] if x["concurrency"] == 20)
    o20 = next(x for x in ours["load"] if x["concurrency"] == 20)
    share = o20["msgs_per_s"] / s20["msgs_per_s"] if s20["msgs_per_s"] else float("nan")
    rows += [
        Row(f"20 samtidiga: meddelanden/s [{label}]", f"{o20['msgs_per_s']:.1f}",
            f"{s20['msgs_per_s']:.1f}", "", ""),
        Row(f"20 samtidiga: andel av exempelbotens [{label}]", f"{share:.2f} ×", "1 ×", "≥ 0,6 ×",
            _verdict(share >= TARGETS["c20_vs_stock"])),
        Row(f"20 samtidiga: p95 [{label}]", _ms(o20["p95_ms"]), _ms(s20["p95_ms"]), "≤ 1000 ms",
            _verdict(o20["p95_ms"] <= TARGETS["c20_p95_ms"])),
        Row(f"20 samtidiga: p99 [{label}]", _ms(o20["p99_ms"]), _ms(s20["p99_ms"]), "", ""),
        Row(f"20 samtidiga: fel [{label}]", f"{o20['errors']} av {o20['messages']}",
            f"{s20['errors']} av {s20['messages']}", "0", _verdict(o20["errors"] == 0)),
    ]
    return rows


def build_rows(r: dict[str, Any]) -> list[Row]:
    ours, stock = r["servicelotsen"], r["stock"]
    rows: list[Row] = []
    for key in ("servicelotsen", "shipped", "synthetic"):
        if key in r:
            label = REGISTRY_LABELS[key]
            if key == "synthetic":
                label = f"{r[key].get('points', 100_000):,} {label}".replace(",", " ")
            rows += _turn_rows(label, r[key], stock)
    rows += [
        Row("/model/parse p50", _ms(ours["parse"]["p50_ms"]), _ms(stock["parse"]["p50_ms"]), "", ""),
        Row("/model/parse p95", _ms(ours["parse"]["p95_ms"]), _ms(stock["parse"]["p95_ms"]), "", ""),
    ]
    for ol, sl in zip(ours["load"], stock["load"], strict=True):
        c = ol["concurrency"]
        if c == 20:
            continue
        rows.append(Row(f"{c} samtidiga: meddelanden/s", f"{ol['msgs_per_s']:.1f}",
                        f"{sl['msgs_per_s']:.1f}", "", ""))
        rows.append(Row(f"{c} samtidiga: p95", _ms(ol["p95_ms"]), _ms(sl["p95_ms"]), "", ""))
        rows.append(Row(f"{c} samtidiga: fel", f"{ol['errors']} av {ol['messages']}",
                        f"{sl['errors']} av {sl['messages']}", "0", _verdict(ol["errors"] == 0)))
    hours = r.get("hours")
    if hours and hours.get("rows"):
        rows.append(Row(f"Öppettider: sämsta p95 av {len(hours['rows'])} former",
                        f"{hours['worst_p95_ms']:.3f} ms", "", "< 0.2 ms", _verdict(bool(hours["ok"]))))
    for name, a in sorted(ours["actions"].items()):
        rows.append(Row(f"action {name} p50", _ms(a["p50_ms"]), "", "", ""))
    idx = r["index"]
    rows.append(Row(f"Indexfråga ({idx['registry_points']} punkter) p50",
                    f"{idx['registry']['p50_ms']:.3f} ms", "", "", ""))
    if idx.get("synthetic_100k_p50_ms") is not None:
        rows.append(Row("Indexfråga (100 000 punkter) p50",
                        f"{idx['synthetic_100k_p50_ms']:.3f} ms", "", "< 1 ms",
                        _verdict(idx["synthetic_100k_p50_ms"] < 1)))
    rows.append(Row("Start till första svar", f"{ours['startup_s']:.1f} s", f"{stock['startup_s']:.1f} s",
                    "≤ 60 s", _verdict(ours["startup_s"] <= TARGETS["startup_s"])))
    tr = r.get("training_s")
    rows.append(Row("Träning", "–" if tr is None else f"{tr:.0f} s",
                    "–" if stock.get("training_s") is None else f"{stock['training_s']:.0f} s",
                    "≤ 300 s", _verdict(None if tr is None else tr <= TARGETS["training_s"])))
    rows.append(Row("Modellens storlek", f"{r['model_mb']:.1f} MB", f"{stock['model_mb']:.1f} MB", "", ""))
    rows.append(Row("Minne Rasa (RSS)", f"{ours['rasa_rss_mb']:.0f} MB", f"{stock['rasa_rss_mb']:.0f} MB",
                    "≤ 1600 MB", _verdict(ours["rasa_rss_mb"] <= TARGETS["rasa_rss_mb"])))
    rows.append(Row("Minne action-server (RSS)", f"{ours['actions_rss_mb']:.0f} MB", "", "≤ 1200 MB",
                    _verdict(ours["actions_rss_mb"] <= TARGETS["actions_rss_mb"])))
    soak = ours.get("soak")
    if soak:
        rows.append(Row(f"Uthållighet {soak['seconds'] / 60:.0f} min: fel", f"{soak['errors']} av {soak['messages']}",
                        "", "0", _verdict(soak["errors"] == 0)))
        rows.append(Row("Uthållighet: meddelanden/s", f"{soak['msgs_per_s']:.1f}", "", "", ""))
        rows.append(Row("Uthållighet: minnesökning Rasa", f"{soak['rasa_growth_pct']:+.1f} %", "", "≤ 10 %",
                        _verdict(soak["rasa_growth_pct"] <= TARGETS["soak_growth_pct"])))
        rows.append(Row("Uthållighet: minnesökning actions", f"{soak['actions_growth_pct']:+.1f} %", "",
                        "≤ 10 %", _verdict(soak["actions_growth_pct"] <= TARGETS["soak_growth_pct"])))
    return rows


def render_table(rows: Sequence[Row]) -> str:
    head = Row("Mätning", "Servicelotsen", "Rasas exempelbot", "Mål", "Utfall")
    cols = list(zip(*[(r.what, r.ours, r.stock, r.target, r.verdict) for r in [head, *rows]], strict=True))
    widths = [max(len(v) for v in col) for col in cols]
    lines = []
    for i, r in enumerate([head, *rows]):
        cells = (r.what, r.ours, r.stock, r.target, r.verdict)
        lines.append("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(rows: Sequence[Row]) -> str:
    lines = ["| Mätning | Servicelotsen | Rasas exempelbot | Mål | Utfall |", "| --- | ---: | ---: | ---: | --- |"]
    lines += [f"| {r.what} | {r.ours} | {r.stock} | {r.target} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


def chart(r: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ours, stock = r["servicelotsen"], r["stock"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    ax = axes[0]
    labels = ["p50", "p95", "p99"]
    xs = range(len(labels))
    ax.bar([x - 0.2 for x in xs], [ours["turn"][f"{k}_ms"] for k in labels], 0.4, label="Servicelotsen")
    ax.bar([x + 0.2 for x in xs], [stock["turn"][f"{k}_ms"] for k in labels], 0.4, label="Rasas exempelbot")
    ax.axhline(60, color="grey", ls=":", lw=1)
    ax.axhline(150, color="grey", ls="--", lw=1)
    ax.set_xticks(list(xs), labels)
    ax.set_ylabel("ms")
    ax.set_title("Svarstid, en tur i taget")
    ax.legend()
    ax = axes[1]
    cs = [str(x["concurrency"]) for x in ours["load"]]
    ax.bar([i - 0.2 for i in range(len(cs))], [x["msgs_per_s"] for x in ours["load"]], 0.4, label="Servicelotsen")
    ax.bar([i + 0.2 for i in range(len(cs))], [x["msgs_per_s"] for x in stock["load"]], 0.4, label="Rasas exempelbot")
    ax.plot([-0.4, 0.4], [0.6 * stock["load"][0]["msgs_per_s"]] * 2, color="grey", ls="--", lw=1)
    ax.set_xticks(range(len(cs)), [f"{c} samtidiga" for c in cs])
    ax.set_ylabel("meddelanden per sekund")
    ax.set_title("Genomströmning")
    ax.legend()
    ax = axes[2]
    soak = ours.get("soak")
    if soak and soak["samples"]:
        t = [s["t_s"] / 60 for s in soak["samples"]]
        ax.plot(t, [s["rasa_mb"] for s in soak["samples"]], label="Rasa")
        ax.plot(t, [s["actions_mb"] for s in soak["samples"]], label="action-server")
        ax.set_xlabel("minuter")
        ax.set_ylabel("MB (RSS)")
        ax.set_ylim(bottom=0)
        ax.legend()
    ax.set_title("Minne under uthållighetstestet")
    fig.suptitle(f"Servicelotsen mot Rasas exempelbot, {r['date'][:10]}, {r['machine']['cpus']} kärnor")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError, ValueError):
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    load1 = os.getloadavg()[0]
    return {
        "cpus": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kb / 2**20, 1),
        "python": platform.python_version(), "loadavg_at_start": round(load1, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: few turns, no soak, no training")
    parser.add_argument("-n", type=int, default=300, help="sequential turns per bot (default 300)")
    parser.add_argument("--load-seconds", type=float, default=45.0, help="seconds per concurrency level")
    parser.add_argument("--soak", type=float, default=600.0, help="soak seconds at 20 concurrent (0: none)")
    parser.add_argument("--no-training", action="store_true", help="skip the timed training")
    parser.add_argument("--points", type=int, default=100_000,
                        help="points in the synthetic registry with hours (default 100000)")
    parser.add_argument("--out", type=Path, default=None, help="folder for results.json and the chart")
    parser.add_argument("--render", type=Path, default=None, metavar="RESULTS_JSON",
                        help="measure nothing: print the table and redraw the chart of an earlier run")
    args = parser.parse_args(argv)
    if args.render is not None:
        earlier = json.loads(args.render.read_text())
        rows = build_rows(earlier)
        (args.render.parent / "table.md").write_text(render_markdown(rows) + "\n")
        chart(earlier, args.render.parent / "benchmarks.png")
        print(render_table(rows))
        return 0
    if args.quick:
        args.n, args.load_seconds, args.soak, args.no_training = 20, 5.0, 0.0, True
    out = args.out or (QUICK_OUT if args.quick else DOCS_OUT)
    if not MODEL.is_file():
        print(f"Ingen tränad modell i {MODEL}: kör `make train` först (make bench gör det).", file=sys.stderr)
        return 2

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    began = time.monotonic()
    result: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"n": args.n, "load_seconds": args.load_seconds, "soak_seconds": args.soak,
                     "quick": args.quick},
    }
    with tempfile.TemporaryDirectory(prefix="servicelotsen-bench-") as tmp_name:
        tmp = Path(tmp_name)
        result["stock"] = measure_stock(args, tmp, log)
        log("Skriver registren med syntetiska öppettider (var/bench/registries) …")
        realistic = write_realistic()
        synthetic = write_synthetic(n=args.points)
        log("Servicelotsen på realistiska öppettider (huvudmätningen) …")
        result["servicelotsen"] = measure_ours(args, tmp, log, realistic, full=True)
        result["servicelotsen"]["registry"] = "realistic"
        log("Servicelotsen på levererade data (inga öppettider) …")
        result["shipped"] = measure_ours(args, tmp, log, None, full=False)
        log(f"Servicelotsen på {args.points} syntetiska punkter med öppettider …")
        result["synthetic"] = measure_ours(args, tmp, log, synthetic, full=False)
        result["synthetic"]["points"] = args.points
        log("Mäter öppettider per form (scripts/bench_hours.py) …")
        result["hours"] = hours_bench(args.quick)
        result["index"] = index_query(log)
        result["model_mb"] = MODEL.stat().st_size / 2**20
        result["training_s"] = None if args.no_training else time_training(tmp, log)
    result["duration_s"] = round(time.monotonic() - began, 1)
    rows = build_rows(result)
    result["table"] = [asdict(r) for r in rows]
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    (out / "table.md").write_text(render_markdown(rows) + "\n")
    chart(result, out / "benchmarks.png")
    print(render_table(rows))
    shown = out.resolve()
    with contextlib.suppress(ValueError):
        shown = shown.relative_to(ROOT)
    print(f"\nTid: {result['duration_s'] / 60:.1f} min. JSON, tabell och diagram: {shown}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
