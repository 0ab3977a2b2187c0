"""The comparison tool's paired intervals (benchmarks/compare_configs.py)."""
import importlib.util

import numpy as np
import pytest
import torch

from notebook_loader import REPO


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("compare_configs", REPO / "benchmarks" / "compare_configs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def synthetic_runs(seeds, shift, samples=4_000):
    """Two configurations whose squared errors differ by a small shift, heavy-tailed like the real ones."""
    rng = np.random.default_rng(1)
    runs = {"a": {}, "b": {}}
    for seed in seeds:
        base = rng.exponential(4.0, samples) * (1 + 30 * (rng.random(samples) < 0.02))
        runs["a"][seed] = ({}, {"v": base + shift})
        runs["b"][seed] = ({}, {"v": base})
    return runs


def test_a_one_seed_paired_interval_matches_the_notebooks_paired_bootstrap(tool, nb):
    runs = synthetic_runs([0], shift=0.3)
    lever = tool.paired_difference(runs, "a:v", "b:v", np.random.default_rng(0))
    errors = [torch.from_numpy(runs[name][0][1]["v"]) for name in ("a", "b")]
    low, high = nb.rmse_difference_interval(*errors)
    assert lever["interval"][0] < lever["difference"] < lever["interval"][1]
    assert (lever["interval"][1] - lever["interval"][0]) == pytest.approx(high - low, rel=0.25)


def test_a_two_seed_difference_is_the_mean_of_the_per_seed_differences(tool):
    lever = tool.paired_difference(synthetic_runs([0, 1], shift=0.3), "a:v", "b:v", np.random.default_rng(0))
    assert lever["seeds"] == [0, 1] and len(lever["per_seed"]) == 2
    assert lever["difference"] == pytest.approx(np.mean(lever["per_seed"]))
    assert lever["interval"][0] < lever["difference"] < lever["interval"][1]
