"""Every seed, count and size that a user can pass to a public function of the notebook is
range-checked: a value outside the range raises a ValueError that names the argument and its valid
range, never a raw error from deeper down (such as torch's "Overflow when unpacking long long") or a
silently wrong result."""

import random

import pytest
import torch

SEED_RANGE = r"must be an integer from 0 to 2\^64 - 1"


def white_images(count):
    images = torch.ones(count, 1, 64, 64)
    images[:, :, 30:34, 30:34] = 0  # one small black square each
    return images


CASES = [
    # (what a user might call, the argument, a piece of the message)
    (
        "a batched generator seeded with 2**70",
        lambda nb: nb.BatchedOddShapes(seed=2**70),
        "seed " + SEED_RANGE,
    ),
    (
        "a batched generator seeded with -1",
        lambda nb: nb.BatchedOddShapes(seed=-1),
        "seed " + SEED_RANGE,
    ),
    (
        "a batched generator seeded with 1.5",
        lambda nb: nb.BatchedOddShapes(seed=1.5),
        "seed " + SEED_RANGE,
    ),
    (
        "a batched generator seeded with True",
        lambda nb: nb.BatchedOddShapes(seed=True),
        "seed " + SEED_RANGE,
    ),
    (
        "a batch of 0 images",
        lambda nb: nb.BatchedOddShapes(seed=0).sample(0),
        "batch_size must be an integer from 1 to 65,536",
    ),
    (
        "a batch of 10**6 images",
        lambda nb: nb.BatchedOddShapes(seed=0).sample(10**6),
        "batch_size must be an integer from 1",
    ),
    (
        "a dataset of 2**70 samples",
        lambda nb: nb.OddXYDataset(2**70),
        "num_samples must be an integer from 0 to",
    ),
    (
        "a dataset of 100 base shapes",
        lambda nb: nb.OddXYDataset(10, same_shape_count_range=(3, 100)),
        "<= 64",
    ),
    (
        "a generator of 100 base shapes",
        lambda nb: nb.BatchedOddShapes(0, same_shape_count_range=(3, 100)),
        "<= 64",
    ),
    (
        "no examples to show",
        lambda nb: nb.show_examples(0),
        "num_examples must be an integer from 1 to 100",
    ),
    (
        "examples in 0 columns",
        lambda nb: nb.show_examples(4, columns=0),
        "columns must be an integer from 1 to 20",
    ),
    (
        "a stage of 0 epochs",
        lambda nb: nb.train_stage(nb.build_model(False), nb.BatchedOddShapes(0), 1, 0, 1e-3, []),
        "STAGE1_EPOCHS must be an integer from 1",
    ),
    (
        "an epoch of 0 samples",
        lambda nb: nb.train_stage(
            nb.build_model(False), nb.BatchedOddShapes(0), 1, 1, 1e-3, [], samples_per_epoch=0
        ),
        "SAMPLES_PER_EPOCH must be an integer from 1",
    ),
    (
        "a training batch of 2**70",
        lambda nb: nb.train_stage(
            nb.build_model(False), nb.BatchedOddShapes(0), 1, 1, 1e-3, [], batch_size=2**70
        ),
        "BATCH_SIZE must be an integer from 1 to 65,536",
    ),
    ("training seeded with -1", lambda nb: nb.train_two_stages(seed=-1), "seed " + SEED_RANGE),
    (
        "generator batches of -5 samples",
        lambda nb: list(nb.generator_batches(-5, 0)),
        "num_samples must be an integer from 0",
    ),
    (
        "generator batches of size 0",
        lambda nb: list(nb.generator_batches(5, 0, batch_size=0)),
        "batch_size must be",
    ),
    (
        "predict in chunks of 0",
        lambda nb: nb.predict(nb.build_model(), white_images(2), chunk_size=0),
        "chunk_size must be an integer from 1 to 65,536",
    ),
    (
        "0 bootstrap resamples",
        lambda nb: nb.bootstrap_interval(lambda i: i.float().mean(1), 10, resamples=0),
        "resamples must be an integer from 1",
    ),
    (
        "a bootstrap seeded with 2**70",
        lambda nb: nb.bootstrap_interval(lambda i: i.float().mean(1), 10, seed=2**70),
        "seed " + SEED_RANGE,
    ),
    (
        "a lower bound in batches of 0",
        lambda nb: nb.lower_bound_centres(
            nb.BatchedOddShapes(0).sample(2)[2], nb.pil_shape_stamps(), batch_size=0
        ),
        "batch_size must be an integer from 1",
    ),
    (
        "scenes in too few slots",
        lambda nb: nb.scene_batch([nb.Scene("circle", "square", [5] * 7, [(20, 20)] * 7)], slots=4),
        "slots must be an integer from 7",
    ),
    (
        "chunks of 0 rows",
        lambda nb: nb.in_chunks(lambda x: x, torch.zeros(4), size=0),
        "size must be an integer from 1",
    ),
    (
        "a gallery in 0 columns",
        lambda nb: nb.plot_gallery(
            white_images(1),
            nb.BatchedOddShapes(0).sample(1)[2],
            torch.zeros(1, 2),
            ["x"],
            columns=0,
        ),
        "columns must be an integer",
    ),
    (
        "a probe fitted in 0 steps",
        lambda nb: nb.fit_linear_probe(
            torch.zeros(4, 16), torch.zeros(4, dtype=torch.long), 3, steps=0
        ),
        "steps must be an integer from 1",
    ),
]


@pytest.mark.parametrize(
    "call, message", [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_an_out_of_range_integer_is_refused_with_the_argument_and_its_range(nb, call, message):
    with pytest.raises(ValueError, match=message):
        call(nb)


def test_numpy_integers_are_accepted_where_integers_are(nb):
    import numpy as np

    images, _, _ = nb.BatchedOddShapes(seed=np.int64(3)).sample(np.int32(2))
    assert images.shape == (2, 1, 64, 64)
    random.seed(0)
    assert len(nb.OddXYDataset(np.int64(3))) == 3


def test_the_largest_seed_is_accepted(nb):
    assert nb.BatchedOddShapes(seed=2**64 - 1).sample(1)[0].shape == (1, 1, 64, 64)


def test_asking_predict_for_more_attention_than_it_may_return_says_how_many_images_fit(nb):
    torch.manual_seed(0)
    with pytest.raises(
        ValueError,
        match=r"return_attention keeps 0\.16 MB of attention weights per image: pass at most "
        r"12,945 images at a time, not 13,000",
    ):
        nb.predict(nb.build_model(), white_images(13_000), return_attention=True)
