"""Pictures and text of a computation graph, with values and derivatives.

Forward arrows (black) run left to right, from each operation's inputs to the
operation; derivative arrows (red, dashed) run right to left along the same
edges, the way backpropagation travels. Each box shows the node's name, its
operation, its value and ``d output / d node`` (the lesson's ``dvar``).

One layout (:func:`layout_graph`) is computed in abstract pixels and drawn
twice: as SVG text written by hand and as a PNG drawn with Pillow's
``ImageDraw``. No Graphviz and no matplotlib are needed, and the PNG is a
faithful preview of the SVG. :func:`render_text` is the terminal form.
"""

from __future__ import annotations

import io
import itertools
import math
import os
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from logistic_neuron.lesson.graph import GraphExample, Node
from logistic_neuron.storage.atomic import atomic_write

#: Font size, line height and spacing of the layout, in pixels.
FONT_SIZE = 14
LINE_HEIGHT = 18
CHAR_WIDTH = 0.61 * FONT_SIZE  # a monospace font's advance is 0.6 em (DejaVu Sans Mono: 0.602)
PADDING = 8
COLUMN_GAP = 56
ROW_GAP = 26
MARGIN = 24
TITLE_HEIGHT = 56
EDGE_OFFSET = 4  # forward and backward arrows run side by side, this far from the middle

#: Operation lines longer than this are wrapped at their "+".
WRAP_AT = 24

#: Box fill colours by kind of node.
FILLS = {"leaf": "#dbeafe", "const": "#eeeeee", "op": "#fef9c3", "output": "#dcfce7"}
FORWARD_COLOUR = "#111111"
BACKWARD_COLOUR = "#c0392b"
MONO_FONTS = "DejaVu Sans Mono, Menlo, Consolas, monospace"

#: File types :func:`save_drawing` writes.
DRAWING_SUFFIXES = (".svg", ".png")


def format_number(x: float) -> str:
    """A value or derivative as the pictures and text print it (6 significant digits)."""
    text = f"{x:.6g}"
    return "0" if text == "-0" else text


def derivative_label(output: Node, node: Node) -> str:
    """``dJ/du`` for a plain name, ``dL/d(log a)`` for one with spaces or symbols."""
    name = node.name if node.name.isidentifier() else f"({node.name})"
    return f"d{output.name}/d{name}"


@dataclass(frozen=True)
class Box:
    """Where one node is drawn and what it says.

    Attributes
    ----------
    node : Node
    x, y : float
        Top-left corner.
    width, height : float
    lines : tuple of (str, str)
        ``(text, role)`` with role ``"name"``, ``"op"``, ``"value"`` or ``"grad"``.
    kind : {"leaf", "const", "op", "output"}
    """

    node: Node
    x: float
    y: float
    width: float
    height: float
    lines: tuple[tuple[str, str], ...]
    kind: str

    @property
    def left(self) -> tuple[float, float]:
        """Middle of the left side."""
        return self.x, self.y + self.height / 2

    @property
    def right(self) -> tuple[float, float]:
        """Middle of the right side."""
        return self.x + self.width, self.y + self.height / 2


@dataclass(frozen=True)
class Edge:
    """An arrow from an input (``source``) to the operation using it (``target``).

    ``waypoints`` are the corners of its path through the columns between the
    two boxes (empty when they are in neighbouring columns), so a long arrow
    runs in a lane of its own instead of through other boxes.
    """

    source: Box
    target: Box
    waypoints: tuple[tuple[float, float], ...] = ()

    def points(self, offset: float = 0.0) -> list[tuple[float, float]]:
        """The path from ``source`` to ``target``, shifted down by ``offset``."""
        path = [self.source.right, *self.waypoints, self.target.left]
        return [(x, y + offset) for x, y in path]


@dataclass(frozen=True)
class Layout:
    """A whole drawing: boxes, edges, title and canvas size in pixels."""

    title: str
    legend: str
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    width: float
    height: float


