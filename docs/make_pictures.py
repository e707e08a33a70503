"""Draw the pictures of docs/pictures.md from the course's cat data, and write the page.

Run from the repository root:  python docs/make_pictures.py
It needs the course's files train_catvnoncat.h5 and test_catvnoncat.h5 in the
folder named by LOGISTIC_NEURON_DATA (default: ../shared/datasets beside the
repository) and matplotlib. It trains the course's classic model (2000
iterations at 0.005), the course's learning-rate comparison (1500 iterations at
0.01, 0.001 and 0.0001) and an overfitting run, and takes 1-2 minutes.
The numbers on the page are the ones this run measured.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from logistic_neuron.cli.train import build_model
from logistic_neuron.data.loading import load_dataset
from logistic_neuron.engines.resolver import fit
from logistic_neuron.pictures.curves import compare_learning_rates, overfitting_curve
from logistic_neuron.pictures.plots import (
    plot_explanation,
    plot_learning_curve,
    plot_learning_rates,
    plot_mistakes,
    plot_overfitting,
    plot_weights,
    save_figure,
)
from logistic_neuron.pictures.report import comparison_table, overfitting_table
from logistic_neuron.storage.atomic import write_text_atomic

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
PAGE = ROOT / "docs" / "pictures.md"
DPI = 80


def data_folder() -> Path:
    folder = Path(os.environ.get("LOGISTIC_NEURON_DATA", ROOT.parent / "shared" / "datasets"))
    if not (folder / "train_catvnoncat.h5").is_file():
        sys.exit(f"the course's data files are not in {folder}: set LOGISTIC_NEURON_DATA")
    return folder


def markdown_table(table) -> str:  # a report.Table
    lines = ["| " + " | ".join(table.header) + " |", "|" + "---|" * len(table.header)]
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    return "\n".join(lines)


def own_images(size: tuple[int, int]) -> list[tuple[str, object]]:
    """Two photos that ship with scikit-image, resized as predict resizes image files."""
    import tempfile

    from PIL import Image
    from skimage import data as skimage_data

    from logistic_neuron.data.images import read_image

    pictures = []
    with tempfile.TemporaryDirectory() as folder:
        for name, pixels in (
            ("chelsea.png", skimage_data.chelsea()),
            ("coffee.png", skimage_data.coffee()),
        ):
            path = Path(folder) / name
            Image.fromarray(pixels).save(path)
            pictures.append((name, read_image(path, size, "RGB")))
    return pictures


def main() -> None:
    folder = data_folder()
    data = load_dataset(str(folder / "train_catvnoncat.h5"), str(folder / "test_catvnoncat.h5"))
    X, Y, X_test, Y_test = data.train.pixels(), data.train.Y(), data.test.pixels(), data.test.Y()
    IMAGES.mkdir(exist_ok=True)
    written = []

    def save(fig, name: str, dpi: int = DPI) -> None:  # a matplotlib Figure
        written.append(save_figure(fig, IMAGES / name, dpi=dpi))

    result = fit(X, Y, num_iterations=2000, learning_rate=0.005)
    model = build_model(result, data, "float64", "reference")
    save(plot_learning_curve(model.costs, learning_rate=model.learning_rate), "learning-curve.png")
    comparison = compare_learning_rates(X, Y, X_test, Y_test)
    save(plot_learning_rates(comparison), "learning-rates.png")
    curve = overfitting_curve(
        X, Y, X_test, Y_test, num_iterations=2000, learning_rate=0.005, every=20
    )
    save(plot_overfitting(curve), "overfitting.png")
    save(plot_weights(model.w, model.image_shape, classes=model.classes), "weights.png")
    probabilities = model.predict_proba_images(data.test.images)
    save(
        plot_mistakes(
            data.test.images,
            data.test.labels,
            probabilities,
            model.classes,
            max_images=8,
            columns=4,
        ),
        "mistakes.png",
        dpi=DPI,
    )
    explained = []
    for name, image in own_images(model.image_shape[:2]):
        notes = "; ".join(image.changes())
        stem = Path(name).stem
        save(
            plot_explanation(
                image.pixels, model.w, model.b, model.classes, title=f"{name} ({notes})"
            ),
            f"explain-{stem}.png",
        )
        p = float(model.predict_proba_images(image.pixels[None])[0])
        explained.append(f"`{name}`: p(cat) = {p:.4f}")
    page = TEMPLATE.format(
        train=model.train_accuracy,
        test=model.test_accuracy,
        rates=markdown_table(comparison_table(comparison)),
        overfitting=markdown_table(overfitting_table(curve)),
        best_iteration=curve.best_iteration,
        best=curve.best_test_accuracy,
        explained="; ".join(explained),
    )
    write_text_atomic(PAGE, page)
    for path in written:
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")
    print(f"{PAGE.relative_to(ROOT)} written")


TEMPLATE = """# Pictures

