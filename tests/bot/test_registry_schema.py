"""The registry's carriers, per-category sources, closed points, and
`python -m bot registry close` / `validate` on them."""

from __future__ import annotations

import copy
import datetime
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.errors import InvalidRecord, RegistryError
from bot.registry import (
    Carrier,
    close_point,
    load_registry,
    parse_feature,
    point_to_feature,
)

ROOT = Path(__file__).resolve().parents[2]


def feature(**props: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "test-1",
        "name": "Testbutik Norr",
        "categories": ["dagligvaror", "paketombud"],
        "locality": "Testby",
        "municipality": "Karlskrona",
        "source": "testkälla",
        "source_date": "2021-04-28",
    }
    base.update(props)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [15.5, 56.2]},
        "properties": base,
    }


def test_carriers_and_sources_round_trip() -> None:
    f = feature(
        carriers=[
            {"id": "postnord", "kind": "ombud"},
            {"id": "instabox", "kind": "paketskåp"},
        ],
        sources=[
            {
                "category": "dagligvaror",
                "source": "kedjan",
                "source_date": "2023-02-16",
            },
            {
                "category": "dagligvaror",
                "source": "ombudslistan",
                "source_date": "2021-04-28",
                "note": "ICA är en dagligvarukedja",
            },
            {
                "category": "paketombud",
                "source": "ombudslistan",
                "source_date": "2021-04-28",
            },
        ],
    )
    p = parse_feature(f, known_categories={"dagligvaror", "paketombud"})
    assert p.carriers == (
        Carrier("postnord", "ombud"),
        Carrier("instabox", "paketskåp"),
    )
    assert p.carriers[0].name == "PostNord"
    assert p.carrier_ids() == ("postnord", "instabox")
    assert p.carrier_ids("paketskåp") == ("instabox",)
    assert p.serves("instabox") and not p.serves("dhl")
    assert p.source_for("dagligvaror").source == "kedjan"  # the newest
    assert p.source_for("paketombud").source_date == datetime.date(2021, 4, 28)
    assert point_to_feature(p)["properties"]["carriers"] == f["properties"]["carriers"]
    assert point_to_feature(p)["properties"]["sources"] == f["properties"]["sources"]
    assert (
        parse_feature(
            point_to_feature(p), known_categories={"dagligvaror", "paketombud"}
        )
        == p
    )


@pytest.mark.parametrize(
    ("props", "reason"),
    [
        ({"carriers": [{"id": "fedex", "kind": "ombud"}]}, "okänt transportföretag"),
        ({"carriers": [{"id": "dhl", "kind": "låda"}]}, "okänt slag"),
        ({"carriers": "postnord"}, "carriers ska vara en lista"),
        (
            {
                "categories": ["dagligvaror"],
                "carriers": [{"id": "dhl", "kind": "ombud"}],
            },
            "bara på paketombud",
        ),
        (
            {
                "sources": [
                    {"category": "apotek", "source": "x", "source_date": "2021-01-01"}
                ]
            },
            "kategorin 'apotek' som punkten inte har",
        ),
        (
            {
                "sources": [
                    {
                        "category": "paketombud",
                        "source": "",
                        "source_date": "2021-01-01",
                    }
                ]
            },
            "källa saknas",
        ),
        (
            {
                "sources": [
                    {"category": "paketombud", "source": "x", "source_date": "2021"}
                ]
            },
            "ogiltigt datum",
        ),
        ({"status": "stängd"}, "okänd status"),
        (
            {"status": "closed", "closed_date": "2026-01-01", "closed_source": "x"},
            "closed_reason",
        ),
        ({"closed_reason": "x"}, "kräver status: closed"),
    ],
)
def test_invalid_new_fields_are_rejected_with_a_reason(
    props: dict[str, Any], reason: str
) -> None:
    with pytest.raises(InvalidRecord) as exc:
        parse_feature(
            feature(**props), known_categories={"dagligvaror", "paketombud", "apotek"}
        )
    assert reason in exc.value.reason


def _registry_file(tmp_path: Path) -> Path:
    path = tmp_path / "reg.geojson"
    features = [
        feature(id="test-1"),
        feature(id="test-2", name="Testbutik Syd"),
        {"type": "Feature", "geometry": None, "properties": {"id": "trasig"}},
    ]
    lines = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    path.write_text('{"type": "FeatureCollection", "features": [\n' + lines + "\n]}\n")
    return path


def test_close_point_keeps_the_record_and_its_history(tmp_path: Path) -> None:
    path = _registry_file(tmp_path)
    before = json.loads(path.read_text())
    point, file = close_point(
        "test-2",
        reason="butiken har stängt",
        source="kommunen, 2026-12-01",
        day=datetime.date(2026, 11, 30),
        path=path,
    )
    assert file == path and point.is_closed
    after = json.loads(path.read_text())
    assert len(after["features"]) == 3  # nothing removed, the broken one kept
    changed = after["features"][1]["properties"]
    expected = copy.deepcopy(before["features"][1]["properties"])
    expected.update(
        status="closed",
        closed_date="2026-11-30",
        closed_reason="butiken har stängt",
        closed_source="kommunen, 2026-12-01",
    )
    assert changed == expected
    assert after["features"][0] == before["features"][0]
    registry = load_registry(path)
    assert [p.id for p in registry.points] == ["test-1"]  # never answered
    assert [p.id for p in registry.closed] == ["test-2"]
    assert registry.by_id("test-2") is None
    assert registry.closed_by_id("test-2") is not None
    with pytest.raises(RegistryError, match="redan markerad som stängd"):
        close_point("test-2", reason="x", source="y", path=path)
    with pytest.raises(RegistryError, match="Ingen servicepunkt har id"):
        close_point("finns-inte", reason="x", source="y", path=path)
    with pytest.raises(RegistryError, match="--reason"):
        close_point("test-1", reason=" ", source="y", path=path)


def _bot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_cli_registry_close_and_validate(tmp_path: Path) -> None:
    path = tmp_path / "reg.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    feature(
                        id="test-1",
                        carriers=[{"id": "postnord", "kind": "ombud"}],
                        opening_hours="Mo-Fr 09:00-18:00",
                    ),
                    feature(id="test-2", categories=["dagligvaror"]),
                ],
            },
            ensure_ascii=False,
        )
    )
    done = _bot("registry", "close", "test-2", "--reason", "stängd", "--source",
                "invånarrapport bekräftad", "--registry", str(path), "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["ok"] and body["closed_reason"] == "stängd"
    done = _bot("validate", str(path), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["points"] == 1 and data["closed"] == ["test-2"]
    assert data["with_carriers"]["paketombud"] == 1
    assert data["with_opening_hours"]["dagligvaror"] == 1
    assert data["by_carrier"] == {"postnord": 1}
    text = _bot("validate", str(path)).stdout
    assert "1 med transportföretag" in text and "1 med öppettider" in text
    assert "Stängda (finns kvar i filen, används inte i svar): 1" in text
    again = _bot("registry", "close", "test-2", "--reason", "x", "--source", "y",
                 "--registry", str(path))  # fmt: skip
    assert again.returncode == 1 and "redan" in again.stderr


def test_default_data_validates_with_the_issue_targets() -> None:
    done = _bot("validate", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["rejected"] == [] and data["without_source"] == 0
    assert data["by_category"]["apoteksombud"] >= 15
    assert data["with_carriers"]["paketombud"] >= 75
    assert data["by_category"]["apotek"] >= 23
    assert data["by_category"]["vårdcentral"] >= 17
