import itertools
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from logistic_neuron.lesson.graph import lesson_graph, logistic_graph
from logistic_neuron.lesson.graph_drawing import layout_graph, render_svg, render_text, save_drawing


def test_text_lesson():
    text = render_text(lesson_graph())
    for fragment in ("dJ/da = 3", "dJ/db = 6", "dJ/dc = 9", "dJ/du = 3", "dJ/dv = 3"):
        assert fragment in text
    assert "J = 3 * v" in text
    assert "33" in text


def test_text_logistic():
    text = render_text(logistic_graph())
    for fragment in ("dL/da = ", "dL/dz = ", "dL/dw1 = ", "dL/dw2 = ", "dL/db = "):
        assert fragment in text


def test_layout_boxes_do_not_overlap_and_flow_left_to_right():
    for example in (lesson_graph(), logistic_graph()):
        layout = layout_graph(example)
        boxes = layout.boxes
        for i, p in enumerate(boxes):
            assert 0 <= p.x and p.x + p.width <= layout.width
            assert 0 <= p.y and p.y + p.height <= layout.height
            for q in boxes[i + 1 :]:
                apart = (
                    p.x + p.width <= q.x
                    or q.x + q.width <= p.x
                    or p.y + p.height <= q.y
                    or q.y + q.height <= p.y
                )
                assert apart, (p.node.name, q.node.name)
        for edge in layout.edges:
            # Left to right; an arrow to the next row (wrapped like text) goes down.
            assert (
                edge.source.x + edge.source.width < edge.target.x
                or edge.target.y > edge.source.y + edge.source.height
            )


def test_svg_is_well_formed(tmp_path):
    path = save_drawing(lesson_graph(), tmp_path / "g.svg")
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "dJ/dc = 9" in texts
    assert "value 33" in texts


def test_svg_escapes_names():
    svg = render_svg(layout_graph(logistic_graph()))
    ET.fromstring(svg.split("\n", 1)[1])
    assert "(1-y)*log(1-a)" in svg


def test_png(tmp_path):
    path = save_drawing(logistic_graph(), tmp_path / "g.png")
    with Image.open(path) as image:
        assert image.format == "PNG"
        width, height = image.size
        layout = layout_graph(logistic_graph())
        assert (width, height) == (round(2 * layout.width), round(2 * layout.height))
        # Not blank: boxes and text drew many non-white pixels.
        colours = image.convert("L").getextrema()
        assert colours[0] < 50


def test_bad_suffix(tmp_path):
    with pytest.raises(ValueError, match=".svg or .png"):
        save_drawing(lesson_graph(), tmp_path / "g.pdf")
    assert list(tmp_path.iterdir()) == []


def _graphs():
    from logistic_neuron.lesson.graph import Graph

    g = Graph()
    a, b = g.value(2.0, "a"), g.value(0.5, "b")
    out = g.name((a * b + a.exp()) / (b + 1.0) + a.log() * a.sigmoid() - b**2, "out")
    out.backward()
    from logistic_neuron.lesson.graph import GraphExample

    return [
        lesson_graph(),
        logistic_graph(),
        logistic_graph((0.1, 0.2, 0.3, 0.4), (1.0, -1.0, 2.0, 0.5), -0.2, 0.0),
        GraphExample("mixed", out, {"a": a, "b": b}),
    ]


@pytest.mark.parametrize("example", _graphs(), ids=["lesson", "logistic", "logistic4", "mixed"])
def test_arrows_never_cross_a_box(example):
    from logistic_neuron.lesson.graph_drawing import EDGE_OFFSET

    layout = layout_graph(example)
    for edge in layout.edges:
        for offset in (-EDGE_OFFSET, EDGE_OFFSET):
            points = edge.points(offset)
            for (x1, y1), (x2, y2) in itertools.pairwise(points):
                for k in range(1, 40):
                    x, y = x1 + (x2 - x1) * k / 40, y1 + (y2 - y1) * k / 40
                    for box in layout.boxes:
                        inside = (
                            box.x + 1 < x < box.x + box.width - 1
                            and box.y + 1 < y < box.y + box.height - 1
                        )
                        assert not inside, (edge.source.node.name, edge.target.node.name)


def _segments_cross(p1, p2, q1, q2):
    def side(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = side(q1, q2, p1), side(q1, q2, p2)
    d3, d4 = side(p1, p2, q1), side(p1, p2, q2)
    return d1 * d2 < 0 and d3 * d4 < 0


@pytest.mark.parametrize("example", _graphs(), ids=["lesson", "logistic", "logistic4", "mixed"])
def test_forward_arrows_do_not_cross(example):
    """Issue 15 item 8: no two forward arrows cross (shared ends do not count)."""
    layout = layout_graph(example)
    paths = [list(itertools.pairwise(edge.points(0.0))) for edge in layout.edges]
    for i, j in itertools.combinations(range(len(paths)), 2):
        for p1, p2 in paths[i]:
            for q1, q2 in paths[j]:
                assert not _segments_cross(p1, p2, q1, q2), (
                    layout.edges[i].source.node.name,
                    layout.edges[i].target.node.name,
                    layout.edges[j].source.node.name,
                    layout.edges[j].target.node.name,
                )


def test_logistic_graph_reads_at_page_size(tmp_path):
    """Issue 15 item 8: the logistic example is laid out in rows at most ~1,300 px wide
    (14 px text), instead of one 2,500 px row that shrinks the text to 6 px on a page."""
    layout = layout_graph(logistic_graph())
    assert layout.width <= 1320
    assert 0.5 <= layout.height / layout.width <= 1.2
