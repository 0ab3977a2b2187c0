"""The model: tokens, receptive fields, positional encoding, attention, heads, soft-argmax, mirror
averaging."""

import math

import pytest
import torch


def plain_model(nb, seed=0, with_offset_head=True):
    torch.manual_seed(seed)
    return nb.build_model(with_offset_head).eval()


@pytest.fixture(scope="module")
def model(nb):
    return plain_model(nb)


def binary_images(nb, count, seed=0):
    """Images of the homework's kind, from the batched generator."""
    return nb.BatchedOddShapes(seed=seed).sample(count)[0]


def test_embedding_turns_an_image_into_144_tokens_of_16_dims(nb, model):
    assert model.embedding(torch.rand(3, 1, 64, 64)).shape == (3, 144, 16)


def receptive_field(embedding, token):
    """((first row, last row), (first column, last column)) of the pixels whose input gradient
    reaches `token`."""
    images = torch.rand(
        4, 1, 64, 64, generator=torch.Generator().manual_seed(token)
    ).requires_grad_(True)
    embedding(images)[:, token].abs().sum().backward()
    rows, cols = images.grad.abs().sum(dim=(0, 1)).nonzero().T
    return (int(rows.min()), int(rows.max())), (int(cols.min()), int(cols.max()))


def test_every_token_sees_a_20x20_field_with_stride_4(nb, model):
    for row in range(12):
        for col in range(12):
            rows, cols = receptive_field(model.embedding, 12 * row + col)
            assert rows == (4 * row, 4 * row + 19) and cols == (4 * col, 4 * col + 19), (row, col)


def test_soft_argmax_centres_are_the_receptive_field_centres(nb, model):
    centres = nb.receptive_field_centres()
    assert centres.shape == (144, 2)
    for token in (0, 5, 77, 143):
        (top, bottom), (left, right) = receptive_field(model.embedding, token)
        assert centres[token].tolist() == [(left + right) / 2, (top + bottom) / 2]
    assert centres[13].tolist() == [9.5 + 4, 9.5 + 4]


def test_positional_encoding_is_the_sinusoid_of_the_token_index(nb):
    encoding = nb.sinusoidal_positional_encoding()
    assert encoding.shape == (144, 16)
    for p in (0, 1, 77, 143):
        for k in range(8):
            angle = p / 10000 ** (2 * k / 16)
            assert encoding[p, 2 * k].item() == pytest.approx(math.sin(angle), abs=1e-5)
            assert encoding[p, 2 * k + 1].item() == pytest.approx(math.cos(angle), abs=1e-5)


def test_soft_argmax_reproduces_the_homework_example(nb):
    centres = torch.tensor([[16.0, 16.0], [16.0, 48.0], [48.0, 16.0], [48.0, 48.0]])
    probabilities = torch.tensor([[0.1, 0.2, 0.69999, 0.00001]])
    x, y = nb.soft_argmax(probabilities, centres)[0].tolist()
    assert x == pytest.approx(16 * 0.1 + 16 * 0.2 + 48 * 0.69999 + 48 * 0.00001)
    assert y == pytest.approx(16 * 0.1 + 48 * 0.2 + 16 * 0.69999 + 48 * 0.00001)


def test_attention_rows_are_probability_distributions(nb, model):
    prediction = model(binary_images(nb, 2), return_attention=True)
    assert prediction.attention.shape == (2, nb.NUM_LAYERS, nb.NUM_HEADS, 144, 144)
    assert torch.allclose(
        prediction.attention.sum(-1), torch.ones(2, nb.NUM_LAYERS, nb.NUM_HEADS, 144)
    )
    assert (prediction.attention >= 0).all()


def test_attention_weights_are_returned_only_when_asked_for(nb, model):
    assert model(binary_images(nb, 2)).attention is None


def test_self_attention_is_the_softmax_of_scaled_query_key_products_applied_to_the_values(nb):
    torch.manual_seed(3)
    attention = nb.SelfAttention(num_heads=2, head_dim=16)
    tokens = torch.randn(3, 144, 16)
    output, weights = attention(tokens)
    q, k, v = (
        attention.query(tokens),
        attention.key(tokens),
        attention.value(tokens),
    )  # (3, 144, 32) each
    heads = []
    for h in range(2):
        columns = slice(16 * h, 16 * (h + 1))
        scores = q[..., columns] @ k[..., columns].transpose(1, 2) / 4.0  # sqrt(16) = 4
        assert torch.allclose(weights[:, h], scores.softmax(-1), atol=1e-6)
        heads.append(scores.softmax(-1) @ v[..., columns])  # (3, 144, 16)
    assert torch.allclose(output, attention.output(torch.cat(heads, dim=-1)), atol=1e-5)


