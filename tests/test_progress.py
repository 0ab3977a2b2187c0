"""Training reports its progress while it runs: a bar with elapsed and remaining time, and one line
per epoch."""

import io

import pytest
import torch

from notebook_loader import load_definitions

TINY = dict(STAGE1_EPOCHS=1, STAGE2_EPOCHS=2, SAMPLES_PER_EPOCH=256, BATCH_SIZE=64, CNN_CHANNELS=8)


@pytest.fixture(scope="module")
def tiny():
    return load_definitions("tiny_for_progress", TINY)


def test_training_writes_its_bar_and_its_epoch_lines_to_the_stream_it_is_given(tiny):
    stream = io.StringIO()
    tiny.train_two_stages(seed=0, log=True, stream=stream)
    text = stream.getvalue()
    assert "stage 1: 100%" in text and "stage 2: 100%" in text  # one bar per stage, run to its end
    assert "8/8 [" in text and "<00:00" in text  # stage 2's 8 batches, elapsed < remaining
    assert "rmse=" in text  # the last epoch's RMSE in the bar
    assert "stage 2 | epoch   2/2 | train RMSE" in text


def test_a_silent_training_writes_nothing(tiny, capsys):
    stream = io.StringIO()
    tiny.train_two_stages(seed=0, log=False, stream=stream)
    assert stream.getvalue() == ""
    assert capsys.readouterr() == ("", "")


def test_reporting_progress_changes_nothing_that_is_computed(tiny):
    weights = []
    for log in (True, False):
        model, history = tiny.train_two_stages(seed=0, log=log, stream=io.StringIO())
        weights.append([tensor.clone() for tensor in model.state_dict().values()])
    assert all(torch.equal(a, b) for a, b in zip(*weights))


def test_an_evaluation_with_a_description_shows_a_bar_and_without_one_stays_quiet(tiny, capsys):
    stream = io.StringIO()
    bar = tiny.progress_bar(3, "counting", stream=stream)
    for _ in range(3):
        bar.update()
    bar.close()
    assert "counting: 100%" in stream.getvalue() and "3/3" in stream.getvalue()
    list(tiny.generator_batches(10, seed=1, batch_size=5))  # no description: no bar
    assert capsys.readouterr() == ("", "")
