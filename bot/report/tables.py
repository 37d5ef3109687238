"""Every table of the report as rows: the CSV files and the HTML use the same.

A `Table` has a file name, Swedish column names (machine-friendly, for the
CSV), display headers (for the HTML) and rows of plain values: numbers stay
numbers (km with two decimals) so the region can compute with them.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.phrasing import SWEDISH_MONTHS
from bot.registry import ServicePoint
from bot.report.areas import LOCALITY, POSTCODE, Areas
from bot.report.closure import ClosureImpact, rank_closures
from bot.report.demand import DemandReport, Outcome
from bot.report.gaps import GapAnalysis, GapRow
from bot.report.population import CategoryAge, ResidentGap, TatortWeighting

__all__ = ["Table", "Value", "build_tables", "largest_by_residents", "write_csv"]

Value = str | int | float | None


@dataclass(frozen=True)
class Table:
    """One table: `columns` name the CSV's columns, `headers` the HTML's."""

    name: str
    title: str
    columns: tuple[str, ...]
    headers: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


def _km(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _yes(flag: bool) -> str:
    return "ja" if flag else "nej"


def _point_cells(p: ServicePoint | None) -> tuple[Value, Value, Value]:
    if p is None:
        return None, None, None
    return p.id, p.name, p.locality


def _status(row: GapRow) -> str:
    if row.nearest is None:
        return "inga uppgifter"
    return "utanför" if row.beyond else "inom"


def _distance_rows(rows: Sequence[GapRow], kind: str) -> list[tuple[Value, ...]]:
    out: list[tuple[Value, ...]] = []
    for r in rows:
        near = r.nearest
        key: tuple[Value, ...] = (
            (r.place.name, r.place.municipality, r.place.kind)
            if kind == LOCALITY
            else (
                r.place.postcodes[0] if r.place.postcodes else r.place.id,
                r.place.name,
                r.place.municipality,
            )
        )
        out.append(
            (
                *key,
                r.group.id,
                r.group.km,
                *_point_cells(near.point if near else None),
                _km(near.crow_km if near else None),
                _km(near.road_km if near else None),
                _km(near.basis_km if near else None),
                _status(r),
                _km(r.excess_km) if r.beyond else None,
                r.population,
            )
        )
    return out


_DIST_COLUMNS = (
    "tjanst",
    "grans_km",
    "narmaste_id",
    "narmaste_namn",
    "narmaste_ort",
    "fagelvag_km",
    "vag_uppskattning_km",
    "jamfort_km",
    "status",
    "over_grans_km",
    "invanare",
)
_DIST_HEADERS = (
    "Tjänst",
    "Gräns (km)",
    "Närmaste (id)",
    "Närmaste",
    "Dess ort",
    "Fågelvägen (km)",
    "På väg, uppskattat (km)",
    "Jämfört avstånd (km)",
    "Status",
    "Över gränsen (km)",
    "Invånare",
)


def _closure_rows(impacts: Sequence[ClosureImpact]) -> list[tuple[Value, ...]]:
    out: list[tuple[Value, ...]] = []
    for rank, i in enumerate(impacts, start=1):
        worst = max(
            (e.next.basis_km for e in i.new_gap_localities if e.next is not None),
            default=None,
        )
        out.append(
            (
                i.group.id,
                rank,
                i.point.id,
                i.point.name,
                i.point.locality,
                i.point.municipality,
                " ".join(i.point.categories),
                len(i.localities),
                len(i.postcodes),
                len(i.new_gap_localities),
                len(i.new_gap_postcodes),
                i.residents_new_gap,
                _km(i.added_km_total),
                _km(worst),
                "; ".join(e.row.place.name for e in i.new_gap_localities),
            )
        )
    return out


def _effect_rows(impacts: Sequence[ClosureImpact]) -> list[tuple[Value, ...]]:
    out: list[tuple[Value, ...]] = []
    for i in impacts:
        for e in i.effects:
            place = e.row.place
            name = (
                place.name
                if e.row.kind == LOCALITY
                else (
                    f"{place.postcodes[0]} {place.name}"
                    if place.postcodes
                    else place.name
                )
            )
            near = e.row.nearest
            out.append(
                (
                    i.group.id,
                    i.point.id,
                    i.point.name,
                    e.row.kind,
                    name,
                    place.municipality,
                    _km(near.basis_km if near else None),
                    *(_point_cells(e.next.point)[:2] if e.next else (None, None)),
                    _km(e.next.basis_km if e.next else None),
                    _yes(e.new_gap),
                    e.row.population,
                )
            )
    return out


def _demand_tables(
    demand: DemandReport | None,
) -> list[Table]:
    outcomes = tuple(Outcome)
    outcome_cols = (
        "inom_gransen",
        "ingen_inom_gransen",
        "inga_uppgifter",
        "okand_ort",
        "utanfor_omradet",
        "besvarad_utan_grans",
        "avstand_okant",
    )
    headers = tuple(o.value.capitalize() for o in outcomes)

    by_type = Table(
        "efterfragan_per_manad",
        "Efterfrågan per månad och tjänst",
        ("manad", "tjanst", "samtal", *outcome_cols),
        ("Månad", "Tjänst", "Samtal", *headers),
        tuple(
            (
                r.month,
                r.service_type,
                r.conversations,
                *(r.outcomes[o] for o in outcomes),
            )
            for r in (demand.by_type if demand else ())
        ),
        "Samtal där invånaren sökte en tjänst, per månad. En rad per tjänst och en "
        "för alla tjänster. '..' = dolt (färre än 5 samtal).",
    )
    by_place = Table(
        "efterfragan_per_ort",
        "Efterfrågan per ort, tjänst och månad",
        ("manad", "ort", "kommun", "tjanst", "samtal", *outcome_cols),
        ("Månad", "Ort", "Kommun", "Tjänst", "Samtal", *headers),
        tuple(
            (
                r.month,
                r.locality,
                r.municipality,
                r.service_type,
                r.conversations,
                *(r.outcomes[o] for o in outcomes),
            )
            for r in (demand.by_place if demand else ())
        ),
        "Bara rader med minst 5 samtal visas. '..' = dolt.",
    )
    digital = Table(
        "digitala_alternativ",
        "Frågor om digitala alternativ och hemsändning",
        ("manad", "amne", "rubrik", "samtal"),
        ("Månad", "Ämne (id)", "Ämne", "Samtal"),
        tuple(
            (r.month, r.topic, r.title, r.conversations)
            for r in (demand.digital if demand else ())
        ),
        "Bara ämnen med minst 5 samtal en månad visas.",
    )
    changes = Table(
        "rapporterade_andringar",
        "Rapporterade ändringar per tjänst",
        ("tjanst", "rapporter"),
        ("Tjänst", "Rapporter"),
        tuple((r.service_type, r.reports) for r in (demand.changes if demand else ())),
        "Invånare som skrev i chatten eller klickade på \"Stämmer inte?\" att en "
        "servicepunkt har fel uppgifter eller har stängt. En rapport om en viss tjänst "
        "räknas för den tjänsten, annars för alla tjänster som stället har. En "
        "redaktör kontrollerar varje rapport; registret ändras inte av sig självt. "
        "'..' = dolt (1–4 rapporter).",
    )
    return [by_type, by_place, digital, changes]


def largest_by_residents(analysis: GapAnalysis, n: int = 5) -> list[GapRow]:
    """The n localities beyond a threshold with the most residents (weighted)."""
    found = [r for r in analysis.rows_for_kind(LOCALITY) if r.beyond and r.population]
    found.sort(key=lambda r: (-(r.population or 0), -r.excess_km, r.place.id))
    return found[:n]


def _resident_tables(
    gaps: Sequence[ResidentGap],
    ages: Sequence[CategoryAge],
    weighting: TatortWeighting | None,
) -> list[Table]:
    residents = Table(
        "invanare_per_kommun",
        "Invånare längre bort än gränsen, per kommun och tjänst",
        (
            "kommun",
            "tjanst",
            "grans_km",
            "invanare_i_tatorter",
            "invanare_utanfor_gransen",
            "andel_procent",
            "invanare_ej_placerade",
            "ej_placerade_ungefar",
        ),
        (
            "Kommun",
            "Tjänst",
            "Gräns (km)",
            "Invånare i tätorter",
            "Bor längre bort",
            "Andel (%)",
            "Bor utanför tätorter (ej placerade)",
            "Ungefärligt",
        ),
        tuple(
            (
                g.kommun,
                g.group_id,
                g.km,
                g.residents,
                g.beyond,
                round(g.share, 1),
                g.not_placed,
                _yes(g.not_placed_rough) if g.not_placed is not None else None,
            )
            for g in gaps
        ),
        "Invånare per tätort (Bearbetning av data från SCB, Statistiska tätorter "
        "2020). De som bor utanför tätorterna har ingen plats i underlaget och "
        "räknas inte in i andelen; de anges per kommun."
        if weighting is not None
        else "Invånare enligt befolkningsfilen (--population).",
    )
    age = Table(
        "dataalder_per_kategori",
        "Hur gamla är uppgifterna?",
        (
            "kategori",
            "punkter",
            "aldsta",
            "nyaste",
            "aldre_an_gransen",
            "grans_ar",
        ),
        (
            "Kategori",
            "Punkter",
            "Äldsta uppgift",
            "Nyaste uppgift",
            "Äldre än gränsen",
            "Gräns (år)",
        ),
        tuple(
            (
                a.category,
                a.points,
                a.oldest.isoformat() if a.oldest else None,
                a.newest.isoformat() if a.newest else None,
                a.older_than_limit,
                a.limit_years,
            )
            for a in ages
        ),
        "Varje kategori med sin egen källas datum (en butik kan ha matbutiken från "
        "2023 och paketombudet från 2021).",
    )
    return [residents, age]


def build_tables(
    analysis: GapAnalysis,
    demand: DemandReport | None,
    areas: Areas,
    resident_gaps: Sequence[ResidentGap] = (),
    ages: Sequence[CategoryAge] = (),
    weighting: TatortWeighting | None = None,
) -> list[Table]:
    """All tables, in the order the report shows them."""
    tables: list[Table] = []
    largest = analysis.largest(5)
    tables.append(
        Table(
            "storsta_glapp",
            "De fem största glappen",
            ("ort", "kommun", "ortstyp", *_DIST_COLUMNS),
            ("Ort", "Kommun", "Ortstyp", *_DIST_HEADERS),
            tuple(_distance_rows(largest, LOCALITY)),
            "Orter (tätorter och mindre orter) längst bortom gränsvärdet, över alla tjänster.",
        )
    )
    tables.append(
        Table(
            "avstand_orter",
            "Avstånd från varje ort",
            ("ort", "kommun", "ortstyp", *_DIST_COLUMNS),
            ("Ort", "Kommun", "Ortstyp", *_DIST_HEADERS),
            tuple(_distance_rows(analysis.rows_for_kind(LOCALITY), LOCALITY)),
            "Varje ort och tjänst: närmaste servicepunkt och avståndet.",
        )
    )
    tables.append(
        Table(
            "avstand_postnummer",
            "Avstånd från varje postnummerområde",
            ("postnummer", "postort", "kommun", *_DIST_COLUMNS),
            ("Postnummer", "Postort", "Kommun", *_DIST_HEADERS),
            tuple(_distance_rows(analysis.rows_for_kind(POSTCODE), POSTCODE)),
            "Varje postnummerområde och tjänst (positionen är postortens mittpunkt).",
        )
    )
    counts: list[tuple[Value, ...]] = []
    for group in analysis.config.groups:
        has_data = analysis.data(group).has_data
        for c in analysis.counts(group):
            counts.append(
                (
                    c.municipality,
                    group.id,
                    group.km,
                    c.localities,
                    c.localities_beyond if has_data else None,
                    c.postcodes,
                    c.postcodes_beyond if has_data else None,
                    c.residents,
                    c.residents_beyond if has_data else None,
                )
            )
    tables.append(
        Table(
            "glapp_per_kommun",
            "Glapp per kommun",
            (
                "kommun",
                "tjanst",
                "grans_km",
                "orter",
                "orter_utanfor",
                "postnummeromraden",
                "postnummeromraden_utanfor",
                "invanare",
                "invanare_utanfor",
            ),
            (
                "Kommun",
                "Tjänst",
                "Gräns (km)",
                "Orter",
                "Orter utanför",
                "Postnummerområden",
                "Postnummerområden utanför",
                "Invånare",
                "Invånare utanför",
            ),
            tuple(counts),
            "Antal orter och postnummerområden längre bort än gränsvärdet. Tomt = "
            "inga uppgifter (tjänsten) eller ingen befolkningsfil (invånare).",
        )
    )
    impacts = [i for g in analysis.config.groups for i in rank_closures(analysis, g)]
    tables.append(
        Table(
            "stangning_rangordning",
            "Vilka servicepunkter betyder mest? (om den stänger)",
            (
                "tjanst",
                "rang",
                "id",
                "namn",
                "ort",
                "kommun",
                "kategorier",
                "orter_narmast",
                "postnummeromraden_narmast",
                "nya_glapp_orter",
                "nya_glapp_postnummeromraden",
                "invanare_nya_glapp",
                "okat_avstand_orter_km",
                "langsta_nya_avstand_km",
                "orter_med_nytt_glapp",
            ),
            (
                "Tjänst",
                "Rang",
                "Id",
                "Servicepunkt",
                "Ort",
                "Kommun",
                "Kategorier",
                "Närmast för orter",
                "Närmast för postnummerområden",
                "Nya glapp: orter",
                "Nya glapp: postnummerområden",
                "Nya glapp: invånare",
                "Ökat avstånd, summa orter (km)",
                "Längsta nya avstånd (km)",
                "Orter som får glapp",
            ),
            tuple(_closure_rows(impacts)),
            "Alla servicepunkter per tjänst, den vars stängning ger flest nya glapp först.",
        )
    )
    tables.append(
        Table(
            "stangning_paverkan",
            "Om en servicepunkt stänger: varje påverkad ort och postnummerområde",
            (
                "tjanst",
                "punkt_id",
                "punkt_namn",
                "omradestyp",
                "omrade",
                "kommun",
                "nu_km",
                "nasta_id",
                "nasta_namn",
                "nasta_km",
                "nytt_glapp",
                "invanare",
            ),
            (
                "Tjänst",
                "Punkt (id)",
                "Servicepunkt",
                "Områdestyp",
                "Område",
                "Kommun",
                "Nu (km)",
                "Nästa (id)",
                "Nästa",
                "Nästa (km)",
                "Nytt glapp",
                "Invånare",
            ),
            tuple(_effect_rows(impacts)),
            "Områden vars närmaste punkt är den angivna, och var nästa finns.",
        )
    )
    tables.append(
        Table(
            "orter_utan_position",
            "Orter och postnummerområden utan position",
            ("namn", "typ", "kommun", "id", "anteckning"),
            ("Namn", "Typ", "Kommun", "Id", "Anteckning"),
            tuple(
                (p.name, p.kind, p.municipality, p.id, "; ".join(p.notes))
                for p in areas.unlocated
            ),
            "Källorna anger ingen pålitlig position, så inga avstånd beräknas.",
        )
    )
    tables.extend(_resident_tables(resident_gaps, ages, weighting))
    # written also without conversations (empty), so no old file lingers
    tables.extend(_demand_tables(demand))
    return tables


def _csv_value(value: Value) -> str | int | float:
    if value is None:
        return ""
    return value


def write_csv(table: Table, folder: Path) -> Path:
    """Write one table as CSV (UTF-8 with BOM, comma, decimal point)."""
    path = folder / table.file
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([_csv_value(v) for v in row])
    return path


def month_name(month: str) -> str:
    """ "2026-11" -> "november 2026"."""
    day = datetime.date.fromisoformat(month + "-01")
    return f"{SWEDISH_MONTHS[day.month - 1]} {day.year}"
