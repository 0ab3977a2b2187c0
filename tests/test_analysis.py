"""Helpers of the evaluation and error analysis."""
import random

import torch


def single_scene(nb, shapes, base_type="circle", odd_type="square"):
    """One Scene from (r, (cx, cy)) pairs, the last being the odd shape."""
    return nb.Scene(base_type, odd_type, [r for r, _ in shapes], [c for _, c in shapes])


def test_visible_fraction_is_one_in_plain_view_and_zero_when_covered(nb):
    stamps = nb.pil_shape_stamps()
    in_view = single_scene(nb, [(5, (10, 10)), (5, (12, 50)), (4, (40, 40))])
    hidden = single_scene(nb, [(10, (30, 30)), (5, (12, 50)), (4, (30, 30))])
    half = single_scene(nb, [(6, (20, 20)), (6, (50, 50)), (6, (26, 20))])
    fractions = nb.visible_fraction(nb.scenes_to_batch([in_view, hidden, half]), stamps)
    assert fractions[0] == 1 and fractions[1] == 0 and 0.3 < fractions[2] < 0.7


def test_scenes_to_batch_renders_what_pil_renders(nb):
    random.seed(3)
    dataset = nb.OddXYDataset(1)
    scenes = [dataset.sample_scene() for _ in range(200)]
    batch = nb.scenes_to_batch(scenes)
    images = nb.render_shapes(batch.types, batch.radii, batch.centres, batch.present, nb.pil_shape_stamps())
    assert all(torch.equal(images[i], nb.render_scene_pil(scene)) for i, scene in enumerate(scenes))
    assert torch.equal(batch.labels, torch.tensor([s.centres[-1] for s in scenes], dtype=torch.float32))


def test_posterior_mean_is_the_only_hiding_place_when_there_is_one(nb):
    # A square of radius 4: among non-circle shapes of radius 4..10, only a square or a triangle of radius 4,
    # centred exactly on it, fits inside.
    black = nb.render_scene_pil(single_scene(nb, [(4, (20, 30))], "square", "square"))[0] < 0.5
    mean = nb.hidden_odd_posterior_mean(black[None], torch.tensor([0]), nb.pil_shape_stamps())
    assert torch.allclose(mean, torch.tensor([[20.0, 30.0]]))


def test_posterior_mean_of_two_equal_hiding_places_is_their_midpoint(nb):
    black = nb.render_scene_pil(single_scene(nb, [(6, (15, 20)), (6, (45, 40))], "square", "square"))[0] < 0.5
    mean = nb.hidden_odd_posterior_mean(black[None], torch.tensor([0]), nb.pil_shape_stamps())
    assert torch.allclose(mean, torch.tensor([[30.0, 30.0]]), atol=1e-4)


def test_rmse_is_the_root_of_the_mean_over_samples_and_coordinates(nb):
    predictions = torch.tensor([[0.0, 0.0], [3.0, 4.0]])
    labels = torch.zeros(2, 2)
    assert nb.rmse(predictions, labels) == (25 / 4) ** 0.5


def test_epoch_batches_add_up_to_exactly_one_epoch(nb):
    sizes = nb.epoch_batch_sizes(25_000, 128)
    assert sum(sizes) == 25_000 and max(sizes) == 128 and sizes[-1] == 25_000 - 195 * 128
