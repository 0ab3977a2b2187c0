"""The alternatives that benchmarks/compare_configs.py measures: each one trains and is then evaluated by the
notebook's own code, and leaves the notebook's definitions as they were."""
import math
import sys

import pytest

from notebook_loader import REPO, load_definitions

sys.path.insert(0, str(REPO / "benchmarks"))
import variants  # noqa: E402  (benchmarks/ is not a package)

TINY = dict(STAGE1_EPOCHS=1, STAGE2_EPOCHS=1, SAMPLES_PER_EPOCH=128, BATCH_SIZE=64, CNN_CHANNELS=8)


@pytest.fixture(scope="module")
def tiny():
    return load_definitions("tiny_for_variants", TINY)


@pytest.mark.parametrize("name", sorted(variants.VARIANTS))
def test_a_variant_trains_a_network_that_the_notebooks_evaluation_accepts(tiny, name):
    with variants.applied(tiny, [name]):
        model, history = tiny.train_two_stages(seed=0, log=False)
    assert [record["stage"] for record in history][-1] == 2
    evaluation = tiny.evaluate(model, tiny.generator_batches(64, 90_210))
    assert math.isfinite(float(tiny.rmse(evaluation.squared_errors())))


@pytest.mark.parametrize("name", sorted(variants.VARIANTS))
def test_a_variant_leaves_the_notebooks_definitions_as_they_were(tiny, name):
    before = dict(vars(tiny))
    with variants.applied(tiny, [name]):
        pass
    assert dict(vars(tiny)) == before


def test_an_unknown_variant_is_refused_with_the_known_ones(tiny):
    with pytest.raises(SystemExit, match="unknown variant.*known: .*pixel_loss_only"):
        with variants.applied(tiny, ["no_such_variant"]):
            pass
