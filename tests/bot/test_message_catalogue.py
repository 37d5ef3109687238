"""`bot.messages`: the residents' sentences in one file, by id and language."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.messages import (
    MESSAGES_PATH,
    Messages,
    MessagesError,
    fields_of,
    messages,
    say,
)
from bot.web.texts import ERRORS

ROOT = Path(__file__).resolve().parents[2]
CODE = sorted(
    [
        *(ROOT / "actions").glob("*.py"),
        *(ROOT / "channels").glob("*.py"),
        *(ROOT / "bot").rglob("*.py"),
    ]
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "messages.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_project_file_loads_and_every_id_has_swedish() -> None:
    found = Messages.load(MESSAGES_PATH)
    assert len(found.ids) > 40
    for key in found.ids:
        assert found.template(key, "sv")


def test_a_missing_english_text_falls_back_to_swedish(tmp_path: Path) -> None:
    found = Messages.load(
        _write(
            tmp_path, 'a:\n  sv: "Hej {namn}!"\n  en: "Hi {namn}!"\nb:\n  sv: "Tack"\n'
        )
    )
    assert found.text("a", "en", namn="Anna") == "Hi Anna!"
    assert found.text("a", "sv", namn="Anna") == "Hej Anna!"
    assert found.text("b", "en") == "Tack"
    assert (found.has("b", "en"), found.has("a", "en")) == (False, True)
    with pytest.raises(KeyError):
        found.text("c")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('a:\n  en: "Hi"\n', "a: texten på svenska (sv:) saknas"),
        (
            'a:\n  sv: "Hej {namn}"\n  en: "Hi {name}"\n',
            "a.en: ska fylla i samma {namn}",
        ),
        ('a:\n  sv: "Hej"\n  de: "Hallo"\n', "a: okänt språk ['de']"),
        ("- a\n", "filen ska vara en lista av id"),
        ("a: [\n", "inte giltig YAML"),
    ],
)
def test_a_wrong_file_says_which_id_and_why(
    tmp_path: Path, text: str, reason: str
) -> None:
    with pytest.raises(MessagesError) as info:
        Messages.load(_write(tmp_path, text))
    assert reason in str(info.value)


def _said_ids() -> set[str]:
    """The ids the code passes to `say` as a plain string."""
    ids: set[str] = set()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "say"
                and node.args
            ):
                first = node.args[0]
                choices = (
                    [first.body, first.orelse]
                    if isinstance(first, ast.IfExp)
                    else [first]
                )
                ids |= {str(c.value) for c in choices if isinstance(c, ast.Constant)}
    return ids


def test_every_id_the_code_says_is_in_the_file_and_none_is_left_over() -> None:
    said = _said_ids()
    known = set(messages().ids)
    assert said - known == set()
    # ids the code builds: intent_<name> (actions/fallback.py), the kommun
    # questions (actions/knowledge.py, class attributes), list_and/list_or
    # (bot.messages.join_words), report_said_<kind> (bot.change_reports.said),
    # the web front's errors by HTTP status (bot.web.texts.ERRORS)
    built = {
        k
        for k in known
        if k.startswith(("intent_", "ask_kommun_", "list_", "report_said_"))
    } | set(ERRORS.values())
    assert set(ERRORS.values()) <= known
    assert known - said - built == set()


def test_each_sentence_fills_in_only_names_the_code_gives() -> None:
    """An edited sentence that asks for a {name} its code does not give
    fails here, not in a resident's conversation."""
    found = messages()
    checked = 0
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "say"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                continue
            given = {k.arg for k in node.keywords}
            if None in given:  # **fields: names given elsewhere
                given.discard(None)
                splat = True
            else:
                splat = False
            key = str(node.args[0].value)
            for lang in ("sv", "en"):
                wanted = fields_of(found.template(key, lang))
                if splat:
                    continue
                assert wanted <= given, (
                    f"{path.name}:{node.lineno}: {key}.{lang} fills in {sorted(wanted)}, "
                    f"the code gives {sorted(given)}"
                )
            checked += 1
    assert checked > 30


def test_the_actions_utter_no_sentence_of_their_own() -> None:
    """Resident-facing text comes from the messages (or domain.yml), never a
    literal in an action."""
    for path in sorted((ROOT / "actions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "utter_message"
            ):
                continue
            for keyword in node.keywords:
                if keyword.arg == "text":
                    assert not isinstance(
                        keyword.value, ast.Constant | ast.JoinedStr
                    ), (
                        f"{path.name}:{node.lineno}: a sentence belongs in {MESSAGES_PATH.name}"
                    )


def test_say_fills_in_and_defaults_to_swedish() -> None:
    assert say("hours_missing") == "Öppettider saknas i mina uppgifter."
    assert say("hours_missing", None) == say("hours_missing", "sv")
    assert say("place_phone", "en", phone="0455-1") == " Phone 0455-1."
