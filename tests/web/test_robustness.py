"""Whatever arrives, the server answers with JSON and a 2xx or 4xx: never a crash, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("starlette", reason='the web extra is not installed: pip install ".[web]"')
pytest.importorskip("httpx2", reason="httpx2 (the test client's HTTP client) is not installed")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from logistic_neuron.web.app import create_app
from logistic_neuron.web.server import is_loopback
from logistic_neuron.web.settings import ServerSettings
from logistic_neuron.web.uploads import display_name
from support.web import photo_bytes, train_small_model


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("robust")
    model = train_small_model(Path(folder) / "faces.npz")
    app = create_app(ServerSettings(model_path=model, model_dir=folder, max_upload_bytes=64_000))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


# Random bytes, and real images with random damage (cut, bytes flipped).
def damaged(seed: int, cut: float, flips: list[tuple[float, int]]) -> bytes:
    data = bytearray(photo_bytes((20, 30), fmt="PNG" if seed % 2 else "JPEG", seed=seed))
    data = data[: max(1, int(len(data) * cut))]
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    return bytes(data)


uploads = st.one_of(
    st.binary(max_size=3000),
    st.builds(
        damaged,
        st.integers(0, 50),
        st.floats(0.05, 1.0),
        st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=8),
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=uploads, name=st.text(max_size=40))
def test_any_upload_gets_an_answer_never_a_crash(client, data, name):
    answer = client.post("/api/predict", files=[("image", (name or "x", data, "image/png"))])
    assert answer.status_code in (200, 422), answer.text
    document = answer.json()
    if answer.status_code == 422:
        assert document["error"] and "\n" not in document["error"]
    else:
        assert 0 <= document["predictions"][0]["probability"] <= 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {
                "data": st.sampled_from(["faces", "x", ""]),
                "learning_rate": json_values,
                "iterations": json_values,
                "optimizer": json_values,
            }
        ),
    )
)
def test_any_training_request_gets_an_answer_never_a_crash(client, body):
    import json

    answer = client.post(
        "/api/train", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert answer.status_code in (202, 400, 409), answer.text
    if answer.status_code == 202:
        client.post("/api/train/stop")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.8.9.1", True),
     ("0.0.0.0", False), ("192.168.1.5", False), ("example.org", False)],
)  # fmt: skip
def test_which_hosts_are_this_machine_only(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("cat.jpg", "cat.jpg"), ("C:\\\\photos\\\\cat.jpg", "cat.jpg"), ("a/b/../c.png", "c.png"),
     ("\x1b]0;pwned\x07x.png", "]0;pwnedx.png"), ("", "photo 3"), ("x" * 300, "x" * 119 + "…")],
)  # fmt: skip
def test_display_names(raw, shown):
    assert display_name(raw, 2) == shown
