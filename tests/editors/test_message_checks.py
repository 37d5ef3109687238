"""The editors' checks on the bot's sentences (data/lang/messages.yml).

The rules are the ones the bot applies when it reads the file
(`bot.messages.entry_problems`): what `Messages.load` refuses is an error in
`make validate`, with the line; the rest is a warning. Each test breaks a
copy of the project the way an editor might and looks at what that adds to
the findings of the real file (which should have none: see the first test).
"""

from __future__ import annotations

import functools
import re

import pytest

from bot import editor_checks as ec
from bot.messages import Messages, MessagesError
from scripts import validate

from .conftest import REPO, line_of, replace

MESSAGES = "data/lang/messages.yml"


@functools.cache
def _real() -> frozenset[tuple[str, str]]:
    return frozenset((f.check, f.message) for f in ec.check_messages(ec.Project(REPO)))


def _added(findings: list[ec.Finding]) -> list[ec.Finding]:
    """The findings a test's change adds to those of the real file."""
    return [f for f in findings if (f.check, f.message) not in _real()]


def check(project: ec.Project) -> list[ec.Finding]:
    return _added(ec.check_messages(project))


def test_the_real_messages_pass() -> None:
    project = ec.Project(REPO)
    findings = ec.check_messages(project) + [
        f for f in ec.check_invisible(project) if f.file == MESSAGES
    ]
    assert findings == [], [f.format() for f in findings]


def test_a_missing_english_text_is_a_warning(project: ec.Project) -> None:
    path = project.root / MESSAGES
    replace(path, '  en: "Yes"\n', "")
    (finding,) = check(project)
    assert (finding.check, finding.severity) == (
        "meddelande-saknar-engelska",
        ec.Severity.WARNING,
    )
    assert (finding.file, finding.line) == (MESSAGES, line_of(path, "button_yes:"))
    assert finding.message == (
        "button_yes: texten på engelska (en:) saknas; engelsktalande får den svenska"
    )
    assert Messages.load(path).text("button_yes", "en") == "Ja"  # the bot falls back


def test_a_different_placeholder_in_english(project: ec.Project) -> None:
    path = project.root / MESSAGES
    replace(
        path,
        'Did you mean that {description}?"',
        'Did you mean that {descripton}?"',
    )
    (finding,) = check(project)
    assert (finding.check, finding.severity) == ("meddelande-namn", ec.Severity.ERROR)
    assert (finding.file, finding.line) == (MESSAGES, line_of(path, "{descripton}"))
    assert finding.message == (
        "did_you_mean.en: ska fylla i samma {namn} som sv: ['description'], "
        "inte ['descripton']"
    )
    assert "Skriv samma {namn} i båda språken" in finding.fix


def test_a_placeholder_only_in_swedish(project: ec.Project) -> None:
    path = project.root / MESSAGES
    replace(path, 'sv: "Ja"\n', 'sv: "Ja, {place}"\n')
    (finding,) = check(project)
    assert finding.check == "meddelande-namn"
    # reported at the English text, which lacks what Swedish fills in
    assert finding.line == line_of(path, 'sv: "Ja, {place}"') + 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('  sv: "Ja"\n', "", "button_yes: texten på svenska (sv:) saknas"),
        ('  en: "Yes"\n', '  en: "Yes"\n  de: "Ja"\n', "button_yes: okänt språk ['de']"),
        ('  en: "Yes"\n', "  en:\n", "button_yes.en: ska vara en text"),
    ],
)
def test_an_entry_the_bot_would_refuse(
    project: ec.Project, old: str, new: str, message: str
) -> None:
    path = project.root / MESSAGES
    replace(path, old, new)
    (finding,) = check(project)
    assert (finding.check, finding.severity) == ("meddelande", ec.Severity.ERROR)
    assert finding.file == MESSAGES
    assert finding.line is not None
    assert message in finding.message
    # the same rule, in the same words, stops the bot reading the file
    with pytest.raises(MessagesError, match=re.escape(message)):
        Messages.load(path)


def test_an_id_written_twice(project: ec.Project) -> None:
    path = project.root / MESSAGES
    text = path.read_text(encoding="utf-8")
    path.write_text(text + 'button_yes:\n  sv: "Ja!"\n  en: "Yes!"\n', encoding="utf-8")
    (finding,) = check(project)
    assert (finding.check, finding.severity) == ("meddelande", ec.Severity.ERROR)
    first = line_of(path, "button_yes:")
    assert finding.line == len(text.splitlines()) + 1
    assert finding.message == (
        f"id:t button_yes står två gånger (också på rad {first}); boten använder "
        "bara den senare"
    )


def test_a_file_that_is_not_yaml(project: ec.Project) -> None:
    path = project.root / MESSAGES
    replace(path, 'sv: "Ja"\n', 'sv: "Ja\n')
    findings = check(project)
    assert [f.check for f in findings] == ["yaml"]
    assert findings[0].file == MESSAGES
    assert findings[0].line is not None


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('sv: "Ja"', 'sv: "Ja "', "button_yes.sv: slutar med mellanslag, som inte syns"),
        ('sv: "Ja"', 'sv: "Ja\\n"', "slutar med radbrytning"),
        ('sv: "Ja"', 'sv: "\\tJa"', "börjar med tabb; en text får bara börja med"),
        ('sv: "Ja"', 'sv: "  Ja"', "börjar med 2 mellanslag"),
        ('sv: "Ja"', 'sv: "\\u00a0Ja"', "börjar med hårt mellanslag (U+00A0)"),
        ('en: "Yes"', 'en: " Yes"', "sv börjar inte med mellanslag, men en gör det"),
    ],
)
def test_white_space_at_the_edges_is_a_warning(
    project: ec.Project, old: str, new: str, said: str
) -> None:
    path = project.root / MESSAGES
    replace(path, old, new)
    (finding,) = check(project)
    assert (finding.check, finding.severity) == (
        "meddelande-mellanslag",
        ec.Severity.WARNING,
    )
    assert finding.line == line_of(path, new)
    assert said in finding.message
    Messages.load(path)  # the bot still reads it


def test_one_plain_space_first_in_both_languages_is_fine(project: ec.Project) -> None:
    """" Telefon {phone}." follows another sentence: that is how it should be."""
    replace(project.root / MESSAGES, 'sv: "Ja"\n  en: "Yes"', 'sv: " Ja"\n  en: " Yes"')
    assert check(project) == []


@pytest.mark.parametrize("char", ["\u200b", "\u00ad", "\u202e", "\ufeff"])
def test_an_invisible_character(project: ec.Project, char: str) -> None:
    path = project.root / MESSAGES
    replace(path, 'sv: "Ja"', f'sv: "J{char}a"')
    assert check(project) == []
    findings = [f for f in ec.check_invisible(project) if f.file == MESSAGES]
    (finding,) = findings
    assert (finding.check, finding.severity) == ("osynligt-tecken", ec.Severity.ERROR)
    assert finding.line == line_of(path, f"J{char}a")
    assert f"U+{ord(char):04X}" in finding.message
    assert "kolumn 9" in finding.message  # '  sv: "J' is 8 characters


def test_validate_runs_the_message_checks(project: ec.Project) -> None:
    path = project.root / MESSAGES
    replace(path, 'sv: "Ja"', 'sv: "J\u200ba {x}"')
    findings, _ = validate.run_checks(project, embeddings=False)
    findings = _added(findings)
    assert sorted(f.check for f in findings) == ["meddelande-namn", "osynligt-tecken"]
