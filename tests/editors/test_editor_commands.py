"""Editors served in Swedish (issue 17, point 3): `make` lists every target,
`make validate` shows findings instead of library noise, every command
editors use has Swedish help, and the guide agrees with README and the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import rasa_validate

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "redaktorsguide.md"


def _targets() -> list[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return sorted(
        {m.group(1) for m in re.finditer(r"^([a-z][a-z-]*):(?!=)", text, re.M)}
    )


def test_make_alone_lists_every_target_with_one_swedish_line() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "-s"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    listed = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^  make ([a-z-]+)\s+(.+)$", result.stdout, re.M)
    }
    targets = _targets()
    assert set(targets) >= {"validate", "inbox", "publish", "purge", "report"}
    missing = [t for t in targets if t not in listed]
    assert not missing, missing
    for target, text in listed.items():
        assert target in targets, f"make {target} finns inte"
        # Swedish: the usual English words of a help line do not appear
        assert not re.search(r"\b(the|and|only|every|start)\b", text), text


# Rasa 3.6's output of `rasa data validate` on a file with a mislabelled intent,
# shortened: the noise above, the finding last.
RASA_OUTPUT = """\
/work/.venv-rasa/lib/python3.10/site-packages/tensorflow/python/framework/dtypes.py:35: DeprecationWarning: ml_dtypes.float8_e4m3b11 is deprecated.
/work/.venv-rasa/lib/python3.10/site-packages/sqlalchemy/orm/decl_api.py:12: MovedIn20Warning: Deprecated API features detected!
/work/.venv-rasa/lib/python3.10/site-packages/rasa/core/tracker_store.py:1044: MovedIn20Warning: Deprecated API features detected! These feature(s) are not compatible with SQLAlchemy 2.0.
  Base: DeclarativeMeta = declarative_base()
/work/.venv-rasa/lib/python3.10/site-packages/rasa/shared/utils/io.py:99: UserWarning: The intent 'grete' is listed in the domain file, but is not found in the NLU training data.
  More info at https://rasa.com/docs/rasa/domain
2026-12-06 10:00:00 ERROR    rasa.validator  - Found inconsistencies in the domain.
"""


def test_rasa_noise_is_logged_not_shown(tmp_path: Path) -> None:
    found = rasa_validate.findings(RASA_OUTPUT)
    assert found == [
        "The intent 'grete' is listed in the domain file, but is not found in the "
        "NLU training data.",
        "Found inconsistencies in the domain.",
    ]
    text = rasa_validate.report(1, found, tmp_path / "rasa.log")
    assert "site-packages" not in text and "DeprecationWarning" not in text
    assert "grete" in text and "Hela utskriften:" in text


def test_sqlalchemy_notice_from_rasa_code_is_noise() -> None:
    assert not any("SQLAlchemy" in f for f in rasa_validate.findings(RASA_OUTPUT))


def test_the_script_keeps_the_whole_output_in_the_log(tmp_path: Path) -> None:
    log = tmp_path / "rasa.log"
    fake = tmp_path / "fake_rasa.py"
    fake.write_text(
        f"import sys\nsys.stderr.write({RASA_OUTPUT!r})\nsys.exit(1)\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "rasa_validate.py"), "--log", str(log),
         "--", sys.executable, str(fake)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert log.read_text(encoding="utf-8") == RASA_OUTPUT
    assert "site-packages" not in result.stdout + result.stderr
    assert "  - The intent 'grete'" in result.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["scripts/validate.py", "--help"],
        ["scripts/inbox.py", "--help"],
        ["scripts/build_nlu_data.py", "--help"],
        ["scripts/publish.py", "--help"],
        ["scripts/rasa_validate.py", "--help"],
        ["-m", "bot", "--help"],
        ["-m", "bot", "import", "csv", "--help"],
        ["-m", "bot", "import", "pipos", "--help"],
        ["-m", "bot", "import", "carriers", "--help"],
        ["-m", "bot", "resolve", "--help"],
        ["-m", "bot", "validate", "--help"],
    ],
)
def test_swedish_help_for_every_editor_command(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("användning: "), out[:80]
    for english in (
        "usage:",
        "show this help message",
        "options:",
        "positional arguments",
    ):
        assert english not in out, (argv, english)


def test_guide_and_readme_agree_on_publishing() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make publish" in guide and "make publish" in readme
    publish = guide[guide.index("Publicera sedan") :]
    publish = publish[: publish.index("\n## ")]
    assert "make train" not in publish
    assert "Starta om boten" not in publish and "utan omstart" in publish


def test_guide_does_not_promise_definite_forms_of_new_synonyms() -> None:
    from scripts.build_nlu_data import definite_forms

    guide = GUIDE.read_text(encoding="utf-8")
    section = guide[guide.index("## Lägga till en synonym") :]
    section = section[: section.index("\n## ", 3)]
    # the code makes definite forms only of a type's own name (name/plural)
    assert definite_forms("medicinombud", "medicinombud") == [
        "medicinombudet",
        "medicinombuden",
    ]
    assert "bara för tjänstetypens eget namn" in " ".join(section.split())


def test_guide_documents_the_csv_mapping_and_the_presets() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for words in (
        "### Mappningsfilen för CSV",
        "coordinates:",
        "northing:",
        "crs: sweref99tm",
        "source_date_column:",
        "import pipos",
        "import carriers",
        "Slutkod 3",
    ):
        assert words in guide, words


def test_a_passing_rasa_check_is_one_line(tmp_path: Path) -> None:
    text = rasa_validate.report(
        0, ["Deprecated API features detected!"], tmp_path / "l"
    )
    assert text.startswith("Rasas kontroll: inga anmärkningar") and "\n" not in text


# Lines as Rasa 3.6 really prints them on this project (colours included).
REAL_NOTES = (
    "\x1b[93m/work/main/.venv-rasa/lib/python3.10/site-packages/rasa/shared/utils/io.py:100: "
    "UserWarning: The utterance 'utter_help' is not used in any story or rule.\n"
    "\x1b[0m\x1b[93m/work/main/.venv-rasa/lib/python3.10/site-packages/rasa/shared/utils/io.py:100: "
    "UserWarning: The intent 'grete' is listed in the domain file, but is not found in the "
    "NLU training data.\n\x1b[0m\n"
)


def test_real_rasa_lines_colours_and_unused_responses() -> None:
    assert rasa_validate.findings(REAL_NOTES) == [
        "The intent 'grete' is listed in the domain file, but is not found in the "
        "NLU training data."
    ]
