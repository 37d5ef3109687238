"""Publishing without downtime: a new model and new data reach a running stack,
and a conversation in the middle of a question goes on."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.stack import MODEL, ROOT, Stack, actions_service, rasa_service

from .conftest import Chat, e2e_env

pytestmark = pytest.mark.e2e

FIXTURE = ROOT / "tests" / "fixtures" / "e2e" / "registry.geojson"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Path]]:
    tmp = tmp_path_factory.mktemp("publish")
    registry = tmp / "registry.geojson"
    shutil.copy(FIXTURE, registry)
    env = e2e_env(tmp)
    env["SERVICELOTSEN_REGISTRY"] = str(registry)
    stack = Stack(
        [actions_service(env, log_dir=tmp), rasa_service(env, log_dir=tmp)], env
    )
    stack.start(timeout=240)
    try:
        yield stack, tmp
    finally:
        stack.stop()


def _publish(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "publish.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _status(env: dict[str, str]) -> dict[str, object]:
    with urllib.request.urlopen(
        f"http://127.0.0.1:{env['RASA_PORT']}/status", timeout=10
    ) as resp:
        return dict(json.loads(resp.read()))


def test_new_model_is_loaded_while_a_conversation_goes_on(
    published: tuple[Stack, Path],
) -> None:
    stack, tmp = published
    chat = Chat(stack.env)
    me = "publish-model"
    assert "Var är du?" in chat.texts(me, "jag letar efter en matbutik")
    new_model = tmp / "servicelotsen-ny.tar.gz"
    shutil.copy(MODEL, new_model)  # a model file the server has not loaded yet
    done = _publish(stack.env, "--model", str(new_model), "--only", "rasa")
    assert done.returncode == 0, done.stderr
    assert _status(stack.env)["model_file"] == new_model.name
    # the question asked before the switch is answered after it
    assert "1. Testbutik Rödeby" in chat.texts(me, "Rödeby")


def test_new_registry_is_served_after_reload(published: tuple[Stack, Path]) -> None:
    stack, _tmp = published
    chat = Chat(stack.env)
    registry = Path(stack.env["SERVICELOTSEN_REGISTRY"])
    data = json.loads(registry.read_text(encoding="utf-8"))
    data["features"].append(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [15.6187, 56.2575]},
            "properties": {
                "id": "e2e-ny",
                "name": "Nya testbutiken Rödeby",
                "categories": ["dagligvaror"],
                "locality": "Rödeby",
                "municipality": "Karlskrona",
                "source": "testdata (påhittad, för tester)",
                "source_date": "2026-02-01",
            },
        }
    )
    registry.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = _publish(stack.env, "--only", "actions")
    assert done.returncode == 0, done.stderr
    assert "15 servicepunkter" in done.stdout
    assert "Nya testbutiken Rödeby" in chat.texts(
        "publish-data", "närmaste matbutik i Rödeby"
    )


def test_broken_registry_keeps_the_old_data(published: tuple[Stack, Path]) -> None:
    stack, _tmp = published
    registry = Path(stack.env["SERVICELOTSEN_REGISTRY"])
    good = registry.read_text(encoding="utf-8")
    registry.write_text("{trasig", encoding="utf-8")
    try:
        done = _publish(stack.env, "--only", "actions")
        assert done.returncode == 1
        assert "fortsätter med de gamla" in done.stderr
        reply = Chat(stack.env).texts("publish-broken", "närmaste apotek i Ronneby")
        assert "Testapotek Ronneby Centrum" in reply
    finally:
        registry.write_text(good, encoding="utf-8")


def test_publish_says_clearly_when_nothing_runs(tmp_path: Path) -> None:
    env = e2e_env(tmp_path)
    done = _publish(env, "--only", "actions")
    assert done.returncode == 1
    assert "svarar inte" in done.stderr
