"""The interventions of section 10.5: what the attention block passes on, changed at test time."""

import pytest
import torch


@pytest.fixture(scope="module")
def model(nb):
    torch.manual_seed(0)
    return nb.build_model().eval()


@pytest.fixture(scope="module")
def images(nb):
    return nb.BatchedOddShapes(seed=5).sample(6)[0]  # (6, 1, 64, 64)


def test_an_edit_that_returns_what_it_gets_leaves_the_answers_as_they_were(nb, model, images):
    plain = model(images).centre
    unchanged = nb.intervened(
        model, images, replace_output=lambda out: out, replace_heads=lambda x: x
    )
    assert torch.equal(unchanged.centre, plain)


def test_an_intervention_leaves_the_model_without_its_hooks(nb, model, images):
    plain = model(images).centre
    edited = nb.intervened(model, images, replace_output=lambda out: out * 0)
    assert not torch.allclose(edited.centre, plain)
    attention = model.blocks[0].attention
    assert not attention._forward_hooks and not attention.output._forward_pre_hooks
    assert torch.equal(model(images).centre, plain)


def test_the_recorded_attention_output_is_what_the_block_adds_to_its_tokens(nb, model, images):
    block = model.blocks[0]
    tokens = model.embedding(images) + model.positions  # (6, 144, 16)
    added = block.attention(block.attention_norm(tokens))[0]  # (6, 144, 16)
    assert torch.allclose(nb.recorded(model, images, block.attention), added.detach(), atol=1e-6)


def test_the_recorded_head_outputs_are_what_w_o_receives(nb, model, images):
    attention = model.blocks[0].attention
    heads = nb.recorded(model, images, attention.output)  # (6, 144, H * Dh)
    assert heads.shape == (6, 144, attention.num_heads * attention.head_dim)
    block_output = nb.recorded(model, images, attention)
    assert torch.allclose(attention.output(heads), block_output, atol=1e-6)


def test_replacing_the_attention_output_by_another_value_reaches_the_answer(nb, model, images):
    mean = nb.intervened(
        model, images, replace_output=lambda out: out.mean(1, keepdim=True).expand_as(out)
    )
    zero = nb.intervened(model, images, replace_output=lambda out: out * 0)
    assert not torch.allclose(mean.centre, zero.centre)


def test_the_donor_is_the_next_other_scene_with_the_wanted_base_type_cyclically(nb):
    base = torch.tensor([0, 1, 0, 2, 1])
    wanted = torch.tensor([0, 0, 1, 1, 2])
    assert nb.next_scene_with_base(base, wanted).tolist() == [2, 2, 4, 4, 3]
    same = nb.next_scene_with_base(base, base)
    assert same.tolist() == [
        2,
        4,
        0,
        3,
        1,
    ]  # never the scene itself while another one has its base type


def test_mass_and_landing_tell_the_odd_shape_the_base_shapes_and_the_background(nb):
    scenes = nb.scene_batch(
        [nb.Scene("circle", "square", [6, 6, 6, 6], [(10, 10), (50, 10), (10, 50), (40, 40)])]
    )
    stamps = nb.pil_shape_stamps()
    classes = nb.token_classes(scenes, stamps)  # (1, 144)
    odd, base = nb.shape_masks(scenes, stamps)
    on_odd_ink = (classes == 0).float() / (
        classes == 0
    ).sum()  # all the probability on odd-ink tokens
    for answer, where in (((40.0, 40.0), 0), ((10.0, 10.0), 1), ((30.0, 20.0), 2)):
        centre = torch.tensor([answer])
        mass, landing = nb.where_mass_and_answers(centre, on_odd_ink, scenes, classes, odd, base)
        assert landing.tolist() == [where], answer
        assert mass[0].tolist() == pytest.approx([1.0, 0.0, 0.0])
