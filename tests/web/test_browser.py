"""The page as a person uses it: a real headless Chromium (Debian's) driven by Playwright.

The browser is the system's ``/usr/bin/chromium`` (``.ci/run`` installs it with
apt-get); Playwright's own browser download is never used. The server is the
real ``logistic-neuron serve`` process on a free localhost port.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logistic_neuron.cli.main import main
from support.web import (
    CHROMIUM,
    hold_training,
    launch_chromium,
    photo_bytes,
    running_server,
    server_in_thread,
    train_small_model,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason='Playwright is not installed: pip install ".[test]"'
    )
    if not CHROMIUM.exists():
        pytest.skip(
            "no system Chromium at /usr/bin/chromium: install it with "
            "'apt-get install -y chromium' (.ci/run does) to run the browser tests"
        )
    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    train_small_model(folder / "faces.npz")
    (folder / "saved").mkdir()
    (folder / "photo.png").write_bytes(photo_bytes((90, 120), seed=7))
    (folder / "second.jpg").write_bytes(photo_bytes((60, 60), fmt="JPEG", seed=8))
    (folder / "notes.txt").write_bytes(b"this is not a photo\n")
    # Random noise compresses badly: about 2.9 MB, over the 1 MB limit below.
    (folder / "huge.png").write_bytes(photo_bytes((1000, 1000), seed=9))
    return folder


@pytest.fixture(scope="module")
def server(workspace):
    with running_server(
        "--model",
        str(workspace / "faces.npz"),
        "--model-dir",
        str(workspace / "saved"),
        "--max-upload-mb",
        "1",
    ) as running:
        yield running


@pytest.fixture
def page(chromium, server):
    context = chromium.new_context(viewport={"width": 1200, "height": 1000})
    page = context.new_page()
    page.problems = []  # console errors and uncaught exceptions
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.goto(server.url)
    page.wait_for_selector("#model-status strong")
    page.wait_for_selector("#train-button:enabled")
    yield page
    context.close()


def cli_probability(capsys, model: Path, photo: Path) -> float:
    assert main(["predict", "--model", str(model), str(photo), "--json"]) == 0
    return json.loads(capsys.readouterr().out)["predictions"][0]["probability"]


def test_page_loads_with_no_console_errors(page):
    assert page.problems == []
    assert "face or non-face" in page.inner_text("#model-status")
    assert page.locator("#weights img").count() == 1
    assert page.locator("#data-choice option").count() == 1
    assert "up to 20 photos, 1 MB in all" in page.inner_text("#limit-hint")


def test_upload_a_photo_and_read_the_probability(page, workspace, capsys):
    page.set_input_files("#file-input", str(workspace / "photo.png"))
    card = page.locator(".prediction").first
    card.wait_for()
    shown = float(card.locator(".probability").inner_text())
    expected = cli_probability(capsys, workspace / "faces.npz", workspace / "photo.png")
    assert shown == round(expected, 4)
    assert card.locator("h3").inner_text() == "photo.png"
    assert "resized from 120x90 to 25x25" in card.locator(".notes").inner_text()
    # The model's view is the model's size; the overlay lies on the photo itself.
    size = card.locator("img.model-view").evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert size == [25, 25]
    assert card.locator(".overlay-box img.photo").evaluate("i => i.naturalWidth") == 120
    assert page.problems == []


def test_several_photos_make_a_gallery_and_a_bad_one_says_why(page, workspace):
    page.set_input_files(
        "#file-input",
        [str(workspace / "photo.png"), str(workspace / "second.jpg"), str(workspace / "notes.txt")],
    )
    page.wait_for_selector(".card.failed")
    assert page.locator(".prediction").count() == 2
    assert (
        page.locator(".card.failed")
        .inner_text()
        .endswith("notes.txt is not an image file Pillow can read")
    )
    assert "notes.txt is not an image file" in page.inner_text("#predict-error")


def test_drop_and_paste_a_photo(page, workspace):
    data = list((workspace / "second.jpg").read_bytes())
    for event in ("drop", "paste"):
        page.evaluate(
            """([bytes, kind]) => {
                const file = new File([new Uint8Array(bytes)], `${kind}.jpg`, {type: "image/jpeg"});
                const transfer = new DataTransfer();
                transfer.items.add(file);
                if (kind === "drop") {
                  const target = document.getElementById("drop-zone");
                  target.dispatchEvent(
                    new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
                } else {
                  document.dispatchEvent(
                    new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true}));
                }
            }""",
            [data, event],
        )
        page.wait_for_selector(f".prediction h3:text-is('{event}.jpg')")
    assert page.locator(".prediction").count() == 2
    assert page.problems == []


def test_an_upload_over_the_limit_shows_the_413_message(page, workspace):
    with page.expect_response("**/api/predict") as response:
        page.set_input_files("#file-input", str(workspace / "huge.png"))
    assert response.value.status == 413
    error = page.locator("#predict-error")
    error.wait_for(state="visible")
    assert error.inner_text().startswith("the upload is larger than this server's limit of 1 MB")
    assert page.locator(".prediction").count() == 0


def test_train_and_watch_the_curve_move_then_save(chromium, workspace, tmp_path, monkeypatch):
    # In this process: the run is held after its first step, so the page is seen with one
    # point of the curve, then released and seen again with all of them.
    import threading

    from logistic_neuron.web.app import create_app
    from logistic_neuron.web.settings import ServerSettings

    release = threading.Event()
    hold_training(monkeypatch, release)
    app = create_app(ServerSettings(model_path=workspace / "faces.npz", model_dir=tmp_path))
    with server_in_thread(app) as url:
        context = chromium.new_context()
        page = context.new_page()
        problems = []
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.goto(url)
        page.wait_for_selector("#model-status strong")
        page.wait_for_selector("#train-button:enabled")  # the page has its choices
        page.fill("#iterations", "3000")
        page.fill("#learning-rate", "0.005")
        page.click("#train-button")
        page.wait_for_function("document.getElementById('cost-chart').dataset.points === '1'")
        assert page.inner_text("#iteration") == "1"
        assert float(page.inner_text("#cost-value")) == 0.693147
        release.set()
        page.wait_for_function(
            "document.getElementById('train-status').dataset.state === 'finished'"
        )
        assert page.get_attribute("#cost-chart", "data-points") == "100"
        status = page.inner_text("#train-status")
        assert "3000 iterations in" in status and "Photos are now scored with this model" in status
        assert float(page.inner_text("#cost-value")) < 0.693
        assert page.inner_text("#test-accuracy").endswith("%")
        page.wait_for_function(
            "document.getElementById('model-status').innerText.includes('run 1')"
        )
        page.click("#save-button")
        page.wait_for_function(
            "document.getElementById('train-status').innerText.includes('saved')"
        )
        assert "Model saved as web-model-1.npz" in page.inner_text("#train-status")
        assert (tmp_path / "web-model-1.npz").is_file()
        assert problems == []
        context.close()


def test_stop_button_ends_a_long_run(chromium, workspace, tmp_path, monkeypatch):
    # In this process, so that the run can be held until Stop is pressed (no race with its end).
    from logistic_neuron.web.app import create_app
    from logistic_neuron.web.settings import ServerSettings

    hold_training(monkeypatch)
    app = create_app(ServerSettings(model_path=workspace / "faces.npz", model_dir=tmp_path))
    with server_in_thread(app) as url:
        context = chromium.new_context()
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("#model-status strong")
        page.wait_for_selector("#train-button:enabled")  # the page has its choices
        page.fill("#iterations", "100000")
        page.click("#train-button")
        page.wait_for_function("Number(document.getElementById('cost-chart').dataset.points) >= 1")
        assert page.is_enabled("#stop-button") and not page.is_enabled("#train-button")
        page.click("#stop-button")
        page.wait_for_function(
            "document.getElementById('train-status').dataset.state === 'stopped'"
        )
        assert "stopped after 1 iteration in" in page.inner_text("#train-status")
        assert page.is_enabled("#train-button") and not page.is_enabled("#stop-button")
        context.close()
