"""The batched generator: pixel-identical to PIL, same distribution as OddXYDataset."""

import math
import random

import numpy as np
import pytest
import torch


def random_shape_sets(nb, count, seed):
    """`count` shape sets of 1..7 shapes of mixed types and radii 1..10, clustered so they overlap
    heavily, plus one set per (type, radius) pair with that shape alone at a random position."""
    rng = np.random.default_rng(seed)
    sets = [
        [(t, r, (int(rng.integers(r, 64 - r)), int(rng.integers(r, 64 - r))))]
        for t in range(3)
        for r in range(1, 11)
    ]
    while len(sets) < count:
        anchor = rng.integers(10, 54, size=2)
        shapes = []
        for _ in range(int(rng.integers(1, 8))):
            t, r = int(rng.integers(0, 3)), int(rng.integers(1, 11))
            cx, cy = (int(np.clip(a + rng.integers(-8, 9), r, 63 - r)) for a in anchor)
            shapes.append((t, r, (cx, cy)))
        sets.append(shapes)
    return sets


def to_scenes(nb, shape_sets, slots=7):
    """A SceneBatch holding arbitrary shape sets (any types, slots filled from the first)."""
    batch = len(shape_sets)
    types = torch.zeros(batch, slots, dtype=torch.long)
    radii = torch.ones(batch, slots, dtype=torch.long)
    centres = torch.full((batch, slots, 2), 32, dtype=torch.long)
    present = torch.zeros(batch, slots, dtype=torch.bool)
    for b, shapes in enumerate(shape_sets):
        for s, (t, r, centre) in enumerate(shapes):
            types[b, s], radii[b, s], present[b, s] = t, r, True
            centres[b, s] = torch.tensor(centre)
    return nb.SceneBatch(types, radii, centres, present)


def render_with_pil(nb, shapes):
    """The reference: PIL's calls as dataset-spec.md states them, for shapes of any mix of types."""
    image = nb.Image.new("L", (64, 64), 255)
    draw = nb.ImageDraw.Draw(image)
    for t, r, (cx, cy) in shapes:
        if t == 0:
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=0)
        elif t == 1:
            draw.rectangle([cx - r, cy - r, cx + r, cy + r], fill=0)
        else:
            draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=0)
    return torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0)


def test_renderer_is_pixel_identical_to_pil_on_10000_shape_sets(nb):
    stamps = nb.pil_shape_stamps()
    shape_sets = random_shape_sets(nb, 10_000, seed=0)
    assert {(t, r) for shapes in shape_sets for t, r, _ in shapes} == {
        (t, r) for t in range(3) for r in range(1, 11)
    }
    assert np.mean([len(shapes) for shapes in shape_sets]) > 3.5  # clustered: heavy overlaps
    mismatches = []
    for start in range(0, len(shape_sets), 1000):
        chunk = shape_sets[start : start + 1000]
        images = nb.render_shapes(to_scenes(nb, chunk), stamps)  # (1000, 1, 64, 64)
        mismatches += [
            start + i
            for i, shapes in enumerate(chunk)
            if not torch.equal(images[i, 0], render_with_pil(nb, shapes))
        ]
    assert mismatches == []


def test_renderer_is_pixel_identical_to_pil_at_the_canvas_edges(nb):
    stamps = nb.pil_shape_stamps()
    shape_sets = [
        [(t, r, (cx, cy))]
        for t in range(3)
        for r in range(1, 11)
        for cx in (r, 63 - r)
        for cy in (r, 63 - r)
    ]
    images = nb.render_shapes(to_scenes(nb, shape_sets), stamps)
    assert all(
        torch.equal(images[i, 0], render_with_pil(nb, shapes))
        for i, shapes in enumerate(shape_sets)
    )


def test_absent_slots_draw_nothing(nb):
    scenes = to_scenes(nb, [[(0, 10, (32, 32))]])
    scenes.present[:] = False
    image = nb.render_shapes(scenes, nb.pil_shape_stamps())
    assert torch.equal(image, torch.ones(1, 1, 64, 64))


