"""``logistic-neuron serve`` as a real process: uvicorn on a free localhost port, Ctrl-C."""

from __future__ import annotations

import concurrent.futures
import json
import socket
import sys
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx2", reason="httpx2 (an HTTP client) is not installed")
pytest.importorskip("uvicorn", reason='the web extra is not installed: pip install ".[web]"')

from logistic_neuron.cli.main import main  # noqa: E402
from support.web import photo_bytes, running_server, train_small_model  # noqa: E402


@pytest.fixture(scope="module")
def faces_model(tmp_path_factory) -> Path:
    return train_small_model(tmp_path_factory.mktemp("faces") / "faces.npz")


def test_serve_listens_on_localhost_answers_and_stops_cleanly_on_ctrl_c(
    faces_model, tmp_path, capsys
):
    photo = tmp_path / "photo.png"
    photo.write_bytes(photo_bytes())
    with running_server("--model", str(faces_model), "--model-dir", str(tmp_path)) as server:
        assert server.url.startswith("http://127.0.0.1:")
        banner = "".join(server.lines)
        assert "only this machine can open it" in banner
        assert f"scoring photos with {faces_model}" in banner
        assert "press Ctrl-C to stop" in banner
        with httpx.Client(base_url=server.url) as client:
            assert "Try your own photo" in client.get("/").text
            answer = client.post(
                "/api/predict", files=[("image", ("photo.png", photo.read_bytes(), "image/png"))]
            )
            assert answer.status_code == 200
            web = answer.json()["predictions"][0]
        code, out, err = server.stop()
    assert code == 0, err
    assert out.rstrip().endswith("logistic-neuron: server stopped")
    assert "Traceback" not in err and "Error" not in err
    # The real server's answer is the command line's, to the last bit.
    assert main(["predict", "--model", str(faces_model), str(photo), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)["predictions"][0]
    assert web["probability"] == cli["probability"] and web["label"] == cli["label"]


def test_a_slow_upload_does_not_block_other_requests(faces_model, tmp_path):
    with running_server("--model", str(faces_model)) as server:
        host, port = server.url[len("http://") :].rstrip("/").split(":")
        # A client that starts an upload and then stalls, mid-body.
        stalled = socket.create_connection((host, int(port)))
        stalled.sendall(
            b"POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
            b"Content-Type: multipart/form-data; boundary=xx\r\n\r\n--xx\r\n"
        )
        try:
            with httpx.Client(base_url=server.url) as client:
                # Meanwhile other people are served at once, several at a time.
                def one(i: int) -> int:
                    files = [("image", (f"{i}.png", photo_bytes(seed=i), "image/png"))]
                    return client.post("/api/predict", files=files).status_code

                with concurrent.futures.ThreadPoolExecutor(4) as pool:
                    assert list(pool.map(one, range(8))) == [200] * 8
                assert client.get("/api/model").json()["loaded"] is True
        finally:
            stalled.close()
        code, _, err = server.stop()
    assert code == 0, err


def test_port_in_use_is_one_line(tmp_path, capsys):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        port = taken.getsockname()[1]
        code = main(["serve", "--port", str(port), "--model-dir", str(tmp_path)])
    finally:
        taken.close()
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip() == (
        f"logistic-neuron: error: port {port} on 127.0.0.1 is already in use: choose another "
        "with --port (or --port 0 for any free one)"
    )


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["serve", "--port", "70000"], 2, "expected a port from 0 to 65535"),
        (["serve", "--model", "missing.npz"], 1, "model file not found: missing.npz"),
        (["serve", "--model-dir", "no/such/folder"], 1, "--model-dir no/such/folder is not"),
        (["serve", "--data", "nowhere.h5"], 1, "data source not found: nowhere.h5"),
        (["serve", "--test", "t.h5"], 2, "--test needs --data"),
        (["serve", "--max-upload-mb", "0"], 2, "expected a finite number > 0"),
    ],
)
def test_bad_serve_options(argv, code, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == code
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err


def test_without_the_web_extra_the_error_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn now fails
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert 'pip install "logistic-neuron[web]"' in err and "uvicorn" in err


def test_importing_the_package_does_not_load_the_web_stack():
    import subprocess

    code = (
        "import sys, logistic_neuron\n"
        "from logistic_neuron.cli.main import build_parser\n"
        "build_parser()\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in "
        "('starlette', 'uvicorn', 'python_multipart', 'logistic_neuron.web') "
        "or n.startswith('logistic_neuron.web')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