def _box_lines(node: Node, output: Node) -> tuple[tuple[str, str], ...]:
    if node.op == "const":
        return ((format_number(node.value), "value"),)
    lines: list[tuple[str, str]] = [(node.name, "name")]
    expression = node.expression() if node.is_input else f"= {node.expression()}"
    head, plus, tail = expression.partition(" + ")
    if len(expression) > WRAP_AT and plus:
        # A long sum on two lines keeps its column (and the picture) narrow.
        lines += [(head, "op"), (f"  + {tail}", "op")]
    else:
        lines.append((expression, "op"))
    lines.append((f"value {format_number(node.value)}", "value"))
    lines.append((f"{derivative_label(output, node)} = {format_number(node.grad)}", "grad"))
    return tuple(lines)


def _kind(node: Node, output: Node) -> str:
    if node is output:
        return "output"
    if node.op in ("leaf", "const"):
        return node.op
    return "op"


def _columns(order: Sequence[Node], output: Node) -> dict[int, int]:
    """Column of each node: as late as possible, so inputs sit next to their users.

    The output gets the longest path's length; every other node goes one
    column left of its leftmost user. This keeps a constant such as the ``1``
    of ``1 - y`` beside ``1 - y`` instead of far away at the left edge.
    """
    depth: dict[int, int] = {}
    for node in order:  # inputs first
        depth[id(node)] = 1 + max((depth[id(i)] for i in node.inputs), default=-1)
    users: dict[int, list[Node]] = {id(n): [] for n in order}
    for node in order:
        for child in node.inputs:
            users[id(child)].append(node)
    column: dict[int, int] = {id(output): depth[id(output)]}
    for node in reversed(order):
        if node is output:
            continue
        column[id(node)] = min(column[id(u)] for u in users[id(node)]) - 1
    # Shift so the leftmost column is 0.
    low = min(column.values())
    return {key: value - low for key, value in column.items()}


#: Height of the lane a long arrow takes in a column it crosses.
LANE_HEIGHT = 14.0

# Layout items are boxes (key: id of the node) and lanes of long arrows
# (key: ("lane", edge number, column)); the ordering and placement below treat
# both alike, as the Sugiyama method does with its "dummy nodes".
Item = Hashable


def _order_columns(
    by_column: list[list[Item]], left: dict[Item, list[Item]], right: dict[Item, list[Item]]
) -> None:
    """Order each column to shorten and uncross the arrows (in place).

    A few barycentre sweeps: sort each column by the mean position of the
    items it is connected to, alternately looking right and left.
    """

    def positions() -> dict[Item, float]:
        return {
            item: index - (len(items) - 1) / 2
            for items in by_column
            for index, item in enumerate(items)
        }

    n_columns = len(by_column)
    for sweep in range(8):
        looking_right = sweep % 2 == 0
        columns = range(n_columns - 2, -1, -1) if looking_right else range(1, n_columns)
        for c in columns:
            pos = positions()
            neighbours = right if looking_right else left

            def barycentre(
                item: Item, pos: dict[Item, float] = pos, near: dict = neighbours
            ) -> float:
                others = near[item]
                return sum(pos[o] for o in others) / len(others) if others else pos[item]

            # sorted() is stable: ties keep the previous order, so sweeps settle.
            by_column[c] = sorted(by_column[c], key=barycentre)
    _remove_crossings(by_column, right)


def _crossings(left_items: list[Item], right_items: list[Item], right: dict) -> int:
    """How many arrows between two neighbouring columns cross each other."""
    where = {item: index for index, item in enumerate(right_items)}
    ends = [
        (index, where[target])
        for index, item in enumerate(left_items)
        for target in right[item]
        if target in where
    ]
    return sum(
        1 for (a1, b1), (a2, b2) in itertools.combinations(ends, 2) if (a1 - a2) * (b1 - b2) < 0
    )


#: Most orders of two neighbouring columns tried together (4 and 4 items: 576).
PAIR_SEARCH_LIMIT = 5000


