"""What the bot knows about each kommun's libraries, with source and date.

`data/knowledge/bibliotek.yml` (built by `scripts/build_libraries.py` from
the kommuner's own pages) holds facts, not service points: no source gives a
library's position, and the bot never makes one up (a locality's centre is
not an address). Until a kommun loads its libraries with addresses and
positions (`docs/bibliotek-import.md`), the bot states these facts with
their source and date.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.errors import KnowledgeError
from bot.text import fold

__all__ = [
    "DEFAULT_LIBRARIES_PATH",
    "LibraryFact",
    "library_answer",
    "library_facts",
    "load_libraries",
]

DEFAULT_LIBRARIES_PATH = (
    Path(__file__).resolve().parents[1] / "data" / "knowledge" / "bibliotek.yml"
)
_FIELDS = ("namn", "ort", "uppgift", "källa", "datum", "säkerhet")


@dataclass(frozen=True)
class LibraryFact:
    """One fact about one library, as a kommun page states it."""

    kommun: str
    name: str
    locality: str
    text: str
    source: str
    date: str
    confidence: str

    @property
    def line(self) -> str:
        """ "Hällevik bibliotek (filial), Hällevik: Filial till … (källa …, ca 2020-2021)"."""
        return (
            f"{self.name}, {self.locality}: {self.text} "
            f"(källa: {self.source}, {self.date})"
        )


def load_libraries(path: Path | None = None) -> dict[str, tuple[LibraryFact, ...]]:
    """Facts per kommun (short name).

    Raises:
        KnowledgeError: missing file, or an entry without text, source or date.
    """
    file = path or DEFAULT_LIBRARIES_PATH
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(str(file), f"kan inte läsas ({exc})") from exc
    entries = raw.get("bibliotek") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise KnowledgeError(str(file), "listan 'bibliotek' saknas")
    out: dict[str, tuple[LibraryFact, ...]] = {}
    for i, block in enumerate(entries, start=1):
        if not isinstance(block, dict) or not block.get("kommun"):
            raise KnowledgeError(str(file), "'kommun' saknas", f"post {i}")
        kommun = str(block["kommun"])
        facts: list[LibraryFact] = []
        for j, item in enumerate(block.get("uppgifter") or [], start=1):
            facts.append(_fact(file, kommun, j, item))
        out[kommun] = tuple(facts)
    return out


def _fact(file: Path, kommun: str, j: int, item: Any) -> LibraryFact:
    where = f"{kommun} uppgift {j}"
    if not isinstance(item, dict):
        raise KnowledgeError(str(file), "ska vara en mappning", where)
    missing = [k for k in _FIELDS if not str(item.get(k) or "").strip()]
    if missing:
        raise KnowledgeError(str(file), f"saknar {', '.join(missing)}", where)
    if not str(item["källa"]).startswith(("http://", "https://")):
        raise KnowledgeError(str(file), "källa ska vara en webbadress", where)
    return LibraryFact(
        kommun=kommun,
        name=str(item["namn"]).strip(),
        locality=str(item["ort"]).strip(),
        text=str(item["uppgift"]).strip(),
        source=str(item["källa"]).strip(),
        date=str(item["datum"]).strip(),
        confidence=str(item["säkerhet"]).strip(),
    )


@cache
def _default() -> dict[str, tuple[LibraryFact, ...]]:
    return load_libraries()


def library_facts(kommun: str) -> tuple[LibraryFact, ...]:
    """The facts for one kommun ("Karlshamn", "Karlshamns kommun"), or ()."""
    key = fold(kommun).removesuffix(" kommun").strip()
    for name, facts in _default().items():
        if fold(name) in (key, key.removesuffix("s")):
            return facts
    return ()


def library_answer(kommun: str) -> str | None:
    """A plain Swedish answer listing what is known, or None when nothing is."""
    facts = library_facts(kommun)
    if not facts:
        return None
    lines = [
        f"Jag har inga adresser till biblioteken i {facts[0].kommun}, men "
        "kommunens egna sidor säger:"
    ]
    lines += [f"- {f.line}" for f in facts]
    lines.append(
        "Uppgifterna kan ha ändrats. Kontrollera på kommunens webbplats innan du åker."
    )
    return "\n".join(lines)
