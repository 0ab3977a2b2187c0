"""The committed files behind the committed notebook's numbers: the weights in
checkpoints/odd_shapes.pt give the RMSEs it printed, and checkpoints/training_history.json records
the training it printed.

The weights are evaluated as the notebook evaluates them with TRAIN = False, by its own code.
"""

import hashlib
import json
import random
import re

import pytest
import torch

from conftest import CHECKPOINT
from notebook_loader import REPO, outputs_text

FINAL = re.compile(r"Final RMSE on ([\d,]+) fresh OddXYDataset samples: (\d+\.\d{3,}) px")
FINAL_INTERVAL = re.compile(
    r"Final RMSE on ([\d,]+) fresh OddXYDataset samples: (\d+\.\d+) px "
    r"\(95% bootstrap interval (\d+\.\d+) - (\d+\.\d+) px"
)
# Printed by the reproducibility section: a part of the 200,000-sample measure the tests recompute.
PRECISE_PART = re.compile(
    r"RMSE on the first ([\d,]+) of the ([\d,]+) samples of the batched generator: (\d+\.\d{3,}) px"
)
# Printed by the reproducibility section: which file the committed run evaluated.
CHECKPOINT_DIGEST = re.compile(r"the weights: (\S+) \(sha256 ([0-9a-f]{16,64})\)")
EPOCH = re.compile(r"stage (\d) \| epoch +(\d+)/(\d+) \| train RMSE +(\d+\.\d+) px")


def printed(pattern, why=""):
    found = pattern.search(outputs_text())
    assert found, f"the committed notebook prints no line like {pattern.pattern!r}{why}"
    return found.groups()


def as_printed(value, digits):
    """`value` with as many decimals as the printed `digits` have."""
    return f"{value:.{len(digits.split('.')[1])}f}"


@pytest.fixture(scope="module")
def committed_model(nb):
    return nb.load_model(str(CHECKPOINT))


@pytest.fixture(scope="module")
def final_errors(nb, committed_model):
    """(N,) squared errors of the committed weights on the homework's test samples, computed as
    the notebook's final measure computes them: OddXYDataset read through a DataLoader after
    random.seed(EVAL_SEED), the answers of mirror_averaged."""
    state = random.getstate()
    loader = nb.DataLoader(nb.OddXYDataset(nb.EVAL_SAMPLES), batch_size=nb.EVAL_BATCH_SIZE)
    random.seed(nb.EVAL_SEED)
    answers, labels = [], []
    try:
        for images, batch_labels in loader:
            answers.append(nb.mirror_averaged(committed_model, images)[0])
            labels.append(batch_labels)
    finally:
        random.setstate(state)  # the other tests' random numbers stay as they were
    return ((torch.cat(answers) - torch.cat(labels)) ** 2).sum(dim=1)


def test_the_committed_weights_give_the_printed_final_rmse(nb, final_errors):
    samples, rmse = printed(FINAL)
    assert samples == f"{nb.EVAL_SAMPLES:,}"
    assert as_printed(float(nb.rmse(final_errors)), rmse) == rmse


def test_the_printed_interval_of_the_final_rmse_is_the_bootstrap_interval_of_the_committed_weights(
    nb, final_errors
):
    samples, _, low, high = printed(FINAL_INTERVAL)
    assert samples == f"{nb.EVAL_SAMPLES:,}"
    interval = nb.rmse_interval(final_errors)
    assert (as_printed(interval[0], low), as_printed(interval[1], high)) == (low, high)


def test_the_printed_final_rmse_meets_the_bonus_with_its_whole_interval():
    _, rmse, low, high = printed(FINAL_INTERVAL)
    assert float(low) < float(rmse) < float(high) <= 3.0


def first_samples(batches, count):
    """The (images, labels) of the first `count` samples of `batches`."""
    for images, labels, *_ in batches:
        if count <= 0:
            return
        yield images[:count], labels[:count]
        count -= len(images)


def test_the_committed_weights_give_the_printed_rmse_on_the_first_samples_of_the_precise_measure(
    nb, committed_model
):
    count, samples, rmse = printed(PRECISE_PART)
    assert samples == f"{nb.PRECISE_EVAL_SAMPLES:,}"
    count = int(count.replace(",", ""))
    batches = nb.generator_batches(nb.PRECISE_EVAL_SAMPLES, nb.EVAL_SEED)
    evaluation = nb.evaluate(committed_model, first_samples(batches, count))
    assert len(evaluation.labels) == count
    assert as_printed(float(nb.rmse(evaluation.squared_errors())), rmse) == rmse


def test_the_committed_checkpoint_is_the_file_the_committed_run_evaluated(nb):
    path, digest = printed(CHECKPOINT_DIGEST)
    assert path == nb.CHECKPOINT_PATH
    committed = hashlib.sha256(CHECKPOINT.read_bytes()).hexdigest()
    assert committed[: len(digest)] == digest


def test_the_committed_history_records_every_epoch_the_notebook_printed(nb):
    history = json.loads((REPO / nb.HISTORY_PATH).read_text())
    printed_epochs = [
        (int(stage), int(epoch), rmse) for stage, epoch, _, rmse in EPOCH.findall(outputs_text())
    ]
    recorded = [(record["stage"], record["epoch"], f"{record['rmse']:.3f}") for record in history]
    assert printed_epochs, "the committed notebook prints no epoch"
    assert recorded == printed_epochs
    assert {record["samples"] for record in history} == {nb.SAMPLES_PER_EPOCH}
