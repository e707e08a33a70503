"""One self-contained HTML page about a trained model.

The page holds the training summary, the pictures of :mod:`logistic_neuron.pictures.plots`
(as PNGs embedded in ``data:`` URIs) and the accuracy tables. It needs no
server, no network and no other file: open it in any browser, mail it, or
attach it to a report. Every piece of text is escaped with :func:`html.escape`
(class names and file names come from users).

Building blocks (:class:`Picture`, :class:`Table`, :class:`Section`,
:func:`render_html`) are independent of the model; :func:`build_report`
assembles the standard report from a model and the results of
:mod:`logistic_neuron.pictures.curves`.
"""

from __future__ import annotations

import base64
import html
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logistic_neuron.storage.atomic import write_text_atomic

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from logistic_neuron.data.dataset import Split
    from logistic_neuron.neuron.metrics import Evaluation
    from logistic_neuron.pictures.curves import OverfittingCurve, RateComparison
    from logistic_neuron.storage.model_file import TrainedModel

#: Resolution of embedded pictures.
REPORT_DPI = 90

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto;
       max-width: 1180px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
.subtitle { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.95em; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: left; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
nav ul { columns: 2; }
"""


@dataclass(frozen=True)
class Picture:
    """A PNG picture with a caption."""

    png: bytes
    caption: str = ""
    alt: str = ""

    @classmethod
    def of(cls, fig: Figure, caption: str = "", alt: str = "") -> Picture:
        """Render a matplotlib figure to an embeddable picture."""
        from logistic_neuron.pictures.plots import figure_bytes

        return cls(figure_bytes(fig, "png", dpi=REPORT_DPI), caption, alt or caption)

    def html(self) -> str:
        """An ``<figure>`` with the PNG as a base64 ``data:`` URI."""
        data = base64.b64encode(self.png).decode("ascii")
        caption = f"<figcaption>{html.escape(self.caption)}</figcaption>" if self.caption else ""
        return (
            f'<figure><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(self.alt, quote=True)}">{caption}</figure>'
        )


@dataclass(frozen=True)
class Table:
    """A table of text cells; cells that look like numbers are right-aligned."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""

    def html(self) -> str:
        """The table as HTML."""
        parts = ["<table>"]
        if self.caption:
            parts.append(f"<caption>{html.escape(self.caption)}</caption>")
        if self.header:
            cells = "".join(f"<th>{html.escape(h)}</th>" for h in self.header)
            parts.append(f"<thead><tr>{cells}</tr></thead>")
        parts.append("<tbody>")
        for row in self.rows:
            cells = "".join(
                f'<td class="num">{html.escape(c)}</td>'
                if _is_number(c)
                else f"<td>{html.escape(c)}</td>"
                for c in row
            )
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</tbody></table>")
        return "".join(parts)


def _is_number(text: str) -> bool:
    try:
        float(text.removesuffix(" %"))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Section:
    """A titled part of the report: paragraphs, tables and pictures, in that order."""

    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    pictures: tuple[Picture, ...] = ()

    @property
    def anchor(self) -> str:
        """An id for links from the table of contents."""
        return "".join(c if c.isalnum() else "-" for c in self.title.lower()).strip("-")

    def html(self) -> str:
        """The section as HTML."""
        parts = [f'<section id="{self.anchor}"><h2>{html.escape(self.title)}</h2>']
        parts += [f"<p>{html.escape(p)}</p>" for p in self.paragraphs]
        parts += [t.html() for t in self.tables]
        parts += [p.html() for p in self.pictures]
        parts.append("</section>")
        return "\n".join(parts)


def render_html(title: str, sections: Sequence[Section], *, subtitle: str = "") -> str:
    """A complete, self-contained HTML page (inline style, embedded pictures)."""
    toc = "".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>' for s in sections)
    body = "\n".join(s.html() for s in sections)
    sub = f'<p class="subtitle">{html.escape(subtitle)}</p>' if subtitle else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n{sub}\n<nav><ul>{toc}</ul></nav>\n{body}\n"
        "</body>\n</html>\n"
    )


def write_report(path: str | os.PathLike[str], page: str) -> Path:
    """Write an HTML page atomically (UTF-8) and return its path."""
    write_text_atomic(path, page)
    return Path(path)


def percent(value: float | None) -> str:
    """A percentage as the course prints it (full precision), or a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value} %"


def number(value: float | None, digits: int = 6) -> str:
    """A float with ``digits`` decimals, or a dash for None / NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


