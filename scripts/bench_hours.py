"""Benchmark opening-hours evaluation (`bot.opening_hours`) for every form.

Run:  .venv-actions/bin/python scripts/bench_hours.py [-n 2000] [--json]

For each form of the corpus (issue 14: `24/7`, `Mo-Su 00:00-24:00`, spans past
midnight, `PH off`, seasonal, week numbers, comments, `off` days, `unknown`,
and the realistic mix used by `make bench`) it times, over `-n` random moments
in 2026-2027 (daylight-saving days and holidays included by chance and on
purpose):

- `day_hours` uncached (the per-day cache emptied before each call) and cached,
- the next change (`next_opening` or `next_closing`, as `status_text` asks),
- open-now (`is_open`).

Target: p95 under 0.2 ms for each, uncached. Prints a table in Swedish; with
`--json` one JSON object (used by scripts/bench.py).

`REALISTIC_MIX` is the mix of forms `make bench` gives the default registry
and its 10^5 synthetic points (scripts/bench.py): roughly what an OSM import
of shops, fuel stations, ATMs, pharmacies, care centres and service points in
a Swedish county brings. Synthetic, for measuring only; never shipped as data.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_MS = 0.2

#: Per category, (form, weight): how often each form occurs in the realistic
#: registry (roughly what OSM holds for such places in a Swedish county).
REALISTIC_MIX: dict[str, tuple[tuple[str, int], ...]] = {
    "uttagsautomat": (
        ("24/7", 5),
        ("Mo-Su 00:00-24:00", 4),
        ("Mo-Su 06:00-23:00", 1),
    ),
    "drivmedel": (
        ("24/7", 3),
        ("Mo-Su 00:00-24:00", 2),
        ("Mo-Fr 06:00-22:00; Sa,Su 08:00-22:00", 3),
        ("Mo-Th 11:00-22:00; Fr,Sa 11:00-02:00; Su 12:00-21:00", 1),
        ("unknown", 1),
    ),
    "dagligvaror": (
        ("Mo-Su 07:00-22:00", 6),
        ("Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00", 5),
        ("Mo-Fr 09:00-19:00; Sa 09:00-14:00; Su off", 4),
        ("Jun-Aug Mo-Su 10:00-18:00; Sep-May Sa 10:00-14:00", 2),
        ('Mo-Fr 09:00-16:00 "efter överenskommelse"', 1),
        ("Mo-Fr 08:30-17:00; Dec 24 off; Dec 31 10:00-13:00", 1),
        ("Mo,We,Fr 10:00-17:00; Tu,Th off", 1),
        ("week 01-20,34-52 Mo-Fr 09:00-16:00", 1),
    ),
    "apotek": (
        ("Mo-Fr 10:00-18:00; Sa 10:00-14:00; PH off", 5),
        ("Mo-Fr 09:00-19:00; Sa 09:00-14:00; Su off", 3),
        ("Mo-Fr 10:00-16:00; Sa unknown", 1),
        ("Mo-Su 00:00-24:00; PH off", 1),
    ),
    "vårdcentral": (
        ("Mo-Fr 08:00-17:00; PH off", 6),
        ("Mo-Fr 08:00-12:00,13:00-16:30; PH off", 3),
        ('Mo-Fr 08:00-17:00 "efter överenskommelse"', 1),
    ),
}


def pick_hours(category: str, rng: random.Random) -> str:
    """A form for a point of this category, drawn from `REALISTIC_MIX`."""
    mix = REALISTIC_MIX.get(category) or REALISTIC_MIX["dagligvaror"]
    forms_, weights = zip(*mix, strict=True)
    return str(rng.choices(forms_, weights=weights)[0])


#: Every form issue 14 names, beside the mix.
CORPUS: tuple[str, ...] = (
    "24/7",
    "Mo-Su 00:00-24:00",
    "Fr-Sa 22:00-02:00",
    "PH off",
    "Jun-Aug Mo-Fr 10:00-18:00",
    "week 01-20 Mo-Fr 08:00-16:00",
    'Mo-Fr 08:00-17:00 "efter överenskommelse"',
    "Mo-Fr 08:00-17:00; We off",
    "off",
    "unknown",
    "Mo-Fr 09:00-19:00; Sa 09:00-14:00; Su off",
    "Mo-Th 10:00-18:00; Fr 10:00-16:00 || unknown",
)


def forms() -> list[str]:
    seen: dict[str, None] = dict.fromkeys(CORPUS)
    for mix in REALISTIC_MIX.values():
        seen.update(dict.fromkeys(f for f, _w in mix))
    return list(seen)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    pos = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[pos]


def moments(n: int, seed: int) -> list[datetime.datetime]:
    from bot.opening_hours import local_datetime

    rng = random.Random(seed)
    special = [
        datetime.date(2026, 3, 29),
        datetime.date(2026, 10, 25),
        datetime.date(2026, 12, 24),
        datetime.date(2026, 6, 19),
        datetime.date(2026, 12, 6),  # a Sunday
    ]
    out = []
    for i in range(n):
        if i % 10 == 0:
            day = special[(i // 10) % len(special)]
        else:
            day = datetime.date(2026, 1, 1) + datetime.timedelta(
                days=rng.randrange(730)
            )
        out.append(local_datetime(day, rng.randrange(24), rng.choice((0, 15, 30, 45))))
    return out


def measure(form: str, when: list[datetime.datetime]) -> dict[str, Any]:
    from bot.opening_hours import OpeningHours, State

    hours = OpeningHours(form)
    ops: dict[str, list[float]] = {"day": [], "day_cached": [], "next": [], "open": []}
    clock = time.perf_counter
    for moment in when:
        day = moment.date()
        hours._days.clear()
        t0 = clock()
        hours.day_hours(day)
        t1 = clock()
        hours.day_hours(day)
        t2 = clock()
        if hours.state(moment) is State.OPEN:
            t3 = clock()
            hours.next_closing(moment)
        else:
            t3 = clock()
            hours.next_opening(moment)
        t4 = clock()
        hours.is_open(moment)
        t5 = clock()
        ops["day"].append((t1 - t0) * 1000)
        ops["day_cached"].append((t2 - t1) * 1000)
        ops["next"].append((t4 - t3) * 1000)
        ops["open"].append((t5 - t4) * 1000)
    row: dict[str, Any] = {"form": form}
    for name, values in ops.items():
        row[f"{name}_p50_ms"] = percentile(values, 50)
        row[f"{name}_p95_ms"] = percentile(values, 95)
        row[f"{name}_max_ms"] = max(values)
    row["ok"] = all(row[f"{k}_p95_ms"] < TARGET_MS for k in ("day", "next", "open"))
    return row


def run(n: int, seed: int) -> dict[str, Any]:
    when = moments(n, seed)
    measure("24/7", when[:50])  # warm up (imports, holiday calendars)
    rows = [measure(form, when) for form in forms()]
    worst = max(max(r["day_p95_ms"], r["next_p95_ms"], r["open_p95_ms"]) for r in rows)
    return {
        "n": n,
        "target_ms": TARGET_MS,
        "rows": rows,
        "worst_p95_ms": worst,
        "ok": all(r["ok"] for r in rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="moments per form")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.n, args.seed)
    if args.json:
        print(json.dumps(result))
        return 0
    print(
        f"Öppettider, {args.n} tidpunkter per form; p95 (p50) i ms; mål p95 < {TARGET_MS} ms"
    )
    print(
        f"{'form':55} {'dag':>14} {'dag (cache)':>14} {'nästa ändring':>14} {'öppet nu':>14}  utfall"
    )
    for r in result["rows"]:
        cells = [
            f"{r[k + '_p95_ms']:.4f} ({r[k + '_p50_ms']:.4f})"
            for k in ("day", "day_cached", "next", "open")
        ]
        verdict = "nått" if r["ok"] else "EJ NÅTT"
        print(
            f"{r['form'][:55]:55} "
            + " ".join(f"{c:>14}" for c in cells)
            + f"  {verdict}"
        )
    print(f"Sämsta p95: {result['worst_p95_ms']:.4f} ms")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