def test_prediction_is_soft_argmax_plus_probability_weighted_offsets(nb, model):
    images = binary_images(nb, 2)
    prediction = model(images)
    features = model.head_norm(model.blocks[0](model.embedding(images) + model.positions)[0])
    offsets = nb.STRIDE * model.offset_head(features)  # (2, 144, 2)
    expected_coarse = prediction.probabilities @ nb.receptive_field_centres()
    assert torch.allclose(prediction.probabilities, prediction.logits.softmax(-1))
    assert torch.allclose(prediction.offsets, offsets)
    assert torch.allclose(prediction.coarse, expected_coarse, atol=1e-5)
    assert torch.allclose(
        prediction.centre,
        expected_coarse + torch.einsum("bt,btc->bc", prediction.probabilities, offsets),
        atol=1e-4,
    )


def test_one_headed_network_predicts_the_soft_argmax_alone(nb):
    one_headed = plain_model(nb, seed=1, with_offset_head=False)
    prediction = one_headed(binary_images(nb, 2))
    assert one_headed.offset_head is None and prediction.offsets is None
    assert torch.equal(prediction.centre, prediction.coarse)


def test_predict_averages_the_plain_pass_with_the_mapped_back_prediction_for_the_mirrored_image(nb):
    model = plain_model(nb, seed=4)
    images = binary_images(nb, 3)
    with torch.no_grad():
        plain, mirrored = model(images), model(images.flip(-1))
    centre, returned = nb.predict(model, images)
    expected = (
        plain.centre + torch.stack([63 - mirrored.centre[:, 0], mirrored.centre[:, 1]], 1)
    ) / 2
    assert torch.allclose(centre, expected, atol=1e-4)
    assert torch.allclose(returned.centre, plain.centre, atol=1e-5)  # the plain pass, too
    assert torch.allclose(
        returned.probabilities, plain.probabilities, atol=1e-6
    )  # whose maps are the image's own


def test_predict_runs_both_images_in_one_batch(nb):
    model = plain_model(nb, seed=4)
    seen = []
    model.register_forward_hook(lambda module, args, output: seen.append(args[0].shape[0]))
    nb.predict(model, binary_images(nb, 5))
    assert seen == [10]


def test_predict_is_the_input_contract_then_the_mirror_averaged_answer(nb):
    model = plain_model(nb, seed=4)
    images = binary_images(nb, 3)
    assert torch.equal(nb.predict(model, images)[0], nb.mirror_averaged(model, images)[0])


def test_predict_in_small_chunks_gives_exactly_the_answers_of_one_pass(nb):
    """Memory stays bounded whatever the batch: predict runs chunk_size images (and their mirrors)
    at a time."""
    model = plain_model(nb, seed=4)
    images = binary_images(nb, 10)
    seen = []
    model.register_forward_hook(lambda module, args, output: seen.append(args[0].shape[0]))
    whole_centre, whole = nb.predict(model, images, return_attention=True)
    chunked_centre, chunked = nb.predict(model, images, return_attention=True, chunk_size=3)
    assert seen == [20, 6, 6, 6, 2]  # one pass, then chunks of 3 images and their mirrors
    assert torch.equal(chunked_centre, whole_centre)
    for name in ("centre", "coarse", "logits", "probabilities", "offsets", "attention"):
        assert torch.equal(getattr(chunked, name), getattr(whole, name)), name


def test_predict_returns_attention_only_when_asked_for(nb, model):
    assert nb.predict(model, binary_images(nb, 2))[1].attention is None
    assert nb.predict(model, binary_images(nb, 2), return_attention=True)[1].attention.shape == (
        2,
        1,
        2,
        144,
        144,
    )


def test_the_forward_pass_checks_nothing_so_training_pays_for_no_check(nb, model):
    grey = torch.full((1, 1, 64, 64), 0.5)  # predict refuses it; the network itself just computes
    assert model(grey).centre.shape == (1, 2)


def test_growing_to_two_heads_copies_every_weight_and_adds_only_the_offset_head(nb):
    torch.manual_seed(2)
    one_headed = nb.build_model(with_offset_head=False)
    two_headed, new = nb.grow_to_two_heads(one_headed)
    assert new and all(name.startswith("offset_head.") for name in new)
    grown = two_headed.state_dict()
    for name, tensor in one_headed.state_dict().items():
        assert torch.equal(grown[name], tensor), name
    assert set(grown) - set(one_headed.state_dict()) == set(new)


def test_tent_target_is_a_distribution_whose_soft_argmax_is_the_label(nb):
    labels = torch.tensor([[4.0, 59.0], [9.5, 9.5], [30.0, 41.0], [31.7, 22.2], [53.5, 12.0]])
    target = nb.target_distribution(labels)
    assert target.shape == (5, 144)
    assert torch.allclose(target.sum(1), torch.ones(5))
    expected = labels.clamp(9.5, 53.5)  # the grid of centres spans 9.5 .. 53.5
    assert torch.allclose(nb.soft_argmax(target, nb.receptive_field_centres()), expected, atol=1e-4)
    assert (target > 0).sum(1).max() <= 4


def test_nearest_token_is_the_token_with_the_closest_centre(nb):
    points = torch.tensor([[9.5, 9.5], [53.5, 53.5], [30.0, 41.0], [4.0, 59.0]])
    brute_force = torch.cdist(points, nb.receptive_field_centres()).argmin(1)
    assert torch.equal(nb.nearest_token(points), brute_force)
