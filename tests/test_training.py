"""Training: loss, schedule, weight averaging, reproducibility; checkpoints saved, loaded and downloaded."""
import copy
import hashlib

import pytest
import torch

from conftest import CHECKPOINT
from notebook_loader import REPO, load_definitions


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


def test_history_records_stage_epoch_rmse_lr_and_time(nb):
    torch.manual_seed(5)
    records = nb.train_stage(nb.build_model(False), nb.BatchedOddShapes(seed=5), 1, 1, 1e-3, [],
                             samples_per_epoch=128, batch_size=64, log=False)
    assert set(records[0]) == {"stage", "epoch", "rmse", "lr", "elapsed", "samples"}
    assert records[0]["stage"] == 1 and records[0]["epoch"] == 1 and records[0]["rmse"] > 0


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


def test_ten_steps_a_stage_train_end_to_end(nb):
    """SAMPLES_PER_EPOCH=1280 with BATCH_SIZE=128 and one epoch: 10 steps, whose warm-up once rounded to zero."""
    torch.manual_seed(0)
    history = nb.train_stage(nb.build_model(False), nb.BatchedOddShapes(seed=0), 1, epochs=1, lr=5e-3,
                             history=[], samples_per_epoch=1280, batch_size=128, log=False)
    assert len(history) == 1


def test_offset_loss_is_zero_when_every_field_holding_the_centre_points_at_it(nb):
    centres = nb.receptive_field_centres()                     # (144, 2)
    labels = torch.tensor([[30.0, 41.0], [4.0, 59.0]])
    perfect = labels[:, None, :] - centres                     # (2, 144, 2)
    assert nb.offset_loss(perfect, labels, centres) == 0
    wrong = perfect.clone()
    wrong[0, nb.nearest_token(labels[:1])[0]] += 4.0          # one token off by 4 px in x and y
    assert nb.offset_loss(wrong, labels, centres) > 0


def test_offset_loss_ignores_tokens_whose_field_does_not_hold_the_centre(nb):
    centres = nb.receptive_field_centres()
    labels = torch.tensor([[30.0, 41.0]])
    offsets = labels[:, None, :] - centres
    far = (offsets.abs() > 9.5).any(-1)                       # (1, 144) fields that miss the centre
    offsets[far] = 100.0
    assert nb.offset_loss(offsets, labels, centres) == 0
    assert int((~far).sum()) == 25                             # 5 x 5 fields of 20 px, 4 px apart, hold it


def test_weight_averaging_returns_the_average_and_keeps_the_last_weights(nb):
    quick = load_definitions("odd_shapes_ema", dict(STAGE1_EPOCHS=1, STAGE2_EPOCHS=1, SAMPLES_PER_EPOCH=640,
                                                    BATCH_SIZE=64, EMA_DECAY=0.9))
    run = quick.train_two_stages(seed=0, log=False)
    assert run.model is not run.last_weights and not run.model.training
    assert any(not torch.equal(a, b) for a, b in zip(run.model.parameters(), run.last_weights.parameters()))
    plain = load_definitions("odd_shapes_no_ema", dict(STAGE1_EPOCHS=1, STAGE2_EPOCHS=1, SAMPLES_PER_EPOCH=640,
                                                       BATCH_SIZE=64, EMA_DECAY=0.0))
    run = plain.train_two_stages(seed=0, log=False)
    assert run.model is run.last_weights


def test_checkpoint_and_history_are_written_and_read_back(nb, tmp_path):
    torch.manual_seed(0)
    model = nb.build_model(True)
    history = [dict(stage=1, epoch=1, rmse=9.0, lr=0.001, elapsed=1.0)]
    nb.save_trained(model, history, str(tmp_path / "w.pt"), str(tmp_path / "h.json"))
    loaded = nb.load_model(str(tmp_path / "w.pt"))
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), loaded.state_dict().values()))
    assert nb.load_history(str(tmp_path / "h.json")) == history
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.json", "w.pt"]  # no partial files left


def test_a_write_that_fails_midway_leaves_the_previous_file_whole(nb, tmp_path):
    target = tmp_path / "odd_shapes.pt"
    target.write_bytes(b"previous weights")

    def broken_write(file):
        file.write(b"half of the new")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        nb.write_atomically(str(target), broken_write)
    assert target.read_bytes() == b"previous weights"
    assert [p.name for p in tmp_path.iterdir()] == ["odd_shapes.pt"]


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


def test_download_refuses_while_the_repository_is_the_placeholder(nb, tmp_path):
    with pytest.raises(RuntimeError, match="placeholder 'OWNER/REPO'.*clone the repository"):
        nb.download_trained(str(tmp_path / "w.pt"), str(tmp_path / "h.json"))
    assert list(tmp_path.iterdir()) == []