def summary_table(model: TrainedModel, model_name: str = "") -> Table:
    """Hyper-parameters, data and recorded results of a model."""
    height, width, channels = model.image_shape
    final_cost = model.costs[-1] if model.costs else None
    rows = [
        ("model file", model_name or "—"),
        ("training data", model.data.source),
        ("test data", model.data.test_source),
        ("training examples", str(model.data.m_train)),
        ("test examples", str(model.data.m_test)),
        ("image size", f"{width}x{height}, {model.mode} ({channels} channel(s))"),
        ("classes (label 0, label 1)", f"{model.classes[0]}, {model.classes[1]}"),
        ("features n_x", str(model.n_x)),
        ("learning rate", f"{model.learning_rate:g}"),
        ("iterations", str(model.num_iterations)),
        ("cost recorded every", f"{model.record_every} iterations"),
        ("precision / engine", f"{model.dtype} / {model.engine}"),
        ("first recorded cost", number(model.costs[0] if model.costs else None)),
        ("last recorded cost", number(final_cost)),
        ("train accuracy (at training)", percent(model.train_accuracy)),
        ("test accuracy (at training)", percent(model.test_accuracy)),
    ]
    return Table(("", "value"), tuple(rows))


def evaluation_tables(scores: Evaluation, classes: tuple[str, str]) -> tuple[Table, Table]:
    """The scores on a data set, and its confusion matrix."""
    negative, positive = classes
    scores_table = Table(
        ("measure", "value"),
        (
            ("examples", str(scores.m)),
            ("accuracy", percent(scores.accuracy)),
            (
                f"precision (of images predicted {positive}, share right)",
                number(scores.precision, 4),
            ),
            (f"recall (of {positive} images, share found)", number(scores.recall, 4)),
            ("log loss (cost J)", number(scores.log_loss)),
        ),
        "Scores",
    )
    (tn, fp), (fn, tp) = scores.confusion_matrix
    confusion = Table(
        ("true class \\ predicted", negative, positive),
        ((negative, str(tn), str(fp)), (positive, str(fn), str(tp))),
        "Confusion matrix (rows: true class, columns: predicted class)",
    )
    return scores_table, confusion


#: The columns of the learning-rate comparison (this page and compare-learning-rates' table).
COMPARISON_COLUMNS = ("learning rate", "final cost", "train accuracy", "test accuracy", "flags")


def comparison_cells(comparison: RateComparison, *, none: str = "—") -> list[tuple[str, ...]]:
    """One row of text per learning rate, in :data:`COMPARISON_COLUMNS`.

    ``none`` stands in the flags column of a rate without flags.
    """
    return [
        (
            f"{run.learning_rate:g}",
            number(run.final_cost),
            percent(run.train_accuracy),
            percent(run.test_accuracy),
            ", ".join(run.flags) or none,
        )
        for run in comparison.runs
    ]


def comparison_table(comparison: RateComparison) -> Table:
    """Final cost and accuracies per learning rate, with flags."""
    return Table(
        COMPARISON_COLUMNS,
        tuple(comparison_cells(comparison)),
        f"Learning rates ({comparison.num_iterations} iterations each)",
    )


def overfitting_table(curve: OverfittingCurve) -> Table:
    """Where the test accuracy peaked, and where training ended."""
    best = curve.best_index
    return Table(
        ("", "iteration", "train accuracy", "test accuracy", "train cost", "test cost"),
        (
            (
                "best test accuracy",
                str(curve.iterations[best]),
                percent(curve.train_accuracy[best]),
                percent(curve.test_accuracy[best]),
                number(curve.train_cost[best]),
                number(curve.test_cost[best]),
            ),
            (
                "end of training",
                str(curve.iterations[-1]),
                percent(curve.final_train_accuracy),
                percent(curve.final_test_accuracy),
                number(curve.train_cost[-1]),
                number(curve.test_cost[-1]),
            ),
        ),
        "Train and test along training",
    )


