"""The editors' checks (`make validate`): each one fails on a broken copy.

Every test copies the project to tmp_path (fixture `project`), breaks one
thing the way an editor might, and checks that the right check reports it
with the right Swedish message, at the right file and line. The real data
must pass every check.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import editor_checks as ec
from bot.gazetteer import Gazetteer
from scripts import validate

from .conftest import REPO, insert_example, line_of, replace

FIND = "data/nlu/find_service.yml"
HANDOFF = "data/nlu/human_handoff.yml"
CHALLENGE = "data/nlu/bot_challenge.yml"


def run(project: ec.Project, encode: ec.Encode | None = None) -> list[ec.Finding]:
    findings, _ = validate.run_checks(project, encode, embeddings=encode is not None)
    return findings


def found(findings: list[ec.Finding], check: str) -> list[ec.Finding]:
    return [f for f in findings if f.check == check]


def only(findings: list[ec.Finding], check: str) -> ec.Finding:
    """The single finding of `check` (and no errors from other checks)."""
    mine = found(findings, check)
    others = [f.format() for f in findings if f.check != check]
    assert len(mine) == 1, [f.format() for f in findings]
    assert others == [], others
    return mine[0]


# --- the real data ------------------------------------------------------------------


def test_the_real_project_passes_every_check(encode: ec.Encode) -> None:
    findings, nlu = validate.run_checks(ec.Project(REPO), encode)
    assert findings == [], "\n".join(f.format() for f in findings)
    assert len(nlu.examples) > 500


def test_an_untouched_copy_passes(project: ec.Project) -> None:
    assert run(project) == []


# --- duplicates ---------------------------------------------------------------------


def test_the_same_example_twice_in_one_intent(project: ec.Project) -> None:
    line = insert_example(
        project, FIND, "find_service", "Nån [affär](service_type) i [rödeby](location)?"
    )
    finding = only(run(project), "dubblett")
    assert (finding.file, finding.line) == (FIND, line)
    assert finding.severity is ec.Severity.ERROR
    assert (
        'exemplet "Nån affär i rödeby?" står två gånger under find_service'
        in finding.message
    )
    assert f"{FIND}:{line_of(project.root / FIND, '- nån [affär]')}" in finding.message
    assert finding.fix.startswith("Ta bort den ena raden")


def test_the_same_example_in_two_intents(project: ec.Project) -> None:
    file = "data/nlu/list_services_in_place.yml"
    line = insert_example(
        project, file, "list_services_in_place", "var finns närmaste apotek i Ronneby"
    )
    finding = only(run(project), "samma-i-två-avsikter")
    assert (finding.file, finding.line) == (file, line)
    first = line_of(project.root / FIND, "- var finns närmaste [apotek]")
    assert finding.message == (
        'exemplet "var finns närmaste apotek i Ronneby" står både under '
        f"list_services_in_place och under find_service ({FIND}:{first})"
    )
    assert "Ett exempel får bara höra till en avsikt" in finding.fix


def test_without_diacritics_is_the_same_across_intents(project: ec.Project) -> None:
    file = "data/nlu/thank.yml"
    line = insert_example(project, file, "thank", "Jag vill prata med en manniska!")
    finding = only(run(project), "samma-i-två-avsikter")
    assert (finding.file, finding.line) == (file, line)
    first = line_of(project.root / HANDOFF, "- jag vill prata med en människa")
    assert f"under thank och under human_handoff ({HANDOFF}:{first})" in finding.message


@pytest.mark.parametrize(
    ("text", "how"),
    [
        # embeddings alone: similarity 0.993, spelt only 85 % alike
        ("jag skulle vilja prata med en människa", "likhet 0,99"),
        # typos: similarity 0.94, spelt 95 % alike
        ("jga vill prata med en mäniska", "likhet 0,9"),
    ],
)
def test_nearly_the_same_example_in_two_intents(
    project: ec.Project, encode: ec.Encode, text: str, how: str
) -> None:
    file = "data/nlu/out_of_scope.yml"
    line = insert_example(project, file, "out_of_scope", text)
    findings = found(run(project, encode), "nästan-samma")
    mine = [f for f in findings if "jag vill prata med en människa" in f.message]
    assert len(mine) == 1, [f.format() for f in findings]
    finding = mine[0]
    assert (finding.file, finding.line) == (file, line)
    assert finding.message.startswith(
        f'exemplet "{text}" under out_of_scope är nästan samma som '
        '"jag vill prata med en människa" under human_handoff '
        f"({HANDOFF}:{line_of(project.root / HANDOFF, '- jag vill prata med en människa')})"
    )
    assert how in finding.message
    assert "Ett exempel ska bara passa en avsikt" in finding.fix


def test_a_new_way_of_asking_is_not_a_near_duplicate(
    project: ec.Project, encode: ec.Encode
) -> None:
    insert_example(
        project, "data/nlu/out_of_scope.yml", "out_of_scope", "kan du laga min cykel"
    )
    assert run(project, encode) == []


def test_near_duplicate_threshold_is_the_documented_one() -> None:
    guide = (REPO / "docs" / "redaktorsguide.md").read_text(encoding="utf-8")
    assert f"{ec.NEAR_DUPLICATE_THRESHOLD}".replace(".", ",") in guide
    assert f"{ec.NEAR_DUPLICATE_FLOOR}".replace(".", ",") in guide
    assert f"{ec.NEAR_DUPLICATE_SPELLING:.0f}" in guide


# --- too few, too uniform, unknown intent --------------------------------------------


def test_an_intent_with_too_few_examples(project: ec.Project) -> None:
    path = project.root / "data" / "nlu" / "help.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(
        i
        for i, line in enumerate(lines)
        if line.strip().startswith("- ") and "intent" not in line
    )
    path.write_text("".join(lines[: first + 5]), encoding="utf-8")
    finding = only(run(project), "för-få-exempel")
    assert (finding.file, finding.line) == ("data/nlu/help.yml", first + 1)
    assert finding.message == "avsikten help har 5 exempel; minst 10 behövs"
    assert "make inbox" in finding.fix


def test_an_intent_missing_from_the_data(project: ec.Project) -> None:
    (project.root / "data" / "nlu" / "thank.yml").unlink()
    finding = only(run(project), "för-få-exempel")
    assert (finding.file, finding.line) == (
        "domain.yml",
        line_of(project.domain, "  - thank"),
    )
    assert finding.message == "avsikten thank har 0 exempel; minst 10 behövs"


def test_an_intent_of_one_sentence_with_places_swapped(project: ec.Project) -> None:
    file = "data/nlu/ask_home_delivery.yml"
    path = project.root / file
    first = line_of(path, "- kan jag få maten hemkörd")
    # As many copies as the intent has examples, and ten more, so that fewer
    # than half of its sentences are distinct however the real file grows.
    existing = sum(
        1
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("- ") and "intent:" not in line
    )
    gazetteer = Gazetteer.load(project.gazetteer)
    places = [n for n in gazetteer.names() if gazetteer.resolve(n).found][
        : existing + 10
    ]
    assert len(places) == existing + 10
    for place in places:
        insert_example(
            project,
            file,
            "ask_home_delivery",
            f"kör ni hem mat till [{place}](location)",
        )
    finding = only(run(project), "för-lika-exempel")
    assert (finding.file, finding.line) == (file, first)
    assert finding.message == (
        f"avsikten ask_home_delivery har för lika exempel: bara {existing + 1} av "
        f"{2 * existing + 10} är olika "
        "meningar när orden i hakparenteser räknas som samma (vanligast: "
        f'"kor ni hem mat till [location]", {existing + 10} gånger)'
    )
    assert "räknas som samma" in finding.message
    assert "Byt ut en del av exemplen mot nya sätt att fråga" in finding.fix


def test_an_intent_that_is_not_in_the_domain(project: ec.Project) -> None:
    path = project.root / "data" / "nlu" / "thank.yml"
    replace(path, "- intent: thank", "- intent: tack")
    findings = run(project)
    unknown = only([f for f in findings if f.check == "okänd-avsikt"], "okänd-avsikt")
    assert (unknown.file, unknown.line) == (
        "data/nlu/thank.yml",
        line_of(path, "- tack"),
    )
    assert unknown.message == "avsikten tack finns inte i domain.yml"
    assert [f.message for f in found(findings, "för-få-exempel")] == [
        "avsikten thank har 0 exempel; minst 10 behövs"
    ]


# --- entity annotations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("example", "check", "message", "fix"),
    [
        (
            "var finns [fisk](service_type) i [Jämjö](location)",
            "okänd-tjänstetyp",
            '"fisk" i "var finns [fisk](service_type) i [Jämjö](location)" blir '
            'värdet "fisk", som inte är någon tjänstetyp eller synonym till någon',
            "Lägg till ordet som synonym i data/service_types.yml",
        ),
        (
            'var finns [fisk]{"entity": "service_type", "value": "fiskbutik"}',
            "okänd-tjänstetyp",
            'blir värdet "fiskbutik", som inte är någon tjänstetyp',
            "apotek, apoteksombud, bibliotek, dagligvaror",
        ),
        (
            "var finns [apotek](service_type) i [Ronneby](stad)",
            "okänd-entitet",
            "entiteten 'stad' i \"[Ronneby](stad)\" finns inte i domain.yml",
            "Använd någon av: service_type, location, point_name, carrier",
        ),
        (
            'finns det [ica]{"entity": "service_type", "value": "apotek"} i [Jämjö](location)',
            "motsägande-värde",
            '"ica" har värdet "apotek" här, men är synonym till "dagligvaror"',
            "Ta bort värdet och skriv [ica](service_type)",
        ),
        (
            'finns det [apotek](service_type) i [Ronneby]{"entity": "location", "value": "Ronneby kommun"}',
            "värde-på-ort",
            'orter och ställen skrivs som de står, utan värde: "Ronneby" har värdet "Ronneby kommun"',
            "Skriv [Ronneby](location) utan värde",
        ),
        (
            "jag är på [56.26](latitude) [14.77](longitude) var finns [apotek](service_type)",
            "koordinater-i-text",
            'koordinater annoteras inte i exempel ("[56.26](latitude)")',
            "positionen kommer från knappen",
        ),
        (
            "var finns [apotek](service_type)et i [Ronneby](location)",
            "hela-ord",
            "delar ett ord eller har mellanslag vid kanten",
            "Sätt hakparenteserna runt hela ord",
        ),
        (
            "var finns [apotek](service_type) i [Atlantis](location)",
            "okänd-ort",
            'orten "Atlantis" finns inte i ortregistret (data/gazetteer/places.json)',
            '-m bot resolve "Atlantis"',
        ),
        (
            'var finns [apotek]{"entity": service_type} i [Jämjö](location)',
            "annotering",
            'annoteringen i \'var finns [apotek]{"entity": service_type} i '
            "[Jämjö](location)' kan inte läsas",
            "raka citattecken",
        ),
    ],
)
def test_a_broken_annotation(
    project: ec.Project, example: str, check: str, message: str, fix: str
) -> None:
    line = insert_example(project, FIND, "find_service", example)
    findings = [f for f in run(project) if f.check == check]
    assert len(findings) >= 1
    finding = findings[0]
    assert (finding.file, finding.line) == (FIND, line)
    assert message in finding.message
    assert fix in finding.fix


# --- synonyms and generated files --------------------------------------------------------


def test_a_synonym_for_two_values_and_in_the_wrong_file(project: ec.Project) -> None:
    path = project.root / "data" / "nlu" / "egna_synonymer.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n  - synonym: dagligvaror\n    examples: |\n'
        "      - apoteket\n",
        encoding="utf-8",
    )
    findings = run(project)
    twice = only(
        [f for f in findings if f.check == "synonym-två-gånger"], "synonym-två-gånger"
    )
    assert (twice.file, twice.line) == (
        "data/nlu/generated/service_type_synonyms.yml",
        line_of(project.root / twice.file, "- apoteket"),
    )
    assert twice.message.startswith(
        '"apoteket" är synonym både till "dagligvaror" (data/nlu/egna_synonymer.yml:5) '
        'och till "apotek"'
    )
    wrong = only(
        [f for f in findings if f.check == "synonym-fel-fil"], "synonym-fel-fil"
    )
    assert (wrong.file, wrong.line, wrong.severity) == (
        "data/nlu/egna_synonymer.yml",
        5,
        ec.Severity.WARNING,
    )
    assert "Skriv synonymer till tjänstetyper i data/service_types.yml" in wrong.fix


def test_a_synonym_added_without_rebuilding(project: ec.Project) -> None:
    replace(
        project.service_types,
        "      - närbutik\n",
        "      - närbutik\n      - byabutik\n",
    )
    finding = only(run(project), "inaktuell-genererad-fil")
    assert finding.file == "data/nlu/generated/service_type_synonyms.yml"
    assert finding.line is not None and finding.line > 5
    assert finding.message.startswith("filen är inaktuell: data/service_types.yml")
    assert "scripts/build_nlu_data.py" in finding.fix


# --- responses --------------------------------------------------------------------------


def test_a_response_used_in_a_rule_but_missing(project: ec.Project) -> None:
    rules = project.root / "data" / "rules" / "basics.yml"
    replace(rules, "      - action: utter_thank\n", "      - action: utter_tack\n")
    finding = only(run(project), "svar-saknas")
    assert (finding.file, finding.line) == (
        "data/rules/basics.yml",
        line_of(rules, "utter_tack"),
    )
    assert finding.message == "svaret utter_tack används men finns inte i domain.yml"
    assert "Lägg till utter_tack under 'responses:' i domain.yml" in finding.fix


def test_a_response_used_by_an_action_but_missing(project: ec.Project) -> None:
    code = project.root / "actions" / "help.py"
    replace(code, 'response="utter_help"', 'response="utter_hjalp"')
    finding = only(run(project), "svar-saknas")
    assert (finding.file, finding.line) == (
        "actions/help.py",
        line_of(code, "utter_hjalp"),
    )
    assert finding.message == "svaret utter_hjalp används men finns inte i domain.yml"


def test_a_form_question_missing(project: ec.Project) -> None:
    text = project.domain.read_text(encoding="utf-8")
    start = text.index("  utter_ask_location:\n")
    end = text.index("  utter_ask_location_for_list:")
    project.domain.write_text(text[:start] + text[end:], encoding="utf-8")
    findings = [f for f in run(project) if f.check == "svar-saknas"]
    form = [f for f in findings if f.message.startswith("formuläret")]
    assert len(form) == 1
    assert (
        form[0].message
        == "formuläret frågar efter location men svaret utter_ask_location saknas"
    )
    assert (form[0].file, form[0].line) == (
        "domain.yml",
        line_of(project.domain, "      - location"),
    )


@pytest.mark.parametrize(
    ("old", "new", "check", "message"),
    [
        (
            '- text: "Varsågod! Säg till om du vill veta något mer."',
            '- text: ""',
            "tomt-svar",
            "svaret utter_thank är tomt",
        ),
        (
            '- text: "Varsågod! Säg till om du vill veta något mer."',
            '- text: "Sorry, I did not understand that. Please try again."',
            "inte-svenska",
            'svaret utter_thank ser inte ut att vara på svenska: "Sorry, I did not',
        ),
        (
            '- text: "Varsågod! Säg till om du vill veta något mer."',
            "- text: null",
            "tomt-svar",
            "svaret utter_thank är tomt",
        ),
    ],
)
def test_a_bad_response(
    project: ec.Project, old: str, new: str, check: str, message: str
) -> None:
    replace(project.domain, old, new)
    finding = only(run(project), check)
    assert (finding.file, finding.line) == ("domain.yml", line_of(project.domain, new))
    assert finding.message.startswith(message)


@pytest.mark.parametrize(
    ("text", "swedish"),
    [
        ("Förlåt, jag förstod inte riktigt.", True),
        ("Vilken ort?", True),
        ("Matbutik", True),
        ("Närmaste apotek: {name}", True),
        ("Sorry, I did not understand.", False),
        ("Did you mean {intent}?", False),
        ("Please rephrase", False),
        ("Yes", False),
        ("The nearest pharmacy is {name}.", False),
    ],
)
def test_looks_swedish(text: str, swedish: bool) -> None:
    assert ec.looks_swedish(text) is swedish


def test_every_shipped_response_looks_swedish() -> None:
    domain = ec.load_domain(ec.Project(REPO))
    variants = [v for variants in domain.responses.values() for v in variants]
    swedish = [v.text for v in variants if v.language == "sv"]
    english = [v.text for v in variants if v.language == "en"]
    assert swedish and all(t and ec.looks_swedish(t) for t in swedish)
    # every response has an English variant too (issue 15), and it reads as English
    assert len(english) == len(domain.responses)
    assert all(t and ec.looks_english(t) for t in english)


# --- knowledge ---------------------------------------------------------------------------


def test_a_knowledge_entry_without_a_source(project: ec.Project) -> None:
    path = project.alternatives
    text = path.read_text(encoding="utf-8")
    start = text.index("    source:\n", text.index("- id: hemleverans-av-mat"))
    end = text.index("    checked:", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    finding = only(run(project), "källa-saknas")
    assert (finding.file, finding.line) == (
        "data/knowledge/digitala_alternativ.yml",
        line_of(path, "- id: hemleverans-av-mat"),
    )
    assert finding.message == '"hemleverans-av-mat" saknar källa (fältet source)'
    assert "Boten får inte svara med uppgifter som saknar källa" in finding.fix


def test_a_municipality_contact_with_an_empty_source(project: ec.Project) -> None:
    path = project.municipalities
    replace(path, "      source: https://issuu.com/karlskronakommun/docs/ikarlskrona_nr3_2013\n",
            '      source: ""\n')  # fmt: skip
    finding = only(run(project), "källa-saknas")
    assert (finding.file, finding.line) == (
        "data/knowledge/kommuner.yml",
        line_of(path, 'source: ""'),
    )
    assert (
        finding.message
        == '"Karlskrona" saknar källa för kontaktuppgifterna (fältet source)'
    )


def test_another_knowledge_error_names_the_entry_line(project: ec.Project) -> None:
    path = project.alternatives
    replace(path, "  - id: hemleverans-av-mat\n    service_type: dagligvaror\n",
            "  - id: hemleverans-av-mat\n    service_type: blommor\n")  # fmt: skip
    finding = only(run(project), "kunskap")
    assert (finding.file, finding.line) == (
        "data/knowledge/digitala_alternativ.yml",
        line_of(path, "- id: hemleverans-av-mat"),
    )
    assert finding.message.startswith("okänd service_type 'blommor'")
    assert "(post 2 (hemleverans-av-mat))" in finding.message


# --- registry ------------------------------------------------------------------------------


def _features(project: ec.Project) -> tuple[Path, list[str]]:
    path = project.root / "data" / "service_points" / "blekinge.geojson"
    return path, path.read_text(encoding="utf-8").splitlines()


def test_a_registry_record_without_source_date(project: ec.Project) -> None:
    path, lines = _features(project)
    record = json.loads(lines[5].rstrip(","))
    del record["properties"]["source_date"]
    lines[5] = json.dumps(record, ensure_ascii=False) + ","
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    finding = only(run(project), "register")
    assert (finding.file, finding.line) == ("data/service_points/blekinge.geojson", 6)
    assert finding.message == (
        f'servicepunkten "{record["properties"]["id"]}" lämnas bort: saknar källdatum '
        "(source_date)"
    )
    assert "Hitta aldrig på uppgifter" in finding.fix


def test_a_registry_record_twice(project: ec.Project) -> None:
    _, lines = _features(project)
    second = project.root / "data" / "service_points" / "extra.geojson"
    second.write_text(
        '{"type": "FeatureCollection", "features": [\n'
        + lines[3].rstrip(",")
        + "\n]}\n",
        encoding="utf-8",
    )
    finding = only(run(project), "register")
    assert (finding.file, finding.line) == ("data/service_points/extra.geojson", 2)
    rid = json.loads(lines[3].rstrip(","))["properties"]["id"]
    assert finding.message == (
        f'servicepunkten "{rid}" lämnas bort: id:t finns redan i '
        "data/service_points/blekinge.geojson"
    )


def test_a_registry_file_that_is_not_json(project: ec.Project) -> None:
    path, lines = _features(project)
    lines[7] = lines[7].replace('"name"', "name", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    finding = only(run(project), "register")
    assert (finding.file, finding.line) == ("data/service_points/blekinge.geojson", 8)
    assert finding.message.startswith("filen är inte giltig JSON")


# --- YAML that does not parse ------------------------------------------------------------


def test_a_training_file_that_is_not_yaml(project: ec.Project) -> None:
    path = project.root / FIND
    replace(path, "      - var kan man [tanka](service_type)\n",
            "      - var kan man [tanka](service_type)\n    - felindraget: [\n")  # fmt: skip
    findings = run(project)
    finding = found(findings, "yaml")
    assert len(finding) == 1
    assert finding[0].file == FIND
    assert finding[0].line is not None and finding[0].line >= line_of(
        path, "felindraget"
    )
    assert finding[0].message.startswith("filen kan inte läsas som YAML")
    assert "indraget" in finding[0].fix


# --- the script --------------------------------------------------------------------------


def test_the_script_prints_file_line_and_what_to_do(project: ec.Project) -> None:
    line = insert_example(
        project, FIND, "find_service", "var finns [fisk](service_type)"
    )
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "validate.py"), "--root", str(project.root), "--utan-likhet"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert f'{FIND}:{line}: FEL [okänd-tjänstetyp]: "fisk" i' in result.stdout
    assert "    Gör så här: Lägg till ordet som synonym" in result.stdout
    assert "Resultat: 1 fel och 0 varningar." in result.stdout


def test_the_script_passes_with_warnings_unless_strict(project: ec.Project) -> None:
    path = project.root / "data" / "nlu" / "egna_synonymer.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n  - synonym: dagligvaror\n    examples: |\n'
        "      - kvartersbutiken\n",
        encoding="utf-8",
    )
    argv = [
        str(REPO / "scripts" / "validate.py"),
        "--root",
        str(project.root),
        "--utan-likhet",
    ]
    relaxed = subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, check=False
    )
    strict = subprocess.run(
        [sys.executable, *argv, "--strict"], capture_output=True, text=True, check=False
    )
    assert relaxed.returncode == 0, relaxed.stdout
    assert (
        "data/nlu/egna_synonymer.yml:5: VARNING [synonym-fel-fil]: synonymen"
        in relaxed.stdout
    )
    assert "Resultat: inga fel, 1 varning." in relaxed.stdout
    assert strict.returncode == 1


def test_a_clean_copy_reports_success(project: ec.Project) -> None:
    findings, nlu = validate.run_checks(project, embeddings=False)
    text = validate.report(findings, nlu)
    assert text.endswith("Resultat: allt ser bra ut. Ändringen kan publiceras.")


# --- the guide ------------------------------------------------------------------------


def test_every_check_is_explained_in_the_guide() -> None:
    import re

    guide = (REPO / "docs" / "redaktorsguide.md").read_text(encoding="utf-8")
    headings = " ".join(line for line in guide.splitlines() if line.startswith("### "))
    sources = (REPO / "bot" / "editor_checks.py").read_text(encoding="utf-8") + (
        REPO / "scripts" / "validate.py"
    ).read_text(encoding="utf-8")
    checks = set(re.findall(r'Finding\(\s*"([^"]+)"', sources)) | set(
        re.findall(r'ec\.Finding\(\s*"([^"]+)"', sources)
    )
    assert len(checks) > 20
    missing = sorted(c for c in checks if f"`{c}`" not in headings)
    assert missing == []
