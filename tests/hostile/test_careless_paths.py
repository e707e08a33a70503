"""Outputs never clobber inputs or foreign files; replaced files keep their permissions."""

from __future__ import annotations

import os
import stat

import pytest

from logistic_neuron.cli.main import main
from support.bad_inputs import good_h5
from support.imagefactory import write_image


def test_model_out_on_the_data_leaves_the_data_intact(tmp_path, capsys):
    data = good_h5(tmp_path)
    before = data.read_bytes()
    code = main(["train", "--data", str(data), "--iterations", "5", "--out", str(data)])
    assert code == 1
    assert "is the same file as the input --data" in capsys.readouterr().err
    assert data.read_bytes() == before


def test_model_out_through_a_hard_link_to_the_data(tmp_path, capsys):
    data = good_h5(tmp_path)
    os.link(data, tmp_path / "alias.npz")
    code = main(["train", "--data", str(data), "--out", str(tmp_path / "alias.npz")])
    assert code == 1
    assert "same file as the input --data" in capsys.readouterr().err


def test_predict_explain_never_overwrites_the_photos(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from support.hostile_files import small_model

    model = small_model(tmp_path)
    photos = [write_image(tmp_path / name, (5, 5)) for name in ("p.png", "p-explained.png")]
    before = [p.read_bytes() for p in photos]
    # p.png's explanation would be p-explained.png: the second photo itself.
    code = main(["predict", "--model", str(model), "--plots", str(tmp_path),
                 *map(str, photos)])  # fmt: skip
    assert code == 1
    assert "is the same file as the input IMAGE" in capsys.readouterr().err
    assert [p.read_bytes() for p in photos] == before


def test_retraining_keeps_the_model_files_permissions(tmp_path, capsys):
    out = tmp_path / "m.npz"
    assert main(["train", "--iterations", "5", "--out", str(out)]) == 0
    out.chmod(0o600)
    assert main(["train", "--iterations", "6", "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_finished_run_removes_only_the_checkpoint_it_wrote(tmp_path, capsys, monkeypatch):
    from logistic_neuron.cli import train

    out = tmp_path / "m.npz"
    checkpoint = tmp_path / "m.checkpoint.npz"
    real_save = train.save_model

    def save_and_swap(model, path):
        # Someone replaces the checkpoint with their own file before the run ends.
        checkpoint.unlink()
        checkpoint.write_bytes(b"not ours")
        return real_save(model, path)

    monkeypatch.setattr(train, "save_model", save_and_swap)
    code = main(["train", "--iterations", "20", "--checkpoint-every", "5",
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    assert checkpoint.read_bytes() == b"not ours"
    assert out.exists()


def test_a_finished_run_removes_its_own_checkpoint(tmp_path, capsys):
    out = tmp_path / "m.npz"
    code = main(["train", "--iterations", "20", "--checkpoint-every", "5",
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    assert out.exists() and not (tmp_path / "m.checkpoint.npz").exists()


def test_scoring_many_images_works_in_blocks(tmp_path, monkeypatch):
    import numpy as np

    from logistic_neuron.storage import model_file
    from support.hostile_files import small_model

    model = model_file.load_model(small_model(tmp_path))
    images = np.random.default_rng(0).integers(0, 256, (7, 5, 5, 1), dtype=np.uint8)
    whole = model.predict_proba(model.features(images)).reshape(-1)
    monkeypatch.setattr(model_file, "FEATURE_BLOCK_BYTES", 2 * 25 * 8)  # two images a block
    np.testing.assert_allclose(model.predict_proba_images(images), whole, rtol=0, atol=1e-15)
    assert model.predict_proba_images(images[:0]).shape == (0,)
