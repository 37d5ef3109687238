"""Fixtures for the editors' tools: a copy of the project to break, and the E5 model."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import editor_checks as ec
from scripts import build_embedding_model as builder
from scripts.validate import CachedEncoder

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> ec.Project:
    """A copy of everything the checks read (data/, domain.yml, actions/)."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(REPO / "data", root / "data")
    shutil.copy2(REPO / "domain.yml", root / "domain.yml")
    shutil.copytree(
        REPO / "actions", root / "actions", ignore=shutil.ignore_patterns("__pycache__")
    )
    return ec.Project(root)


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The default model folder, built (in a subprocess) if missing or stale."""
    out = builder.DEFAULT_OUT
    if not builder.is_up_to_date(out):
        script = REPO / "scripts" / "build_embedding_model.py"
        subprocess.run([sys.executable, str(script), "--out", str(out)], check=True)
    return out


@pytest.fixture(scope="session")
def encode(model_dir: Path) -> ec.Encode:
    """The real E5 encoder, with the same on-disk cache `make validate` uses,
    so only the examples a test adds are embedded."""
    return CachedEncoder()


def insert_example(project: ec.Project, file: str, intent: str, text: str) -> int:
    """Add `- text` as the last example of `intent` in `file`; its 1-based line.

    Last, so that the new example is the later of two duplicates (the checks
    report a pair at its later example and name the earlier one).
    """
    path = project.root / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(
        i for i, line in enumerate(lines) if line.strip() == f"- intent: {intent}"
    )
    block = next(
        i for i in range(start, len(lines)) if lines[i].strip() == "examples: |"
    )
    indent = " " * (len(lines[block + 1]) - len(lines[block + 1].lstrip()))
    end = block + 1
    while end < len(lines) and lines[end].startswith(indent + "- "):
        end += 1
    lines.insert(end, f"{indent}- {text}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return end + 1


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


Replace = Callable[[Path, str, str], None]


def replace(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of `old` (the test's assumption about the file)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
