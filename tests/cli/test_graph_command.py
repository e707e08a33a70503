import xml.etree.ElementTree as ET

from PIL import Image

from logistic_neuron.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_graph_lesson_text(capsys):
    code, out, err = run(capsys, "graph")
    assert code == 0, err
    assert "J = 33: dJ/dv = 3, dJ/du = 3, dJ/da = 3, dJ/db = 6, dJ/dc = 9" in out
    for fragment in ("dJ/da = 3", "dJ/db = 6", "dJ/dc = 9", "u = b * c", "v = a + u"):
        assert fragment in out


def test_graph_lesson_set_values(capsys):
    code, out, _ = run(capsys, "graph", "--set", "a=1", "--set", "c=4", "--set", "b=2")
    assert code == 0
    assert "J = 27: dJ/dv = 3, dJ/du = 3, dJ/da = 3, dJ/db = 12, dJ/dc = 6" in out


def test_graph_logistic_text(capsys):
    code, out, _ = run(capsys, "graph", "--example", "logistic", "--set", "y=0")
    assert code == 0
    for name in ("da", "dz", "dw1", "dw2", "db"):
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(f"{name} "))
        closed, graph = line.split("=")[-1].split("graph:")
        assert abs(float(closed) - float(graph)) < 1e-9


def test_graph_svg_and_png(tmp_path, capsys):
    code, out, _ = run(capsys, "graph", "--out", str(tmp_path / "g.svg"))
    assert code == 0 and "g.svg" in out
    root = ET.parse(tmp_path / "g.svg").getroot()
    assert "dJ/db = 6" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    code, _, _ = run(capsys, "graph", "--example", "logistic", "--out", str(tmp_path / "g.png"))
    assert code == 0
    with Image.open(tmp_path / "g.png") as image:
        assert image.format == "PNG" and image.size[0] > 1000


def test_graph_errors(tmp_path, capsys):
    code, _, err = run(capsys, "graph", "--set", "q=1")
    assert code == 2 and "NAME one of a, b, c" in err
    code, _, err = run(capsys, "graph", "--set", "a=x")
    assert code == 2 and "not a number" in err
    code, _, err = run(capsys, "graph", "--out", str(tmp_path / "g.pdf"))
    assert code == 1 and ".svg or .png" in err
    code, _, err = run(capsys, "graph", "--out", str(tmp_path / "missing" / "g.svg"))
    assert code == 1 and "does not exist" in err
    code, _, err = run(capsys, "graph", "--example", "logistic", "--set", "y=0.5")
    assert code == 1 and "0 or 1" in err


def test_gradcheck_random(capsys):
    code, out, err = run(capsys, "gradcheck", "--features", "6", "--examples", "4")
    assert code == 0, err
    assert "PASS" in out
    assert "random problem: n_x = 6, m = 4" in out


def test_gradcheck_course_data(course_data_dir, capsys):
    code, out, err = run(
        capsys,
        "gradcheck",
        "--data",
        str(course_data_dir / "train_catvnoncat.h5"),
        "--examples",
        "3",
        "--fd-coordinates",
        "200",
    )
    assert code == 0, err
    assert "3 examples sampled from" in out
    assert "200 of 12289 parameters" in out
    assert "PASS" in out


def test_gradcheck_fails_with_exit_code_1(capsys):
    # A threshold no floating-point gradient can meet: the command must fail loudly.
    code, out, _ = run(capsys, "gradcheck", "--threshold", "1e-30")
    assert code == 1
    assert "FAIL" in out and "TOO LARGE" in out


def test_gradcheck_bad_option(capsys):
    code, _, err = run(capsys, "gradcheck", "--examples", "0")
    assert code == 2 and "--examples" in err


def test_vectorization_random(capsys):
    code, out, err = run(
        capsys, "vectorization", "--features", "50", "--examples", "30", "--loop-examples", "10"
    )
    assert code == 0, err
    assert "first 10 of 30 examples" in out
    assert "speed-up of vectorisation:" in out
    assert "estimate" in out
    agreement = next(ln for ln in out.splitlines() if "agree" in ln)
    assert float(agreement.rsplit("=", 1)[1]) <= 1e-12


def test_vectorization_course_data(course_data_dir, capsys):
    code, out, err = run(
        capsys,
        "vectorization",
        "--data",
        str(course_data_dir / "train_catvnoncat.h5"),
        "--loop-examples",
        "5",
        "--repeats",
        "1",
    )
    assert code == 0, err
    assert "n_x = 12288" in out
    assert "speed-up" in out