def _remove_crossings(by_column: list[list[Item]], right: dict[Item, list[Item]]) -> None:
    """Reorder a column while that uncrosses arrows (a stronger "transpose" step).

    The barycentre sweeps leave a few crossings the averages cannot see; a swap
    is kept only when the arrows on both sides of the column cross less.
    """

    def around(c: int) -> int:
        total = 0
        if c > 0:
            total += _crossings(by_column[c - 1], by_column[c], right)
        if c + 1 < len(by_column):
            total += _crossings(by_column[c], by_column[c + 1], right)
        return total

    for _ in range(10):
        improved = False
        for c, items in enumerate(by_column):
            best, best_order = around(c), list(items)
            # Small columns: every order (at most 6! = 720); larger: neighbour swaps.
            if len(items) <= 6:
                candidates: Iterator[tuple[Item, ...]] = itertools.permutations(best_order)
            else:
                candidates = (
                    (*best_order[:i], best_order[i + 1], best_order[i], *best_order[i + 2 :])
                    for i in range(len(best_order) - 1)
                )
            for candidate in candidates:
                by_column[c] = list(candidate)
                count = around(c)
                if count < best:
                    best, best_order, improved = count, list(candidate), True
            by_column[c] = best_order
        # Two neighbouring columns at once: some crossings need both to move.
        for c in range(len(by_column) - 1):
            first, second = by_column[c], by_column[c + 1]
            if math.factorial(len(first)) * math.factorial(len(second)) > PAIR_SEARCH_LIMIT:
                continue
            best = around(c) + around(c + 1)
            best_pair = (list(first), list(second))
            for one in itertools.permutations(first):
                by_column[c] = list(one)
                for two in itertools.permutations(second):
                    by_column[c + 1] = list(two)
                    count = around(c) + around(c + 1)
                    if count < best:
                        best, best_pair, improved = count, (list(one), list(two)), True
            by_column[c], by_column[c + 1] = best_pair
        if not improved:
            return


def _place_columns(
    by_column: list[list[Item]],
    height: dict[Item, float],
    left: dict[Item, list[Item]],
    right: dict[Item, list[Item]],
) -> dict[Item, float]:
    """Vertical centre of every item: near its neighbours, in order, never overlapping.

    Each sweep moves every item of a column towards the mean centre of its
    neighbours on one side, then pushes items apart where they would overlap
    and shifts the column back so that, on average, items sit where they want.
    """

    def gap(a: Item, b: Item) -> float:
        return (height[a] + height[b]) / 2 + (
            ROW_GAP if min(height[a], height[b]) > LANE_HEIGHT else 6
        )

    centre: dict[Item, float] = {}
    for items in by_column:
        y = 0.0
        for index, item in enumerate(items):
            if index:
                y += gap(items[index - 1], item)
            centre[item] = y
        for item in items:
            centre[item] -= y / 2
    for sweep in range(10):
        looking_right = sweep % 2 == 1
        near = right if looking_right else left
        columns = range(len(by_column) - 1, -1, -1) if looking_right else range(len(by_column))
        for c in columns:
            items = by_column[c]
            if not items:
                continue
            desired = [
                sum(centre[o] for o in near[item]) / len(near[item]) if near[item] else centre[item]
                for item in items
            ]
            placed = [desired[0]]
            for index in range(1, len(items)):
                placed.append(max(desired[index], placed[-1] + gap(items[index - 1], items[index])))
            shift = sum(d - p for d, p in zip(desired, placed, strict=True)) / len(items)
            for item, y in zip(items, placed, strict=True):
                centre[item] = y + shift
    return centre


#: Widest row of columns (layout pixels): wider graphs wrap onto further rows, like
#: text, so that the picture reads at the size of a page (about 1,200 pixels).
MAX_ROW_WIDTH = 1300.0
#: Space between two rows, and between the lanes of arrows that wrap.
BAND_GAP = 30.0
WRAP_LANE = 8.0


def _row_width(column_width: list[float], columns: Sequence[int]) -> float:
    return MARGIN + sum(column_width[c] for c in columns) + COLUMN_GAP * (len(columns) - 1)