def build_report(
    model: TrainedModel,
    *,
    model_name: str = "",
    split: Split | None = None,
    split_name: str = "",
    overfitting: OverfittingCurve | None = None,
    comparison: RateComparison | None = None,
    explanations: Sequence[tuple[str, Any]] = (),
) -> str:
    """The standard report of a model as one HTML page.

    Parameters
    ----------
    model : TrainedModel
    model_name : str
        Shown in the title (e.g. the file name).
    split : Split, optional
        Labelled data to score the model on (tables and mistakes gallery).
    split_name : str
        Where ``split`` came from.
    overfitting : OverfittingCurve, optional
        From :func:`logistic_neuron.pictures.curves.overfitting_curve`.
    comparison : RateComparison, optional
        From :func:`logistic_neuron.pictures.curves.compare_learning_rates`.
    explanations : sequence of (name, pixels)
        Images (H, W, C) uint8 as the model sees them, to explain.

    Returns
    -------
    str
        The HTML page.
    """
    from logistic_neuron.neuron.metrics import evaluate_logits
    from logistic_neuron.pictures.plots import (
        plot_explanation,
        plot_learning_curve,
        plot_learning_rates,
        plot_mistakes,
        plot_overfitting,
        plot_weights,
    )

    negative, positive = model.classes
    sections = [
        Section(
            "Training summary",
            tables=(summary_table(model, model_name),),
            pictures=(
                Picture.of(
                    plot_learning_curve(
                        model.costs,
                        record_every=model.record_every,
                        learning_rate=model.learning_rate,
                    ),
                    f"The training cost, recorded every {model.record_every} iterations.",
                ),
            ),
        )
    ]
    if split is not None:
        logits = model.logits(model.features(split.images))
        scores = evaluate_logits(logits, split.labels)
        probabilities = model.predict_proba(model.features(split.images)).reshape(-1)
        sections.append(
            Section(
                "Accuracy",
                paragraphs=(
                    f"Data: {split_name or 'the given data'} ({split.m} labelled examples).",
                ),
                tables=evaluation_tables(scores, model.classes),
            )
        )
        sections.append(
            Section(
                "Mistakes",
                paragraphs=(
                    "The images of that data the model classifies wrongly, most confident "
                    f"first, with the probability it gives to {positive!r}.",
                ),
                pictures=(
                    Picture.of(
                        plot_mistakes(split.images, split.labels, probabilities, model.classes),
                        alt="gallery of misclassified images",
                    ),
                ),
            )
        )
    sections.append(
        Section(
            "What the neuron sees",
            paragraphs=(
                "The learned weights w laid out as an image: each pixel value is multiplied by "
                f"its weight; red weights push the decision towards {positive!r}, blue ones "
                f"towards {negative!r}, white ones do not matter.",
            ),
            pictures=(
                Picture.of(
                    plot_weights(model.w, model.image_shape, classes=model.classes),
                    alt="the weights as an image",
                ),
            ),
        )
    )
    if overfitting is not None:
        sections.append(
            Section(
                "Overfitting",
                paragraphs=(
                    f"The model retrained with its settings (learning rate "
                    f"{overfitting.learning_rate:g}, {overfitting.num_iterations} iterations), "
                    f"scored on both sets every {overfitting.every} iterations. When the "
                    "training accuracy keeps rising while the test accuracy does not, the model "
                    "learns its training images by heart.",
                ),
                tables=(overfitting_table(overfitting),),
                pictures=(Picture.of(plot_overfitting(overfitting), alt="train vs test"),),
            )
        )
    if comparison is not None:
        sections.append(
            Section(
                "Learning rates",
                paragraphs=(
                    "One model per learning rate, trained from zeros on the same data. A rate "
                    "is flagged when its cost rose between two records or training diverged.",
                ),
                tables=(comparison_table(comparison),),
                pictures=(
                    Picture.of(plot_learning_rates(comparison), alt="cost per learning rate"),
                ),
            )
        )
    if explanations:
        pictures = tuple(
            Picture.of(
                plot_explanation(pixels, model.w, model.b, model.classes, title=name),
                alt=f"explanation of {name}",
            )
            for name, pixels in explanations
        )
        sections.append(
            Section(
                "Your images, explained",
                paragraphs=(
                    "Each image as the model sees it, the probability it gives, and how much "
                    "each pixel pushes the decision (w · x).",
                ),
                pictures=pictures,
            )
        )
    from logistic_neuron.version import __version__

    title = f"logistic-neuron report: {model_name}" if model_name else "logistic-neuron report"
    subtitle = (
        f"A {model.image_shape[1]}x{model.image_shape[0]} {model.mode} {positive} / {negative} "
        f"classifier; made by logistic-neuron {__version__}."
    )
    return render_html(title, sections, subtitle=subtitle)
