"""Training: loss, schedule, reproducibility; checkpoints saved, loaded and fetched; the configuration check."""
import hashlib
import json
import os

import pytest
import torch

from conftest import CHECKPOINT
from notebook_loader import REPO


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


def test_training_twice_with_the_same_seed_gives_identical_losses_and_weights(nb):
    first, first_model = short_training(nb, seed=3)
    second, second_model = short_training(nb, seed=3)
    assert first == second and len(first) == 3
    for (name, a), (_, b) in zip(first_model.state_dict().items(), second_model.state_dict().items()):
        assert torch.equal(a, b), name


def test_training_with_another_seed_gives_other_losses(nb):
    assert short_training(nb, seed=3)[0] != short_training(nb, seed=4)[0]


def test_history_records_stage_epoch_rmse_lr_time_and_samples(nb):
    torch.manual_seed(5)
    records = nb.train_stage(nb.build_model(False), nb.BatchedOddShapes(seed=5), 1, 1, 1e-3, [],
                             samples_per_epoch=128, batch_size=64, log=False)
    assert set(records[0]) == {"stage", "epoch", "rmse", "lr", "elapsed", "samples"}
    assert records[0]["stage"] == 1 and records[0]["epoch"] == 1 and records[0]["rmse"] > 0
    assert records[0]["samples"] == 128


def test_an_epoch_is_exactly_samples_per_epoch_samples_even_when_batches_do_not_divide_it(nb):
    class Counting:
        def __init__(self):
            self.data, self.sizes = nb.BatchedOddShapes(seed=0), []

        def sample(self, size):
            self.sizes.append(size)
            return self.data.sample(size)

    data = Counting()
    nb.train_stage(nb.build_model(False), data, 1, 1, 1e-3, [], samples_per_epoch=300, batch_size=128, log=False)
    assert data.sizes == [128, 128, 44]


@pytest.mark.parametrize("steps", [2, 3, 10, 11, 20])
def test_a_schedule_of_very_few_steps_runs_every_step_and_ends_annealed(nb, steps):
    optimizer = torch.optim.AdamW(nb.build_model(False).parameters(), lr=1e-3)
    schedule = nb.one_cycle_schedule(optimizer, 1e-3, steps)
    rates = []  # the learning rate each step uses
    for _ in range(steps):
        rates.append(schedule.get_last_lr()[0])
        optimizer.step()
        schedule.step()
    assert all(0 < rate <= 1e-3 for rate in rates)
    assert rates[-1] < rates[0]  # annealed below the warm-up's starting rate


def test_a_schedule_of_one_step_is_refused(nb):
    optimizer = torch.optim.AdamW(nb.build_model(False).parameters(), lr=1e-3)
    with pytest.raises(ValueError, match="at least 2 optimisation steps, got 1"):
        nb.one_cycle_schedule(optimizer, 1e-3, 1)


def test_the_loss_is_the_tent_cross_entropy_plus_the_squared_error_over_16(nb):
    torch.manual_seed(0)
    images, labels, _ = nb.BatchedOddShapes(seed=0).sample(8)
    prediction = nb.build_model()(images)
    loss, squared = nb.locator_loss(prediction, labels)
    target = nb.target_distribution(labels)
    cross_entropy = -(target * prediction.logits.log_softmax(-1)).sum(-1).mean()
    assert torch.allclose(squared, ((prediction.centre - labels) ** 2).sum(1))
    assert torch.allclose(loss, cross_entropy + squared.mean() / 16, atol=1e-5)


def test_checkpoint_and_history_are_written_and_read_back(nb, tmp_path, monkeypatch):
    monkeypatch.setattr(nb, "CHECKPOINT_PATH", str(tmp_path / "w.pt"))
    monkeypatch.setattr(nb, "HISTORY_PATH", str(tmp_path / "h.json"))
    torch.manual_seed(0)
    model = nb.build_model(True)
    history = [dict(stage=1, epoch=1, rmse=9.0, lr=0.001, elapsed=1.0, samples=128)]
    nb.save_trained(model, history)
    loaded = nb.load_model(str(tmp_path / "w.pt"))
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), loaded.state_dict().values()))
    assert json.loads((tmp_path / "h.json").read_text()) == history
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.json", "w.pt"]  # no partial files left


def test_an_atomic_write_replaces_the_whole_file_and_leaves_no_temporary_file(nb, tmp_path):
    target = tmp_path / "sub" / "odd_shapes.pt"
    nb.write_atomically(str(target), lambda file: file.write(b"first"))
    nb.write_atomically(str(target), lambda file: file.write(b"second"))
    assert target.read_bytes() == b"second" and [p.name for p in target.parent.iterdir()] == ["odd_shapes.pt"]


def test_an_interrupted_write_leaves_the_previous_file_whole(nb, tmp_path):
    target = tmp_path / "odd_shapes.pt"
    nb.write_atomically(str(target), lambda file: file.write(b"complete"))

    def interrupted(file):
        file.write(b"half")
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        nb.write_atomically(str(target), interrupted)
    assert target.read_bytes() == b"complete"


