"""Evaluation and analysis: the RMSE and its intervals, the evaluation loop, the lower bound, token
classes, where wrong answers land, hand-built scenes, the comparison report."""

import json
import random

import pytest
import torch

from notebook_loader import REPO


def scene(nb, shapes, base_type="circle", odd_type="square"):
    """A SceneBatch of one scene from (r, (cx, cy)) pairs, the last being the odd shape."""
    return nb.scene_batch(
        [nb.Scene(base_type, odd_type, [r for r, _ in shapes], [c for _, c in shapes])]
    )


def test_rmse_is_the_root_of_the_mean_over_samples_and_coordinates(nb):
    squared_errors = torch.tensor([0.0, 3.0**2 + 4.0**2])  # (N,) summed over x and y
    assert float(nb.rmse(squared_errors)) == (25 / 4) ** 0.5
    assert float(nb.rmse(squared_errors)) == pytest.approx(
        torch.nn.MSELoss()(torch.tensor([[0.0, 0.0], [3.0, 4.0]]), torch.zeros(2, 2)).sqrt().item()
    )


def test_bootstrap_interval_of_the_rmse_holds_the_estimate_and_narrows_with_more_samples(nb):
    errors = (
        torch.rand(40_000, generator=torch.Generator().manual_seed(0)) * 10
    )  # (N,) squared errors
    small, large = nb.rmse_interval(errors[:2_000]), nb.rmse_interval(errors)
    assert large[0] < float(nb.rmse(errors)) < large[1]
    assert large[1] - large[0] < (small[1] - small[0]) / 3  # 20x the samples: ~4.5x narrower


def test_paired_difference_of_identical_errors_is_exactly_zero(nb):
    errors = torch.rand(5_000, generator=torch.Generator().manual_seed(1))
    assert nb.rmse_difference_interval(errors, errors.clone()) == (0.0, 0.0)


def test_paired_difference_sees_a_small_shift_that_the_separate_intervals_hide(nb):
    errors = torch.rand(20_000, generator=torch.Generator().manual_seed(2)) * 10
    shifted = errors * 1.01  # RMSE 0.5% larger on every sample
    low, high = nb.rmse_difference_interval(shifted, errors)
    assert 0 < low < high
    assert (
        nb.rmse_interval(shifted)[0] < nb.rmse_interval(errors)[1]
    )  # the separate intervals overlap


def test_paired_difference_over_two_seeds_is_centred_on_the_mean_of_the_per_seed_differences(nb):
    generator = torch.Generator().manual_seed(3)
    reference = torch.rand(2, 20_000, generator=generator) * 10  # (seeds, N)
    errors = reference * torch.tensor([[1.01], [1.03]])  # 0.5% and 1.5% larger RMSE
    low, high = nb.rmse_difference_interval(errors, reference)
    per_seed = nb.rmse(errors) - nb.rmse(reference)  # (2,)
    assert low < float(per_seed.mean()) < high and float(per_seed[0]) < low


def test_evaluation_of_images_and_labels_alone_keeps_no_scenes(nb):
    torch.manual_seed(0)
    model = nb.build_model().eval()
    random.seed(5)
    evaluation = nb.evaluate(
        model, nb.DataLoader(nb.OddXYDataset(30), batch_size=8)
    )  # (images, labels) batches
    dataset = nb.OddXYDataset(30)
    random.seed(5)
    samples = [dataset[i] for i in range(30)]
    assert torch.equal(evaluation.labels, torch.stack([label for _, label in samples]))
    centre, plain = nb.predict(model, torch.stack([image for image, _ in samples]))
    assert torch.allclose(evaluation.centre, centre, atol=1e-5) and torch.allclose(
        evaluation.coarse, plain.coarse, atol=1e-5
    )
    assert evaluation.scenes is None


def test_replaying_the_seed_draws_the_scenes_of_the_dataloaders_samples(nb):
    """Section 9 draws the scenes of section 6's samples again, without their images, for the lower
    bound."""
    random.seed(11)
    labels = torch.cat([labels for _, labels in nb.DataLoader(nb.OddXYDataset(50), batch_size=20)])
    random.seed(11)
    dataset = nb.OddXYDataset(50)
    assert torch.equal(nb.scene_batch([dataset.sample_scene() for _ in range(50)]).labels, labels)