def test_download_fetches_the_committed_checkpoint_and_history_from_the_repository_url(nb, tmp_path):
    nb.download_trained(str(tmp_path / "w.pt"), str(tmp_path / "h.json"), repository_url=REPO.as_uri())
    digest = lambda path: hashlib.sha256(path.read_bytes()).hexdigest()  # noqa: E731
    assert digest(tmp_path / "w.pt") == digest(CHECKPOINT)
    assert nb.load_history(str(tmp_path / "h.json")) == nb.load_history(str(REPO / nb.COMMITTED_HISTORY))


def test_download_says_which_url_failed(nb, tmp_path):
    with pytest.raises(RuntimeError, match="could not download .*nowhere/checkpoints/odd_shapes.pt"):
        nb.download_trained(str(tmp_path / "w.pt"), str(tmp_path / "h.json"),
                            repository_url=(tmp_path / "nowhere").as_uri())


def test_committed_checkpoint_loads_on_the_cpu_in_eval_mode(nb):
    model = nb.load_model(str(CHECKPOINT))
    assert not model.training and model.mirror_average == nb.MIRROR_AVERAGE
    assert all(p.device.type == "cpu" for p in model.parameters())
    with torch.no_grad():
        prediction = model(torch.ones(2, 1, 64, 64))
    assert prediction.centre.shape == (2, 2)


def test_committed_checkpoint_finds_odd_shapes(nb):
    """A sanity bound, not the benchmark: the notebook measures the real RMSE on 25,000 samples."""
    evaluation, _ = nb.evaluate_on_dataset(nb.load_model(str(CHECKPOINT)), 1000, seed=123)
    assert nb.rmse(evaluation.centre, evaluation.labels) < 3.0


def good_configuration(nb):
    return {name: copy.deepcopy(getattr(nb, name)) for name in (
        "TRAIN", "QUICK", "MIRROR_AVERAGE", "SEED", "EVAL_SEED", "SAMPLES_PER_EPOCH", "STAGE1_EPOCHS",
        "STAGE2_EPOCHS", "BATCH_SIZE", "CNN_CHANNELS", "NUM_LAYERS", "NUM_HEADS", "HEAD_DIM", "MLP_HIDDEN",
        "CPU_THREADS", "EVAL_BATCH_SIZE", "BOOTSTRAP_RESAMPLES", "FIGURE_DPI", "EVAL_SAMPLES",
        "PRECISE_EVAL_SAMPLES", "ANALYSIS_SAMPLES", "STAGE1_LR", "STAGE2_LR", "OFFSET_LOSS_WEIGHT", "EMA_DECAY",
        "CHECKPOINT_PATH", "HISTORY_PATH", "FIGURES_DIR", "REPOSITORY_URL")}


def test_the_notebooks_own_configuration_passes_its_checks(nb):
    nb.check_configuration(good_configuration(nb))


@pytest.mark.parametrize("name, value, message", [
    ("TRAIN", "False", "TRAIN must be True or False"),
    ("QUICK", 1, "QUICK must be True or False"),
    ("BATCH_SIZE", 0, "BATCH_SIZE must be a positive integer"),
    ("STAGE1_EPOCHS", 2.5, "STAGE1_EPOCHS must be a positive integer"),
    ("SAMPLES_PER_EPOCH", -1, "SAMPLES_PER_EPOCH must be a positive integer"),
    ("EVAL_SAMPLES", 0, "EVAL_SAMPLES must be an integer of at least 1,000"),
    ("EVAL_SAMPLES", 10, "EVAL_SAMPLES must be an integer of at least 1,000"),
    ("SEED", -3, "SEED must be a non-negative integer"),
    ("STAGE2_LR", 0, "STAGE2_LR must be a learning rate"),
    ("EMA_DECAY", 1.0, r"EMA_DECAY must be a number in \[0, 1\)"),
    ("OFFSET_LOSS_WEIGHT", -1, "OFFSET_LOSS_WEIGHT must be a number >= 0"),
    ("FIGURES_DIR", "", "FIGURES_DIR must be a non-empty string"),
])
def test_a_bad_configuration_is_refused_with_the_name_of_the_constant(nb, name, value, message):
    config = good_configuration(nb)
    config[name] = value
    with pytest.raises(ValueError, match=message):
        nb.check_configuration(config)


def test_a_stage_of_one_optimisation_step_is_refused_before_training(nb):
    config = good_configuration(nb)
    config.update(STAGE1_EPOCHS=1, SAMPLES_PER_EPOCH=100, BATCH_SIZE=128)
    with pytest.raises(ValueError, match="stage 1 would take 1 optimisation step"):
        nb.check_configuration(config)
