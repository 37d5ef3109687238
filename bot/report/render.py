"""The report as one Swedish HTML page (maps embedded, prints well to PDF).

Plain HTML and CSS, no scripts and nothing loaded from elsewhere: the page
opens from a file, in a mail attachment or on an intranet the same way.
Every table on it is also a CSV file next to it (`bot.report.tables`).
"""

from __future__ import annotations

import base64
import datetime
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.geo import ROAD_DETOUR_FACTOR
from bot.report.areas import LOCALITY, POSTCODE, Population
from bot.report.closure import rank_closures
from bot.report.config import Basis, ServiceGroup, report_km
from bot.report.demand import (
    ALL_TYPES,
    HIDDEN,
    MIN_CONVERSATIONS,
    DemandReport,
    Outcome,
)
from bot.report.gaps import GapAnalysis, GapRow
from bot.report.population import (
    ResidentGap,
    TatortWeighting,
    kommun_name,
    sentence,
)
from bot.report.tables import Table, Value, month_name

__all__ = ["Meta", "SourceLine", "render_html"]


@dataclass(frozen=True)
class SourceLine:
    """One data source for the method section."""

    what: str
    source: str
    date: str
    licence: str


@dataclass(frozen=True)
class Meta:
    """What the page says about itself and its data."""

    created: datetime.date
    registry_files: tuple[str, ...]
    points: int
    rejected: int
    oldest: datetime.date | None
    newest: datetime.date | None
    sources: tuple[SourceLine, ...]
    type_names: dict[str, str]
    demand_note: str = ""
    population_skipped: tuple[str, ...] = field(default_factory=tuple)

    @property
    def data_date(self) -> str:
        """ "2023-02-11 – 2025-07-16" (or one date)."""
        return date_range(self.oldest, self.newest)


def date_range(oldest: datetime.date | None, newest: datetime.date | None) -> str:
    if oldest is None or newest is None:
        return "okänt"
    if oldest == newest:
        return oldest.isoformat()
    return f"{oldest.isoformat()} – {newest.isoformat()}"


