"""scripts/bench.py: its arithmetic, its table, and a quick run on the real stacks."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts import bench

ROOT = Path(__file__).resolve().parents[2]


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 50) == 50.0
    assert bench.percentile(values, 95) == 95.0
    assert bench.percentile(values, 99) == 99.0
    assert bench.percentile([7.0], 99) == 7.0
    assert math.isnan(bench.percentile([], 50))


def _load(c: int, rate: float, p95: float, errors: int) -> dict[str, Any]:
    return {"concurrency": c, "msgs_per_s": rate, "p95_ms": p95, "p99_ms": p95 * 1.5,
            "errors": errors, "messages": 100}


def _result(turn_p50: float, stock_p50: float, errors: int = 0) -> dict[str, Any]:
    turn = {"n": 10, "p50_ms": turn_p50, "p95_ms": turn_p50 * 2, "p99_ms": turn_p50 * 3}
    stock_turn = {"n": 10, "p50_ms": stock_p50, "p95_ms": stock_p50, "p99_ms": stock_p50}
    parse = {"n": 10, "p50_ms": 20.0, "p95_ms": 25.0, "p99_ms": 30.0}
    return {
        "servicelotsen": {
            "turn": turn, "turn_errors": errors, "parse": parse,
            "load": [_load(20, 25.0, 900.0, 0), _load(50, 30.0, 2000.0, errors)],
            "actions": {"action_find_service": {"p50_ms": 1.0}},
            "startup_s": 30.0, "rasa_rss_mb": 1300.0, "actions_rss_mb": 900.0,
            "soak": {"seconds": 600, "errors": 0, "messages": 9000, "msgs_per_s": 15.0,
                     "rasa_growth_pct": 12.5, "actions_growth_pct": 1.0, "samples": []},
        },
        "stock": {
            "turn": stock_turn, "turn_errors": 0, "parse": parse,
            "load": [_load(20, 40.0, 500.0, 0), _load(50, 40.0, 1200.0, 0)],
            "startup_s": 20.0, "rasa_rss_mb": 1100.0, "model_mb": 24.0, "training_s": 60.0,
        },
        "shipped": {"turn": turn, "turn_errors": 0, "load": [_load(20, 30.0, 800.0, 0)]},
        "synthetic": {"turn": turn, "turn_errors": 0, "points": 100_000,
                      "load": [_load(20, 20.0, 1200.0, 2)]},
        "hours": {"rows": [{}] * 26, "worst_p95_ms": 0.09, "ok": True},
        "index": {"registry_points": 162, "registry": {"p50_ms": 0.02},
                  "synthetic_100k_p50_ms": 0.03},
        "model_mb": 37.0,
        "training_s": 250.0,
    }


def _verdicts(result: dict[str, Any]) -> dict[str, str]:
    return {row.what: row.verdict for row in bench.build_rows(result)}


R = " [realistiska öppettider]"
SYN = " [100 000 syntetiska punkter]"


def test_rows_judge_each_target() -> None:
    verdicts = _verdicts(_result(turn_p50=45.0, stock_p50=25.0))
    assert verdicts["Tur, sekventiell p50" + R] == "nått"
    assert verdicts["Tur, sekventiell p95" + R] == "nått"
    assert verdicts["Tur p50 mot exempelbot" + R] == "nått"  # 1.8 x
    assert verdicts["20 samtidiga: andel av exempelbotens" + R] == "nått"  # 25/40
    assert verdicts["20 samtidiga: p95" + R] == "nått"
    assert verdicts["20 samtidiga: andel av exempelbotens [levererade data]"] == "nått"
    assert verdicts["20 samtidiga: andel av exempelbotens" + SYN] == "EJ NÅTT"  # 0.5 x
    assert verdicts["20 samtidiga: p95" + SYN] == "EJ NÅTT"
    assert verdicts["20 samtidiga: fel" + SYN] == "EJ NÅTT"
    assert verdicts["Öppettider: sämsta p95 av 26 former"] == "nått"
    assert verdicts["Träning"] == "nått"
    assert verdicts["Uthållighet: minnesökning Rasa"] == "EJ NÅTT"  # 12.5 % > 10 %


def test_rows_report_what_falls_short() -> None:
    verdicts = _verdicts(_result(turn_p50=80.0, stock_p50=25.0, errors=3))
    assert verdicts["Tur, sekventiell p50" + R] == "EJ NÅTT"
    assert verdicts["Tur, sekventiell p95" + R] == "EJ NÅTT"  # 160 ms
    assert verdicts["Tur p50 mot exempelbot" + R] == "EJ NÅTT"  # 3.2 x
    assert verdicts["Fel, sekventiellt" + R] == "EJ NÅTT"
    assert verdicts["50 samtidiga: fel"] == "EJ NÅTT"


def test_table_has_every_row_and_aligned_columns() -> None:
    rows = bench.build_rows(_result(55.0, 25.0))
    table = bench.render_table(rows).splitlines()
    assert len(table) == len(rows) + 2
    assert table[0].startswith("Mätning")
    markdown = bench.render_markdown(rows).splitlines()
    assert len(markdown) == len(rows) + 2
    assert all(line.count("|") == 6 for line in markdown)


@pytest.mark.e2e
@pytest.mark.slow
def test_quick_run_on_the_real_stacks(tmp_path: Path) -> None:
    """`bench.py --quick`: both bots start, answer without errors, and every file is written."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run(
        ["flock", "/tmp/servicelotsen-heavy.lock", sys.executable, "scripts/bench.py",
         "--quick", "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Tur, sekventiell p50 [realistiska öppettider]" in proc.stdout
    assert "[100 000 syntetiska punkter]" in proc.stdout
    assert "Öppettider: sämsta p95" in proc.stdout
    result = json.loads((tmp_path / "results.json").read_text())
    ours, stock = result["servicelotsen"], result["stock"]
    assert ours["turn_errors"] == 0 and stock["turn_errors"] == 0
    assert ours["turn"]["n"] == 20 and stock["turn"]["n"] == 20
    assert all(level["errors"] == 0 for level in ours["load"])
    for other in ("shipped", "synthetic"):
        assert result[other]["turn_errors"] == 0
        assert result[other]["turn"]["n"] == 20
    assert all(a["statuses"] == [200] for a in ours["actions"].values())
    assert "action_find_service" in ours["actions"]
    assert ours["rasa_rss_mb"] > 0
    assert ours["actions_rss_mb"] > 0
    assert (tmp_path / "benchmarks.png").stat().st_size > 10_000
    assert (tmp_path / "table.md").read_text().startswith("| Mätning")
