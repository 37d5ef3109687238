"""One map per service group: borders, service points, covered land, gap localities.

Drawn with matplotlib's object API on the Agg canvas (no pyplot state, no
display, no map tiles, no network). Positions are projected with a plain
equirectangular projection around Blekinge's mean latitude (x = lon ·
cos 56.2°), which keeps distances true to within a fraction of a percent
over the county, so the coverage circles are real circles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, PathPatch
from matplotlib.path import Path as MplPath

from bot.geo import EARTH_RADIUS_KM
from bot.report.areas import LOCALITY
from bot.report.borders import Border
from bot.report.config import Basis, report_km
from bot.report.gaps import GapAnalysis, GroupData

__all__ = ["draw_group_map"]

LAT0 = 56.2
_COS0 = math.cos(math.radians(LAT0))
_KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180.0

SEA = "#dfeaf3"
NEIGHBOUR = "#ecebe6"
LAND = "#fbfaf6"
COVERED = "#cfe8cf"
BORDER = "#5b5b5b"
POINT_COLOURS = ("#1f4e99", "#7b3294", "#b35806")
POINT_MARKERS = ("s", "D", "^")
WITHIN = "#4d4d4d"
GAP = "#c0161d"


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return lon * _COS0, lat


def _path(borders: Sequence[Border], kind: str) -> MplPath:
    vertices: list[tuple[float, float]] = []
    codes: list[np.uint8] = []
    for border in borders:
        if border.kind != kind:
            continue
        for polygon in border.polygons:
            for ring in polygon:
                pts = [_xy(x, y) for x, y in ring]
                vertices += [*pts, pts[0]]
                codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(pts) - 1)
                codes.append(MplPath.CLOSEPOLY)
    return MplPath(vertices, codes)


def _centre(border: Border) -> tuple[float, float]:
    """The biggest polygon's vertex mean: good enough to place a name."""
    ring = max((p[0] for p in border.polygons), key=len)
    xs = [_xy(x, y) for x, y in ring]
    return sum(x for x, _ in xs) / len(xs), sum(y for _, y in xs) / len(xs)


def _place_labels(
    fig: Figure,
    ax: Axes,
    items: list[tuple[float, float, str]],
    fontsize: float,
    obstacles: Sequence[tuple[float, float, float]] = (),
) -> list[tuple[float, float, str, tuple[float, float], str]]:
    """Greedy label placement: first free spot of right, left, above, below.

    `obstacles` are other centred texts (x, y, width in characters) that
    labels should not cover (the kommun names).
    """
    fig.canvas.draw()  # fixes the layout so data -> pixel is final
    dpi_scale = fig.dpi / 72.0
    taken: list[tuple[float, float, float, float]] = []
    for x, y, _ in items:  # the markers themselves
        px, py = ax.transData.transform((x, y))
        r = 4 * dpi_scale
        taken.append((px - r, py - r, px + r, py + r))
    for x, y, chars in obstacles:
        px, py = ax.transData.transform((x, y))
        w = 0.75 * 8.5 * chars * dpi_scale / 2
        h = 8.5 * dpi_scale
        taken.append((px - w, py - h, px + w, py + h))
    placed = []
    for x, y, text in sorted(items, key=lambda i: (-i[1], i[0])):
        px, py = ax.transData.transform((x, y))
        w = 0.56 * fontsize * len(text) * dpi_scale
        h = 1.25 * fontsize * dpi_scale
        gap = 5 * dpi_scale
        options = [
            ((gap, -h / 2), (5, 0), "left"),
            ((-gap - w, -h / 2), (-5, 0), "right"),
            ((-w / 2, gap), (0, 6), "center"),
            ((-w / 2, -gap - h), (0, -13), "center"),
            ((gap, gap), (5, 6), "left"),
            ((-gap - w, -gap - h), (-5, -13), "right"),
        ]
        chosen = options[0]
        for option in options:
            (dx, dy), _, _ = option
            box = (px + dx, py + dy, px + dx + w, py + dy + h)
            if not any(
                box[0] < t[2] and t[0] < box[2] and box[1] < t[3] and t[1] < box[3]
                for t in taken
            ):
                chosen = option
                break
        (dx, dy), offset, align = chosen
        taken.append((px + dx, py + dy, px + dx + w, py + dy + h))
        placed.append((x, y, text, (float(offset[0]), float(offset[1])), align))
    return placed


