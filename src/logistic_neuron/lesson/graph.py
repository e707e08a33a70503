r"""A computation graph of scalars, and backpropagation through it.

Every number in a computation becomes a :class:`Node` that remembers its
value, the operation that made it and that operation's inputs. Going forward
(left to right) computes the values; :meth:`Node.backward` then walks the graph
from the output back to the inputs (right to left) and applies the chain rule
once per edge:

.. math:: \frac{dJ}{d\,\mathrm{input}} \mathrel{+}= \frac{dJ}{d\,\mathrm{node}}
          \cdot \frac{\partial\,\mathrm{node}}{\partial\,\mathrm{input}}

The ``+=`` is what makes a node that feeds several others (``f = a * a``)
collect the derivative along every path. The lesson names ``dJ/dvar`` simply
``dvar``; it is stored in :attr:`Node.grad`.

The lesson's example:

>>> g = Graph()
>>> a, b, c = g.value(5, "a"), g.value(3, "b"), g.value(2, "c")
>>> u = g.name(b * c, "u")
>>> v = g.name(a + u, "v")
>>> J = g.name(3 * v, "J")
>>> J.backward()
>>> J.value, v.grad, u.grad, a.grad, b.grad, c.grad
(33.0, 3.0, 3.0, 3.0, 6.0, 9.0)

There is no global state: each :class:`Graph` numbers its own nodes, and
nodes of different graphs cannot be combined.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Union

Operand = Union["Node", int, float]

#: Operations and how the text and pictures write them.
OPERATIONS = ("leaf", "const", "+", "-", "*", "/", "**", "neg", "exp", "log", "sigmoid")


def _number(x: object, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"{what} must be a number or a Node, got {type(x).__name__}")
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value}")
    return value


def _format_number(x: float) -> str:
    return f"{x:g}"


_BINARY = ("+", "-", "*", "/", "**")


def _operand_name(node: Node) -> str:
    """A name fit to stand in an expression: ``(1-y)`` but ``a`` and ``log(1-a)``."""
    name = node.name
    head = name.split("(", 1)[0]
    if name.isidentifier() or (head.isidentifier() and name.endswith(")")):
        return name
    if node.op == "const" and not name.startswith("-"):
        return name
    return f"({name})"


def _sigmoid(z: float) -> float:
    # Stable for any z: exp only ever sees -|z| (see activation.sigmoid).
    e = math.exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)


class Graph:
    """The nodes of one computation, numbered in the order they were made.

    Create inputs with :meth:`value`; operations on nodes add new nodes to
    the same graph. Names are optional: unnamed nodes are called ``t1``,
    ``t2`` ... (per graph, so two graphs never interfere).
    """

    def __init__(self) -> None:
        self._nodes: list[Node] = []
        self._names: set[str] = set()
        self._counter = 0

    def __len__(self) -> int:
        return len(self._nodes)

    @property
    def nodes(self) -> tuple[Node, ...]:
        """Every node, in creation order (inputs always come before their users)."""
        return tuple(self._nodes)

    def value(self, x: float, name: str | None = None) -> Node:
        """A new input (leaf) node holding ``x``.

        Parameters
        ----------
        x : float
            A finite number.
        name : str, optional
            How the text and pictures call it (e.g. ``"w1"``).
        """
        return self._add(_number(x, "a node's value"), "leaf", (), (), name)

    def constant(self, x: float) -> Node:
        """A constant such as the ``3`` of ``J = 3v`` (named by its value)."""
        value = _number(x, "a constant")
        return self._add(value, "const", (), (), _format_number(value), unique=False)

    def name(self, node: Node, name: str) -> Node:
        """Give ``node`` a name (as in ``u = b*c``) and return it."""
        if node.graph is not self:
            raise ValueError("that node belongs to another graph")
        self._check_name(name)
        self._names.discard(node.name)
        node.name = name
        self._names.add(name)
        return node

    def _check_name(self, name: str) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"a node's name must be a non-empty string, got {name!r}")
        if name in self._names:
            raise ValueError(f"the name {name!r} is already used in this graph; pick another")

    def _add(
        self,
        value: float,
        op: str,
        inputs: tuple[Node, ...],
        local_grads: tuple[float, ...],
        name: str | None,
        *,
        unique: bool = True,
    ) -> Node:
        if not math.isfinite(value):
            raise ValueError(
                f"the operation {op!r} gave {value}: the numbers are too large or outside its "
                "domain; use smaller values"
            )
        if name is None:
            # Skip numbers a user already took as names ("t1" ...).
            self._counter += 1
            while f"t{self._counter}" in self._names:
                self._counter += 1
            name = f"t{self._counter}"
        elif unique:
            self._check_name(name)
        if unique:
            self._names.add(name)
        node = Node(self, value, op, inputs, local_grads, name)
        self._nodes.append(node)
        return node

    def _operand(self, x: Operand) -> Node:
        if isinstance(x, Node):
            if x.graph is not self:
                raise ValueError(
                    "cannot combine nodes of two different graphs; build the whole "
                    "computation in one Graph"
                )
            return x
        return self.constant(_number(x, "an operand"))


class Node:
    """One number in a computation graph.

    Attributes
    ----------
    graph : Graph
        The graph it belongs to.
    value : float
        Computed going forward.
    grad : float
        ``d output / d self`` (the lesson's ``dvar``) after the last
        :meth:`backward`; 0 before.
    op : str
        One of :data:`OPERATIONS` (``"leaf"`` for inputs).
    inputs : tuple of Node
        The operation's operands.
    local_grads : tuple of float
        ``d self / d input`` for each input, computed going forward.
    name : str
    """

    __slots__ = ("grad", "graph", "inputs", "local_grads", "name", "op", "value")

    def __init__(
        self,
        graph: Graph,
        value: float,
        op: str,
        inputs: tuple[Node, ...],
        local_grads: tuple[float, ...],
        name: str,
    ) -> None:
        self.graph = graph
        self.value = value
        self.op = op
        self.inputs = inputs
        self.local_grads = local_grads
        self.name = name
        self.grad = 0.0

    def __repr__(self) -> str:
        return f"Node({self.name}={self.value:g}, op={self.op!r}, grad={self.grad:g})"

    @property
    def is_input(self) -> bool:
        """True for leaves and constants (nodes no operation made)."""
        return not self.inputs

    def expression(self) -> str:
        """The operation in words, e.g. ``"b * c"`` or ``"sigmoid(z)"``."""
        names = [_operand_name(n) for n in self.inputs] if self.op in _BINARY else []
        if not names:
            names = [n.name for n in self.inputs]
        if self.op in ("leaf", "const"):
            return "input" if self.op == "leaf" else "constant"
        if self.op in _BINARY:
            return f"{names[0]} {self.op} {names[1]}"
        if self.op == "neg":
            return f"-{_operand_name(self.inputs[0])}"
        return f"{self.op}({names[0]})"

    # -- arithmetic ------------------------------------------------------------
    def _binary(self, other: Operand, op: str, reverse: bool = False) -> Node:
        other_node = self.graph._operand(other)
        x, y = (other_node, self) if reverse else (self, other_node)
        a, b = x.value, y.value
        if op == "+":
            return self.graph._add(a + b, op, (x, y), (1.0, 1.0), None)
        if op == "-":
            return self.graph._add(a - b, op, (x, y), (1.0, -1.0), None)
        if op == "*":
            return self.graph._add(a * b, op, (x, y), (b, a), None)
        if op == "/":
            if b == 0:
                raise ValueError(f"division by zero: {y.name} is 0")
            return self.graph._add(a / b, op, (x, y), (1.0 / b, -a / (b * b)), None)
        # Power: d(a**b)/da = b a**(b-1); d(a**b)/db = a**b ln a (needs a > 0
        # unless the exponent is a constant, which gets no derivative anyway).
        try:
            value = a**b
        except (OverflowError, ZeroDivisionError):
            raise ValueError(f"{a:g} ** {b:g} is not a finite number") from None
        if isinstance(value, complex):
            raise ValueError(f"{a:g} ** {b:g} is not a real number (negative base)")
        d_base = b * a ** (b - 1) if a != 0 or b >= 1 else math.inf
        if y.op == "const":
            d_exponent = 0.0
        elif a > 0:
            d_exponent = value * math.log(a)
        else:
            raise ValueError(
                f"{x.name} ** {y.name} needs {x.name} > 0 to be differentiable in the exponent"
            )
        if not math.isfinite(d_base):
            raise ValueError(f"{x.name} ** {y.name} has no finite derivative at {x.name} = {a:g}")
        return self.graph._add(value, op, (x, y), (d_base, d_exponent), None)

    def __add__(self, other: Operand) -> Node:
        return self._binary(other, "+")

    def __radd__(self, other: Operand) -> Node:
        return self._binary(other, "+", reverse=True)

    def __sub__(self, other: Operand) -> Node:
        return self._binary(other, "-")

    def __rsub__(self, other: Operand) -> Node:
        return self._binary(other, "-", reverse=True)

    def __mul__(self, other: Operand) -> Node:
        return self._binary(other, "*")

    def __rmul__(self, other: Operand) -> Node:
        return self._binary(other, "*", reverse=True)

    def __truediv__(self, other: Operand) -> Node:
        return self._binary(other, "/")

    def __rtruediv__(self, other: Operand) -> Node:
        return self._binary(other, "/", reverse=True)

    def __pow__(self, other: Operand) -> Node:
        return self._binary(other, "**")

    def __rpow__(self, other: Operand) -> Node:
        return self._binary(other, "**", reverse=True)

    def __neg__(self) -> Node:
        return self.graph._add(-self.value, "neg", (self,), (-1.0,), None)

    # Nodes are compared by identity (they are used as dict keys and in sets).
    __hash__ = object.__hash__

    # -- functions -------------------------------------------------------------
    def exp(self) -> Node:
        """``e ** self``; its derivative is itself."""
        try:
            value = math.exp(self.value)
        except OverflowError:
            raise ValueError(f"exp({self.value:g}) overflows; use a smaller input") from None
        return self.graph._add(value, "exp", (self,), (value,), None)

    def log(self) -> Node:
        """The natural logarithm; its derivative is ``1 / self``."""
        if self.value <= 0:
            raise ValueError(
                f"log({self.name}) needs {self.name} > 0, got {self.value:g} "
                "(a sigmoid output that rounded to 0 or 1 means the neuron is saturated)"
            )
        return self.graph._add(math.log(self.value), "log", (self,), (1.0 / self.value,), None)

    def sigmoid(self) -> Node:
        """``1 / (1 + e**-self)``; its derivative is ``s (1 - s)``."""
        s = _sigmoid(self.value)
        return self.graph._add(s, "sigmoid", (self,), (s * (1.0 - s),), None)

    # -- backward --------------------------------------------------------------
    def topological_order(self) -> list[Node]:
        """This node and every node it depends on, inputs before users.

        An iterative depth-first search (an explicit stack instead of
        recursion), so graphs of any depth work.
        """
        order: list[Node] = []
        visited: set[int] = set()
        stack: list[tuple[Node, bool]] = [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for child in reversed(node.inputs):
                if id(child) not in visited:
                    stack.append((child, False))
        return order

    def backward(self) -> None:
        """Set ``grad`` of this node and all nodes it depends on to ``d self / d node``.

        Derivatives are reset first, so calling ``backward`` twice gives the
        same result; nodes that do not lead to ``self`` are left alone.
        """
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        # Right to left: by the time a node is reached, every node that uses it
        # has already added its share, so node.grad is complete.
        for node in reversed(order):
            for child, local in zip(node.inputs, node.local_grads, strict=True):
                child.grad += node.grad * local


def sum_nodes(nodes: Iterable[Operand], graph: Graph) -> Node:
    """Add nodes (and numbers) left to right; ``graph.constant(0)`` when empty."""
    total: Node | None = None
    for item in nodes:
        total = graph._operand(item) if total is None else total + item
    return graph.constant(0.0) if total is None else total


# -- the lesson's graphs -------------------------------------------------------


@dataclass(frozen=True)
class GraphExample:
    """A built, back-propagated graph with its important nodes by name.

    Attributes
    ----------
    title : str
    output : Node
        The final node (``J`` or ``L``); every ``grad`` is ``d output / d node``.
    nodes : dict of str to Node
        The nodes the lesson names (``a``, ``u``, ``dz`` ...).
    """

    title: str
    output: Node
    nodes: dict[str, Node]

    def __getitem__(self, name: str) -> Node:
        return self.nodes[name]

    @property
    def order(self) -> list[Node]:
        """Every node the output depends on, in the order they were made (inputs first)."""
        needed = {id(node) for node in self.output.topological_order()}
        return [node for node in self.output.graph.nodes if id(node) in needed]


def lesson_graph(a: float = 5.0, b: float = 3.0, c: float = 2.0) -> GraphExample:
    """The lesson's ``J = 3(a + bc)`` as a back-propagated graph.

    With the defaults ``J = 33``, ``dv = du = da = 3``, ``db = 6``, ``dc = 9``.
    """
    g = Graph()
    na, nb, nc = g.value(a, "a"), g.value(b, "b"), g.value(c, "c")
    u = g.name(nb * nc, "u")
    v = g.name(na + u, "v")
    J = g.name(3 * v, "J")
    J.backward()
    return GraphExample("J = 3(a + bc)", J, {"a": na, "b": nb, "c": nc, "u": u, "v": v, "J": J})


def logistic_loss(a: Node, y: Operand) -> Node:
    """The lesson's loss ``L(a, y) = -(y log a + (1 - y) log(1 - a))``, from primitives.

    Built from ``log``, ``*``, ``+`` and ``-`` only, so its derivative comes out
    of the chain rule, not from a formula.
    """
    g = a.graph
    y_node = g._operand(y)
    log_a = g.name(a.log(), _fresh(g, "log(a)"))
    one_minus_a = g.name(1 - a, _fresh(g, "1-a"))
    log_1ma = g.name(one_minus_a.log(), _fresh(g, "log(1-a)"))
    one_minus_y = g.name(1 - y_node, _fresh(g, "1-y"))
    first = g.name(y_node * log_a, _fresh(g, "y*log(a)"))
    second = g.name(one_minus_y * log_1ma, _fresh(g, "(1-y)*log(1-a)"))
    return -g.name(first + second, _fresh(g, "-L"))


def _fresh(g: Graph, name: str) -> str:
    # Several losses in one graph (gradient checking) need distinct names.
    if name not in g._names:
        return name
    k = 2
    while f"{name} #{k}" in g._names:
        k += 1
    return f"{name} #{k}"


def logistic_graph(
    w: Sequence[float] = (0.5, -0.25),
    x: Sequence[float] = (1.0, 2.0),
    b: float = 0.25,
    y: float = 1.0,
) -> GraphExample:
    """One example's logistic-regression graph: ``z = w.x + b``, ``a = sigmoid(z)``, ``L(a, y)``.

    Parameters
    ----------
    w, x : sequences of float, same length ``n_x`` (2 in the lesson)
        Named ``w1, w2 ...`` and ``x1, x2 ...``.
    b : float
    y : float, 0 or 1

    Returns
    -------
    GraphExample
        Back-propagated from ``L``: ``a.grad = -y/a + (1-y)/(1-a)``,
        ``z.grad = a - y``, ``wj.grad = xj dz``, ``b.grad = dz``.
    """
    if len(w) != len(x) or not w:
        raise ValueError(
            f"w and x need the same number (>= 1) of values, got {len(w)} and {len(x)}"
        )
    if y not in (0, 1):
        raise ValueError(f"the label y must be 0 or 1, got {y!r}")
    g = Graph()
    named: dict[str, Node] = {}
    products = []
    for j, (wj, xj) in enumerate(zip(w, x, strict=True), start=1):
        named[f"w{j}"] = g.value(wj, f"w{j}")
        named[f"x{j}"] = g.value(xj, f"x{j}")
        products.append(g.name(named[f"w{j}"] * named[f"x{j}"], f"w{j}x{j}"))
    named["b"] = g.value(b, "b")
    named["y"] = g.value(y, "y")
    z = g.name(sum_nodes([*products, named["b"]], g), "z")
    a = g.name(z.sigmoid(), "a")
    L = g.name(logistic_loss(a, named["y"]), "L")
    L.backward()
    named.update(z=z, a=a, L=L)
    terms = " + ".join(f"w{j}x{j}" for j in range(1, len(w) + 1))
    return GraphExample(f"z = {terms} + b, a = sigmoid(z), L(a, y)", L, named)
