"""Training is reproducible; checkpoints load, or fail with an error that says why."""
import random

import pytest
import torch

from conftest import CHECKPOINT


def short_training(nb, seed):
    torch.manual_seed(seed)
    model = nb.build_model(with_offset_head=False)
    data = nb.BatchedOddShapes(seed=seed)
    history = nb.train_stage(model, data, 1, epochs=2, lr=5e-3, history=[], samples_per_epoch=192,
                             batch_size=64, log=False)
    model, _ = nb.grow_to_two_heads(model)
    nb.train_stage(model, data, 2, epochs=1, lr=5e-3, history=history, samples_per_epoch=192,
                   batch_size=64, log=False)
    return [record["rmse"] for record in history], model


def test_training_twice_with_the_same_seed_gives_identical_losses(nb):
    first, first_model = short_training(nb, seed=3)
    second, second_model = short_training(nb, seed=3)
    assert first == second and len(first) == 3
    for (name, a), (_, b) in zip(first_model.state_dict().items(), second_model.state_dict().items()):
        assert torch.equal(a, b), name


def test_training_with_another_seed_gives_other_losses(nb):
    assert short_training(nb, seed=3)[0] != short_training(nb, seed=4)[0]


def test_history_records_stage_epoch_rmse_lr_and_time(nb):
    torch.manual_seed(5)
    records = nb.train_stage(nb.build_model(False), nb.BatchedOddShapes(seed=5), 1, 1, 1e-3, [],
                             samples_per_epoch=64, batch_size=64, log=False)
    assert set(records[0]) == {"stage", "epoch", "rmse", "lr", "elapsed"}
    assert records[0]["stage"] == 1 and records[0]["epoch"] == 1 and records[0]["rmse"] > 0


def test_load_model_says_when_the_file_is_missing(nb, tmp_path):
    missing = tmp_path / "nowhere.pt"
    with pytest.raises(FileNotFoundError, match="no checkpoint at") as error:
        nb.load_model(str(missing))
    assert str(missing) in str(error.value)


def test_load_model_says_when_the_checkpoint_does_not_fit_the_architecture(nb, tmp_path):
    path = tmp_path / "narrow.pt"
    torch.save(nb.OddShapeLocator(True, channels=8).state_dict(), path)
    with pytest.raises(ValueError, match="does not fit the architecture") as error:
        nb.load_model(str(path))
    assert "size mismatch" in str(error.value)


def test_load_model_says_when_a_one_headed_checkpoint_lacks_the_offset_head(nb, tmp_path):
    path = tmp_path / "stage1.pt"
    torch.save(nb.build_model(with_offset_head=False).state_dict(), path)
    with pytest.raises(ValueError, match="offset_head"):
        nb.load_model(str(path))


def test_load_model_says_when_the_file_is_not_a_state_dict(nb, tmp_path):
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a readable PyTorch state_dict"):
        nb.load_model(str(garbage))
    a_list = tmp_path / "list.pt"
    torch.save([1, 2, 3], a_list)
    with pytest.raises(ValueError, match="not a state_dict"):
        nb.load_model(str(a_list))


def test_committed_checkpoint_loads_on_the_cpu_in_eval_mode(nb):
    model = nb.load_model(str(CHECKPOINT))
    assert not model.training
    assert all(p.device.type == "cpu" for p in model.parameters())
    with torch.no_grad():
        prediction = model(torch.ones(2, 1, 64, 64))
    assert prediction.centre.shape == (2, 2)


def test_committed_checkpoint_finds_odd_shapes(nb):
    """A sanity bound, not the benchmark: the notebook measures the real RMSE on 25,000 samples."""
    predictions, labels, _ = nb.evaluate_on_dataset(nb.load_model(str(CHECKPOINT)), 1000, seed=123)
    assert nb.rmse(predictions, labels) < 3.0