def test_evaluation_of_the_generator_keeps_three_predictions_of_one_pass_and_its_peak(nb):
    torch.manual_seed(0)
    evaluation = nb.evaluate(
        nb.build_model().eval(), nb.generator_batches(20, seed=6, batch_size=8)
    )
    assert evaluation.centre.shape == evaluation.single.shape == evaluation.coarse.shape == (20, 2)
    assert (
        evaluation.peak.shape == (20,)
        and ((evaluation.peak > 1 / 144) & (evaluation.peak <= 1)).all()
    )
    assert len(evaluation.scenes) == 20 and torch.equal(evaluation.labels, evaluation.scenes.labels)
    assert not torch.equal(evaluation.squared_errors("single"), evaluation.squared_errors("centre"))


def test_scene_batch_from_scenes_renders_what_pil_renders(nb):
    random.seed(3)
    dataset = nb.OddXYDataset(1)
    scenes = [dataset.sample_scene() for _ in range(200)]
    batch = nb.scene_batch(scenes)
    images = nb.render_shapes(batch, nb.pil_shape_stamps())
    assert all(torch.equal(images[i], nb.render_scene_pil(s)) for i, s in enumerate(scenes))
    assert torch.equal(
        batch.labels, torch.tensor([s.centres[-1] for s in scenes], dtype=torch.float32)
    )


def test_visible_fraction_is_one_in_plain_view_and_zero_when_covered(nb):
    stamps = nb.pil_shape_stamps()
    in_view = scene(nb, [(5, (10, 10)), (5, (12, 50)), (5, (40, 12)), (4, (40, 40))])
    hidden = scene(nb, [(10, (30, 30)), (5, (12, 50)), (5, (40, 12)), (4, (30, 30))])
    half = scene(nb, [(6, (20, 20)), (6, (50, 50)), (5, (40, 12)), (6, (26, 20))])
    fractions = nb.visible_fraction(nb.cat_scenes([in_view, hidden, half]), stamps)
    assert fractions[0] == 1 and fractions[1] == 0 and 0.3 < fractions[2] < 0.7


def brute_force_lower_bound(nb, scenes):
    """The posterior mean by enumeration: every odd shape whose drawing over the base shapes gives
    the image."""
    stamps, guesses = nb.pil_shape_stamps(), []
    for b in range(len(scenes)):
        image = nb.render_shapes(scenes[[b]], stamps)  # (1, 1, 64, 64)
        weights = torch.zeros(64, 64, dtype=torch.float64)  # rows = y
        for odd_type in {0, 1, 2} - {int(scenes.types[b, 0])}:
            for r in range(4, 11):
                ys, xs = (
                    axis.flatten()
                    for axis in torch.meshgrid(
                        torch.arange(r, 64 - r), torch.arange(r, 64 - r), indexing="ij"
                    )
                )
                candidates = scenes[[b] * len(ys)]  # copies of the scene, one per centre
                candidates.types[:, -1], candidates.radii[:, -1] = odd_type, r
                candidates.centres[:, -1] = torch.stack([xs, ys], dim=1)
                same = (nb.render_shapes(candidates, stamps) == image).flatten(1).all(dim=1)  # (n,)
                weights[ys, xs] += (
                    same.double() / (64 - 2 * r) ** 2
                )  # the generator's prior, up to a constant
        position = torch.arange(64, dtype=torch.float64)
        guesses.append(
            torch.stack([(weights.sum(0) * position).sum(), (weights.sum(1) * position).sum()])
            / weights.sum()
        )
    return torch.stack(guesses).float()


def test_lower_bound_is_the_posterior_mean_found_by_enumerating_every_odd_shape(nb):
    _, _, scenes = nb.BatchedOddShapes(seed=8).sample(400)
    visible = nb.visible_fraction(scenes, nb.pil_shape_stamps())
    chosen = torch.cat(
        [
            (visible == 0).nonzero().flatten()[:2],
            (visible < 0.4).nonzero().flatten()[:3],
            (visible == 1).nonzero().flatten()[:1],
        ]
    )  # hidden, partly hidden, in view
    assert len(chosen) == 6
    fast = nb.lower_bound_centres(scenes[chosen], nb.pil_shape_stamps())
    assert torch.allclose(fast, brute_force_lower_bound(nb, scenes[chosen]), atol=1e-4)


