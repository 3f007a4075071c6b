"""The model as an SVG drawn on the server: classes as boxes in columns, each property an arrow with its name."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape

__all__ = ["Edge", "model_svg"]

_BOX_H = 26
_ROW = 44
_COLUMN = 300
_CHAR = 7.0  # average width of a 12 px sans-serif character


@dataclass(frozen=True)
class Edge:
    """One property drawn from its domain to its range (class names as a reader sees them)."""

    source: str
    name: str
    target: str
    link: str


def _columns(edges: list[Edge]) -> list[list[str]]:
    """Classes in columns: each class one column right of the classes that point at it (cycles cut)."""
    outgoing: dict[str, set[str]] = defaultdict(set)
    incoming: dict[str, int] = defaultdict(int)
    nodes = sorted({e.source for e in edges} | {e.target for e in edges})
    for edge in edges:
        if edge.target != edge.source and edge.target not in outgoing[edge.source]:
            outgoing[edge.source].add(edge.target)
            incoming[edge.target] += 1
    depth: dict[str, int] = {}
    frontier = [n for n in nodes if incoming[n] == 0] or nodes[:1]
    while frontier:
        for node in frontier:
            depth.setdefault(node, 0)
        following = []
        for node in frontier:
            for target in sorted(outgoing[node]):
                if target not in depth:
                    depth[target] = depth[node] + 1
                    following.append(target)
        frontier = following
        if not frontier:
            frontier = [n for n in nodes if n not in depth][:1]
    columns: dict[int, list[str]] = defaultdict(list)
    for node in nodes:
        columns[depth[node]].append(node)
    return [columns[number] for number in sorted(columns)]


def model_svg(edges: list[Edge]) -> str:
    """An SVG of ``edges``: boxes in columns by how far they lie from a class nothing points at; every
    arrow labelled with its property (a link to the property's entry on the page)."""
    columns = _columns(edges)
    place: dict[str, tuple[float, float, float]] = {}  # name → x, y, width
    for number, names in enumerate(columns):
        for row, name in enumerate(names):
            place[name] = (20 + number * _COLUMN, 20 + row * _ROW, 16 + _CHAR * len(name))
    width = 40 + _COLUMN * len(columns)
    height = 40 + _ROW * max((len(c) for c in columns), default=1)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="model" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="The CytoKG model: classes and the properties between them">'
        ),
        (
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'
        ),
    ]
    parallel: dict[tuple[str, str], int] = defaultdict(int)  # arrows already drawn between two classes
    for edge in edges:
        sx, sy, sw = place[edge.source]
        tx, ty, tw = place[edge.target]
        shift = 12 * parallel[(edge.source, edge.target)]
        parallel[(edge.source, edge.target)] += 1
        sy, ty = sy + shift / 3, ty + shift / 3
        start = (sx + sw, sy + _BOX_H / 2)
        if edge.source == edge.target:
            path = f"M{start[0]},{start[1] - 6} c40,-30 40,30 0,12"
            label = (start[0] + 34, start[1] - 14 - shift)
        else:
            end = (tx, ty + _BOX_H / 2) if tx > sx else (tx + tw, ty + _BOX_H / 2)
            bend = max(40.0, abs(end[0] - start[0]) / 2)
            back = -1 if tx <= sx else 1
            path = (
                f"M{start[0]:.0f},{start[1]:.0f} C{start[0] + bend:.0f},{start[1]:.0f} "
                f"{end[0] - back * bend:.0f},{end[1]:.0f} {end[0]:.0f},{end[1]:.0f}"
            )
            label = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 - 3 + shift)
        parts.append(f'<path d="{path}" fill="none" stroke="#888" marker-end="url(#arrow)"/>')
        parts.append(
            f'<a href="{escape(edge.link)}"><text x="{label[0]:.0f}" y="{label[1]:.0f}" font-size="11" '
            f'text-anchor="middle" fill="#1a5a96">{escape(edge.name)}</text></a>'
        )
    for name, (x, y, w) in sorted(place.items()):
        parts.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{_BOX_H}" rx="4" fill="#f3f6fa" stroke="#456"/>'
            f'<text x="{x + 8:.0f}" y="{y + 17:.0f}" font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