_CSS = """
:root { --red: #c0161d; --ink: #1f1f1f; --muted: #5a5a5a; --line: #d6d6d6; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: var(--ink);
       max-width: 62rem; margin: 0 auto; padding: 1.5rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.8rem; margin: 0 0 .3rem; }
h2 { font-size: 1.35rem; margin-top: 2.2rem; border-bottom: 2px solid var(--ink); padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin-top: 1.4rem; }
p.meta, .note, figcaption, .small { color: var(--muted); font-size: .9rem; }
.box { border: 1px solid var(--line); border-left: 4px solid #1f4e99; padding: .6rem .9rem;
       background: #f6f8fb; margin: 1rem 0; }
.box.warn { border-left-color: var(--red); background: #fdf5f5; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .86rem; }
th, td { border-bottom: 1px solid var(--line); padding: .28rem .4rem; text-align: left;
         vertical-align: top; }
th { background: #f0f0f0; font-weight: 600; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
.wide { overflow-x: auto; }
tr.gap td:first-child { border-left: 3px solid var(--red); }
figure { margin: 1rem 0; }
figure img { width: 100%; height: auto; border: 1px solid var(--line); }
ul.summary li { margin: .2rem 0; }
.big { color: var(--red); font-weight: 700; }
nav ol { columns: 2; font-size: .95rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-before: page; }
  h2.first { break-before: auto; }
  nav { display: none; }
  table { font-size: 8.5pt; }
  thead { display: table-header-group; }
  tr, figure, .box { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _km(value: float | None) -> str:
    return "–" if value is None else report_km(value)


def _cell(value: Value) -> str:
    if value is None:
        return '<td class="num">–</td>'
    if isinstance(value, bool):
        return f"<td>{'ja' if value else 'nej'}</td>"
    if isinstance(value, int):
        return f'<td class="num">{value:,}</td>'.replace(",", "\u202f")
    if isinstance(value, float):
        return f'<td class="num">{value:.1f}</td>'.replace(".", ",")
    if value == HIDDEN:
        return f'<td class="num" title="dolt: färre än {MIN_CONVERSATIONS} samtal">{HIDDEN}</td>'
    return f"<td>{_e(value)}</td>"


def _numeric(value: Value) -> bool:
    return (
        value is None
        or value == HIDDEN
        or (isinstance(value, int | float) and not isinstance(value, bool))
    )


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[Value]], classes: Sequence[str] = ()
) -> str:
    numeric = [
        bool(rows) and all(_numeric(r[i]) for r in rows) for i in range(len(headers))
    ]
    head = "".join(
        f'<th class="num">{_e(h)}</th>' if numeric[i] else f"<th>{_e(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if i < len(classes) and classes[i] else ""
        body.append(f"<tr{cls}>" + "".join(_cell(v) for v in row) + "</tr>")
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _csv_link(table: Table) -> str:
    return f'<p class="small">Hela tabellen: <a href="{_e(table.file)}">{_e(table.file)}</a></p>'


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(alt)}">'


def _group_cats(group: ServiceGroup, names: dict[str, str]) -> str:
    return " eller ".join(names.get(c, c) for c in group.categories)


def _gap_rows(
    rows: Sequence[GapRow],
    *,
    with_group: bool,
    postcode: bool = False,
    weighted: bool = False,
) -> list[list[Value]]:
    out: list[list[Value]] = []
    for r in rows:
        near = r.nearest
        assert near is not None
        place = (
            [
                f"{r.place.postcodes[0] if r.place.postcodes else ''} {r.place.name}".strip()
            ]
            if postcode
            else [r.place.name]
        )
        cells: list[Value] = [*place, r.place.municipality]
        if with_group:
            cells.append(r.group.name)
        cells += [
            f"{near.point.name} ({near.point.locality})",
            _km(near.crow_km),
            _km(near.road_km),
            f"+{_km(r.excess_km)}",
        ]
        if weighted:
            cells.append(r.population)
        out.append(cells)
    return out


def _summary(analysis: GapAnalysis, names: dict[str, str]) -> str:
    items = []
    for data in analysis.groups:
        g = data.group
        if not data.has_data:
            items.append(
                f"<li><b>{_e(g.name)}:</b> inga uppgifter i registret, så avstånden "
                "kan inte beräknas.</li>"
            )
            continue
        loc = analysis.rows_for(g, LOCALITY)
        post = analysis.rows_for(g, POSTCODE)
        n_loc = sum(r.beyond for r in loc)
        n_post = sum(r.beyond for r in post)
        residents = ""
        if analysis.population is not None:
            level = analysis.population.level
            rows = loc if level == LOCALITY else post
            beyond = sum(r.population or 0 for r in rows if r.beyond)
            total = sum(r.population or 0 for r in rows)
            residents = f", där {beyond:,} av {total:,} invånare bor".replace(
                ",", "\u202f"
            )
        items.append(
            f'<li><b>{_e(g.name)}</b> (gräns {_e(g.km_text)}): <span class="big">{n_loc}</span> '
            f"av {len(loc)} orter och {n_post} av {len(post)} postnummerområden ligger "
            f"längre bort{residents}.</li>"
        )
    return '<ul class="summary">' + "".join(items) + "</ul>"


def _weighting(population: Population | None) -> str:
    if population is None:
        return (
            '<div class="box warn"><b>Rapporten är oviktad.</b> Ingen befolkningsfil '
            "angavs, så varje ort och varje postnummerområde räknas lika, oavsett hur "
            "många som bor där. Ange en CSV med invånare per ort eller postnummer "
            "(<code>--population</code>) för att vikta.</div>"
        )
    level = "ort" if population.level == LOCALITY else "postnummerområde"
    return (
        f'<div class="box"><b>Viktad med invånare per {level}</b> från '
        f"<code>{_e(Path(population.source).name)}</code> "
        f"({len(population.residents)} områden med uppgift"
        + (
            f", {len(population.skipped)} rader kunde inte användas"
            if population.skipped
            else ""
        )
        + ").</div>"
    )


def _group_section(
    analysis: GapAnalysis,
    data_index: int,
    maps: dict[str, Path],
    names: dict[str, str],
    tables: dict[str, Table],
) -> str:
    data = analysis.groups[data_index]
    g = data.group
    weighted = analysis.population is not None
    parts = [f'<h2 id="tjanst-{_e(g.id)}">{_e(g.name)}</h2>']
    if data.has_data:
        per_cat = ", ".join(
            f"{data.count(c)} {names.get(c, c)}" for c in g.categories if data.count(c)
        )
        parts.append(
            f"<p>{len(data.points)} servicepunkter ({_e(per_cat)}), källdatum "
            f"{_e(date_range(data.oldest, data.newest))}. Gränsvärde: {_e(g.km_text)} till "
            f"närmaste {_e(_group_cats(g, names))}.</p>"
        )
    else:
        parts.append(
            f'<div class="box warn">Registret har inga uppgifter om '
            f"{_e(_group_cats(g, names))}. Det fanns ingen öppen källa. När regionen "
            "importerar data (se docs/rapport.md) räknar rapporten avstånden med samma "
            "kod.</div>"
        )
    if g.id in maps:
        parts.append(
            f"<figure>{_img(maps[g.id], f'Karta över {g.name}')}<figcaption>Karta: "
            f"servicepunkter, land inom gränsvärdet (grönt) och orter längre bort (rött, "
            f"med avstånd). Postnummerområden visas i tabellerna, inte på kartan. "
            f'Kartan finns också som <a href="kartor/{_e(maps[g.id].name)}">'
            f"{_e(maps[g.id].name)}</a>.</figcaption></figure>"
        )
    if not data.has_data:
        return "\n".join(parts)
    gaps = analysis.gaps(g, LOCALITY)
    headers = [
        "Ort",
        "Kommun",
        "Närmaste",
        "Fågelvägen",
        "På väg (uppskattat)",
        "Över gränsen",
    ] + (["Invånare"] if weighted else [])
    parts.append(f"<h3>Orter längre bort än {_e(g.km_text)}</h3>")
    if gaps:
        rows = _gap_rows(gaps, with_group=False, weighted=weighted)
        parts.append(_table(headers, rows, ["gap"] * len(rows)))
    else:
        parts.append("<p>Ingen ort ligger längre bort än gränsvärdet.</p>")

    counts = analysis.counts(g)
    c_headers = ["Kommun", "Orter", "Utanför", "Postnummerområden", "Utanför"]
    if weighted:
        c_headers += ["Invånare", "Utanför"]
    c_rows: list[list[Value]] = []
    for c in counts:
        row: list[Value] = [
            c.municipality,
            c.localities,
            c.localities_beyond,
            c.postcodes,
            c.postcodes_beyond,
        ]
        if weighted:
            row += [c.residents, c.residents_beyond]
        c_rows.append(row)
    parts.append("<h3>Per kommun</h3>")
    parts.append(_table(c_headers, c_rows))

    ranking = rank_closures(analysis, g)[:10]
    parts.append("<h3>Om en servicepunkt stänger: de tio som betyder mest</h3>")
    parts.append(
        "<p>För varje servicepunkt: de orter som har den som närmaste, och hur många "
        f"av dem som då skulle få längre än {_e(g.km_text)} till nästa. "
        "Rangordnat efter nya glapp"
        + (" (invånare först)" if weighted else "")
        + ", sedan efter hur många orter punkten är närmast för.</p>"
    )
    r_headers = [
        "#",
        "Servicepunkt",
        "Ort",
        "Närmast för",
        "Nya glapp",
        "Orter som får glapp (nästa)",
    ] + (["Invånare i nya glapp"] if weighted else [])
    r_rows: list[list[Value]] = []
    for rank, impact in enumerate(ranking, start=1):
        lost = "; ".join(
            f"{e.row.place.name} {_km(e.next.basis_km if e.next else None)}"
            for e in impact.new_gap_localities
        )
        row2: list[Value] = [
            rank,
            impact.point.name,
            impact.point.locality,
            _count(len(impact.localities), len(impact.postcodes)),
            _count(len(impact.new_gap_localities), len(impact.new_gap_postcodes)),
            lost or "–",
        ]
        if weighted:
            row2.append(impact.residents_new_gap)
        r_rows.append(row2)
    parts.append(_table(r_headers, r_rows))
    parts.append(_csv_link(tables["stangning_rangordning"]))
    return "\n".join(parts)


def _count(localities: int, postcodes: int) -> str:
    """ "1 ort, 3 postnr" / "2 orter, 0 postnr"."""
    return f"{localities} {'ort' if localities == 1 else 'orter'}, {postcodes} postnr"


def _postcode_section(analysis: GapAnalysis, tables: dict[str, Table]) -> str:
    weighted = analysis.population is not None
    rows: list[GapRow] = []
    for data in analysis.groups:
        rows += analysis.gaps(data.group, POSTCODE)
    parts = ['<h2 id="postnummer">Postnummerområden längre bort än gränsen</h2>']
    parts.append(
        "<p>Postnummerområdenas position är postortens mittpunkt enligt GeoNames. Flera "
        "områden i samma postort har ofta samma punkt, så tabellen visar var de som bor "
        "utanför orterna har längst, men bara ungefär (noggrannhet i storleken "
        "några kilometer).</p>"
    )
    if not rows:
        parts.append(
            "<p>Inget postnummerområde ligger längre bort än gränsvärdena.</p>"
        )
    else:
        headers = [
            "Postnummerområde",
            "Kommun",
            "Tjänst",
            "Närmaste",
            "Fågelvägen",
            "På väg (uppskattat)",
            "Över gränsen",
        ] + (["Invånare"] if weighted else [])
        parts.append(
            _table(
                headers,
                _gap_rows(rows, with_group=True, postcode=True, weighted=weighted),
            )
        )
    parts.append(_csv_link(tables["avstand_postnummer"]))
    return "\n".join(parts)


def _type_name(value: Value, names: dict[str, str]) -> Value:
    """A service type id as its Swedish name ("dagligvaror" -> "Matbutik")."""
    if value == ALL_TYPES:
        return "Alla tjänster"
    if isinstance(value, str) and value in names:
        return names[value].capitalize()
    return value


def _shown_columns(table: Table) -> set[int]:
    """The columns the page shows: outcome columns that are all 0 and ids are
    left out (the CSV keeps every column)."""
    keep: set[int] = set()
    for i, header in enumerate(table.headers):
        values = [r[i] for r in table.rows]
        if header.endswith("(id)"):
            continue
        outcome = header in {o.value.capitalize() for o in Outcome}
        if outcome and values and all(v == 0 for v in values):
            continue
        keep.add(i)
    return keep


def _demand_section(
    demand: DemandReport | None,
    note: str,
    tables: dict[str, Table],
    names: dict[str, str],
) -> str:
    parts = ['<h2 id="efterfragan">Vad invånarna frågade efter</h2>']
    if demand is None:
        parts.append(f'<div class="box">{_e(note)}</div>')
        return "\n".join(parts)
    months = ", ".join(month_name(m) for m in demand.months) or "inga"
    parts.append(
        f"<p>Ur Servicelotsens samtal ({_e(demand.source)}): "
        f"{demand.conversations} samtal med {demand.searches} sökningar efter service, "
        f"och {demand.digital_conversations} samtal med frågor om digitala alternativ "
        f"eller hemsändning. Månader: {_e(months)}.</p>"
    )
    parts.append(
        f'<div class="box"><b>Integritet.</b> Bara antal samtal visas, aldrig vad någon '
        f"skrev eller var någon var. Antal från 1 till {MIN_CONVERSATIONS - 1} visas som "
        f"<b>{HIDDEN}</b>, och rader med färre än {MIN_CONVERSATIONS} samtal är utelämnade "
        f"({demand.hidden_rows} rader per ort, {demand.hidden_type_rows} per tjänst och "
        f"{demand.hidden_digital} om digitala alternativ). Där ett dolt tal annars skulle "
        "gå att räkna ut ur en summa döljs också det näst minsta.</div>"
    )
    if demand.empty:
        parts.append(
            "<p>Samtalsdatabasen har inga sökningar under perioden. Avsnittet fylls i när "
            "invånarna har använt boten.</p>"
        )
        return "\n".join(parts)
    for name in ("efterfragan_per_manad", "efterfragan_per_ort", "digitala_alternativ"):
        table = tables[name]
        parts.append(f"<h3>{_e(table.title)}</h3>")
        if table.rows:
            keep = _shown_columns(table)
            kind = table.headers.index("Tjänst") if "Tjänst" in table.headers else -1
            rows = [
                [
                    month_name(str(v))
                    if i == 0
                    else _type_name(v, names)
                    if i == kind
                    else v
                    for i, v in enumerate(r)
                    if i in keep
                ]
                for r in table.rows
            ]
            headers = [h for i, h in enumerate(table.headers) if i in keep]
            parts.append(f'<div class="wide">{_table(headers, rows)}</div>')
        else:
            parts.append(f"<p>Ingen rad har {MIN_CONVERSATIONS} samtal eller fler.</p>")
        parts.append(f'<p class="small">{_e(table.description)}</p>')
        parts.append(_csv_link(table))
    parts.append(
        '<p class="small">Utfall: <i>inom gränsen</i> = det närmaste boten nämnde låg inom '
        "rapportens gränsvärde; <i>ingen inom gränsen</i> = det närmaste låg längre bort; "
        "<i>inga uppgifter</i> = registret saknar den sortens service; <i>okänd ort</i> = "
        "boten kände inte igen orten; <i>utanför området</i> = en ort utanför Blekinge och "
        "grannorterna; <i>avstånd okänt</i> = sökning från en delad position vars avstånd "
        "redan har raderats. Sökningar från en delad position räknas under "
        '"(delad position)": positionen läses aldrig. Ett samtal kan ha flera '
        "sökningar och flera utfall.</p>"
    )
    return "\n".join(parts)


def _method_section(
    analysis: GapAnalysis, meta: Meta, tables: Sequence[Table], unlocated: Table
) -> str:
    cfg = analysis.config
    factor = str(ROAD_DETOUR_FACTOR).replace(".", ",")
    names = meta.type_names
    parts = ['<h2 id="metod">Metod och källor</h2>']
    parts.append("<h3>Data</h3>")
    parts.append(
        _table(
            ["Vad", "Källa", "Datum/version", "Licens"],
            [[s.what, s.source, s.date, s.licence] for s in meta.sources],
        )
    )
    parts.append(
        f"<p>Registret: {meta.points} servicepunkter ur "
        f"{_e(', '.join(meta.registry_files))}"
        + (
            f"; {meta.rejected} ogiltiga poster lämnades utanför"
            if meta.rejected
            else ""
        )
        + ". Varje punkt har ett källdatum; för punkterna i rapportens tjänster "
        + f"spänner de över {_e(meta.data_date)}.</p>"
    )
    parts.append("<h3>Avstånd och vägavstånd</h3>")
    parts.append(
        "<p>Avstånden räknas fågelvägen (storcirkelavstånd) från ortens eller "
        "postnummerområdets mittpunkt till servicepunkten. <b>Vägavståndet är en "
        f"uppskattning</b>: fågelvägen × {factor}. Ingen ruttberäkning görs. Faktorn "
        "bygger på studier av omvägsfaktorn för bil (omkring 1,2 i genomsnitt, högre för "
        "korta resor); för Blekinges glesa vägnät, vikar och skärgård valdes 1,3 för "
        "att hellre säga lite för långt än för kort. Den kan kalibreras mot verkliga "
        "rutter (bot/geo.py).</p>"
    )
    basis = "det uppskattade vägavståndet" if cfg.basis is Basis.ROAD else "fågelvägen"
    parts.append(f"<p>Med gränsvärdet jämförs <b>{basis}</b>.</p>")
    parts.append("<h3>Gränsvärden</h3>")
    parts.append(
        _table(
            ["Tjänst", "Räknas som", "Gräns"],
            [[g.name, _group_cats(g, names), g.km_text] for g in cfg.groups],
        )
    )
    parts.append(
        f'<p class="small">Från {_e(Path(cfg.source).name if cfg.source else "standardvärdena")}'
        " och flaggan --threshold. Ändra dem i data/report_thresholds.yml.</p>"
    )
    parts.append("<h3>Vad rapporten inte ser</h3><ul>")
    parts.append(
        "<li>Bara servicepunkter i registret räknas. Service på andra sidan länsgränsen "
        "(Skåne, Kronoberg, Kalmar län) finns inte i registret, så nära gränsen kan "
        "avståndet i verkligheten vara kortare.</li>"
        "<li>Standardregistret bygger på kedjornas butikssök (insamlat 2023, några "
        "kedjor 2025), Pipos Serviceanalys (apotek och apoteksombud, 2025), "
        "transportföretagens ombudslistor (2021: kan ha ändrats), 1177 (vårdcentraler, "
        "2021–22) och OpenStreetMap (2020). Fristående lanthandlar som inte hör till "
        "en kedja och inte är ombud saknas, så glappen kan vara överskattade. Regionen "
        "kan importera egna uppgifter (python -m bot import pipos/carriers).</li>"
        "<li>Kategorier utan uppgifter kan inte bedömas: de redovisas som "
        "&quot;inga uppgifter&quot;, inte som glapp.</li>"
        "<li>Invånare utanför tätorterna (omkring 16 % i Blekinge) har ingen plats i "
        "underlaget och ingår inte i de viktade siffrorna; de anges per kommun.</li>"
        "<li>Öppettider räknas inte: en butik som har öppet två timmar i veckan räknas som "
        "en butik.</li>"
    )
    parts.append("</ul>")
    parts.append("<h3>Om en servicepunkt stänger</h3>")
    parts.append(
        "<p>För varje ort och postnummerområde är både närmaste och näst närmaste "
        "servicepunkt kända. Stänger den närmaste, är den näst närmaste det nya avståndet. "
        "Ett <i>nytt glapp</i> är ett område som hade en servicepunkt inom gränsen och "
        "inte längre har det. Vill man se en enskild punkt: <code>python -m bot closure "
        '"namn eller id"</code>.</p>'
    )
    parts.append("<h3>Orter utan position</h3>")
    if unlocated.rows:
        parts.append(
            "<p>De här finns i ortregistret men källorna anger ingen pålitlig position, så "
            "inga avstånd beräknas för dem:</p>"
        )
        parts.append(_table(unlocated.headers, unlocated.rows))
    else:
        parts.append("<p>Alla orter har en position.</p>")
    if meta.population_skipped:
        parts.append("<h3>Rader i befolkningsfilen som inte användes</h3><ul>")
        parts += [f"<li>{_e(s)}</li>" for s in meta.population_skipped[:50]]
        parts.append("</ul>")
    parts.append(
        "<h3>Filer</h3><p>Varje tabell finns som CSV (UTF-8, kommatecken, "
        "decimalpunkt) bredvid den här sidan:</p><ul>"
    )
    for t in tables:
        parts.append(
            f'<li><a href="{_e(t.file)}">{_e(t.file)}</a>: {_e(t.title)}. '
            f"{_e(t.description)}</li>"
        )
    parts.append("</ul>")
    return "\n".join(parts)


def _residents_section(
    analysis: GapAnalysis,
    gaps: Sequence[ResidentGap],
    weighting: TatortWeighting | None,
    tables: dict[str, Table],
) -> str:
    """Per kommun: "N invånare (X %) i … bor längre än Y km från …", and who
    is not placed."""
    if not gaps:
        return ""
    road = analysis.config.basis is Basis.ROAD
    parts = ['<h3 id="invanare">Invånare längre bort än gränsen, per kommun</h3>']
    if weighting is not None:
        parts.append(
            "<p>Varje tätort väger med sina invånare (Bearbetning av data från SCB, "
            "Statistiska tätorter 2020). Andelen räknas på invånarna i kommunens "
            "tätorter. <b>De som bor utanför tätorterna är inte placerade</b>: "
            "underlaget säger inte var de bor, så de fördelas inte ut på påhittade "
            "platser utan anges för sig.</p>"
        )
    for kommun in sorted({g.kommun for g in gaps}):
        mine = [g for g in gaps if g.kommun == kommun and g.beyond]
        parts.append(f"<h4>{_e(kommun_name(kommun))}</h4><ul>")
        parts += [f"<li>{_e(sentence(g, road))}</li>" for g in mine]
        if not mine:
            parts.append("<li>Alla tätortsbor bor inom gränsvärdena.</li>")
        k = weighting.kommun(kommun) if weighting is not None else None
        if k is not None and k.outside is not None:
            rough = "ungefär " if k.outside_rough else ""
            count = f"{k.outside:,}".replace(",", "\u00a0")
            parts.append(
                f"<li>Utanför tätorterna bor {rough}{count} invånare "
                f"({_e(k.outside_how)}). De är inte placerade och ingår inte i "
                "siffrorna ovan.</li>"
            )
        parts.append("</ul>")
    if weighting is not None and weighting.scb_points:
        parts.append(
            '<p class="small">Tätorter som ortregistret saknar mäts från SCB:s egen '
            "referenspunkt: " + _e(", ".join(weighting.scb_points)) + ".</p>"
        )
    parts.append(_csv_link(tables["invanare_per_kommun"]))
    return "\n".join(parts)


def _age_section(tables: dict[str, Table]) -> str:
    table = tables["dataalder_per_kategori"]
    return "\n".join(
        [
            '<h3 id="dataalder">Hur gamla är uppgifterna?</h3>',
            _table(table.headers, table.rows),
            f'<p class="small">{_e(table.description)}</p>',
            _csv_link(table),
        ]
    )


def render_html(
    analysis: GapAnalysis,
    demand: DemandReport | None,
    tables: Sequence[Table],
    maps: dict[str, Path],
    meta: Meta,
    resident_gaps: Sequence[ResidentGap] = (),
    weighting: TatortWeighting | None = None,
) -> str:
    """The whole report page."""
    by_name = {t.name: t for t in tables}
    names = meta.type_names
    largest = analysis.largest(5)
    weighted = analysis.population is not None
    nav = [
        '<nav><ol><li><a href="#sammanfattning">Sammanfattning</a></li>',
        *(
            f'<li><a href="#tjanst-{_e(d.group.id)}">{_e(d.group.name)}</a></li>'
            for d in analysis.groups
        ),
        '<li><a href="#postnummer">Postnummerområden</a></li>',
        '<li><a href="#efterfragan">Vad invånarna frågade efter</a></li>',
        '<li><a href="#metod">Metod och källor</a></li></ol></nav>',
    ]
    head = [
        "<!doctype html>",
        '<html lang="sv"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Servicerapport Blekinge – Servicelotsen</title>",
        f"<style>{_CSS}</style></head><body>",
        "<header><h1>Service i Blekinge: avstånd, glapp och efterfrågan</h1>",
        f'<p class="meta">Skapad {meta.created.isoformat()} av Servicelotsen. '
        f"Källdatum för servicepunkterna: {_e(meta.data_date)}. Avstånd jämförs som "
        f"{_e(analysis.config.basis.label)}.</p></header>",
        *nav,
    ]
    body = ['<h2 class="first" id="sammanfattning">Sammanfattning</h2>']
    body.append(
        f"<p>För {len(analysis.areas.localities)} orter och "
        f"{len(analysis.areas.postcodes)} postnummerområden i Blekinge har rapporten "
        "räknat avståndet till närmaste servicepunkt av varje slag och jämfört det "
        "med gränsvärdena.</p>"
    )
    body.append(_summary(analysis, names))
    body.append(_weighting(analysis.population))
    body.append(_residents_section(analysis, resident_gaps, weighting, by_name))
    body.append(_age_section(by_name))
    body.append("<h3>De fem största glappen</h3>")
    if largest:
        headers = [
            "Ort",
            "Kommun",
            "Tjänst",
            "Närmaste",
            "Fågelvägen",
            "På väg (uppskattat)",
            "Över gränsen",
        ] + (["Invånare"] if weighted else [])
        rows = _gap_rows(largest, with_group=True, weighted=weighted)
        body.append(_table(headers, rows, ["gap"] * len(rows)))
        body.append(
            '<p class="small">Störst = längst bortom gränsvärdet (uppskattat '
            "vägavstånd minus gränsen).</p>"
            if analysis.config.basis is Basis.ROAD
            else '<p class="small">Störst = längst bortom gränsvärdet (fågelvägen '
            "minus gränsen).</p>"
        )
    else:
        body.append("<p>Ingen ort ligger längre bort än gränsvärdena.</p>")
    body.append(_csv_link(by_name["storsta_glapp"]))
    for i in range(len(analysis.groups)):
        body.append(_group_section(analysis, i, maps, names, by_name))
    body.append(_postcode_section(analysis, by_name))
    body.append(_demand_section(demand, meta.demand_note, by_name, names))
    body.append(_method_section(analysis, meta, tables, by_name["orter_utan_position"]))
    return "\n".join([*head, *body, "</body></html>"]) + "\n"