def test_lower_bound_finds_an_odd_shape_in_plain_view_exactly(nb):
    in_view = scene(nb, [(5, (10, 10)), (5, (12, 50)), (5, (40, 12)), (7, (40, 40))])
    assert torch.equal(
        nb.lower_bound_centres(in_view, nb.pil_shape_stamps()), torch.tensor([[40.0, 40.0]])
    )


def test_lower_bound_of_an_odd_shape_hidden_in_one_of_two_equal_places_is_their_midpoint(nb):
    # Two identical base squares far apart, the odd circle inside the first: it could be inside
    # either.
    hidden = scene(
        nb,
        [(8, (15, 20)), (8, (45, 40)), (8, (15, 20)), (4, (15, 20))],
        base_type="square",
        odd_type="circle",
    )
    assert torch.allclose(
        nb.lower_bound_centres(hidden, nb.pil_shape_stamps()),
        torch.tensor([[30.0, 30.0]]),
        atol=1e-4,
    )


def test_where_answers_land_tells_merged_silhouettes_from_single_shapes_and_background(nb):
    merged = scene(
        nb, [(6, (20, 20)), (6, (28, 20)), (5, (50, 50)), (4, (45, 8))]
    )  # two touching circles
    answers = torch.tensor([[24.0, 20.0], [50.0, 50.0], [35.0, 40.0], [45.0, 8.0]])
    four = nb.cat_scenes([merged] * 4)
    assert nb.where_answers_land(four, answers, nb.pil_shape_stamps()).tolist() == [1, 2, 3, 0]


def test_contact_tells_overlapping_touching_and_separate_odd_shapes(nb):
    overlapping = scene(
        nb,
        [(6, (20, 20)), (5, (50, 50)), (5, (50, 12)), (4, (24, 20))],
        base_type="square",
        odd_type="circle",
    )
    # squares make the contact exact: the base square ends at x = 26, the odd one starts at x = 27
    touching = scene(
        nb,
        [(6, (20, 20)), (5, (50, 50)), (5, (50, 12)), (4, (31, 20))],
        base_type="square",
        odd_type="square",
    )
    apart = scene(nb, [(6, (20, 20)), (5, (50, 50)), (5, (50, 12)), (4, (40, 30))])
    assert nb.contact(
        nb.cat_scenes([overlapping, touching, apart]), nb.pil_shape_stamps()
    ).tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(odd_type="circle"), "two different types"),
        (dict(base_type="hexagon"), "two different types"),
        (dict(radii=[5, 5, 5, 3]), "radii must be integers from 4 to 10"),
        (dict(centres=[(20, 20), (40, 20), (20, 40), (2, 30)]), "centre coordinates in 5..58"),
        (dict(centres=[(20, 20), (40, 20), (20, 40), (30,)]), "centre coordinates"),
        (dict(radii=[5]), "as many radii as centres"),
        (dict(radii=[5, 5], centres=[(20, 20), (40, 40)]), "3 to 6 base shapes"),
    ],
)
def test_a_hand_built_scene_the_generator_could_not_draw_is_refused(nb, changes, message):
    fields = dict(
        base_type="circle",
        odd_type="square",
        radii=[5, 5, 5, 5],
        centres=[(20, 20), (40, 20), (20, 40), (40, 40)],
    )
    fields.update(changes)
    with pytest.raises(ValueError, match=message):
        nb.check_scene(nb.Scene(**fields))


def test_a_hand_built_scene_the_generator_could_draw_is_accepted(nb):
    nb.check_scene(
        nb.Scene("circle", "square", [4, 10, 7, 5], [(4, 4), (53, 10), (20, 40), (58, 58)])
    )


def test_the_comparison_report_prints_every_comparison_of_a_group(nb, capsys):
    comparison = json.loads((REPO / nb.COMPARISON_PATH).read_text())
    for group in {item["group"] for item in comparison["comparisons"]}:
        nb.print_comparisons(comparison, group)
        printed = capsys.readouterr().out
        for item in comparison["comparisons"]:
            if item["group"] == group:
                assert (
                    f"{item['name']:48s} {item['rmse']:8.3f}" in printed
                    and f"{item['difference']:+8.3f}" in printed
                )


def test_without_the_repository_a_report_says_why_and_the_notebook_goes_on(nb, tmp_path, capsys):
    assert nb.load_report(str(tmp_path / "missing.json")) is None
    assert "placeholder" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_a_report_of_the_clone_is_read_from_it(nb):
    assert nb.load_report(str(REPO / nb.SCALING_PATH))["validation_seed"] == 90_210
