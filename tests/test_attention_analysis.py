"""The attention statistics' helpers, on hand-built scenes and hand-built attention whose answer is
known: token cells that tile the image, token classes, the ratios by class and by shape type, the
rows of the odd token, of the base control and of the background queries, the summaries, the linear
probes, the figures' rings."""

import math

import pytest
import torch


def scene(nb, shapes, base_type="circle", odd_type="square"):
    """A SceneBatch of one scene from (r, (cx, cy)) pairs, the last being the odd shape."""
    return nb.scene_batch(
        [nb.Scene(base_type, odd_type, [r for r, _ in shapes], [c for _, c in shapes])]
    )


def test_every_pixel_belongs_to_the_token_whose_centre_is_nearest(nb):
    pixels = torch.stack(
        torch.meshgrid(torch.arange(64.0), torch.arange(64.0), indexing="xy"), -1
    ).reshape(-1, 2)  # (x, y)
    nearest = torch.cdist(pixels, nb.receptive_field_centres()).argmin(1)  # (4096,)
    assert torch.equal(nb.pixel_tokens().flatten(), nearest)


def test_the_token_cells_tile_the_whole_image(nb):
    counts = nb.token_ink(torch.ones(1, 64, 64, dtype=torch.bool))[0].reshape(
        12, 12
    )  # pixels per cell
    assert counts.sum() == 64 * 64
    assert (
        counts[5, 5] == 16 and counts[0, 0] == 12 * 12 and counts[0, 5] == 12 * 4
    )  # inside, corner, edge


def test_ink_in_the_border_frame_makes_its_token_odd(nb):
    """An odd shape in the image's corner lies outside the central 48 x 48 pixels, yet its token is
    odd."""
    corner = scene(nb, [(6, (30, 30)), (5, (50, 12)), (5, (12, 50)), (4, (4, 4))])
    classes = nb.token_classes(corner, nb.pil_shape_stamps())[0]
    assert classes[0] == 0 and (classes == 0).sum() == 1


def test_token_classes_mark_odd_base_and_background_near_and_far(nb):
    one = scene(
        nb, [(6, (20, 20)), (5, (50, 12)), (5, (12, 50)), (4, (45, 40))]
    )  # base circles, odd square at (45, 40)
    classes = nb.token_classes(one, nb.pil_shape_stamps())[0]
    token = lambda x, y: int(  # noqa: E731
        nb.nearest_token(torch.tensor([[float(x), float(y)]]))[0]
    )
    assert classes[token(20, 20)] == 1 and classes[token(45, 40)] == 0
    assert classes[token(53.5, 41.5)] == 2  # no ink in its cell, but the square's in the next one
    assert classes[token(33.5, 53.5)] == 3  # no ink within one cell


def test_uniform_attention_reads_every_class_as_its_area(nb):
    classes = torch.tensor([[0] * 4 + [1] * 40 + [2] * 50 + [3] * 50])  # (1, 144)
    uniform = torch.full((1, 1, 2, 144, 144), 1 / 144)
    assert torch.allclose(nb.class_ratios(uniform, classes), torch.ones(1, 1, 2, 3, 4))


def test_attention_only_on_the_odd_tokens_reads_the_odd_class_at_one_over_its_area(nb):
    classes = torch.tensor([[0] * 4 + [1] * 40 + [2] * 50 + [3] * 50])
    on_odd = torch.zeros(1, 1, 1, 144, 144)
    on_odd[..., :4] = 1 / 4  # every row: the 4 odd tokens
    ratio = nb.class_ratios(on_odd, classes)[0, 0, 0]  # (3, 4)
    assert torch.allclose(ratio[:, 0], torch.full((3,), 144 / 4)) and torch.equal(
        ratio[:, 1:], torch.zeros(3, 3)
    )


def test_an_empty_class_gives_nan_not_a_number_that_could_be_read(nb):
    classes = torch.tensor([[1] * 44 + [2] * 50 + [3] * 50])  # no odd token: hidden odd shape
    ratio = nb.class_ratios(torch.full((1, 1, 1, 144, 144), 1 / 144), classes)[0, 0, 0]
    assert (
        ratio[0].isnan().all()
        and ratio[:, 0].isnan().all()
        and torch.allclose(ratio[1:, 1:], torch.ones(2, 3))
    )


def test_ratios_by_type_put_each_class_under_its_scenes_shape_type(nb):
    scenes = nb.cat_scenes(
        [
            scene(nb, [(5, (10, 10))] * 3 + [(5, (40, 40))], "circle", "square"),
            scene(nb, [(5, (10, 10))] * 3 + [(5, (40, 40))], "square", "circle"),
        ]
    )
    ratio = torch.arange(2 * 12, dtype=torch.float32).reshape(2, 1, 1, 3, 4)  # distinct values
    typed = nb.by_type(ratio, scenes)  # (2, 1, 1, 4, 3)
    circle, square, triangle, background = 0, 1, 2, 3
    odd, base = 0, 1
    assert (
        typed[0, 0, 0, circle, square] == ratio[0, 0, 0, base, odd]
    )  # circles (base) read the square
    assert (
        typed[1, 0, 0, circle, square] == ratio[1, 0, 0, odd, base]
    )  # the odd circle reads squares
    assert typed[0, 0, 0, background, circle] == ratio[0, 0, 0, 2, base]
    assert typed[1, 0, 0, background, circle] == ratio[1, 0, 0, 2, odd]
    assert typed[:, :, :, triangle].isnan().all() and typed[:, :, :, :, triangle].isnan().all()


