"""Benchmark the nearest-service index on synthetic points over Sweden.

Run:  .venv-actions/bin/python scripts/bench_index.py [--sizes 1000 10000 ...]

For each size it builds random, obviously fake service points spread over
Sweden's bounding box (1-2 of the 8 categories each, a handful of opening-hour
patterns), builds `bot.index.ServiceIndex`, and times nearest-5 queries with a
category filter from random positions. Each size runs in its own process so
the memory figure (resident-set growth while building the index) is not
blurred by what the previous size left behind. Target: under 1 ms per query
at 10^6 points. Prints a table in Swedish; `--json` prints machine-readable
rows instead.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SIZES = (1_000, 10_000, 100_000, 1_000_000)
TARGET_MS = 1.0
HOURS = (
    None,
    "24/7",
    "Mo-Fr 08:00-21:00; Sa,Su 09:00-18:00; PH off",
    "Mo-Fr 09:00-18:00; Sa 10:00-14:00",
    "Mo-Su 07:00-22:00",
)
CHAINS = ("Testbutik", "Testapotek", "Testmack", "Testombud", "Testbank")


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc), in bytes."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        resident_pages = int(fh.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    pos = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[pos]


def run_one(n: int, queries: int, seed: int) -> dict[str, Any]:
    """Build and query one index of `n` points; return the measurements."""
    from bot.geo import SWEDEN_BBOX
    from bot.index import ServiceIndex
    from bot.opening_hours import local_datetime
    from bot.registry import ServicePoint
    from bot.service_types import load_service_types

    categories = list(load_service_types())
    rng = random.Random(seed)
    box = SWEDEN_BBOX
    day = datetime.date(2024, 1, 1)

    t0 = time.perf_counter()
    points = [
        ServicePoint(
            id=f"bench-{i}",
            name=f"{CHAINS[i % len(CHAINS)]} {i % 997}",
            categories=tuple(rng.sample(categories, 1 + (i % 2))),
            lat=rng.uniform(box.min_lat, box.max_lat),
            lon=rng.uniform(box.min_lon, box.max_lon),
            locality=f"Testort {i % 5000}",
            municipality=f"Testkommun {i % 290}",
            source="syntetiska testdata",
            source_date=day,
            opening_hours=HOURS[i % len(HOURS)],
        )
        for i in range(n)
    ]
    make_s = time.perf_counter() - t0

    rss_before = rss_bytes()
    t0 = time.perf_counter()
    index = ServiceIndex(points)
    build_s = time.perf_counter() - t0
    rss_delta = rss_bytes() - rss_before

    qrng = random.Random(seed + 1)
    asks = [
        (
            qrng.uniform(box.min_lat, box.max_lat),
            qrng.uniform(box.min_lon, box.max_lon),
            qrng.choice(categories),
        )
        for _ in range(queries)
    ]
    for lat, lon, cat in asks[:20]:  # warm-up
        index.nearest(lat, lon, cat, 5)
    plain: list[float] = []
    for lat, lon, cat in asks:
        t = time.perf_counter()
        index.nearest(lat, lon, cat, 5)
        plain.append((time.perf_counter() - t) * 1000)

    when = local_datetime(datetime.date(2026, 12, 6), 12)  # a Sunday noon
    open_now: list[float] = []
    for lat, lon, cat in asks[: max(50, queries // 4)]:
        t = time.perf_counter()
        index.nearest(lat, lon, cat, 5, open_at=when)
        open_now.append((time.perf_counter() - t) * 1000)

    names: list[float] = []
    for i in range(20):
        wanted = f"{CHAINS[i % len(CHAINS)]} {qrng.randrange(997)} Testort {i * 37}"
        t = time.perf_counter()
        index.find_by_name(wanted)
        names.append((time.perf_counter() - t) * 1000)

    return {
        "points": n,
        "name_median_ms": statistics.median(names),
        "make_points_s": make_s,
        "build_s": build_s,
        "query_median_ms": statistics.median(plain),
        "query_p95_ms": percentile(plain, 95),
        "open_now_median_ms": statistics.median(open_now),
        "open_now_p95_ms": percentile(open_now, 95),
        "index_rss_mb": rss_delta / 2**20,
        "queries": len(plain),
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    """The benchmark table, in Swedish, with decimal commas."""

    def num(value: float, digits: int) -> str:
        return f"{value:.{digits}f}".replace(".", ",")

    header = (
        "punkter",
        "bygga index (s)",
        "fråga median (ms)",
        "fråga p95 (ms)",
        "öppet nu median/p95 (ms)",
        "minne index (MB)",
        "namnsökning median (ms)",
    )
    lines = [
        (
            f"{r['points']:,}".replace(",", " "),
            num(r["build_s"], 2),
            num(r["query_median_ms"], 3),
            num(r["query_p95_ms"], 3),
            f"{num(r['open_now_median_ms'], 3)} / {num(r['open_now_p95_ms'], 3)}",
            num(r["index_rss_mb"], 0),
            num(r["name_median_ms"], 1),
        )
        for r in rows
    ]
    widths = [
        max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)
    ]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for line in lines:
        print(" | ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)))
    print()
    print(
        "Fråga = närmaste 5 av en kategori från en slumpad plats i Sverige. "
        "Öppet nu = samma fråga, bara öppna just nu (söndag kl 12). "
        "Minne = ökningen av processens RSS medan indexet byggs (punkterna "
        "själva ej medräknade; toppen kan innehålla minne som frigjorts). "
        "Namnsökning = t.ex. ”Testapotek 17 Testort 74” (ordindex + rapidfuzz, "
        "inte KD-träd)."
    )
    biggest = max(rows, key=lambda r: r["points"])
    verdict = "klarat" if biggest["query_p95_ms"] < TARGET_MS else "INTE klarat"
    size = f"{biggest['points']:,}".replace(",", " ")
    print(
        f"Mål: under {num(TARGET_MS, 0)} ms per fråga vid {size} punkter: "
        f"{verdict} (p95 {num(biggest['query_p95_ms'], 3)} ms)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true", help="print JSON rows")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args(argv)

    if args.one is not None:
        print(json.dumps(run_one(args.one, args.queries, args.seed)))
        return 0

    rows = []
    for n in args.sizes:
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--queries",
                str(args.queries),
                "--seed",
                str(args.seed),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if not args.json:
            print(f"… {n:,} punkter klart".replace(",", " "), file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