def draw_group_map(
    analysis: GapAnalysis,
    data: GroupData,
    borders: Sequence[Border],
    out: Path,
    *,
    category_names: dict[str, str],
    data_date: str,
    dpi: int = 150,
) -> Path:
    """Draw one group's map to `out` (PNG) and return the path."""
    group = data.group
    basis = analysis.config.basis
    fig = Figure(figsize=(10.5, 7.0), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.07, 0.98, 0.83))
    ax.set_facecolor(SEA)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#999999")

    own = [b for b in borders if b.kind == "kommun"]
    xs = [_xy(x, y)[0] for b in own for p in b.polygons for x, y in p[0]]
    ys = [y for b in own for p in b.polygons for _, y in p[0]]
    ax.set_xlim(min(xs) - 0.06, max(xs) + 0.06)
    ax.set_ylim(min(ys) - 0.13, max(ys) + 0.04)  # room for the legend at sea

    neighbours = _path(borders, "län")
    land = _path(borders, "kommun")
    ax.add_patch(
        PathPatch(
            neighbours,
            facecolor=NEIGHBOUR,
            edgecolor="#b5b3aa",
            linewidth=0.6,
            zorder=1,
        )
    )
    ax.add_patch(PathPatch(land, facecolor=LAND, edgecolor="none", zorder=2))

    # land within the threshold of a point (crow-flies radius of the threshold)
    radius_km = group.km / (basis.of(1.0))
    if data.has_data:
        circles = [
            Circle(_xy(p.lon, p.lat), radius_km / _KM_PER_DEGREE) for p in data.points
        ]
        covered = PatchCollection(
            circles, facecolor=COVERED, edgecolor="none", zorder=3
        )
        clip = PathPatch(
            land, transform=ax.transData, facecolor="none", edgecolor="none"
        )
        ax.add_patch(clip)
        covered.set_clip_path(clip)
        ax.add_collection(covered)

    ax.add_patch(
        PathPatch(land, facecolor="none", edgecolor=BORDER, linewidth=0.9, zorder=4)
    )
    obstacles: list[tuple[float, float, float]] = []  # x, y, width in characters
    for border in own:
        cx, cy = _centre(border)
        ax.text(
            cx,
            cy,
            border.name.upper(),
            fontsize=8.5,
            color="#8a8a8a",
            ha="center",
            va="center",
            zorder=4,
            fontstyle="italic",
        )
        obstacles.append((cx, cy, len(border.name) * 1.25))
    for border in borders:
        if border.kind == "län":
            cx, cy = _centre(border)
            x0, x1 = ax.get_xlim()
            y0, y1 = ax.get_ylim()
            if x0 < cx < x1 and y0 < cy < y1:
                ax.text(
                    cx,
                    cy,
                    f"{border.name} län",
                    fontsize=8,
                    color="#9a988f",
                    ha="center",
                    va="center",
                    zorder=1,
                )

    handles: list[object] = []
    for i, category in enumerate(group.categories):
        pts = [p for p in data.points if category in p.categories]
        colour = POINT_COLOURS[i % len(POINT_COLOURS)]
        marker = POINT_MARKERS[i % len(POINT_MARKERS)]
        if pts:
            ax.scatter(
                [_xy(p.lon, p.lat)[0] for p in pts],
                [p.lat for p in pts],
                s=26,
                marker=marker,
                facecolor=colour,
                edgecolor="white",
                linewidth=0.6,
                zorder=6,
            )
        name = category_names.get(category, category)
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=marker,
                markersize=6,
                markerfacecolor=colour,
                markeredgecolor="white",
                label=f"{name.capitalize()} ({len(pts)})",
            )
        )

    rows = analysis.rows_for(group, LOCALITY)
    within = [r for r in rows if not r.beyond]
    gaps = [r for r in rows if r.beyond]
    if within:
        ax.scatter(
            [_xy(r.place.lon or 0, r.place.lat or 0)[0] for r in within],
            [r.place.lat or 0 for r in within],
            s=10,
            facecolor=WITHIN if data.has_data else "white",
            edgecolor=WITHIN,
            zorder=7,
            linewidth=0 if data.has_data else 0.8,
        )
    if gaps:
        ax.scatter(
            [_xy(r.place.lon or 0, r.place.lat or 0)[0] for r in gaps],
            [r.place.lat or 0 for r in gaps],
            s=46,
            facecolor=GAP,
            edgecolor="white",
            linewidth=0.8,
            zorder=8,
        )
        items = [
            (
                _xy(r.place.lon or 0, r.place.lat or 0)[0],
                r.place.lat or 0,
                f"{r.place.name} {report_km(r.nearest.basis_km)}",
            )
            for r in gaps
            if r.nearest is not None
        ]
        for x, y, text, offset, align in _place_labels(fig, ax, items, 7.5, obstacles):
            ax.annotate(
                text,
                (x, y),
                xytext=offset,
                textcoords="offset points",
                fontsize=7.5,
                color=GAP,
                ha=align,
                va="center",
                zorder=9,
                fontweight="bold",
                bbox={
                    "boxstyle": "round,pad=0.15",
                    "facecolor": "white",
                    "edgecolor": "none",
                    "alpha": 0.75,
                },
            )

    basis_word = "på väg, uppskattat" if basis is Basis.ROAD else "fågelvägen"
    if data.has_data:
        handles.append(
            Patch(
                facecolor=COVERED,
                edgecolor="none",
                label=f"Inom {group.km_text} {basis_word} från en servicepunkt",
            )
        )
    if data.has_data:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=4,
                markerfacecolor=WITHIN,
                markeredgecolor=WITHIN,
                label="Ort inom gränsen",
            )
        )
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=7,
                markerfacecolor=GAP,
                markeredgecolor="white",
                label=f"Ort längre bort än {group.km_text} (avstånd {basis_word})",
            )
        )
    else:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=4,
                markerfacecolor="white",
                markeredgecolor=WITHIN,
                label="Ort (avstånd okänt)",
            )
        )
    handles.append(Line2D([], [], color=BORDER, linewidth=0.9, label="Kommungräns"))
    ax.legend(
        handles=handles,
        loc="lower right",
        fontsize=7.5,
        framealpha=0.92,
        edgecolor="#bbbbbb",
        title="Teckenförklaring",
        title_fontsize=8,
    )

    if not data.has_data:
        ax.text(
            0.5,
            0.55,
            f"Inga uppgifter om {group.name.lower()} i registret.\n"
            "Avstånden kan inte beräknas förrän data har importerats.",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=12,
            color="#444444",
            zorder=10,
            bbox={
                "boxstyle": "round,pad=0.6",
                "facecolor": "white",
                "edgecolor": "#999999",
            },
        )

    count = len(gaps)
    title = f"{group.name}: {count} av {len(rows)} orter längre bort än {group.km_text}"
    if not data.has_data:
        title = f"{group.name}: inga uppgifter"
    fig.text(0.01, 0.965, title, fontsize=14, fontweight="bold", va="top")
    fig.text(
        0.01,
        0.925,
        f"Avstånd till närmaste {' eller '.join(category_names.get(c, c) for c in group.categories)}, "
        f"{basis.label}. Gränsvärde {group.km_text}.",
        fontsize=9,
        color="#333333",
        va="top",
    )
    fig.text(
        0.01,
        0.035,
        f"Servicepunkter: källdatum {data_date}. Orter: GeoNames (CC BY 4.0), svenska-stader. "
        "Gränser: okfse/sweden-geojson (Valmyndigheten), förenklade.",
        fontsize=7,
        color="#555555",
        va="center",
    )
    fig.text(
        0.01,
        0.012,
        "Skapad av Servicelotsen (make report). Avstånden är beräknade, inte uppmätta på vägnätet.",
        fontsize=7,
        color="#555555",
        va="center",
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi, facecolor="white", pil_kwargs={"optimize": True})
    return out
