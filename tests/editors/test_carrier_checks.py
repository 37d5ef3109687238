"""The editors' check `transportföretag`: the carriers agree across files.

data/carriers.yml decides which carriers exist and what they are called; the
importer's mapping (data/importers/carriers.yml), the NLU words
(`carriers:` in data/service_types.yml) and the registry's `carriers` must
agree with it. Each test breaks one copy of the project the way an editor
might and checks the Swedish finding, its file and its line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import editor_checks as ec
from bot.carriers import alias_key, carrier_id
from scripts import validate

from .conftest import REPO, line_of, replace

SERVICE_TYPES = "data/service_types.yml"
IMPORTER = "data/importers/carriers.yml"
CARRIERS = "data/carriers.yml"
FIXTURE = REPO / "tests" / "fixtures" / "carriers" / "registry.geojson"


def _errors(findings: list[ec.Finding]) -> list[str]:
    return [f.format() for f in findings if f.severity is ec.Severity.ERROR]


def test_the_real_carrier_files_agree() -> None:
    findings = ec.check_carriers(ec.Project(REPO))
    assert findings == [], [f.format() for f in findings]


def test_an_untouched_copy_agrees(project: ec.Project) -> None:
    assert ec.check_carriers(project) == []


def test_the_importer_maps_a_list_spelling_to_an_unknown_carrier(
    project: ec.Project,
) -> None:
    path = project.root / IMPORTER
    replace(path, "  Airmee: airmee\n", "  Airmee: airme\n")
    (finding,) = ec.check_carriers(project)
    assert (finding.check, finding.severity) == ("transportföretag", ec.Severity.ERROR)
    assert (finding.file, finding.line) == (IMPORTER, line_of(path, "Airmee: airme"))
    assert finding.message == (
        'listans "Airmee" leder till "airme", som inte finns i data/carriers.yml'
    )
    assert "postnord, dhl, schenker" in finding.fix


def test_a_service_type_carrier_that_is_not_in_the_carrier_file(
    project: ec.Project,
) -> None:
    path = project.root / SERVICE_TYPES
    replace(path, "  - id: budbee\n", "  - id: budbe\n")
    findings = ec.check_carriers(project)
    by_check = {f.check: f for f in findings}
    assert len(findings) == 2, [f.format() for f in findings]
    error = by_check["transportföretag"]
    assert (error.file, error.line) == (SERVICE_TYPES, line_of(path, "- id: budbe"))
    assert error.message == 'transportföretaget "budbe" finns inte i data/carriers.yml'
    # and budbee itself now has no words: the bot would not notice "Budbee"
    warning = by_check["transportföretag-utan-ord"]
    assert warning.severity is ec.Severity.WARNING
    assert (warning.file, warning.line) == (SERVICE_TYPES, line_of(path, "carriers:"))
    assert warning.message.startswith("Budbee (budbee) har inga ord under carriers:")
    assert "id: budbee, name: Budbee och words:" in warning.fix


def test_a_service_type_carrier_without_id(project: ec.Project) -> None:
    path = project.root / SERVICE_TYPES
    replace(path, "  - id: airmee\n    name: Airmee\n", "  - name: Airmee\n")
    error = next(f for f in ec.check_carriers(project) if f.check == "transportföretag")
    assert error.message == "en post under carriers: saknar id"
    assert error.line == line_of(path, "- name: Airmee")


def test_a_name_that_differs_from_the_carrier_file(project: ec.Project) -> None:
    path = project.root / SERVICE_TYPES
    replace(path, "    name: DB Schenker\n", "    name: Schenker\n")
    (finding,) = ec.check_carriers(project)
    assert finding.check == "transportföretag"
    assert (finding.file, finding.line) == (SERVICE_TYPES, line_of(path, "name: Schenker"))
    registry_line = line_of(project.root / CARRIERS, "- id: schenker")
    assert finding.message == (
        'namnet för schenker ("Schenker") är inte samma som i data/carriers.yml '
        f'("DB Schenker", rad {registry_line})'
    )
    assert finding.fix.startswith("Skriv name: DB Schenker.")


def test_a_carrier_without_words_is_a_warning(project: ec.Project) -> None:
    path = project.root / SERVICE_TYPES
    replace(path, "  - id: airmee\n    name: Airmee\n    words: [airmee]\n", "")
    (finding,) = ec.check_carriers(project)
    assert (finding.check, finding.severity) == (
        "transportföretag-utan-ord",
        ec.Severity.WARNING,
    )
    assert (finding.file, finding.line) == (SERVICE_TYPES, line_of(path, "carriers:"))


def test_a_new_carrier_is_missing_in_the_other_files(project: ec.Project) -> None:
    """Added to data/carriers.yml only: a warning until it has words."""
    path = project.root / CARRIERS
    replace(
        path,
        "  - id: airmee\n",
        "  - id: fedex\n    name: FedEx\n    finder: på FedEx webbplats\n  - id: airmee\n",
    )
    (finding,) = ec.check_carriers(project)
    assert finding.check == "transportföretag-utan-ord"
    assert "FedEx (fedex)" in finding.message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    aliases: [db schenker]\n",
            "    aliases: [db schenker, posten]\n",
            '"posten" under schenker står redan för postnord',
        ),
        (
            "    aliases: [db schenker]\n",
            "    aliases: [db schenker, DHL]\n",
            'aliaset "dhl" under schenker är id för ett annat transportföretag',
        ),
        (
            "    aliases: [db schenker]\n",
            "    aliases: db schenker\n",
            "aliases för schenker ska vara en lista av ord",
        ),
        ("  - id: dhl\n    name: DHL\n", "  - id: dhl\n", "transportföretaget saknar name"),
        (
            "  - id: bring\n",
            "  - id: DHL\n    name: DHL\n  - id: bring\n",
            'transportföretaget "dhl" står två gånger',
        ),
    ],
)
def test_a_broken_carrier_file(
    project: ec.Project, old: str, new: str, message: str
) -> None:
    replace(project.root / CARRIERS, old, new)
    errors = [f for f in ec.check_carriers(project) if f.severity is ec.Severity.ERROR]
    assert len(errors) == 1, [f.format() for f in errors]
    assert errors[0].file == CARRIERS
    assert message in errors[0].message


def test_a_carrier_file_that_is_not_yaml(project: ec.Project) -> None:
    path = project.root / CARRIERS
    replace(path, "    name: Bring\n", '    name: "Bring\n')
    (finding,) = ec.check_carriers(project)
    assert (finding.check, finding.file) == ("yaml", CARRIERS)
    assert finding.line is not None and finding.line >= line_of(path, '"Bring')
    # and the registry is not checked against a list that cannot be read
    assert ec.check_registry(project, ["paketombud", "dagligvaror", "apoteksombud"]) == []


def _registry(tmp_path: Path, carrier: str) -> Path:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    feature = data["features"][0]
    feature["properties"]["carriers"] = [{"id": carrier, "kind": "ombud"}]
    path = tmp_path / "registry.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]}, indent=1),
        encoding="utf-8",
    )
    return path


def test_the_registry_names_only_carriers_of_the_project_file(
    project: ec.Project, tmp_path: Path
) -> None:
    """`check_registry` checks the registry's `carriers` against the
    project's data/carriers.yml (not a list in the code), and `check_carriers`
    does not report the same thing again."""
    ids = ["dagligvaror", "paketombud", "apoteksombud"]
    registry = ec.Project(project.root, registry=_registry(tmp_path, "fedex"))
    (finding,) = ec.check_registry(registry, ids)
    assert finding.check == "register"
    assert "okänt transportföretag 'fedex' i carriers" in finding.message
    assert ec.check_carriers(registry) == []

    replace(
        project.root / CARRIERS,
        "  - id: airmee\n",
        "  - id: fedex\n    name: FedEx\n    finder: på FedEx webbplats\n  - id: airmee\n",
    )
    assert ec.check_registry(registry, ids) == []


def test_validate_runs_the_carrier_check(project: ec.Project) -> None:
    replace(project.root / IMPORTER, "  Airmee: airmee\n", "  Airmee: airme\n")
    findings, _ = validate.run_checks(project, embeddings=False)
    assert [f.check for f in findings if f.severity is ec.Severity.ERROR] == [
        "transportföretag"
    ]


# --- the aliases live in data/carriers.yml -----------------------------------------

#: The spellings bot/carriers.py had in code before they moved to the data.
_OLD_ALIASES = {
    "post nord": "postnord",
    "posten": "postnord",
    "db schenker": "schenker",
    "db_schenker": "schenker",
    "dhl freight": "dhl",
    "dhl_freight": "dhl",
    "dhl express": "dhl",
    "dhl_express": "dhl",
    "dhlfreight": "dhl",
    "dhlexpress": "dhl",
    "dbschenker": "schenker",
}


@pytest.mark.parametrize("word", sorted(_OLD_ALIASES))
def test_the_spellings_that_were_in_code_still_give_their_carrier(word: str) -> None:
    expected = _OLD_ALIASES[word]
    for variant in (word, word.upper(), word.replace(" ", "-"), f"{word}-ombud"):
        assert carrier_id(variant) == expected, variant


def test_alias_keys_ignore_case_spaces_hyphens_and_underscores() -> None:
    assert {alias_key(w) for w in ("DHL_Express", "dhl express", "Dhl-Express")} == {
        "dhlexpress"
    }
    assert _errors(ec.check_carriers(ec.Project(REPO))) == []