Every picture on this page was drawn by `python docs/make_pictures.py` from the course's cat
data (209 training and 50 test images, 64x64 RGB); the numbers are the ones that run measured.
Each plotting function lives in `logistic_neuron.pictures.plots`, takes plain data, returns a
matplotlib `Figure` (it never calls `show()`), and `save_figure(fig, "name.png")` (or `.svg`)
writes it. matplotlib is an optional extra: `pip install "logistic-neuron[plot]"`.

## Learning curve

The course's classic run: 2000 iterations at learning rate 0.005 (train accuracy {train} %,
test accuracy {test} %).

```
logistic-neuron train --data train_catvnoncat.h5 --test test_catvnoncat.h5 \\
    --iterations 2000 --learning-rate 0.005 --plots pictures/
```
```python
from logistic_neuron.pictures.plots import plot_learning_curve, save_figure
fig = plot_learning_curve(model.costs, record_every=100, learning_rate=0.005)
save_figure(fig, "learning-curve.png")
```

![Learning curve](images/learning-curve.png)

## Learning rates

The course's comparison, with its settings (1500 iterations per rate):

```
logistic-neuron compare-learning-rates --data train_catvnoncat.h5 --test test_catvnoncat.h5
```
```python
from logistic_neuron.pictures.curves import compare_learning_rates
from logistic_neuron.pictures.plots import plot_learning_rates
comparison = compare_learning_rates(X_train, Y_train, X_test, Y_test)  # 0.01, 0.001, 0.0001
fig = plot_learning_rates(comparison)
```

{rates}

These are the course's numbers to the last digit. At 0.01 the cost jumps up at iteration 100
before it falls (flagged "cost rose"): the step is at the edge of too large.

![Cost per learning rate](images/learning-rates.png)

## Overfitting

Train and test accuracy and cost, scored every 20 iterations of the classic run. The test
accuracy peaks early (iteration {best_iteration}: {best} %) while the training accuracy keeps
climbing to 99 %: the neuron learns its 209 training images by heart.

```
logistic-neuron overfitting --data train_catvnoncat.h5 --test test_catvnoncat.h5 --record-every 20
```
```python
from logistic_neuron.pictures.curves import overfitting_curve
from logistic_neuron.pictures.plots import plot_overfitting
fig = plot_overfitting(overfitting_curve(X_train, Y_train, X_test, Y_test, every=20))
```

{overfitting}

![Train vs test along training](images/overfitting.png)

## What the neuron sees

The classic model's 12288 weights laid out as a 64x64x3 image: red weights push towards
"cat", blue ones towards "non-cat". There is no cat in them: the neuron has no notion of
shape, only of which pixel colours were more common in the cat photos of its training set.

```python
from logistic_neuron.pictures.plots import plot_weights
fig = plot_weights(model.w, model.image_shape, classes=model.classes)
```

![Weights as an image](images/weights.png)

## Mistakes

The test images the classic model gets wrong, the most confident mistakes first (the
picture here shows 8 of them to stay small; the default shows up to 30).

```python
from logistic_neuron.pictures.plots import plot_mistakes
p = model.predict_proba_images(data.test.images)
fig = plot_mistakes(data.test.images, data.test.labels, p, model.classes)
```

![Mistakes gallery](images/mistakes.png)

## Your own image, explained

Two photos that ship with scikit-image, as `predict --plots DIR` draws them ({explained}):
the image as the model sees it after resizing, and each pixel's contribution `w * x` to
`z = w . x + b`.

```
logistic-neuron predict --model cat.npz chelsea.png --plots explained/
```
```python
from logistic_neuron.data.images import load_image
from logistic_neuron.pictures.plots import plot_explanation
fig = plot_explanation(load_image("chelsea.png", (64, 64)), model.w, model.b, model.classes)
```

![Explanation of a cat photo](images/explain-chelsea.png)
![Explanation of a coffee photo](images/explain-coffee.png)

## Report

`logistic-neuron report --model cat.npz --out report.html` writes one HTML page with all of
the above (pictures embedded, no server needed): training summary, accuracy and confusion
tables on the model's test data, mistakes, weights, an overfitting view (a retraining; skip
with `--no-overfitting`), a learning-rate comparison (`--rates`, skip with
`--no-comparison`) and your images (image files after the options, as in `predict`).
"""


if __name__ == "__main__":
    main()
