"""Hostile text stays harmless (issue 17, point 4).

Invisible format characters (Unicode Cf: U+202E RIGHT-TO-LEFT OVERRIDE,
zero-width spaces, the byte order mark) are removed from what the inbox
exports, and `make validate` rejects them, with file and line, in training
data, responses and knowledge files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import editor_checks as ec
from bot import inbox
from bot.text import invisible_characters, strip_invisible
from scripts import validate

from .conftest import insert_example, line_of


def replace_first(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


RLO = "\u202e"
ZWSP = "\u200b"


def _invisible(project: ec.Project) -> list[ec.Finding]:
    findings, _ = validate.run_checks(project, embeddings=False)
    return [f for f in findings if f.check == "osynligt-tecken"]


def test_the_real_project_has_none() -> None:
    from .conftest import REPO

    assert ec.check_invisible(ec.Project(REPO)) == []


def test_training_data_with_a_right_to_left_override_is_rejected(
    project: ec.Project,
) -> None:
    line = insert_example(project, "data/nlu/greet.yml", "greet", f"hej {RLO}tekotpa")
    found = _invisible(project)
    assert len(found) == 1
    finding = found[0]
    assert (finding.file, finding.line) == ("data/nlu/greet.yml", line)
    assert finding.severity is ec.Severity.ERROR
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in finding.message
    assert finding.format().startswith(
        f"data/nlu/greet.yml:{line}: FEL [osynligt-tecken]"
    )


def test_a_response_with_a_zero_width_space_is_rejected(project: ec.Project) -> None:
    domain = project.domain
    text = domain.read_text(encoding="utf-8")
    anchor = next(ln for ln in text.splitlines() if ln.strip().startswith("- text: "))
    replace_first(domain, anchor, anchor.replace("- text: ", f"- text: Hej{ZWSP} "))
    found = _invisible(project)
    assert [f.file for f in found] == ["domain.yml"]
    assert found[0].line == line_of(domain, f"Hej{ZWSP}")
    assert "U+200B" in found[0].message


def test_a_knowledge_file_with_a_bidi_control_is_rejected(project: ec.Project) -> None:
    path = project.root / "data" / "knowledge" / "kommuner.yml"
    text = path.read_text(encoding="utf-8")
    first = next(
        ln for ln in text.splitlines() if ": " in ln and not ln.startswith("#")
    )
    replace_first(path, first, first + "\u2066")
    found = _invisible(project)
    assert [(f.file, f.line) for f in found] == [
        ("data/knowledge/kommuner.yml", line_of(path, first + "\u2066"))
    ]


@pytest.mark.parametrize("char", [RLO, ZWSP, "\ufeff", "\u2066", "\u200d", "\u00ad"])
def test_the_inbox_export_removes_invisible_characters(char: str) -> None:
    text = f"var finns{char} apotek i Jämjö{char}"
    start = text.index("Jämjö")
    written = inbox.annotate(
        text,
        [{"entity": "location", "start": start, "end": start + 5, "value": "Jämjö"}],
    )
    assert invisible_characters(written) == []
    assert "apotek" in written and "[Jämjö](location)" in written
    assert strip_invisible(text) == "var finns apotek i Jämjö"
