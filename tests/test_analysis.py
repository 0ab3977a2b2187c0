"""Helpers of the evaluation and error analysis."""
import random

import pytest
import torch

from notebook_loader import REPO


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


def test_bootstrap_interval_of_the_rmse_holds_the_estimate_and_narrows_with_more_samples(nb):
    generator = torch.Generator().manual_seed(0)
    errors = torch.rand(40_000, generator=generator) * 10                 # (N,) squared errors
    small = nb.rmse_interval(errors[:2_000])
    large = nb.rmse_interval(errors)
    estimate = float(nb.rmse_from_squared_errors(errors))
    assert large[0] < estimate < large[1]
    assert large[1] - large[0] < (small[1] - small[0]) / 3                 # 20x the samples: ~4.5x narrower


def test_paired_difference_of_identical_errors_is_exactly_zero(nb):
    errors = torch.rand(5_000, generator=torch.Generator().manual_seed(1))
    assert nb.rmse_difference_interval(errors, errors.clone()) == (0.0, 0.0)


def test_paired_difference_sees_a_small_shift_that_the_separate_intervals_hide(nb):
    errors = torch.rand(20_000, generator=torch.Generator().manual_seed(2)) * 10
    shifted = errors * 1.01                                                # RMSE 0.5% larger on every sample
    low, high = nb.rmse_difference_interval(shifted, errors)
    assert 0 < low < high
    a, b = nb.rmse_interval(shifted), nb.rmse_interval(errors)
    assert a[0] < b[1]                                                     # the separate intervals overlap


def test_mirror_averaging_context_restores_the_setting(nb):
    model = nb.build_model(True)
    model.mirror_average = True
    with nb.mirror_averaging(model, False):
        assert model.mirror_average is False
    assert model.mirror_average is True


def test_token_content_marks_odd_base_and_background_cells(nb):
    scene = single_scene(nb, [(6, (20, 20)), (4, (45, 40))])               # base circle, odd square
    content = nb.token_content(nb.scenes_to_batch([scene]), nb.pil_shape_stamps())[0]
    assert content[nb.nearest_token(torch.tensor([[20.0, 20.0]]))[0]] == 1
    assert content[nb.nearest_token(torch.tensor([[45.0, 40.0]]))[0]] == 2
    assert content[0] == 0 and content[143] == 0


@pytest.mark.parametrize("changes, message", [
    (dict(odd_type="circle"), "two different types"),
    (dict(base_type="hexagon"), "two different types"),
    (dict(radii=[5, 5, 5, 3]), "radii must be integers from 4 to 10"),
    (dict(centres=[(20, 20), (40, 20), (20, 40), (2, 30)]), "needs its centre in 5..58"),
    (dict(radii=[5]), "radii and centres must list the same shapes"),
    (dict(radii=[5, 5], centres=[(20, 20), (40, 40)]), "3 to 6 base shapes"),
])
def test_a_hand_built_scene_the_generator_could_not_draw_is_refused(nb, changes, message):
    fields = dict(base_type="circle", odd_type="square", radii=[5, 5, 5, 5],
                  centres=[(20, 20), (40, 20), (20, 40), (40, 40)])
    fields.update(changes)
    with pytest.raises(ValueError, match=message):
        nb.check_scene(nb.Scene(**fields))


def test_a_hand_built_scene_the_generator_could_draw_is_accepted(nb):
    nb.check_scene(nb.Scene("circle", "square", [4, 10, 7, 5], [(4, 4), (53, 10), (20, 40), (58, 58)]))


def test_comparison_table_prints_every_configuration_and_every_lever(nb, capsys):
    comparison = nb.load_comparison(str(REPO / nb.COMPARISON_PATH))
    nb.print_comparison(comparison)
    printed = capsys.readouterr().out
    for row in comparison["rows"]:
        assert row["config"] in printed
    for lever in comparison["levers"]:
        assert f"{lever['lever']:44s} {lever['difference']:+.3f}" in printed