def test_batch_has_the_documented_shapes_and_dtypes(nb):
    images, labels, scenes = nb.BatchedOddShapes(seed=0).sample(32)
    assert images.shape == (32, 1, 64, 64) and images.dtype == torch.float32
    assert labels.shape == (32, 2) and labels.dtype == torch.float32
    assert set(images.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(labels, scenes.centres[:, -1].float())


def test_batch_matches_pil_rendering_of_its_own_scenes(nb):
    images, _, scenes = nb.BatchedOddShapes(seed=1).sample(300)
    for b in range(300):
        shapes = [
            (int(t), int(r), tuple(c.tolist()))
            for t, r, c, p in zip(
                scenes.types[b], scenes.radii[b], scenes.centres[b], scenes.present[b]
            )
            if p
        ]
        assert torch.equal(images[b, 0], render_with_pil(nb, shapes))


def test_a_scene_batch_row_is_the_scene_that_pil_renders_the_same(nb):
    images, labels, scenes = nb.BatchedOddShapes(seed=6).sample(200)
    for b in range(200):
        scene = nb.scene_at(scenes, b)
        assert torch.equal(nb.render_scene_pil(scene), images[b])
        assert list(scene.centres[-1]) == labels[b].int().tolist()


def test_mirroring_a_scene_mirrors_its_image_exactly(nb):
    """The premise of mirror averaging: the image of shapes drawn at x' = 63 - x is the mirrored
    image."""
    images, _, scenes = nb.BatchedOddShapes(seed=7).sample(20_000)
    mirrored_centres = torch.stack([63 - scenes.centres[..., 0], scenes.centres[..., 1]], dim=-1)
    mirrored = nb.render_shapes(
        nb.SceneBatch(scenes.types, scenes.radii, mirrored_centres, scenes.present),
        nb.pil_shape_stamps(),
    )
    assert torch.equal(mirrored, images.flip(-1))
    for b in range(300):  # and with PIL itself
        scene = nb.scene_at(scenes, b)
        flipped = nb.Scene(
            scene.base_type, scene.odd_type, scene.radii, [(63 - x, y) for x, y in scene.centres]
        )
        assert torch.equal(nb.render_scene_pil(flipped), images[b].flip(-1))


def test_same_seed_gives_the_same_batches(nb):
    first, second = nb.BatchedOddShapes(seed=5), nb.BatchedOddShapes(seed=5)
    for _ in range(3):
        (a, la, _), (b, lb, _) = first.sample(16), second.sample(16)
        assert torch.equal(a, b) and torch.equal(la, lb)


def test_scenes_follow_the_generators_rules(nb):
    _, labels, scenes = nb.BatchedOddShapes(seed=2).sample(20_000)
    assert (scenes.types[:, -1] != scenes.types[:, 0]).all()
    assert (scenes.types[:, :-1] == scenes.types[:, :1]).all()
    base_counts = scenes.present[:, :-1].sum(1)
    assert set(base_counts.unique().tolist()) == {3, 4, 5, 6} and scenes.present[:, -1].all()
    assert set(scenes.radii.unique().tolist()) == set(range(4, 11))
    low, high = scenes.radii.unsqueeze(-1), 63 - scenes.radii.unsqueeze(-1)
    assert ((scenes.centres >= low) & (scenes.centres <= high)).all()
    assert labels.min() == 4 and labels.max() == 59


def summary(images, labels):
    """Per-sample statistics whose means the two generators must share."""
    black = 1 - images.flatten(1).mean(1)  # (N,) black-pixel fraction
    return {
        "label x": labels[:, 0],
        "label y": labels[:, 1],
        "label spread": (labels - 31.5).norm(dim=1),
        "black fraction": black,
    }


def test_distribution_matches_the_pil_dataset_on_20000_samples(nb):
    """Means of per-sample statistics agree within 5 standard errors, and their standard deviations
    within 5% (both samples are 20,000 draws, so these bounds fail only if the distributions
    differ)."""
    n = 20_000
    random.seed(11)
    dataset = nb.OddXYDataset(n)
    pil = [dataset[i] for i in range(n)]
    pil_stats = summary(torch.stack([p[0] for p in pil]), torch.stack([p[1] for p in pil]))
    images, labels, _ = nb.BatchedOddShapes(seed=11).sample(n)
    batched_stats = summary(images, labels)
    for name in pil_stats:
        a, b = pil_stats[name].double(), batched_stats[name].double()
        standard_error = math.sqrt(a.var() / n + b.var() / n)
        assert abs(a.mean() - b.mean()) < 5 * standard_error, (name, a.mean(), b.mean())
        assert abs(a.std() / b.std() - 1) < 0.05, (name, a.std(), b.std())


def test_pil_stamps_are_translation_invariant(nb):
    """The stamping premise: a shape drawn at another integer centre is the same mask, shifted."""
    stamps = nb.pil_shape_stamps()
    for t in range(3):
        for r in range(1, 11):
            for cx, cy in [(r, r), (40, 17), (63 - r, 63 - r)]:
                image = render_with_pil(nb, [(t, r, (cx, cy))]) < 0.5
                padded = torch.zeros(84, 84, dtype=torch.bool)
                padded[cy : cy + 21, cx : cx + 21] = stamps[t, r]
                assert torch.equal(image, padded[10:74, 10:74])


@pytest.mark.parametrize("seed", [-1, 2.5, "0", None, True, 2**64, 2**70])
def test_invalid_seed_is_refused(nb, seed):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 2\^64 - 1"):
        nb.BatchedOddShapes(seed=seed)


@pytest.mark.parametrize("batch_size", [0, -5, 2.0, 65_537])
def test_invalid_batch_size_is_refused(nb, batch_size):
    with pytest.raises(ValueError, match="batch_size must be an integer from 1 to 65,536"):
        nb.BatchedOddShapes(seed=0).sample(batch_size)


@pytest.mark.parametrize(
    "kwargs, argument, message",
    [
        (dict(same_shape_count_range=(6, 3)), "same_shape_count_range", "2 <= low <= high <= 64"),
        (dict(same_shape_count_range=(3, 65)), "same_shape_count_range", "2 <= low <= high <= 64"),
        (
            dict(same_shape_count_range=(-2, 3)),
            "same_shape_count_range",
            "two base shapes at least",
        ),
        (dict(same_shape_count_range=(3, 6.0)), "same_shape_count_range", "pair of integers"),
        (dict(shape_radius_range=(10, 4)), "shape_radius_range", "1 <= low <= high <= 10"),
        (dict(shape_radius_range=(0, 4)), "shape_radius_range", "1 <= low"),
        (dict(shape_radius_range=(4, 11)), "shape_radius_range", "21 x 21 stamp window"),
    ],
)
def test_invalid_arguments_are_refused(nb, kwargs, argument, message):
    with pytest.raises(ValueError, match=argument) as error:
        nb.BatchedOddShapes(seed=0, **kwargs)
    assert message in str(error.value)


def test_scenes_are_drawn_on_the_cpu_whatever_the_device_so_every_device_gets_the_same_samples(nb):
    """The scene parameters come from a CPU generator; only the rendering runs on the device. The
    "meta" device stands in for a GPU: its tensors hold no values, so the test follows the random
    stream instead."""
    on_cpu, elsewhere = nb.BatchedOddShapes(seed=3), nb.BatchedOddShapes(seed=3, device="meta")
    assert elsewhere.generator.device.type == "cpu"
    for _ in range(2):
        on_cpu.sample(8)
        images, labels, scenes = elsewhere.sample(8)
        assert (
            images.device.type == "meta"
            and images.shape == (8, 1, 64, 64)
            and scenes.types.device.type == "meta"
        )
        assert torch.equal(
            elsewhere.generator.get_state(), on_cpu.generator.get_state()
        )  # the same draws, in step
