"""``logistic-neuron pack``: decode a data source once into a chunked Zarr store."""

from __future__ import annotations

import argparse
import sys

from logistic_neuron.cli.argtypes import positive_int
from logistic_neuron.cli.progress import ProgressBar
from logistic_neuron.data.store import PARTIAL_SUFFIX, open_source, open_store, pack


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``pack``."""
    parser = subparsers.add_parser(
        "pack",
        help="decode a data set once into a chunked, compressed Zarr store",
        description="Read SOURCE ('faces', a course .h5 file or a folder with two class "
        "subfolders), decode its images in parallel and write them to the Zarr store OUT: "
        "uint8 images chunked along examples, labels, class names, image shape and mode, and "
        "a content fingerprint. OUT is a SOURCE for train, evaluate and report, and what "
        "'train --scheduler/--workers' shares out to a Dask cluster. An interrupted pack "
        f"resumes when run again (it writes into OUT{PARTIAL_SUFFIX} until it is complete). "
        'Needs pip install "logistic-neuron[distributed]".',
    )
    parser.add_argument("source", metavar="SOURCE", help="'faces', a .h5 file or an image folder")
    parser.add_argument("out", metavar="OUT", help="the store folder to create, e.g. cats.zarr")
    parser.add_argument(
        "--chunk-size",
        type=positive_int,
        metavar="N",
        help="images per chunk (default: about 8 MB of pixels per chunk)",
    )
    parser.add_argument(
        "--image-size",
        type=positive_int,
        default=64,
        metavar="N",
        help="image folders are resized to N x N pixels (default 64)",
    )
    parser.add_argument(
        "--mode",
        choices=("RGB", "L"),
        default="RGB",
        help="colour mode for image folders: RGB (default) or L (grey)",
    )
    parser.add_argument(
        "--positive",
        metavar="CLASS",
        help="which class subfolder of an image folder is the positive class (label 1) "
        "(default: understood from names such as cat/non-cat)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Pack, then open the result to check it and say what was written."""
    source = open_source(
        args.source,
        image_size=(args.image_size, args.image_size),
        mode=args.mode,
        positive=args.positive,
    )
    bar = ProgressBar(source.m)
    try:
        out = pack(
            source, args.out, chunk_examples=args.chunk_size, progress=lambda d, t: bar.update(d)
        )
    finally:
        bar.close()
    store = open_store(out)
    height, width, channels = store.image_shape
    print(
        f"packed {store.m} images ({height}x{width}x{channels} {store.mode}, classes "
        f"{store.classes[0]}/{store.classes[1]}) into {out}: {store.n_chunks} chunks of "
        f"{store.chunk_examples}; fingerprint {store.fingerprint[:16]}",
        file=sys.stdout,
    )
    return 0
