"""One model, two doors: the command line's model files load into the estimator, and back."""

import json

import numpy as np
import pytest
from PIL import Image
from sklearn.exceptions import NotFittedError

from logistic_neuron.cli.main import main
from logistic_neuron.data.loading import load_dataset
from logistic_neuron.errors import ModelFileError
from logistic_neuron.estimator import LogisticNeuronClassifier
from logistic_neuron.storage.model_file import load_model


@pytest.fixture(scope="module")
def faces():
    """The bundled 25x25 grey faces: (train rows, train labels, test images)."""
    data = load_dataset("faces")
    return data


def rows(images):
    return images.reshape(len(images), -1)


def test_a_command_line_model_loads_into_the_estimator(faces, tmp_path, capsys):
    path = tmp_path / "cli.npz"
    assert main(["train", "--iterations", "40", "--out", str(path)]) == 0
    capsys.readouterr()
    saved = load_model(path)
    assert saved.made_by == "command line"
    clf = LogisticNeuronClassifier.load(path)
    assert clf.made_by_ == "command line"
    assert list(clf.classes_) == ["non-face", "face"]  # [negative, positive], as the file says
    assert clf.n_features_in_ == 625 and clf.image_shape_ == (25, 25, 1) and clf.mode_ == "L"
    assert clf.costs_ == list(saved.costs) and clf.n_iter_ == 40
    test_images = faces.test.images
    expected = saved.predict_proba_images(test_images)
    np.testing.assert_allclose(clf.predict_proba(rows(test_images))[:, 1], expected, rtol=1e-12)
    np.testing.assert_array_equal(
        clf.predict(rows(test_images)), np.where(expected > 0.5, "face", "non-face")
    )


def test_an_estimator_model_predicts_from_the_command_line(faces, tmp_path, capsys):
    clf = LogisticNeuronClassifier(num_iterations=200)
    clf.fit(rows(faces.train.images), faces.train.labels)
    path = clf.save(tmp_path / "estimator.npz")  # 625 = 25 * 25: a 25x25 grey image
    saved = load_model(path)
    assert saved.made_by == "estimator"
    assert saved.image_shape == (25, 25, 1) and saved.mode == "L"
    assert saved.classes == ("0", "1") and saved.learning_rate == clf.learning_rate_
    assert saved.train_accuracy is None and saved.test_accuracy is None
    face = faces.test.images[0]
    picture = tmp_path / "face.png"
    Image.fromarray(face[:, :, 0], mode="L").save(picture)
    assert main(["predict", "--model", str(path), str(picture), "--json"]) == 0
    prediction = json.loads(capsys.readouterr().out)["predictions"][0]
    expected = clf.predict_proba(rows(face[None]))[0, 1]
    assert prediction["probability"] == pytest.approx(expected, rel=1e-12)
    assert prediction["class"] == str(clf.predict(rows(face[None]))[0])
    back = LogisticNeuronClassifier.load(path)
    assert back.made_by_ == "estimator" and back.classes_.dtype.kind == "i"
    assert back.learning_rate == "auto" and back.learning_rate_ == clf.learning_rate_
    np.testing.assert_array_equal(
        back.predict(rows(faces.test.images)), clf.predict(rows(faces.test.images))
    )
    np.testing.assert_array_equal(back.coef_, clf.coef_)


@pytest.mark.parametrize(
    "labels",
    [["no", "yes"], [False, True], [-1.0, 2.0], [3, 7]],
    ids=["str", "bool", "float", "int"],
)
def test_class_labels_keep_their_type_through_a_file(labels, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    y = np.where(X[:, 0] > 0, labels[1], labels[0])
    clf = LogisticNeuronClassifier(num_iterations=50, learning_rate=0.5).fit(X, y)
    back = LogisticNeuronClassifier.load(clf.save(tmp_path / "m.npz"))
    assert back.classes_.tolist() == clf.classes_.tolist()
    assert back.classes_.dtype.kind == clf.classes_.dtype.kind
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))
    assert back.learning_rate == 0.5 and back.n_features_in_ == 5
    assert load_model(tmp_path / "m.npz").image_shape == (1, 5, 1)  # no square image of 5


def test_saving_needs_a_fitted_model_and_a_matching_image_shape(tmp_path):
    with pytest.raises(NotFittedError):
        LogisticNeuronClassifier().save(tmp_path / "m.npz")
    X = np.random.default_rng(0).normal(size=(20, 12))
    clf = LogisticNeuronClassifier(num_iterations=5).fit(X, X[:, 0] > 0)
    with pytest.raises(ValueError, match=r"image_shape \(5, 5, 1\) does not hold the model's 12"):
        clf.save(tmp_path / "m.npz", image_shape=(5, 5, 1))
    with pytest.raises(ValueError, match="mode 'L' does not fit 3 channels"):
        clf.save(tmp_path / "m.npz", image_shape=(2, 2, 3), mode="L")
    assert not (tmp_path / "m.npz").exists()
    with pytest.raises(ModelFileError):
        LogisticNeuronClassifier.load(tmp_path / "missing.npz")


def test_evaluating_an_estimator_model_needs_data(faces, tmp_path, capsys):
    clf = LogisticNeuronClassifier(num_iterations=50)
    path = clf.fit(rows(faces.train.images), faces.train.labels).save(tmp_path / "e.npz")
    assert main(["evaluate", "--model", str(path)]) == 1
    assert "the model records no test data (the estimator made it)" in capsys.readouterr().err
    assert main(["evaluate", "--model", str(path), "--data", "faces", "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["accuracy"] == pytest.approx(
        100 * clf.score(rows(faces.test.images), faces.test.labels)
    )
