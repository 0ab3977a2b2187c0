"""The scaling curve of section 13: the fit of RMSE against training samples, and its committed
report."""

import json

import numpy as np
import pytest

from notebook_loader import REPO

REPORT = REPO / "benchmarks" / "results" / "scaling.json"


def test_the_fit_recovers_the_parameters_of_an_exact_power_law_with_an_asymptote(nb):
    samples = np.array([0.375, 0.75, 1.5, 3.0, 6.0]) * 1e6
    values = 1.5 + 0.4 * (samples / 3e6) ** -0.7
    a, b, c = nb.fit_saturating_power_law(samples, values)
    assert (a, b, c) == pytest.approx((1.5, 0.4, 0.7), abs=0.01)


def test_the_fit_never_lets_the_rmse_rise_with_more_training(nb):
    samples = np.array([1e6, 2e6, 4e6])
    a, b, c = nb.fit_saturating_power_law(samples, np.array([2.0, 2.1, 2.2]))
    assert b == 0 and a == pytest.approx(2.1)


def test_resampling_the_seeds_of_runs_that_agree_gives_one_fit(nb):
    budgets = [
        dict(samples=s, runs={"0": dict(rmse=r), "1": dict(rmse=r)})
        for s, r in ((1e6, 2.5), (2e6, 2.2), (4e6, 2.05), (8e6, 1.98))
    ]
    fits = nb.resampled_fits(budgets, resamples=20)
    assert fits.shape == (20, 3) and np.ptp(fits, axis=0).max() == 0


def test_resampling_the_seeds_of_runs_that_differ_spreads_the_fits(nb):
    budgets = [
        dict(samples=s, runs={"0": dict(rmse=r - 0.03), "1": dict(rmse=r + 0.03)})
        for s, r in ((1e6, 2.5), (2e6, 2.2), (4e6, 2.05), (8e6, 1.98))
    ]
    assert np.ptp(nb.resampled_fits(budgets, resamples=50)[:, 0]) > 0


def test_the_committed_report_holds_each_budget_of_the_notebooks_schedule_scaled(nb):
    report = json.loads(REPORT.read_text())
    assert (
        report["validation_seed"] not in (nb.SEED, nb.EVAL_SEED)
        and report["validation_samples"] >= 200_000
    )
    fractions = [budget["fraction"] for budget in report["budgets"]]
    assert fractions == sorted(fractions) and {0.125, 0.25, 0.5, 1.0} <= set(fractions)
    for budget in report["budgets"]:
        stage1, stage2 = budget["epochs"]
        assert stage1 / nb.STAGE1_EPOCHS == pytest.approx(budget["fraction"], rel=0.15)
        assert stage2 / nb.STAGE2_EPOCHS == pytest.approx(budget["fraction"], rel=0.15)
        assert budget["samples"] == (stage1 + stage2) * nb.SAMPLES_PER_EPOCH
        assert budget["runs"], budget
    seeded_twice = [budget["fraction"] for budget in report["budgets"] if len(budget["runs"]) >= 2]
    assert {0.125, 0.25, 0.5, 1.0} <= set(seeded_twice), seeded_twice  # each with a seed spread


def test_the_lower_bound_lies_below_every_run(nb):
    report = json.loads(REPORT.read_text())
    assert all(
        report["lower_bound"] < run["rmse"] for b in report["budgets"] for run in b["runs"].values()
    )
