"""``logistic-neuron graph``: draw a computation graph with its values and derivatives."""

from __future__ import annotations

import argparse

from logistic_neuron.cli.options import add_out
from logistic_neuron.errors import UsageError
from logistic_neuron.lesson.graph import GraphExample, lesson_graph, logistic_graph
from logistic_neuron.lesson.graph_drawing import render_text, save_drawing

#: Each example's values that ``--set NAME=VALUE`` may change, with their defaults.
EXAMPLE_VALUES: dict[str, dict[str, float]] = {
    "lesson": {"a": 5.0, "b": 3.0, "c": 2.0},
    "logistic": {"w1": 0.5, "w2": -0.25, "b": 0.25, "x1": 1.0, "x2": 2.0, "y": 1.0},
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``graph``."""
    parser = subparsers.add_parser(
        "graph",
        help="show a computation graph with values and derivatives",
        description="Build one of the lesson's computation graphs, run it forward and "
        "backward, and print each node's value and derivative (or draw it with --out). "
        "lesson: J = 3(a + bc) with a=5, b=3, c=2. logistic: one example of logistic "
        "regression with two features, z = w1 x1 + w2 x2 + b, a = sigmoid(z), L(a, y).",
    )
    parser.add_argument(
        "--example",
        choices=tuple(EXAMPLE_VALUES),
        default="lesson",
        help="which of the lesson's graphs",
    )
    parser.add_argument(
        "--set",
        dest="values",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change an input, e.g. --set a=4 (lesson: a b c; logistic: w1 w2 b x1 x2 y); "
        "repeat for several (default: the lesson's values)",
    )
    add_out(
        parser,
        what="a drawing of the graph, .svg or .png (default: print it as text)",
        default=None,
        metavar="FILE",
    )
    parser.set_defaults(run=run)


def parse_values(example: str, items: list[str]) -> dict[str, float]:
    """The example's inputs: defaults overridden by ``NAME=VALUE`` items."""
    values = dict(EXAMPLE_VALUES[example])
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or name not in values:
            raise UsageError(
                f"--set {item!r}: expected NAME=VALUE with NAME one of "
                f"{', '.join(values)} for --example {example}"
            )
        try:
            values[name] = float(text)
        except ValueError:
            raise UsageError(f"--set {item!r}: {text!r} is not a number") from None
    return values


def build_example(example: str, values: dict[str, float]) -> GraphExample:
    """Build and back-propagate the named example."""
    if example == "lesson":
        return lesson_graph(values["a"], values["b"], values["c"])
    return logistic_graph(
        (values["w1"], values["w2"]), (values["x1"], values["x2"]), values["b"], values["y"]
    )


def run(args: argparse.Namespace) -> int:
    """Print the graph, or draw it."""
    example = build_example(args.example, parse_values(args.example, args.values))
    if args.out:
        path = save_drawing(example, args.out)
        print(f"drew {args.example} graph ({len(example.order)} nodes) to {path}")
        return 0
    print(render_text(example), end="")
    output = example.output
    print()
    if args.example == "lesson":
        print(
            f"J = {output.value:g}: dJ/dv = {example['v'].grad:g}, dJ/du = {example['u'].grad:g}, "
            f"dJ/da = {example['a'].grad:g}, dJ/db = {example['b'].grad:g}, "
            f"dJ/dc = {example['c'].grad:g}"
        )
    else:
        a, y = example["a"].value, example["y"].value
        closed = {
            "da": -y / a + (1 - y) / (1 - a),
            "dz": a - y,
            "dw1": example["x1"].value * (a - y),
            "dw2": example["x2"].value * (a - y),
            "db": a - y,
        }
        graph = {
            "da": example["a"].grad,
            "dz": example["z"].grad,
            "dw1": example["w1"].grad,
            "dw2": example["w2"].grad,
            "db": example["b"].grad,
        }
        print(f"L = {output.value:.6g}; the lesson's closed forms beside the chain rule's:")
        formulas = {
            "da": "-y/a + (1-y)/(1-a)",
            "dz": "a - y",
            "dw1": "x1 dz",
            "dw2": "x2 dz",
            "db": "dz",
        }
        for name, formula in formulas.items():
            print(f"  {name:<4}= {formula:<20} = {closed[name]:<12.6g} graph: {graph[name]:.6g}")
    return 0
