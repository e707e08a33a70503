import math

import pytest

from logistic_neuron.lesson.graph import Graph, lesson_graph, logistic_graph


def test_lesson_example():
    ex = lesson_graph()
    assert ex["J"].value == 33.0
    grads = {name: ex[name].grad for name in ("v", "u", "a", "b", "c")}
    assert grads == {"v": 3.0, "u": 3.0, "a": 3.0, "b": 6.0, "c": 9.0}


def test_lesson_example_other_values():
    ex = lesson_graph(1.0, 2.0, 4.0)
    assert ex["J"].value == 27.0
    assert (ex["a"].grad, ex["b"].grad, ex["c"].grad) == (3.0, 12.0, 6.0)


@pytest.mark.parametrize("y", [0.0, 1.0])
@pytest.mark.parametrize(
    ("w", "x", "b"), [((0.5, -0.25), (1.0, 2.0), 0.25), ((-1.5, 2.0), (0.3, -0.7), -0.4)]
)
def test_logistic_graph_matches_closed_forms(w, x, b, y):
    ex = logistic_graph(w, x, b, y)
    z = w[0] * x[0] + w[1] * x[1] + b
    a = 1 / (1 + math.exp(-z))
    assert ex["z"].value == pytest.approx(z, rel=1e-15)
    assert ex["a"].value == pytest.approx(a, rel=1e-15)
    assert ex["L"].value == pytest.approx(-(y * math.log(a) + (1 - y) * math.log(1 - a)))
    dz = a - y
    assert ex["a"].grad == pytest.approx(-y / a + (1 - y) / (1 - a), rel=1e-12)
    assert ex["z"].grad == pytest.approx(dz, rel=1e-12)
    assert ex["w1"].grad == pytest.approx(x[0] * dz, rel=1e-12)
    assert ex["w2"].grad == pytest.approx(x[1] * dz, rel=1e-12)
    assert ex["b"].grad == pytest.approx(dz, rel=1e-12)


def test_reused_node_accumulates():
    g = Graph()
    a = g.value(3.0, "a")
    f = a * a
    f.backward()
    assert f.value == 9.0
    assert a.grad == 6.0
    # f = a*a + a: three paths
    h = a * a + a
    h.backward()
    assert a.grad == 7.0


def test_backward_twice_gives_same_result():
    ex = lesson_graph()
    ex.output.backward()
    assert ex["c"].grad == 9.0


def test_deep_graph_has_no_recursion_limit():
    g = Graph()
    x = g.value(1.0, "x")
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert len(g) > 20_000
    assert x.grad == pytest.approx(1.0001**10_000, rel=1e-9)


@pytest.mark.parametrize(
    ("build", "derivative"),
    [
        (lambda a: a / 4.0, lambda v: 0.25),
        (lambda a: 4.0 / a, lambda v: -4.0 / v**2),
        (lambda a: 5.0 - a, lambda v: -1.0),
        (lambda a: a**3, lambda v: 3 * v**2),
        (lambda a: 2.0**a, lambda v: 2.0**v * math.log(2.0)),
        (lambda a: a**a, lambda v: v**v * (math.log(v) + 1)),
        (lambda a: a.exp(), math.exp),
        (lambda a: a.log(), lambda v: 1 / v),
        (lambda a: a.sigmoid(), lambda v: math.exp(-v) / (1 + math.exp(-v)) ** 2),
        (lambda a: -a, lambda v: -1.0),
    ],
)
def test_operations_derivatives(build, derivative):
    g = Graph()
    a = g.value(1.7, "a")
    out = build(a)
    out.backward()
    assert a.grad == pytest.approx(derivative(1.7), rel=1e-12)


def test_sigmoid_is_stable():
    g = Graph()
    s = g.value(-800.0, "z").sigmoid()
    assert s.value == 0.0
    assert g.value(800.0, "z2").sigmoid().value == 1.0


def test_errors():
    g = Graph()
    a = g.value(0.0, "a")
    with pytest.raises(ValueError, match="needs a > 0"):
        a.log()
    with pytest.raises(ValueError, match="division by zero"):
        _ = 1.0 / a
    with pytest.raises(ValueError, match="overflows"):
        g.value(1000.0, "big").exp()
    with pytest.raises(ValueError, match="already used"):
        g.value(1.0, "a")
    with pytest.raises(ValueError, match="different graphs"):
        _ = a + Graph().value(1.0, "b")
    with pytest.raises(TypeError):
        _ = a + "x"  # type: ignore[operator]


def test_graphs_are_independent():
    g1, g2 = Graph(), Graph()
    n1 = g1.value(1.0) + 1.0
    n2 = g2.value(1.0) + 1.0
    assert n1.name == n2.name  # per-graph numbering, no global counter
    assert len(g1) == len(g2) == 3


def test_order_is_topological():
    ex = logistic_graph()
    seen: set[int] = set()
    for node in ex.order:
        assert all(id(i) in seen for i in node.inputs)
        seen.add(id(node))
    assert ex.order[-1] is ex.output
