"""The model: tokens, receptive fields, positional encoding, attention, heads and soft-argmax."""
import math

import pytest
import torch


@pytest.fixture(scope="module")
def model(nb):
    torch.manual_seed(0)
    return nb.build_model(with_offset_head=True).eval()


def test_embedding_turns_an_image_into_144_tokens_of_16_dims(nb, model):
    images = torch.rand(3, 1, 64, 64)
    assert model.embedding(images).shape == (3, 144, 16)


def test_every_token_sees_a_20x20_field_with_stride_4(nb, model):
    for row in range(12):
        for col in range(12):
            rows, cols = nb.empirical_receptive_field(model.embedding, row, col)
            assert rows == (4 * row, 4 * row + 19) and cols == (4 * col, 4 * col + 19), (row, col)


def test_soft_argmax_centres_are_the_receptive_field_centres(nb, model):
    centres = nb.receptive_field_centres()
    assert centres.shape == (144, 2)
    for token in (0, 5, 77, 143):
        (top, bottom), (left, right) = nb.empirical_receptive_field(model.embedding, token // 12, token % 12)
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
    prediction = model(torch.rand(2, 1, 64, 64).round())
    assert prediction.attention.shape == (2, nb.NUM_LAYERS, nb.NUM_HEADS, 144, 144)
    assert torch.allclose(prediction.attention.sum(-1), torch.ones(2, nb.NUM_LAYERS, nb.NUM_HEADS, 144))
    assert (prediction.attention >= 0).all()


def test_prediction_is_soft_argmax_plus_probability_weighted_offsets(nb, model):
    images = torch.rand(2, 1, 64, 64).round()
    prediction = model(images)
    features = model.head_norm(model.blocks[0](model.embedding(images) + model.positions)[0])
    offsets = nb.STRIDE * model.offset_head(features)                       # (2, 144, 2)
    expected_coarse = prediction.probabilities @ nb.receptive_field_centres()
    assert torch.allclose(prediction.probabilities, prediction.logits.softmax(-1))
    assert torch.allclose(prediction.coarse, expected_coarse, atol=1e-5)
    assert torch.allclose(prediction.centre, expected_coarse + torch.einsum("bt,btc->bc", prediction.probabilities, offsets),
                          atol=1e-4)


def test_one_headed_network_predicts_the_soft_argmax_alone(nb):
    torch.manual_seed(1)
    one_headed = nb.build_model(with_offset_head=False)
    prediction = one_headed(torch.rand(2, 1, 64, 64).round())
    assert one_headed.offset_head is None
    assert torch.equal(prediction.centre, prediction.coarse)


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
    centres = nb.receptive_field_centres()
    brute_force = torch.cdist(points, centres).argmin(1)
    assert torch.equal(nb.nearest_token(points), brute_force)
