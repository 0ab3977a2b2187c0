"""OddXYDataset: the homework's PIL generator, as dataset-spec.md states it."""

import random

import pytest
import torch


def test_sample_is_a_float32_image_and_a_float32_label(nb):
    image, label = nb.OddXYDataset(1)[0]
    assert image.shape == (1, 64, 64) and image.dtype == torch.float32
    assert label.shape == (2,) and label.dtype == torch.float32


def test_pixels_are_black_or_white(nb):
    random.seed(1)
    dataset = nb.OddXYDataset(200)
    values = torch.cat([dataset[i][0].flatten() for i in range(len(dataset))]).unique()
    assert set(values.tolist()) == {0.0, 1.0}


def test_labels_are_integers_between_4_and_59(nb):
    random.seed(2)
    dataset = nb.OddXYDataset(2000)
    labels = torch.stack([dataset[i][1] for i in range(len(dataset))])
    assert torch.equal(labels, labels.round())
    assert labels.min() >= 4 and labels.max() <= 59
    assert labels.min() == 4 and labels.max() == 59  # both extremes occur in 2,000 samples


def test_label_is_the_centre_of_the_last_shape_drawn(nb):
    random.seed(3)
    dataset = nb.OddXYDataset(1)
    scene = dataset.sample_scene()
    random.seed(3)
    _, label = dataset[0]
    assert label.tolist() == list(scene.centres[-1])


def test_odd_type_differs_from_base_type(nb):
    random.seed(4)
    dataset = nb.OddXYDataset(1)
    scenes = [dataset.sample_scene() for _ in range(3000)]
    assert all(scene.odd_type != scene.base_type for scene in scenes)
    assert {(s.base_type, s.odd_type) for s in scenes} == {
        (b, o) for b in nb.SHAPE_TYPES for o in nb.SHAPE_TYPES if b != o
    }


def test_base_count_and_radii_cover_their_ranges(nb):
    random.seed(5)
    dataset = nb.OddXYDataset(1)
    scenes = [dataset.sample_scene() for _ in range(3000)]
    assert {len(s.radii) - 1 for s in scenes} == {3, 4, 5, 6}
    assert {r for s in scenes for r in s.radii} == set(range(4, 11))
    assert all(
        r <= cx <= 63 - r and r <= cy <= 63 - r
        for s in scenes
        for r, (cx, cy) in zip(s.radii, s.centres)
    )


def test_same_seed_gives_the_same_sample(nb):
    dataset = nb.OddXYDataset(1)
    random.seed(6)
    first = dataset[0]
    random.seed(6)
    second = dataset[0]
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])


def test_items_ignore_their_index_and_are_fresh(nb):
    random.seed(7)
    dataset = nb.OddXYDataset(10)
    assert not torch.equal(dataset[0][0], dataset[0][0])


def test_length_is_num_samples(nb):
    assert len(nb.OddXYDataset(25_000)) == 25_000


@pytest.mark.parametrize("index", [3, 10**9, -4])
def test_index_outside_the_dataset_raises_index_error(nb, index):
    with pytest.raises(IndexError, match="out of range for a dataset of 3 samples"):
        nb.OddXYDataset(3)[index]


def test_non_integer_index_raises_type_error(nb):
    with pytest.raises(TypeError, match="integers"):
        nb.OddXYDataset(3)[1.5]


def test_iterating_over_the_dataset_stops_after_len_samples(nb):
    random.seed(12)
    assert len(list(nb.OddXYDataset(3))) == 3


def test_valid_indices_draw_the_same_stream_whatever_their_value(nb):
    dataset = nb.OddXYDataset(5)
    random.seed(13)
    by_index = [dataset[i] for i in (4, 0, -1)]
    random.seed(13)
    in_order = [dataset[0] for _ in range(3)]
    for (a, la), (b, lb) in zip(by_index, in_order):
        assert torch.equal(a, b) and torch.equal(la, lb)


def test_sample_scene_makes_the_generators_random_calls_in_order(nb):
    """Replay the spec's sequence of calls to `random` by hand and compare."""
    random.seed(8)
    base = random.choice(("circle", "square", "triangle"))
    odd = random.choice(tuple(t for t in ("circle", "square", "triangle") if t != base))
    shapes = []
    for _ in range(random.randint(3, 6) + 1):
        r = random.randint(4, 10)
        shapes.append((r, (random.randint(r, 64 - r - 1), random.randint(r, 64 - r - 1))))
    random.seed(8)
    scene = nb.OddXYDataset(1).sample_scene()
    assert (scene.base_type, scene.odd_type) == (base, odd)
    assert scene.radii == [r for r, _ in shapes] and scene.centres == [c for _, c in shapes]


def test_show_examples_draws_a_titled_grid(nb):
    random.seed(9)
    figure = nb.show_examples(10)
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert len(figure.axes) == 10 and len(titles) == 10
    assert all(title.startswith("(") and title.endswith(")") for title in titles)


@pytest.mark.parametrize(
    "value, message",
    [
        ((3.0, 6), "pair of integers"),
        ((3, "6"), "pair of integers"),
        ((True, 6), "pair of integers"),
        (5, "pair of integers"),
        ((3, 6, 7), "pair of integers"),
        ((6, 3), "2 <= low <= high <= 64"),
        ((3, 65), "2 <= low <= high <= 64"),
        ((-1, 6), "two base shapes at least"),
        ((1, 6), "two base shapes at least"),
    ],
)
def test_invalid_same_shape_count_range_is_refused(nb, value, message):
    with pytest.raises(ValueError, match="same_shape_count_range") as error:
        nb.OddXYDataset(10, same_shape_count_range=value)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "value, message",
    [
        ((4.5, 10), "pair of integers"),
        ((10, 4), "1 <= low <= high <= 31"),
        ((0, 10), "1 <= low"),
        ((-3, 10), "1 <= low"),
        ((4, 32), "64-pixel canvas"),
    ],
)
def test_invalid_shape_radius_range_is_refused(nb, value, message):
    with pytest.raises(ValueError, match="shape_radius_range") as error:
        nb.OddXYDataset(10, shape_radius_range=value)
    assert message in str(error.value)


def test_largest_radius_that_fits_the_canvas_is_accepted(nb):
    random.seed(10)
    image, label = nb.OddXYDataset(1, shape_radius_range=(31, 31))[0]
    assert set(label.tolist()) <= {31.0, 32.0}  # randint(31, 64 - 31 - 1)
    assert (image == 0).sum() > 0


@pytest.mark.parametrize("value", [-1, 2.5, "10", True, 2**63])
def test_invalid_num_samples_is_refused(nb, value):
    with pytest.raises(ValueError, match="num_samples must be an integer from 0 to"):
        nb.OddXYDataset(value)
