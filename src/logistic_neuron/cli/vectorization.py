"""``logistic-neuron vectorization``: time the per-example loop against ``propagate``."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from logistic_neuron.cli.argtypes import positive_int
from logistic_neuron.cli.options import add_renamed
from logistic_neuron.lesson.per_example import per_example_propagate
from logistic_neuron.neuron.backend import np
from logistic_neuron.neuron.propagation import propagate

#: Random examples when no data set is given: as many as the course's training set.
RANDOM_EXAMPLES = 209


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``vectorization``."""
    parser = subparsers.add_parser(
        "vectorization",
        help="time the lesson's for-loop against vectorised propagate",
        description="Compute the cost and gradients with the lesson's per-example Python loop "
        "(on a subset of the examples) and with vectorised propagate (on all of them), "
        "check they agree, and print the time per example and the speed-up.",
    )
    parser.add_argument(
        "--data",
        metavar="SOURCE",
        help="a data set ('faces', a course .h5 file, an image folder); default: random data",
    )
    parser.add_argument(
        "--examples",
        type=positive_int,
        default=None,
        metavar="N",
        help="examples to use (default: 209 random ones, or all of --data's training split)",
    )
    parser.add_argument(
        "--loop-examples",
        type=positive_int,
        default=20,
        metavar="N",
        help="the first N of them also run through the slow per-example loop",
    )
    parser.add_argument(
        "--features",
        type=positive_int,
        default=12288,
        metavar="N",
        help="features of the random data (default 12288 = 64x64x3)",
    )
    add_renamed(parser, "--m", "--examples", dest="examples", type=positive_int)
    parser.add_argument(
        "--repeats",
        type=positive_int,
        default=5,
        metavar="N",
        help="best of N runs of propagate (default 5)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random data and of w")
    parser.set_defaults(run=run)


def _best_time(function: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def run(args: argparse.Namespace) -> int:
    """Time both and print the comparison."""
    rng = np.random.default_rng(args.seed)
    if args.data is not None:
        from logistic_neuron.data.loading import load_dataset

        split = load_dataset(args.data).train
        if args.examples is not None:
            split = split.subset(np.arange(min(args.examples, split.m)))
        X, Y = split.X("float64"), split.Y().astype(np.float64)
        where = f"{args.data} (training split)"
    else:
        examples = args.examples if args.examples is not None else RANDOM_EXAMPLES
        X = rng.random((args.features, examples))
        Y = (rng.random((1, examples)) < 0.5).astype(np.float64)
        where = f"random data (seed {args.seed})"
    n_x, m = X.shape
    w = rng.normal(0.0, 0.01, size=(n_x, 1))
    b = 0.1
    subset = min(args.loop_examples, m)
    X_sub, Y_sub = X[:, :subset], Y[:, :subset]

    start = time.perf_counter()
    loop_grads, loop_cost = per_example_propagate(w, b, X_sub, Y_sub)
    loop_time = time.perf_counter() - start
    vec_grads, vec_cost = propagate(w, b, X_sub, Y_sub)
    difference = max(
        float(np.max(np.abs(loop_grads.dw - vec_grads.dw))),
        abs(loop_grads.db - vec_grads.db),
        abs(loop_cost - vec_cost),
    )
    vec_time = _best_time(lambda: propagate(w, b, X, Y), args.repeats)

    loop_per_example = loop_time / subset
    vec_per_example = vec_time / m
    print(f"data: {where}, n_x = {n_x}, m = {m}, float64")
    print(
        f"for-loop (plain Python):  {loop_time * 1e3:10.2f} ms for the first {subset} of {m} "
        f"examples = {loop_per_example * 1e6:10.1f} us per example"
    )
    print(
        f"vectorised propagate:     {vec_time * 1e3:10.2f} ms for all {m} examples "
        f"(best of {args.repeats}) = {vec_per_example * 1e6:10.1f} us per example"
    )
    if subset < m:
        print(
            f"the loop ran on {subset} examples only; at its per-example rate all {m} would take "
            f"about {loop_per_example * m:.2f} s (an estimate: scaled, not measured)"
        )
    print(
        f"loop and propagate agree on those {subset} examples: largest difference in cost, "
        f"dw, db = {difference:.1e}"
    )
    print(f"speed-up of vectorisation: {loop_per_example / vec_per_example:,.0f}x per example")
    return 0