def _bands(column_width: list[float], spans: list[tuple[int, int]]) -> list[list[int]]:
    """Consecutive columns grouped into as few rows as fit :data:`MAX_ROW_WIDTH`.

    Among the ways to cut the columns into that many rows, the one cut by the
    fewest arrows (``spans``: the columns each arrow runs from and to) wins, then
    the one with the narrowest widest row: few arrows wrap, and rows are even.
    """
    n = len(column_width)
    for rows in range(1, n + 1):
        best: tuple[tuple[int, float], list[list[int]]] | None = None
        for cuts in itertools.combinations(range(1, n), rows - 1):
            edges = (0, *cuts, n)
            bands = [list(range(a, b)) for a, b in itertools.pairwise(edges)]
            widest = max(_row_width(column_width, band) for band in bands)
            if widest > MAX_ROW_WIDTH and len(bands) > 1:
                continue
            cut = sum(1 for a, b in spans for c in cuts if a < c <= b)
            key = (cut, widest)
            if best is None or key < best[0]:
                best = (key, bands)
        if best is not None and (
            (rows == 1 and _row_width(column_width, range(n)) <= MAX_ROW_WIDTH) or rows > 1
        ):
            return best[1]
    return [[c] for c in range(n)]


def layout_graph(example: GraphExample) -> Layout:
    """Place every node of ``example`` on a canvas (shared by SVG and PNG).

    Parameters
    ----------
    example : GraphExample
        A graph after ``backward()``.

    Returns
    -------
    Layout
    """
    output = example.output
    order = example.order
    column = _columns(order, output)
    n_columns = max(column.values()) + 1
    lines = {id(n): _box_lines(n, output) for n in order}

    # Items, their columns and heights, and who connects to whom.
    by_column: list[list[Item]] = [[] for _ in range(n_columns)]
    height: dict[Item, float] = {}
    left: dict[Item, list[Item]] = {}
    right: dict[Item, list[Item]] = {}
    for node in order:
        key = id(node)
        by_column[column[key]].append(key)
        height[key] = len(lines[key]) * LINE_HEIGHT + 2 * PADDING
        left[key], right[key] = [], []
    edge_paths: list[tuple[Node, Node, list[tuple[Item, int]]]] = []
    for node in order:
        for child in node.inputs:
            path: list[Item] = [id(child)]
            for c in range(column[id(child)] + 1, column[id(node)]):
                lane = ("lane", len(edge_paths), c)
                by_column[c].append(lane)
                height[lane] = LANE_HEIGHT
                left[lane], right[lane] = [], []
                path.append(lane)
            path.append(id(node))
            for a, b in itertools.pairwise(path):
                right[a].append(b)
                left[b].append(a)
            lanes = path[1:-1]
            first = column[id(child)] + 1
            edge_paths.append((child, node, [(lane, first + k) for k, lane in enumerate(lanes)]))
    _order_columns(by_column, left, right)
    centre = _place_columns(by_column, height, left, right)

    def text_width(key: int) -> float:
        return max(len(text) for text, _ in lines[key]) * CHAR_WIDTH + 2 * PADDING

    column_width = [0.0] * n_columns
    for node in order:
        c = column[id(node)]
        column_width[c] = max(column_width[c], text_width(id(node)))
    bands = _bands(
        column_width, [(column[id(child)], column[id(node)]) for child, node, _ in edge_paths]
    )
    band_of = {c: b for b, columns in enumerate(bands) for c in columns}
    # Arrows from the last column of a row to the first of the next wrap around,
    # each in a lane of its own on the right, in the gap and on the left.
    wrapping = [
        (child, node)
        for child, node, _ in edge_paths
        if band_of[column[id(child)]] != band_of[column[id(node)]]
        or any(band_of[c] != band_of[column[id(child)]] for _, c in _)
    ]
    wrap_space = WRAP_LANE * len(wrapping) if len(bands) > 1 else 0.0
    left_edge = MARGIN + wrap_space
    column_x = [0.0] * n_columns
    for columns in bands:
        x = left_edge
        for c in columns:
            column_x[c] = x
            x += column_width[c] + COLUMN_GAP

    def column_of(item: Item) -> int:
        # A lane's key holds its column; a box's key is its node's id.
        return int(item[2]) if isinstance(item, tuple) else column[int(str(item))]

    band_top = [
        min(centre[i] - height[i] / 2 for i in centre if band_of[column_of(i)] == b)
        for b in range(len(bands))
    ]
    band_bottom = [
        max(centre[i] + height[i] / 2 for i in centre if band_of[column_of(i)] == b)
        for b in range(len(bands))
    ]
    band_gap = BAND_GAP + WRAP_LANE * len(wrapping)
    band_y: list[float] = [float(TITLE_HEIGHT)]
    for b in range(1, len(bands)):
        band_y.append(band_y[-1] + band_bottom[b - 1] - band_top[b - 1] + band_gap)
    band_right = [max(column_x[c] + column_width[c] for c in columns) for columns in bands]

    def y_of(item: Item) -> float:
        b = band_of[column_of(item)]
        return band_y[b] + centre[item] - band_top[b]

    boxes: dict[int, Box] = {}
    for node in order:
        key, c = id(node), column[id(node)]
        width = text_width(key) if node.op == "const" else column_width[c]
        # A narrow box (a constant) hugs the right edge of its column: its
        # arrows then start in the gap, never across a neighbour's box.
        x = column_x[c] + column_width[c] - width
        y = y_of(key) - height[key] / 2
        boxes[key] = Box(node, x, y, width, height[key], lines[key], _kind(node, output))
    # The path of every arrow: (arrive, leave, row) at its source, each lane, its target.
    all_stops = []
    for child, node, lane_columns in edge_paths:
        source = boxes[id(child)]
        stops = [(source.right, source.right, band_of[column[id(child)]])]
        for crossing, c in lane_columns:
            lane_y = y_of(crossing)
            stops.append(
                ((column_x[c], lane_y), (column_x[c] + column_width[c], lane_y), band_of[c])
            )
        target = boxes[id(node)]
        stops.append((target.left, target.left, band_of[column[id(node)]]))
        all_stops.append(stops)
    # Arrows wrapping from one row to the next take lanes in the order of where they
    # leave and arrive (higher first): then no two of them cross.
    turns = sorted(
        (row, stops[i - 1][1][1], stops[i][0][1], e, i)
        for e, stops in enumerate(all_stops)
        for i in range(1, len(stops))
        for row in [stops[i - 1][2]]
        if stops[i][2] != row
    )
    turn_lane: dict[tuple[int, int], tuple[int, int]] = {}
    for row in {turn[0] for turn in turns}:
        in_row = [turn for turn in turns if turn[0] == row]
        for rank, (_, _, _, e, i) in enumerate(in_row):
            turn_lane[(e, i)] = (rank, len(in_row))
    edges: list[Edge] = []
    for (child, node, _), stops in zip(edge_paths, all_stops, strict=True):
        waypoints: list[tuple[float, float]] = []
        for index in range(1, len(stops)):
            (_, leave, row), (arrive, through, next_row) = stops[index - 1], stops[index]
            if next_row != row:
                rank, count = turn_lane[(len(edges), index)]
                outer = WRAP_LANE * (count - 1 - rank)  # the highest arrow turns outermost
                right_x = band_right[row] + MARGIN / 2 + outer
                gap_y = band_y[next_row] - band_gap + BAND_GAP / 2 + outer
                left_x = MARGIN + outer
                waypoints += [
                    (right_x, leave[1]),
                    (right_x, gap_y),
                    (left_x, gap_y),
                    (left_x, arrive[1]),
                ]
            if index < len(stops) - 1:
                waypoints += [arrive, through]
        edges.append(Edge(boxes[id(child)], boxes[id(node)], tuple(waypoints)))
    canvas_width = max(band_right) + MARGIN + WRAP_LANE * (len(wrapping) + 1)
    canvas_height = band_y[-1] + band_bottom[-1] - band_top[-1] + MARGIN
    legend = (
        f"black: values, forward (left to right)   red: derivatives d{output.name}/dvar, "
        "backward (right to left)"
    )
    if len(bands) > 1:
        legend += "; long rows wrap like text"
    canvas_width = max(canvas_width, (len(legend) + 2) * CHAR_WIDTH + 2 * MARGIN)
    return Layout(
        example.title,
        legend,
        tuple(boxes[id(n)] for n in order),
        tuple(edges),
        canvas_width,
        canvas_height,
    )


