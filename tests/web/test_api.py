"""The JSON API against the real Starlette app (Starlette's test client, over httpx2)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason='the web extra is not installed: pip install ".[web]"')
pytest.importorskip("httpx2", reason="httpx2 (the test client's HTTP client) is not installed")

from starlette.testclient import TestClient

from logistic_neuron.cli.main import main
from logistic_neuron.storage.model_file import load_model
from logistic_neuron.web.app import STATIC, create_app
from logistic_neuron.web.settings import ServerSettings, data_choices
from support.bad_inputs import WEB_CASES
from support.web import colour_model, hold_training, photo_bytes, train_small_model


@pytest.fixture(scope="module")
def faces_model(tmp_path_factory) -> Path:
    return train_small_model(tmp_path_factory.mktemp("faces") / "faces.npz")


@pytest.fixture(scope="module")
def rgb_model(tmp_path_factory) -> Path:
    return colour_model(tmp_path_factory.mktemp("colour"))


@pytest.fixture(scope="module")
def cat_model(tmp_path_factory, course_data_dir) -> Path:
    """A model of the course's cat data (skips when the course's files are absent)."""
    return train_small_model(
        tmp_path_factory.mktemp("cat") / "cat.npz",
        str(course_data_dir / "train_catvnoncat.h5"),
        iterations=300,
        test=str(course_data_dir / "test_catvnoncat.h5"),
    )


def make_client(model: Path | None, tmp_path: Path, **settings) -> TestClient:
    app = create_app(ServerSettings(model_path=model, model_dir=tmp_path, **settings))
    return TestClient(app)


@pytest.fixture
def client(faces_model, tmp_path):
    with make_client(faces_model, tmp_path) as test_client:
        yield test_client


def cli_predict(capsys, model: Path, *files: Path) -> dict:
    code = main(["predict", "--model", str(model), *map(str, files), "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    return json.loads(out)


def upload(*files: tuple[str, bytes]):
    return [("image", (name, data, "application/octet-stream")) for name, data in files]


# --- the page and its assets --------------------------------------------------------------


def test_page_and_assets_ship_in_the_package_and_load_nothing_from_elsewhere(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Try your own photo" in page.text and "Watch it learn" in page.text
    for asset in ("/static/app.js", "/static/style.css"):
        answer = client.get(asset)
        assert answer.status_code == 200 and len(answer.text) > 1000
    for path in STATIC.iterdir():
        text = path.read_text()
        # No CDN, no web font, no external script: every URL is relative to the server.
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I), path.name
        assert "@import" not in text and "@font-face" not in text


def test_static_files_refuse_paths_outside_the_folder(client):
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fsettings.py"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert "STATIC" not in answer.text and "import" not in answer.text


def test_unknown_paths_and_methods_get_json_errors(client):
    answer = client.get("/etc/passwd")
    assert answer.status_code == 404 and answer.json() == {"error": "nothing at /etc/passwd"}
    answer = client.get("/api/predict")
    assert answer.status_code == 405 and "GET is not allowed" in answer.json()["error"]


# --- the model ----------------------------------------------------------------------------


def test_model_describes_the_loaded_model(client, faces_model):
    document = client.get("/api/model").json()
    model = load_model(faces_model)
    assert document["loaded"] is True and document["origin"] == "faces.npz"
    assert document["classes"] == list(model.classes) and document["image_shape"] == [25, 25, 1]
    assert document["test_accuracy"] == model.test_accuracy
    assert document["limits"]["max_upload_bytes"] == 20 * 2**20
    assert [w["title"] for w in document["weights"]] == ["weights"]
    assert document["weights"][0]["png"].startswith("data:image/png;base64,")


def test_colour_model_shows_each_channel_of_its_weights(rgb_model, tmp_path):
    with make_client(rgb_model, tmp_path) as client:
        document = client.get("/api/model").json()
    assert document["image_shape"] == [64, 64, 3]
    assert [w["title"] for w in document["weights"]] == ["all channels", "red", "green", "blue"]


def test_without_a_model_the_page_asks_for_training(tmp_path):
    with make_client(None, tmp_path) as client:
        assert client.get("/api/model").json()["loaded"] is False
        answer = client.post("/api/predict", files=upload(("a.png", photo_bytes())))
        assert answer.status_code == 409 and "train one" in answer.json()["error"]


# --- predictions: identical to predict --json ---------------------------------------------


@pytest.mark.parametrize("model_name", ["faces_model", "rgb_model", "cat_model"])
def test_predict_equals_the_command_line(model_name, request, tmp_path, capsys):
    model = request.getfixturevalue(model_name)
    files = {
        "wide.png": photo_bytes((48, 80), seed=1),
        "exact.png": photo_bytes((64, 64), seed=2),
        "alpha.png": photo_bytes((30, 30), mode="RGBA", seed=3),
        "photo.jpg": photo_bytes((100, 70), fmt="JPEG", seed=4),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with make_client(model, tmp_path) as client:
        # One photo at a time, and all together, exactly as the command line scores them.
        for name in files:
            web = client.post("/api/predict", files=upload((name, files[name]))).json()
            cli = cli_predict(capsys, model, tmp_path / name)
            assert web["predictions"][0]["probability"] == cli["predictions"][0]["probability"]
            assert web["predictions"][0]["label"] == cli["predictions"][0]["label"]
        web = client.post("/api/predict", files=upload(*files.items())).json()
    cli = cli_predict(capsys, model, *(tmp_path / name for name in files))
    assert web["positive_class"] == cli["positive_class"]
    assert web["errors"] == [] and len(web["predictions"]) == 4
    for ours, theirs in zip(web["predictions"], cli["predictions"], strict=True):
        assert ours["image"] == Path(theirs["image"]).name
        for key in ("label", "class", "probability", "preprocessing"):
            assert ours[key] == theirs[key], key


def test_prediction_carries_the_pictures_and_z(client, faces_model):
    answer = client.post("/api/predict", files=upload(("a.png", photo_bytes()))).json()
    prediction = answer["predictions"][0]
    assert prediction["model_view"].startswith("data:image/png;base64,")
    assert prediction["contributions"].startswith("data:image/png;base64,")
    # z is w.x + b: the probability is its sigmoid.
    import math

    assert 1 / (1 + math.exp(-prediction["z"])) == pytest.approx(prediction["probability"])
    assert prediction["preprocessing"] == ["resized from 80x48 to 25x25", "converted from RGB to L"]


# --- bad requests: one clear line, a 4xx, and the server goes on -------------------------


@pytest.mark.parametrize("case", WEB_CASES, ids=[c.id for c in WEB_CASES])
def test_bad_requests_get_one_line_and_a_4xx(case, faces_model, tmp_path):
    with make_client(faces_model, tmp_path, **case.settings) as client:
        answer = client.post(case.path, **case.request())
        assert answer.status_code == case.status
        error = answer.json()["error"]
        assert case.message in error and "\n" not in error
        assert "Traceback" not in answer.text and "/tmp" not in answer.text
        # The server is still there and still right.
        ok = client.post("/api/predict", files=upload(("ok.png", photo_bytes())))
        assert ok.status_code == 200 and len(ok.json()["predictions"]) == 1
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_bad_photo_among_good_ones_is_reported_and_the_others_scored(client):
    answer = client.post(
        "/api/predict",
        files=upload(("a.png", photo_bytes()), ("b.txt", b"text"), ("c.png", photo_bytes(seed=5))),
    )
    assert answer.status_code == 200
    document = answer.json()
    assert [p["image"] for p in document["predictions"]] == ["a.png", "c.png"]
    assert document["errors"] == [
        {"image": "b.txt", "error": "b.txt is not an image file Pillow can read"}
    ]


def test_file_names_are_only_shown_never_used_as_paths(client, tmp_path):
    names = ["../../etc/passwd", "/etc/shadow", "..\\..\\boot.ini", "a\x1b[31m.png", "  "]
    answer = client.post(
        "/api/predict", files=upload(*((name, photo_bytes(seed=i)) for i, name in enumerate(names)))
    ).json()
    shown = [p["image"] for p in answer["predictions"]]
    assert shown == ["passwd", "shadow", "boot.ini", "a[31m.png", "photo 5"]
    assert list(tmp_path.iterdir()) == []  # nothing written anywhere


def read_events(client: TestClient, job_id: int) -> list[dict]:
    """Every event of a run, from its event stream, until the final one."""
    events = []
    with client.stream("GET", f"/api/train/events?job={job_id}") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[len("data: ") :]))
    return events


def test_training_streams_the_curve_and_leaves_a_model_to_predict_with(tmp_path, capsys):
    with make_client(None, tmp_path) as client:
        info = client.get("/api/train").json()
        assert [c["id"] for c in info["choices"]] == ["faces"]
        assert info["defaults"] == {"learning_rate": 0.005, "iterations": 2000, "optimizer": "gd"}
        assert [o["id"] for o in info["optimizers"]] == ["gd", "momentum", "rmsprop", "adam"]
        assert info["job"] is None
        answer = client.post(
            "/api/train", json={"data": "faces", "learning_rate": 0.01, "iterations": 400}
        )
        assert answer.status_code == 202
        job = answer.json()["job"]
        events = read_events(client, job["id"])
        kinds = [e["type"] for e in events]
        assert kinds[0] == "loading" and kinds[1] == "started" and kinds[-1] == "finished"
        assert events[1]["m_train"] == 150 and events[1]["m_test"] == 50
        progress = [e for e in events if e["type"] == "progress"]
        assert len(progress) == 100 and progress[0]["cost"] == pytest.approx(0.6931471805599453)
        costs = [e["cost"] for e in progress]
        assert costs == sorted(costs, reverse=True)  # gradient descent: the cost only falls
        scored = [e for e in progress if "test_accuracy" in e]
        assert len(scored) == 20 and scored[0]["iteration"] == 0
        assert all(0 <= e["test_accuracy"] <= 100 for e in scored)
        final = events[-1]
        assert final["iterations"] == 400 and final["seconds"] > 0
        # Photos are now scored with the model the run left.
        model = client.get("/api/model").json()
        assert model["origin"] == f"trained on the page (run {job['id']})"
        assert model["test_accuracy"] == final["test_accuracy"]
        # Saved under a name the server picks, in --model-dir, and the CLI agrees with the page.
        saved = client.post("/api/model/save").json()
        assert saved["saved"] == "web-model-1.npz" and Path(saved["path"]).parent == tmp_path
        assert client.post("/api/model/save").json()["saved"] == "web-model-2.npz"
        photo = tmp_path / "photo.png"
        photo.write_bytes(photo_bytes())
        web = client.post("/api/predict", files=upload(("photo.png", photo.read_bytes()))).json()
    cli = cli_predict(capsys, tmp_path / "web-model-1.npz", photo)
    assert web["predictions"][0]["probability"] == cli["predictions"][0]["probability"]
    assert load_model(tmp_path / "web-model-1.npz").num_iterations == 400


def test_one_run_at_a_time_and_the_stop_button(tmp_path, monkeypatch):
    hold_training(monkeypatch)  # the run goes on until it is stopped: no race with its end
    with make_client(None, tmp_path) as client:
        first = client.post(
            "/api/train", json={"data": "faces", "learning_rate": 0.005, "iterations": 100_000}
        ).json()["job"]
        second = client.post(
            "/api/train", json={"data": "faces", "learning_rate": 0.005, "iterations": 10}
        )
        assert second.status_code == 409
        assert "already going: one run at a time" in second.json()["error"]
        assert client.get("/api/train").json()["job"]["state"] == "running"
        stopped = client.post("/api/train/stop")
        assert stopped.status_code == 200
        events = read_events(client, first["id"])
        assert events[-1]["type"] == "stopped"
        assert events[-1]["iterations"] == 1  # held after its first step
        # The weights reached so far make the model; a new run may start.
        model = client.get("/api/model").json()
        assert model["num_iterations"] == events[-1]["iterations"]
        assert client.post("/api/train/stop").status_code == 409
        again = client.post(
            "/api/train", json={"data": "faces", "learning_rate": 0.005, "iterations": 10}
        )
        assert again.status_code == 202
        client.post("/api/train/stop")
        assert read_events(client, again.json()["job"]["id"])[-1]["type"] == "stopped"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"data": "/etc", "learning_rate": 0.01, "iterations": 10}, "unknown data set '/etc'"),
        ({"data": "faces", "learning_rate": -1, "iterations": 10}, "learning_rate must be above 0"),
        ({"data": "faces", "learning_rate": "0.1", "iterations": 10}, "must be a number"),
        ({"data": "faces", "learning_rate": 0.1, "iterations": 0}, "iterations must be between"),
        ({"data": "faces", "learning_rate": 0.1, "iterations": 10**9}, "iterations must be"),
        ({"data": "faces", "learning_rate": 0.1, "iterations": True}, "whole number"),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_training_requests(tmp_path, body, message):
    with make_client(None, tmp_path) as client:
        answer = client.post("/api/train", json=body)
    assert answer.status_code == 400 and message in answer.json()["error"]


def test_training_request_that_is_not_json(tmp_path):
    with make_client(None, tmp_path) as client:
        answer = client.post("/api/train", content=b"{not json")
        assert answer.status_code == 400 and "JSON" in answer.json()["error"]
        assert client.get("/api/train/events?job=x").status_code == 400
        assert client.get("/api/train/events?job=7").status_code == 404
        assert client.post("/api/model/save").status_code == 409


def test_a_diverging_run_fails_with_a_message_and_the_server_goes_on(tmp_path):
    with make_client(None, tmp_path) as client:
        job = client.post(
            "/api/train", json={"data": "faces", "learning_rate": 100, "iterations": 3000}
        ).json()["job"]
        events = read_events(client, job["id"])
        assert events[-1]["type"] == "failed"
        assert "learning rate 100" in events[-1]["message"]
        assert client.get("/api/model").json()["loaded"] is False
        assert client.get("/api/train").json()["job"]["state"] == "failed"


def test_the_optimiser_can_be_chosen(tmp_path):
    with make_client(None, tmp_path) as client:
        answer = client.post(
            "/api/train",
            json={"data": "faces", "learning_rate": 0.01, "iterations": 200, "optimizer": "adam"},
        )
        assert answer.status_code == 202 and answer.json()["job"]["optimizer"] == "adam"
        events = read_events(client, answer.json()["job"]["id"])
        assert events[1]["optimizer"] == "adam" and events[-1]["type"] == "finished"
        costs = [e["cost"] for e in events if e["type"] == "progress"]
        assert costs[-1] < costs[0]
        # The saved file records the optimiser and what the run did, as train's files do.
        saved = client.post("/api/model/save").json()
        model = load_model(tmp_path / saved["saved"])
        assert model.options["optimizer"] == "adam" and model.made_by == "web app"
        assert model.run["iterations_run"] == 200 and model.run["best_iteration"] is None
        bad = client.post(
            "/api/train",
            json={"data": "faces", "learning_rate": 0.01, "iterations": 9, "optimizer": "sgd!"},
        )
        assert bad.status_code == 400 and "unknown optimizer 'sgd!'" in bad.json()["error"]


def test_a_data_set_given_on_the_command_line_is_offered_by_id(tmp_path):
    from support.imagefactory import make_folder

    folder = make_folder(tmp_path / "pets", per_class=5)
    choices = data_choices(str(folder), image_size=16)
    with make_client(None, tmp_path, choices=choices) as client:
        info = client.get("/api/train").json()
        assert [c["id"] for c in info["choices"]] == ["faces", "data"]
        assert str(tmp_path) not in json.dumps(info["choices"])
        job = client.post(
            "/api/train", json={"data": "data", "learning_rate": 0.01, "iterations": 20}
        ).json()["job"]
        events = read_events(client, job["id"])
    assert events[-1]["type"] == "finished"
    assert events[1]["image_shape"] == [16, 16, 3] and events[1]["classes"] == ["non-cat", "cat"]
