"""The alternatives that benchmarks/compare_configs.py measures: each one trains and is then
evaluated by the notebook's own code, and leaves the notebook's definitions as they were."""

import math
import os
import random
import sys

import pytest
import torch

from notebook_loader import REPO, load_definitions

sys.path.insert(0, str(REPO / "benchmarks"))
import variants  # noqa: E402  (benchmarks/ is not a package)

TINY = dict(STAGE1_EPOCHS=1, STAGE2_EPOCHS=1, SAMPLES_PER_EPOCH=128, BATCH_SIZE=64, CNN_CHANNELS=8)


@pytest.fixture(scope="module")
def tiny():
    return load_definitions("tiny_for_variants", TINY)


@pytest.mark.parametrize("name", sorted(variants.VARIANTS))
def test_a_variant_trains_a_network_that_the_notebooks_evaluation_accepts(tiny, name):
    with variants.applied(tiny, [name]):
        model, history = tiny.train_two_stages(seed=0, log=False)
    assert [record["stage"] for record in history][-1] == 2
    evaluation = tiny.evaluate(model, tiny.generator_batches(64, 90_210))
    assert math.isfinite(float(tiny.rmse(evaluation.squared_errors())))


def definitions(nb):
    """The module's names, and the attributes of the classes it defines (a variant could patch a
    class in place)."""
    classes = {
        name: dict(vars(value))
        for name, value in vars(nb).items()
        if isinstance(value, type) and value.__module__ == nb.__name__
    }
    return dict(vars(nb)), classes


def global_settings(torch):
    """What a variant could switch for the whole process (torch's arithmetic and kernels, autograd,
    the random number generators, the environment): name -> (read it, set it back)."""
    backends = torch.backends

    def flag(owner, name):
        return lambda: getattr(owner, name), lambda value: setattr(owner, name, value)

    def environment(saved):
        os.environ.clear()
        os.environ.update(saved)

    return {
        "threads": (torch.get_num_threads, torch.set_num_threads),
        "oneDNN": flag(backends.mkldnn, "enabled"),
        "oneDNN deterministic": flag(backends.mkldnn, "deterministic"),
        "deterministic algorithms": (
            lambda: (
                torch.are_deterministic_algorithms_enabled(),
                torch.is_deterministic_algorithms_warn_only_enabled(),
            ),
            lambda value: torch.use_deterministic_algorithms(value[0], warn_only=value[1]),
        ),
        "float32 matmul precision": (
            torch.get_float32_matmul_precision,
            torch.set_float32_matmul_precision,
        ),
        "default dtype": (torch.get_default_dtype, torch.set_default_dtype),
        "default device": (torch.get_default_device, torch.set_default_device),
        "gradients": (torch.is_grad_enabled, torch.set_grad_enabled),
        "anomaly detection": (torch.is_anomaly_enabled, torch.set_anomaly_enabled),
        "attention fast path": (
            backends.mha.get_fastpath_enabled,
            backends.mha.set_fastpath_enabled,
        ),
        "cuDNN": flag(backends.cudnn, "enabled"),
        "cuDNN benchmark": flag(backends.cudnn, "benchmark"),
        "cuDNN deterministic": flag(backends.cudnn, "deterministic"),
        "cuDNN TF32": flag(backends.cudnn, "allow_tf32"),
        "CUDA matmul TF32": flag(backends.cuda.matmul, "allow_tf32"),
        "torch's random numbers": (
            lambda: bytes(torch.get_rng_state().numpy()),
            lambda value: torch.set_rng_state(torch.tensor(list(value), dtype=torch.uint8)),
        ),
        "Python's random numbers": (random.getstate, random.setstate),
        "environment": (lambda: dict(os.environ), environment),
    }


def read_global_settings(torch):
    return {name: read() for name, (read, _) in global_settings(torch).items()}


@pytest.fixture(autouse=True)
def global_settings_put_back(tiny):
    """Puts back any setting a test changed, so that one variant's leak cannot hide another's."""
    saved = read_global_settings(tiny.torch)
    yield
    for name, (read, put_back) in global_settings(tiny.torch).items():
        if read() != saved[name]:
            put_back(saved[name])


@pytest.mark.parametrize("name", sorted(variants.VARIANTS))
def test_a_variant_leaves_the_notebooks_definitions_as_they_were(tiny, name):
    before = definitions(tiny)
    with variants.applied(tiny, [name]):
        pass
    assert definitions(tiny) == before


@pytest.mark.parametrize("name", sorted(variants.VARIANTS))
def test_a_variant_leaves_torchs_global_settings_as_they_were(tiny, name):
    before = read_global_settings(tiny.torch)
    with variants.applied(tiny, [name]):
        pass
    after = read_global_settings(tiny.torch)
    assert [setting for setting in before if after[setting] != before[setting]] == []


def test_an_unknown_variant_is_refused_with_the_known_ones(tiny):
    with pytest.raises(SystemExit, match="unknown variant.*known: .*pixel_loss_only"):
        with variants.applied(tiny, ["no_such_variant"]):
            pass


def test_hard_example_replay_refills_a_quarter_of_each_batch_with_last_batchs_hardest_fresh_samples(
    tiny,
):
    with variants.applied(tiny, ["hard_example_replay"]):
        data = tiny.BatchedOddShapes(seed=0)
        _, labels, first = data.sample(64)  # all fresh: nothing to replay yet
        losses = torch.arange(
            64, dtype=torch.float32
        )  # sample i has loss i: the last 16 are hardest
        centre = labels + losses.sqrt()[:, None] * 4 / math.sqrt(2)  # squared error / 16 = loss
        prediction = tiny.Prediction(centre, centre, torch.zeros(64, 144), None, None, None)
        tiny.locator_loss(prediction, labels)
        _, _, second = data.sample(64)
    assert torch.equal(
        second.centres[48:], first.centres[torch.arange(63, 47, -1)]
    )  # hardest first
    assert not torch.equal(
        second.centres[:48], first.centres[:48]
    )  # the other three quarters are fresh


def test_posterior_targets_equal_the_tent_where_the_odd_shape_is_in_plain_view_and_spread_if_hidden(
    tiny,
):
    scenes = tiny.scene_batch(
        [
            tiny.Scene("circle", "square", [5, 5, 5, 7], [(10, 10), (12, 50), (40, 12), (40, 40)]),
            tiny.Scene("square", "circle", [8, 8, 8, 4], [(15, 20), (45, 40), (50, 10), (15, 20)]),
        ]
    )
    target = variants.posterior_tent(tiny, scenes, tiny.pil_shape_stamps())  # (2, 144)
    assert torch.allclose(target.sum(1), torch.ones(2))
    assert torch.allclose(
        target[0], tiny.target_distribution(scenes.labels[:1])[0], atol=1e-6
    )  # in plain view
    # The odd circle is hidden in the first base square, and could as well be in the second or
    # third: spread over all.
    squares = tiny.target_distribution(
        torch.tensor([[15.0, 20.0], [45.0, 40.0], [50.0, 10.0]])
    )  # (3, 144)
    assert all(float(target[1, square > 0].sum()) > 0.15 for square in squares)
