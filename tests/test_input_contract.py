"""predict's input contract: what it accepts, what it converts, and what it refuses with a message
saying what to do."""

import random

import numpy as np
import pytest
import torch


@pytest.fixture(scope="module")
def model(nb):
    torch.manual_seed(0)
    return nb.build_model().eval()


@pytest.fixture(scope="module")
def images(nb):
    random.seed(0)
    return torch.stack(
        [image for image, _ in nb.OddXYDataset(3)]
    )  # (3, 1, 64, 64) float32 in {0, 1}


def test_float32_images_of_the_homework_are_accepted(nb, model, images):
    centre, plain = nb.predict(model, images)
    assert centre.shape == (3, 2) and plain.probabilities.shape == (3, 144)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16])
def test_other_float_dtypes_are_converted_to_float32_and_give_the_same_answer(
    nb, model, images, dtype
):
    assert torch.equal(nb.predict(model, images.to(dtype))[0], nb.predict(model, images)[0])


def test_images_that_require_grad_are_accepted(nb, model, images):
    assert torch.equal(
        nb.predict(model, images.clone().requires_grad_(True))[0], nb.predict(model, images)[0]
    )


def with_pixel(images, value):
    changed = images.clone()
    changed[0, 0, 30, 30] = value
    return changed


BAD_INPUTS = [
    # (what a user might pass, a piece of the message that tells them what to do)
    (
        "uint8 pixels 0..255",
        lambda x: (x * 255).to(torch.uint8),
        r"floating point.*images.float\(\) / 255",
    ),
    ("float pixels 0..255", lambda x: x * 255, "divide by 255"),
    ("a bool mask", lambda x: x.bool(), "floating point"),
    (
        "grey pixels",
        lambda x: with_pixel(x, 0.5),
        r"binarise grey images with \(images > 0.5\).float\(\)",
    ),
    ("negative pixels", lambda x: x * 2 - 1, "0 \\(shape\\) or 1 \\(background\\)"),
    ("a NaN pixel", lambda x: with_pixel(x, float("nan")), "NaN or infinite"),
    ("an infinite pixel", lambda x: with_pixel(x, float("inf")), "NaN or infinite"),
    ("white shapes on black", lambda x: 1 - x, "pass 1 - images"),
    ("an empty white image", lambda x: torch.ones_like(x), "no black pixel"),
    ("a 32 x 32 image", lambda x: x[:, :, :32, :32], r"\(B, 1, 64, 64\)"),
    ("one image without its batch and channel axes", lambda x: x[0, 0], r"x\[None, None\]"),
    ("three colour channels", lambda x: x.expand(-1, 3, -1, -1), r"got \(3, 3, 64, 64\)"),
    ("an empty batch", lambda x: x[:0], "B >= 1"),
]


@pytest.mark.parametrize(
    "make, message", [case[1:] for case in BAD_INPUTS], ids=[case[0] for case in BAD_INPUTS]
)
def test_input_the_network_was_not_trained_on_is_refused_with_what_to_do(
    nb, model, images, make, message
):
    with pytest.raises(ValueError, match=message):
        nb.predict(model, make(images))


@pytest.mark.parametrize(
    "value, hint",
    [
        (np.ones((1, 1, 64, 64), np.float32), "torch.from_numpy"),
        ([[0.0] * 64] * 64, "torch.Tensor"),
    ],
    ids=["a NumPy array", "a list"],
)
def test_input_that_is_not_a_tensor_is_refused(nb, model, value, hint):
    with pytest.raises(TypeError, match=hint):
        nb.predict(model, value)


def test_a_pil_image_is_refused_with_the_type_it_is(nb, model):
    with pytest.raises(TypeError, match="got Image"):
        nb.predict(model, nb.Image.new("L", (64, 64), 255))


def test_no_image_of_the_homework_has_a_mostly_black_border(nb):
    """The inverted-image check may never refuse a real image: on 200,000 images of the generator
    the black share of the border stays far below the 50% at which predict refuses (it reached 37%
    in 2,000,000)."""
    data, largest = nb.BatchedOddShapes(seed=4), 0.0
    for _ in range(10):
        images, _, _ = data.sample(20_000)  # (20000, 1, 64, 64)
        border = torch.cat(
            [images[:, 0, [0, -1], :].flatten(1), images[:, 0, 1:-1, [0, -1]].flatten(1)], dim=1
        )
        largest = max(largest, float((border == 0).float().mean(dim=1).max()))
    assert largest < 0.45