def test_attention_rows_take_the_odd_tokens_row_a_distant_base_control_and_the_background_mean(nb):
    one = scene(nb, [(8, (20, 20)), (5, (50, 12)), (5, (12, 50)), (4, (45, 40))])
    stamps = nb.pil_shape_stamps()
    attention = torch.eye(144).reshape(1, 1, 1, 144, 144)  # each query reads itself
    rows = nb.attention_rows(attention, one, stamps)
    odd_token = int(nb.nearest_token(one.labels)[0])
    assert torch.equal(rows["odd"][0, 0, 0], attention[0, 0, 0, odd_token])
    control = int(rows["control"][0, 0, 0].argmax())  # the row of the control token
    base_ink = nb.token_ink(nb.shape_masks(one, stamps)[1])[0]  # (144,)
    token = torch.arange(144)
    distant = (
        torch.maximum((token // 12 - odd_token // 12).abs(), (token % 12 - odd_token % 12).abs())
        >= 2
    )
    assert rows["classes"][0, control] == 1 and distant[control]
    assert (
        base_ink[control] == base_ink[distant & (rows["classes"][0] == 1)].max()
    )  # the most base ink
    background = (rows["classes"][0] >= 2).float()
    assert torch.allclose(rows["background"][0, 0, 0], background / background.sum())


def test_a_scene_without_a_distant_base_token_has_no_control(nb):
    close = scene(
        nb, [(4, (30, 30))] * 4
    )  # the base circles under the odd square: no base ink 2 tokens away
    rows = nb.attention_rows(torch.full((1, 1, 1, 144, 144), 1 / 144), close, nb.pil_shape_stamps())
    assert rows["control"].isnan().all() and rows["odd"].isfinite().all()


def test_summaries_give_quartiles_and_the_share_above_one_with_its_wilson_interval(nb):
    values = torch.tensor([0.5, 0.5, 2.0, 2.0, float("nan")])
    assert nb.quartiles(values) == "1.25 [0.50 - 2.00]"
    assert nb.share_above_one(values[:4]) == "50.0% (15% - 85%)"


def test_a_ring_drawn_at_ring_radius_clears_every_pixel_of_the_shape(nb):
    stamps = nb.pil_shape_stamps()
    for t in range(3):
        for r in range(4, 11):
            ys, xs = stamps[t, r].nonzero(as_tuple=True)  # pixels, centre at (10, 10)
            corners = torch.stack(
                [(xs - 10).abs() + 0.5, (ys - 10).abs() + 0.5], 1
            )  # outer corner of each pixel
            assert float(corners.norm(dim=1).max()) <= nb.ring_radius(t, r) - 1 + 1e-6, (t, r)


def test_a_linear_probe_learns_a_linearly_separable_labelling(nb):
    torch.manual_seed(0)
    features = torch.randn(600, 16)
    labels = (features @ torch.randn(16, 3)).argmax(1)  # 3 classes, linear boundaries
    probe = nb.fit_linear_probe(features, labels, 3)
    assert float((probe(features).argmax(1) == labels).float().mean()) > 0.97


def test_token_features_before_and_after_the_block_are_what_the_network_computes(nb):
    torch.manual_seed(0)
    model = nb.build_model().eval()
    images = nb.BatchedOddShapes(seed=1).sample(3)[0]
    before, after = nb.token_features(model, images)
    with torch.no_grad():
        expected_before = model.embedding(images) + model.positions
        expected_after = model.blocks[0](expected_before)[0]
    assert before.shape == after.shape == (3, 144, 16)
    assert torch.allclose(before, expected_before) and torch.allclose(after, expected_after)


@pytest.mark.parametrize("visible", ["plain view", "hidden"])
def test_the_posterior_of_the_odd_centre_is_a_distribution_that_holds_the_truth(nb, visible):
    shapes = (
        [(5, (10, 10)), (5, (12, 50)), (5, (40, 12)), (7, (40, 40))]
        if visible == "plain view"
        else [(10, (30, 30)), (5, (12, 50)), (5, (40, 12)), (4, (30, 30))]
    )
    posterior = nb.odd_centre_posterior(scene(nb, shapes), nb.pil_shape_stamps())[
        0
    ]  # (64, 64) rows = y
    assert (
        math.isclose(float(posterior.sum()), 1.0, rel_tol=1e-9)
        and posterior[shapes[-1][1][1], shapes[-1][1][0]] > 0
    )
    assert (posterior.max() == 1.0) == (visible == "plain view")