def _svg_points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _arrow_head(
    tip: tuple[float, float], tail: tuple[float, float], size: float = 8.0
) -> list[tuple[float, float]]:
    """The three corners of an arrow head at ``tip`` pointing away from ``tail``."""
    (tx, ty), (sx, sy) = tip, tail
    dx, dy = tx - sx, ty - sy
    length = max((dx * dx + dy * dy) ** 0.5, 1e-9)
    ux, uy = dx / length, dy / length
    back_x, back_y = tx - ux * size, ty - uy * size
    half = size * 0.45
    return [
        (tx, ty),
        (back_x - uy * half, back_y + ux * half),
        (back_x + uy * half, back_y - ux * half),
    ]


# -- SVG -----------------------------------------------------------------------


def render_svg(layout: Layout) -> str:
    """The drawing as an SVG document (a string of well-formed XML)."""
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{layout.width:.0f}" '
        f'height="{layout.height:.0f}" viewBox="0 0 {layout.width:.1f} {layout.height:.1f}" '
        f'font-family="{MONO_FONTS}" font-size="{FONT_SIZE}">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{MARGIN}" y="{MARGIN}" font-weight="bold">{escape(layout.title)}</text>',
        f'<text x="{MARGIN}" y="{MARGIN + LINE_HEIGHT + 4}" font-size="{FONT_SIZE - 2}" '
        f'fill="#555555">{escape(layout.legend)}</text>',
    ]

    def polygon(points: list[tuple[float, float]], colour: str) -> str:
        text = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        return f'<polygon points="{text}" fill="{colour}"/>'

    for edge in layout.edges:
        forward = edge.points(-EDGE_OFFSET)
        out.append(
            f'<polyline points="{_svg_points(forward)}" fill="none" '
            f'stroke="{FORWARD_COLOUR}" stroke-width="1.4"/>'
        )
        out.append(polygon(_arrow_head(forward[-1], forward[-2]), FORWARD_COLOUR))
        backward = edge.points(EDGE_OFFSET)
        out.append(
            f'<polyline points="{_svg_points(backward)}" fill="none" '
            f'stroke="{BACKWARD_COLOUR}" stroke-width="1.4" stroke-dasharray="5,3"/>'
        )
        out.append(polygon(_arrow_head(backward[0], backward[1]), BACKWARD_COLOUR))
    for box in layout.boxes:
        out.append(
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" '
            f'height="{box.height:.1f}" rx="6" fill="{FILLS[box.kind]}" stroke="#333333"/>'
        )
        for index, (text, role) in enumerate(box.lines):
            baseline = box.y + PADDING + (index + 1) * LINE_HEIGHT - 4
            attributes = {
                "name": ' font-weight="bold"',
                "op": ' fill="#555555"',
                "value": "",
                "grad": f' fill="{BACKWARD_COLOUR}"',
            }[role]
            out.append(
                f'<text x="{box.x + PADDING:.1f}" y="{baseline:.1f}"{attributes}>'
                f"{escape(text)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


# -- PNG -----------------------------------------------------------------------


def _fonts(size: int) -> tuple[Any, Any]:
    """A monospace regular and bold font at ``size`` pixels (Pillow's own font as fallback)."""
    from PIL import ImageFont

    try:
        return (
            ImageFont.truetype("DejaVuSansMono.ttf", size),
            ImageFont.truetype("DejaVuSansMono-Bold.ttf", size),
        )
    except OSError:
        # Pillow's bundled font is proportional and narrower than the
        # monospace estimate the layout uses, so text still fits its box.
        font = ImageFont.load_default(size)
        return font, font


def render_png(layout: Layout, scale: float = 2.0) -> bytes:
    """The drawing as PNG bytes, ``scale`` device pixels per layout pixel."""
    from PIL import Image, ImageDraw

    if not scale > 0:
        raise ValueError(f"scale must be > 0, got {scale!r}")

    def s(value: float) -> float:
        return value * scale

    image = Image.new("RGB", (round(s(layout.width)), round(s(layout.height))), "white")
    draw = ImageDraw.Draw(image)
    regular, bold = _fonts(round(s(FONT_SIZE)))
    small, _ = _fonts(round(s(FONT_SIZE - 2)))
    draw.text((s(MARGIN), s(MARGIN)), layout.title, fill="black", font=bold, anchor="ls")
    draw.text(
        (s(MARGIN), s(MARGIN + LINE_HEIGHT + 4)),
        layout.legend,
        fill="#555555",
        font=small,
        anchor="ls",
    )
    line_width = max(1, round(s(1.4)))
    for edge in layout.edges:
        forward = [(s(x), s(y)) for x, y in edge.points(-EDGE_OFFSET)]
        draw.line(forward, fill=FORWARD_COLOUR, width=line_width, joint="curve")
        draw.polygon(_arrow_head(forward[-1], forward[-2], s(8)), fill=FORWARD_COLOUR)
        backward = [(s(x), s(y)) for x, y in edge.points(EDGE_OFFSET)]
        for start, end in itertools.pairwise(backward):
            _dashed_line(draw, start, end, s(5), s(3), BACKWARD_COLOUR, line_width)
        draw.polygon(_arrow_head(backward[0], backward[1], s(8)), fill=BACKWARD_COLOUR)
    for box in layout.boxes:
        draw.rounded_rectangle(
            [s(box.x), s(box.y), s(box.x + box.width), s(box.y + box.height)],
            radius=s(6),
            fill=FILLS[box.kind],
            outline="#333333",
            width=max(1, round(scale)),
        )
        for index, (text, role) in enumerate(box.lines):
            baseline = box.y + PADDING + (index + 1) * LINE_HEIGHT - 4
            colour = {"name": "black", "op": "#555555", "value": "black"}.get(role, BACKWARD_COLOUR)
            font = bold if role == "name" else regular
            draw.text((s(box.x + PADDING), s(baseline)), text, fill=colour, font=font, anchor="ls")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _dashed_line(
    draw: Any,
    start: tuple[float, float],
    end: tuple[float, float],
    dash: float,
    gap: float,
    colour: str,
    width: int,
) -> None:
    (x1, y1), (x2, y2) = start, end
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    if length == 0:
        return
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    position = 0.0
    while position < length:
        stop = min(position + dash, length)
        draw.line(
            [(x1 + ux * position, y1 + uy * position), (x1 + ux * stop, y1 + uy * stop)],
            fill=colour,
            width=width,
        )
        position = stop + gap


# -- text ----------------------------------------------------------------------


def render_text(example: GraphExample) -> str:
    """The graph as a table for a terminal: node, operation, value, derivative.

    Rows run in forward order (inputs first); constants have no derivative
    row of their own, they are shown in the operations that use them.
    """
    output = example.output
    rows = [
        (
            node.name,
            node.expression() if node.is_input else f"{node.name} = {node.expression()}",
            format_number(node.value),
            f"{derivative_label(output, node)} = {format_number(node.grad)}",
        )
        for node in example.order
        if node.op != "const"
    ]
    header = ("node", "operation", "value", f"derivative d{output.name}/dnode")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = [
        example.title,
        f"forward: values left to right; backward: d{output.name}/dvar right to left "
        "(the lesson writes dvar)",
        "",
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for r in rows:
        lines.append(
            "  ".join(
                [r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2]), r[3]]
            ).rstrip()
        )
    return "\n".join(lines) + "\n"


# -- files ---------------------------------------------------------------------


def save_drawing(example: GraphExample, path: str | os.PathLike[str]) -> Path:
    """Draw ``example`` to ``path``: SVG or PNG by the file's suffix, written atomically.

    Raises
    ------
    ValueError
        When the suffix is neither ``.svg`` nor ``.png``.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in DRAWING_SUFFIXES:
        raise ValueError(f"cannot draw to {target.name!r}: the file name must end in .svg or .png")
    layout = layout_graph(example)
    if suffix == ".svg":
        with atomic_write(target, "w", encoding="utf-8") as handle:
            handle.write(render_svg(layout))
    else:
        data = render_png(layout)
        with atomic_write(target, "wb") as handle:
            handle.write(data)
    return target
