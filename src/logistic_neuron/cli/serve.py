"""``logistic-neuron serve``: the web page (try your own photo, watch the neuron learn)."""

from __future__ import annotations

import argparse
from pathlib import Path

from logistic_neuron.cli.argtypes import port_number, positive_float
from logistic_neuron.cli.common import add_data_options
from logistic_neuron.cli.options import DEFAULT_MODEL, add_model_input
from logistic_neuron.errors import DataError, OutputError, UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_UPLOAD_MB = 20.0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``serve``."""
    parser = subparsers.add_parser(
        "serve",
        help="serve the web page: try your own photo, watch the neuron learn",
        description="Start a local web server with a page to score your own photos with a "
        "model and to train one while watching the cost curve. It listens on this machine only "
        "unless --host says otherwise, works offline, and stops with Ctrl-C. Needs "
        'pip install "logistic-neuron[web]".',
    )
    # The model photos are scored with; without model.npz the page starts with none.
    add_model_input(parser)
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"default {DEFAULT_PORT}; 0: any free port",
    )
    parser.add_argument(
        "--model-dir",
        default=".",
        metavar="DIR",
        help="folder where models trained on the page are saved (default: the current folder)",
    )
    parser.add_argument(
        "--max-upload-mb",
        type=positive_float,
        default=DEFAULT_MAX_UPLOAD_MB,
        metavar="MB",
        help=f"largest upload accepted, in megabytes (default {DEFAULT_MAX_UPLOAD_MB:g})",
    )
    # --data (and --test, --image-size ...) offer one more data set to train on.
    add_data_options(parser, defaults=True)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Build the app and serve it until Ctrl-C."""
    from logistic_neuron.neuron.backend import require

    for module in ("starlette", "uvicorn", "python_multipart"):
        require(module, "web")
    from logistic_neuron.web.app import create_app
    from logistic_neuron.web.server import serve
    from logistic_neuron.web.settings import ServerSettings, data_choices

    model_dir = Path(args.model_dir)
    if not model_dir.is_dir():
        raise OutputError(f"--model-dir {model_dir} is not a folder: create it first")
    if args.test is not None and args.data == "faces":
        raise UsageError("--test needs --data: the bundled faces come with their own test split")
    for source in (args.data, args.test):
        if source is not None and source != "faces" and not Path(source).exists():
            raise DataError(
                f"data source not found: {source} (use a course .h5 file or a folder of images)"
            )
    # The default model is optional here: without one the page trains one first.
    missing_default = args.model == DEFAULT_MODEL and not Path(args.model).exists()
    settings = ServerSettings(
        model_path=None if missing_default else Path(args.model),
        model_dir=model_dir,
        choices=data_choices(
            args.data,
            args.test,
            image_size=args.image_size,
            mode=args.mode,
            positive=args.positive,
            seed=args.seed,
        ),
        max_upload_bytes=int(args.max_upload_mb * 2**20),
    )
    app = create_app(settings)

    def notes() -> list[str]:
        model, _ = app.state.current.get()
        lines = []
        if model is None:
            lines.append(
                f"no model loaded ({DEFAULT_MODEL} is not here): train one on the page, "
                "or give --model PATH"
            )
        else:
            lines.append(f"scoring photos with {args.model}")
        lines.append(f"models trained on the page are saved in {model_dir.resolve()}")
        return lines

    try:
        serve(app, args.host, args.port, notes=notes)
    except KeyboardInterrupt:
        pass
    print("logistic-neuron: server stopped")
    return 0
