"""Training: loss, schedule, reproducibility; checkpoints loaded and fetched; bad settings refused
before training."""

import hashlib

import pytest
import torch

from conftest import CHECKPOINT
from notebook_loader import REPO, load_definitions


def short_training(nb, seed):
    torch.manual_seed(seed)
    model = nb.build_model(with_offset_head=False)
    data = nb.BatchedOddShapes(seed=seed)
    history = nb.train_stage(
        model,
        data,
        1,
        epochs=2,
        lr=5e-3,
        history=[],
        samples_per_epoch=192,
        batch_size=64,
        log=False,
    )
    model, _ = nb.grow_to_two_heads(model)
    nb.train_stage(
        model,
        data,
        2,
        epochs=1,
        lr=5e-3,
        history=history,
        samples_per_epoch=192,
        batch_size=64,
        log=False,
    )
    return [record["rmse"] for record in history], model


def test_training_twice_with_the_same_seed_gives_identical_losses_and_weights(nb):
    first, first_model = short_training(nb, seed=3)
    second, second_model = short_training(nb, seed=3)
    assert first == second and len(first) == 3
    for (name, a), (_, b) in zip(
        first_model.state_dict().items(), second_model.state_dict().items()
    ):
        assert torch.equal(a, b), name


def test_training_with_another_seed_gives_other_losses(nb):
    assert short_training(nb, seed=3)[0] != short_training(nb, seed=4)[0]


def test_history_records_stage_epoch_rmse_lr_time_and_samples(nb):
    torch.manual_seed(5)
    records = nb.train_stage(
        nb.build_model(False),
        nb.BatchedOddShapes(seed=5),
        1,
        1,
        1e-3,
        [],
        samples_per_epoch=128,
        batch_size=64,
        log=False,
    )
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
    nb.train_stage(
        nb.build_model(False),
        data,
        1,
        1,
        1e-3,
        [],
        samples_per_epoch=300,
        batch_size=128,
        log=False,
    )
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
    with pytest.raises(
        RuntimeError, match="could not download .*nowhere/checkpoints/odd_shapes.pt"
    ):
        nb.fetch_from_repository("checkpoints/odd_shapes.pt", str(tmp_path / "w.pt"))


def test_a_download_cut_short_leaves_no_file_behind(nb, tmp_path, monkeypatch):
    class CutShort:
        def __enter__(self):
            return self

        def __exit__(self, *exception):
            return False

        def read(self):
            raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(nb, "REPOSITORY_URL", "https://example.org/owner/repository/main")
    monkeypatch.setattr(nb.urllib.request, "urlopen", lambda url, timeout: CutShort())
    with pytest.raises(RuntimeError, match="could not download .*connection reset"):
        nb.fetch_from_repository("checkpoints/odd_shapes.pt", str(tmp_path / "w.pt"))
    assert list(tmp_path.iterdir()) == []


def test_committed_checkpoint_loads_on_the_cpu_in_eval_mode(nb):
    model = nb.load_model(str(CHECKPOINT))
    assert not model.training and all(p.device.type == "cpu" for p in model.parameters())


TINY_STAGES = dict(
    STAGE1_EPOCHS=1, STAGE2_EPOCHS=1, SAMPLES_PER_EPOCH=256, BATCH_SIZE=64, CNN_CHANNELS=8
)


@pytest.mark.parametrize(
    "setting, value, message",
    [
        ("BATCH_SIZE", 0, "BATCH_SIZE must be an integer from 1 to 65,536, got 0"),
        ("BATCH_SIZE", 10**6, "BATCH_SIZE must be an integer from 1 to 65,536"),
        ("STAGE1_EPOCHS", 2.5, "STAGE1_EPOCHS must be an integer from 1 to 1,000,000, got 2.5"),
        ("STAGE2_EPOCHS", True, "STAGE2_EPOCHS must be an integer"),
        ("SAMPLES_PER_EPOCH", -1, "SAMPLES_PER_EPOCH must be an integer from 1 to 1,000,000,000"),
        ("STAGE2_LR", 0, r"STAGE2_LR, a peak learning rate, must be in \(0, 1\], got 0"),
        ("STAGE2_LR", 1.5, r"STAGE2_LR, a peak learning rate, must be in \(0, 1\]"),
        ("STAGE1_LR", True, "STAGE1_LR, a peak learning rate"),
        ("STAGE1_LR", "8e-3", "STAGE1_LR, a peak learning rate"),
        ("CNN_CHANNELS", 0, "channels must be an integer from 1 to 4,096, got 0"),
        ("NUM_HEADS", 2.0, "num_heads must be an integer"),
        ("MLP_HIDDEN", -64, "hidden must be an integer from 1 to 4,096"),
    ],
)
def test_a_bad_setting_is_refused_by_the_training_before_anything_trains(setting, value, message):
    bad = load_definitions("bad_setting", {**TINY_STAGES, setting: value})
    trained = []
    bad.train_stage = lambda *args, **kwargs: trained.append(args)  # a stage that reaches training
    with pytest.raises(ValueError, match=message):
        bad.train_two_stages(seed=0, log=False)
    assert trained == []


@pytest.mark.parametrize("seed", [-3, 2**70, 1.0])
def test_a_bad_training_seed_is_refused_with_its_range(nb, seed):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 2\^64 - 1"):
        nb.train_two_stages(seed=seed, log=False)


def test_a_stage_of_one_optimisation_step_is_refused_before_training():
    bad = load_definitions("one_step", dict(STAGE1_EPOCHS=1, SAMPLES_PER_EPOCH=100, BATCH_SIZE=128))
    with pytest.raises(
        ValueError, match="stage 1 would take 1 optimisation step.*raise STAGE1_EPOCHS"
    ):
        bad.train_two_stages(seed=0, log=False)


def test_the_notebooks_own_settings_pass_the_checks_of_the_training(nb):
    for stage, epochs, lr in (
        (1, nb.STAGE1_EPOCHS, nb.STAGE1_LR),
        (2, nb.STAGE2_EPOCHS, nb.STAGE2_LR),
    ):
        assert sum(nb.epoch_batches(stage, epochs, lr)) == nb.SAMPLES_PER_EPOCH
    nb.build_model()
