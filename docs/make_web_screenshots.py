"""Take the screenshots of the web page in docs/images (web-predict.png, web-train.png).

Run from the repository root:  python docs/make_web_screenshots.py
It needs the web and test extras (Playwright), Debian's Chromium at /usr/bin/chromium and the
course's files train_catvnoncat.h5 and test_catvnoncat.h5 in LOGISTIC_NEURON_DATA (default:
../shared/datasets beside the repository). It trains the course's classic model, starts
``logistic-neuron serve`` on a free localhost port with it, drops three photos that ship with
scikit-image on the page, trains again from the page on the course's data, and saves what the
browser shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
sys.path.insert(0, str(ROOT / "tests"))

from support.web import launch_chromium, running_server  # noqa: E402


def data_folder() -> Path:
    folder = Path(os.environ.get("LOGISTIC_NEURON_DATA", ROOT.parent / "shared" / "datasets"))
    if not (folder / "train_catvnoncat.h5").is_file():
        sys.exit(f"the course's data files are not in {folder}: set LOGISTIC_NEURON_DATA")
    return folder


def photos(folder: Path) -> list[Path]:
    """Three photos that ship with scikit-image, saved as JPEG files."""
    from PIL import Image
    from skimage import data as skimage_data

    paths = []
    for name in ("chelsea", "coffee", "astronaut"):
        path = folder / f"{name}.jpg"
        Image.fromarray(getattr(skimage_data, name)()).save(path, quality=90)
        paths.append(path)
    return paths


def main() -> None:
    from playwright.sync_api import sync_playwright

    data = data_folder()
    work = Path(tempfile.mkdtemp())
    train, test = data / "train_catvnoncat.h5", data / "test_catvnoncat.h5"
    subprocess.run(
        [sys.executable, "-m", "logistic_neuron", "train", "--data", str(train), "--test",
         str(test), "--out", str(work / "cat.npz"), "--json"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    files = photos(work)
    with (
        running_server(
            "--model", str(work / "cat.npz"), "--model-dir", str(work),
            "--data", str(train), "--test", str(test), cwd=work,
        ) as server,
        sync_playwright() as playwright,
    ):  # fmt: skip
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1180, "height": 900})
        page.goto(server.url)
        page.wait_for_selector("#model-status strong")
        page.wait_for_selector("#train-button:enabled")
        page.set_input_files("#file-input", [str(f) for f in files])
        page.wait_for_function("document.querySelectorAll('.prediction').length === 3")
        page.wait_for_timeout(300)  # let the pictures paint
        box = page.evaluate(
            "(() => { const r = document.getElementById('model').getBoundingClientRect();"
            " return r.bottom + window.scrollY + 10; })()"
        )
        page.screenshot(
            path=str(IMAGES / "web-predict.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1180, "height": box},
        )
        page.select_option("#data-choice", "data")
        page.fill("#iterations", "2000")
        page.fill("#learning-rate", "0.005")
        page.click("#train-button")
        page.wait_for_function(
            "document.getElementById('train-status').dataset.state === 'finished'", timeout=120_000
        )
        page.locator("#learn").screenshot(path=str(IMAGES / "web-train.png"))
        print(page.inner_text("#train-status"))
        browser.close()
    for name in ("web-predict.png", "web-train.png"):
        print(f"wrote docs/images/{name}")


if __name__ == "__main__":
    main()
