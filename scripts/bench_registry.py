"""Registries with opening hours on every point, for `make bench` and the tests.

The shipped data has no opening hours at all, while an OpenStreetMap import
will have them on nearly every point (issue 14). This writes two registries
into var/ (never into data/: the hours are synthetic, drawn from
`scripts.bench_hours.REALISTIC_MIX` per category, and the file says so):

- `realistic/`: the default registry's points, unchanged except that each gets
  opening hours;
- `synthetic-<n>/`: n (default 10^5) obviously fake points ("Testbutik 17",
  source "syntetiska testdata") spread over Blekinge, in the default
  registry's localities and categories, each with hours.

Run:  .venv-actions/bin/python scripts/bench_registry.py [--out var/bench/registries] [-n 100000]
Prints the two folders (set SERVICELOTSEN_REGISTRY to one of them).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.bench_hours import pick_hours  # noqa: E402

DEFAULT_OUT = ROOT / "var" / "bench" / "registries"
NOTE = (
    "SYNTETISKA öppettider (make bench, scripts/bench_registry.py): för mätning, "
    "aldrig riktiga uppgifter. Synthetic opening hours for benchmarking only."
)
#: Blekinge, roughly (lat, lon)
BOX = (55.98, 14.45, 56.45, 16.05)


def _default_features() -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = []
    for file in sorted((ROOT / "data" / "service_points").glob("*.geojson")):
        features.extend(json.loads(file.read_text(encoding="utf-8"))["features"])
    return features


def _write(folder: Path, name: str, features: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.geojson"):
        old.unlink()
    body = {"type": "FeatureCollection", "note": NOTE, "features": features}
    path = folder / f"{name}.geojson"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return folder


def write_realistic(out: Path = DEFAULT_OUT, seed: int = 14) -> Path:
    """The default registry with synthetic hours on every point."""
    rng = random.Random(seed)
    features = _default_features()
    for feature in features:
        props = feature["properties"]
        props["opening_hours"] = pick_hours(props["categories"][0], rng)
    return _write(out / "realistic", "blekinge-syntetiska-oppettider", features)


def write_synthetic(out: Path = DEFAULT_OUT, n: int = 100_000, seed: int = 14) -> Path:
    """n fake points over Blekinge, each with hours, in real localities."""
    rng = random.Random(seed)
    real = _default_features()
    places = sorted(
        {(f["properties"]["locality"], f["properties"]["municipality"]) for f in real}
    )
    categories = sorted({c for f in real for c in f["properties"]["categories"]})
    features = []
    for i in range(n):
        category = categories[i % len(categories)]
        locality, municipality = places[i % len(places)]
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(rng.uniform(BOX[1], BOX[3]), 6),
                        round(rng.uniform(BOX[0], BOX[2]), 6),
                    ],
                },
                "properties": {
                    "id": f"syntetisk-{i}",
                    "name": f"Testpunkt {i}",
                    "categories": [category],
                    "locality": locality,
                    "municipality": municipality,
                    "source": "syntetiska testdata",
                    "source_date": "2026-01-01",
                    "opening_hours": pick_hours(category, rng),
                },
            }
        )
    return _write(out / f"synthetic-{n}", f"syntetiska-{n}", features)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("-n", type=int, default=100_000)
    args = parser.parse_args(argv)
    print(write_realistic(args.out))
    print(write_synthetic(args.out, args.n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