def test_an_atomic_write_leaves_a_file_others_can_read(nb, tmp_path):
    target = tmp_path / "odd_shapes.pt"
    old_mask = os.umask(0o022)
    try:
        nb.write_atomically(str(target), lambda file: file.write(b"weights"))
    finally:
        os.umask(old_mask)
    assert target.stat().st_mode & 0o777 == 0o644


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


def test_fetching_refuses_while_the_repository_is_the_placeholder(nb, tmp_path):
    with pytest.raises(RuntimeError, match="placeholder 'OWNER/REPO'.*clone of the repository"):
        nb.fetch_from_repository("checkpoints/odd_shapes.pt", str(tmp_path / "w.pt"))
    assert list(tmp_path.iterdir()) == []


def test_fetching_copies_a_file_of_the_repository_from_its_url(nb, tmp_path, monkeypatch):
    monkeypatch.setattr(nb, "REPOSITORY_URL", REPO.as_uri())
    nb.fetch_from_repository("checkpoints/odd_shapes.pt", str(tmp_path / "w.pt"))
    digest = lambda path: hashlib.sha256(path.read_bytes()).hexdigest()  # noqa: E731
    assert digest(tmp_path / "w.pt") == digest(CHECKPOINT)


def test_fetching_says_which_url_failed(nb, tmp_path, monkeypatch):
    monkeypatch.setattr(nb, "REPOSITORY_URL", (tmp_path / "nowhere").as_uri())
    with pytest.raises(RuntimeError, match="could not download .*nowhere/checkpoints/odd_shapes.pt"):
        nb.fetch_from_repository("checkpoints/odd_shapes.pt", str(tmp_path / "w.pt"))


def test_committed_checkpoint_loads_on_the_cpu_in_eval_mode(nb):
    model = nb.load_model(str(CHECKPOINT))
    assert not model.training and all(p.device.type == "cpu" for p in model.parameters())


def test_committed_checkpoint_finds_odd_shapes(nb):
    """A sanity bound, not the benchmark: the notebook measures the real RMSE on 25,000 samples."""
    evaluation = nb.evaluate(nb.load_model(str(CHECKPOINT)), nb.generator_batches(1000, seed=123))
    assert float(nb.rmse(evaluation.squared_errors())) < 3.0


def good_configuration(nb):
    return {name: getattr(nb, name) for name in nb.DEFAULTS}


def test_the_notebooks_own_configuration_passes_its_checks(nb):
    nb.check_configuration(good_configuration(nb))


def test_every_setting_of_the_configuration_cell_is_checked(nb):
    assert {"SEED", "EVAL_SEED", "TRAIN", "QUICK", "BATCH_SIZE", "STAGE1_LR", "REPOSITORY_URL", "PROBE_SEED"} <= set(nb.DEFAULTS)
    assert "MACHINE" not in nb.DEFAULTS and "DEFAULTS" not in nb.DEFAULTS


@pytest.mark.parametrize("name, value, message", [
    ("TRAIN", "False", "TRAIN must be of type bool"),
    ("QUICK", 1, "QUICK must be of type bool"),
    ("BATCH_SIZE", 0, "BATCH_SIZE must be an integer from 1 to 65,536"),
    ("BATCH_SIZE", 10**6, "BATCH_SIZE must be an integer from 1 to 65,536"),
    ("STAGE1_EPOCHS", 2.5, "STAGE1_EPOCHS must be of type int"),
    ("STAGE1_EPOCHS", True, "STAGE1_EPOCHS must be of type int"),
    ("SAMPLES_PER_EPOCH", -1, "SAMPLES_PER_EPOCH must be an integer from 1 to 1,000,000,000"),
    ("EVAL_SAMPLES", 10, "EVAL_SAMPLES must be an integer from 200 to"),
    ("SEED", -3, r"SEED must be an integer from 0 to 2\^64 - 1"),
    ("EVAL_SEED", 2**70, r"EVAL_SEED must be an integer from 0 to 2\^64 - 1"),
    ("STAGE2_LR", 0, "STAGE2_LR must be between 0 and 1"),
    ("STAGE2_LR", 1.5, "STAGE2_LR must be between 0 and 1"),
    ("STAGE1_LR", True, "STAGE1_LR must be of type float"),
    ("STAGE1_LR", "8e-3", "STAGE1_LR must be of type float"),
    ("FIGURES_DIR", "", "FIGURES_DIR must be a non-empty string"),
    ("REPOSITORY_URL", None, "REPOSITORY_URL must be of type str"),
])
def test_a_bad_configuration_is_refused_with_the_name_of_the_setting(nb, name, value, message):
    config = good_configuration(nb)
    config[name] = value
    with pytest.raises(ValueError, match=message):
        nb.check_configuration(config)


def test_an_integer_may_stand_for_a_float_setting(nb):
    config = good_configuration(nb)
    config["STAGE1_LR"] = 0
    with pytest.raises(ValueError, match="between 0 and 1"):           # accepted as a number, then range-checked
        nb.check_configuration(config)


def test_a_stage_of_one_optimisation_step_is_refused_before_training(nb):
    config = good_configuration(nb)
    config.update(STAGE1_EPOCHS=1, SAMPLES_PER_EPOCH=100, BATCH_SIZE=128)
    with pytest.raises(ValueError, match="stage 1 would take 1 optimisation step"):
        nb.check_configuration(config)
