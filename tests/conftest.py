"""Shared fixtures: the notebook's code, taken from its `definitions` cells and nowhere else."""

import matplotlib
import pytest

matplotlib.use("Agg")  # tests draw figures without a screen

from notebook_loader import REPO, load_definitions  # noqa: E402

CHECKPOINT = REPO / "checkpoints" / "odd_shapes.pt"

# The notebook's first cell sets CPU switches that only work before torch is imported; load the
# definitions now, before any test module imports torch.
NOTEBOOK_DEFINITIONS = load_definitions()


@pytest.fixture(scope="session")
def nb():
    """The notebook's definitions: dataset, generator, model, training and analysis helpers."""
    return NOTEBOOK_DEFINITIONS
