"""``logistic-neuron gradcheck``: check the library's gradients against two witnesses."""

from __future__ import annotations

import argparse

from logistic_neuron.cli.argtypes import positive_float, positive_int, seed
from logistic_neuron.lesson.gradcheck import DEFAULT_EPSILON, gradient_check
from logistic_neuron.neuron.backend import np

#: Finite differences check at most this many parameters by default (two cost
#: evaluations each); the report states how many were checked.
DEFAULT_FD_COORDINATES = 1000


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``gradcheck``."""
    parser = subparsers.add_parser(
        "gradcheck",
        help="check the backward pass against finite differences and the graph engine",
        description="Compare propagate's gradient with centred finite differences of the cost "
        "and with the computation-graph engine, at a random non-zero w, on a small random "
        "problem or a sample of a data set. Exit code 0 on pass, 1 on fail.",
    )
    parser.add_argument(
        "--data",
        metavar="SOURCE",
        help="sample a data set ('faces', a course .h5 file or an image folder) (default: "
        "random data)",
    )
    parser.add_argument(
        "--examples",
        type=positive_int,
        default=5,
        metavar="N",
        help="examples to use (random ones, or a sample of --data's training split)",
    )
    parser.add_argument(
        "--features",
        type=positive_int,
        default=20,
        metavar="N",
        help="features of the random problem (default 20; ignored with --data)",
    )
    parser.add_argument(
        "--fd-coordinates",
        type=positive_int,
        default=DEFAULT_FD_COORDINATES,
        metavar="N",
        help=f"parameters checked by finite differences (default {DEFAULT_FD_COORDINATES})",
    )
    parser.add_argument(
        "--epsilon",
        type=positive_float,
        default=DEFAULT_EPSILON,
        metavar="E",
        help="step of the centred finite differences",
    )
    parser.add_argument(
        "--threshold",
        type=positive_float,
        default=None,
        metavar="T",
        help="largest relative difference that passes (default 1e-7)",
    )
    parser.add_argument("--seed", type=seed, default=0, help="seed of w and of the samples")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the check and print PASS or FAIL (exit code 0 or 1)."""
    rng = np.random.default_rng(args.seed)
    if args.data is not None:
        from logistic_neuron.data.loading import load_dataset

        split = load_dataset(args.data).train
        count = min(args.examples, split.m)
        chosen = np.sort(rng.choice(split.m, size=count, replace=False))
        sample = split.subset(chosen)
        X, Y = sample.X("float64"), sample.Y().astype(np.float64)
        where = f"{count} examples sampled from {args.data} (training split)"
    else:
        X = rng.normal(size=(args.features, args.examples))
        Y = (rng.random((1, args.examples)) < 0.5).astype(np.float64)
        where = f"random problem: n_x = {args.features}, m = {args.examples}"
    n_x = X.shape[0]
    # A random, non-zero w (at w = 0 every example has a = 0.5 and many mistakes
    # cancel), scaled so that z = w^T x stays of order 1: no saturated sigmoids.
    scale = 1.0 / np.sqrt(max(float(np.mean(np.sum(X * X, axis=0))), 1e-12))
    w = rng.normal(0.0, scale, size=(n_x, 1))
    b = float(rng.normal(0.0, 0.5))
    print(where)
    result = gradient_check(
        w,
        b,
        X,
        Y,
        epsilon=args.epsilon,
        threshold=args.threshold,
        fd_coordinates=args.fd_coordinates,
        seed=args.seed,
    )
    print(result.report())
    return 0 if result.passed else 1
