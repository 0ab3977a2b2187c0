"""The repository's tools: every benchmark script runs as a user starts it, the code is linted, the
CI workflow is valid and runs the README's test command."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import yaml

from notebook_loader import REPO

BENCHMARKS = REPO / "benchmarks"
WORKFLOW = REPO / ".github" / "workflows" / "tests.yml"


def run_script(*arguments, timeout=600):
    """Run a benchmark script in a fresh process, as `.venv/bin/python benchmarks/...` would; return
    its stdout."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ATEN_", "MKL_", "OMP_"))
    }
    result = subprocess.run(
        [sys.executable, *map(str, arguments)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def test_generator_throughput_runs_and_reports_both_generators():
    output = run_script(
        BENCHMARKS / "generator_throughput.py",
        "--seconds",
        "0.2",
        "--rounds",
        "1",
        "--batch-size",
        "16",
    )
    assert re.search(r"\(a\) OddXYDataset .* samples/s", output) and re.search(
        r"ratio \(b\) / \(a\): [\d.]+x", output
    )


def test_training_throughput_runs_with_a_variant_and_an_override():
    output = run_script(
        BENCHMARKS / "training_throughput.py",
        "--samples",
        "256",
        "--rounds",
        "1",
        "--set",
        "CNN_CHANNELS=8",
        "--variant",
        "separable_embedding",
    )
    assert re.search(
        r"CNN_CHANNELS=8 variant separable_embedding: [\d,]+ training samples/s", output
    )


@pytest.fixture(scope="module")
def tiny_pair(tmp_path_factory):
    """Two tiny trained configurations and a levers file comparing them."""
    folder = tmp_path_factory.mktemp("tiny_pair")
    tiny = [
        "--set",
        "STAGE1_EPOCHS=1",
        "--set",
        "STAGE2_EPOCHS=1",
        "--set",
        "SAMPLES_PER_EPOCH=256",
        "--set",
        "CNN_CHANNELS=8",
        "--validation-samples",
        "500",
        "--runs",
        folder / "runs",
    ]
    run_script(BENCHMARKS / "compare_configs.py", "train", "tiny", *tiny)
    run_script(
        BENCHMARKS / "compare_configs.py",
        "train",
        "tiny-pixel",
        "--variant",
        "pixel_loss_only",
        *tiny,
    )
    levers = folder / "levers.json"
    levers.write_text(
        json.dumps(
            [
                {
                    "group": "ablation",
                    "name": "pixel loss alone",
                    "row": "tiny-pixel:mirror",
                    "reference": "tiny:mirror",
                }
            ]
        )
    )
    return folder, ["report", "--levers", levers, "--runs", folder / "runs"]


def test_compare_configs_trains_tiny_runs_and_reports_their_paired_difference(tiny_pair):
    folder, report = tiny_pair
    output = run_script(
        BENCHMARKS / "compare_configs.py", *report, "--output", folder / "comparison.json"
    )
    result = json.loads((folder / "comparison.json").read_text())
    measured = [item for item in result["comparisons"] if item["group"] == "ablation"]
    assert len(measured) == 1 and measured[0]["seeds"] == [0]
    low, high = measured[0]["interval"]
    assert low <= measured[0]["difference"] <= high and "pixel loss alone" in output
    assert set(result["configurations"]) == {"tiny", "tiny-pixel"}


def test_a_report_without_the_earlier_rows_holds_only_the_levers_files_rows(tiny_pair):
    folder, report = tiny_pair
    run_script(BENCHMARKS / "compare_configs.py", *report, "--output", folder / "with.json")
    run_script(
        BENCHMARKS / "compare_configs.py",
        *report,
        "--output",
        folder / "without.json",
        "--no-earlier",
    )
    with_earlier = json.loads((folder / "with.json").read_text())["comparisons"]
    without = json.loads((folder / "without.json").read_text())["comparisons"]
    assert [item["name"] for item in without] == ["pixel loss alone"]
    assert len(with_earlier) > 1 and with_earlier[0] == without[0]


def test_calibration_chooses_a_temperature_on_its_own_samples_and_registers_it_as_a_run(tmp_path):
    tiny = [
        "--set",
        "STAGE1_EPOCHS=1",
        "--set",
        "STAGE2_EPOCHS=1",
        "--set",
        "SAMPLES_PER_EPOCH=256",
        "--set",
        "CNN_CHANNELS=8",
        "--validation-samples",
        "300",
        "--runs",
        tmp_path / "runs",
    ]
    run_script(BENCHMARKS / "compare_configs.py", "train", "tiny", *tiny)
    output = run_script(
        BENCHMARKS / "calibrate_answer.py",
        "tiny",
        "--runs",
        tmp_path / "runs",
        "--calibration-samples",
        "200",
        "--validation-samples",
        "300",
        "--output",
        tmp_path / "calibration.json",
    )
    chosen = json.loads((tmp_path / "calibration.json").read_text())["tiny-seed0"][
        "chosen_temperature"
    ]
    assert re.search(rf"chosen T = {chosen}: validation [+-]\d\.\d{{4}} px against T = 1", output)
    meta = json.loads((tmp_path / "runs" / "tiny+calibrated-seed0.json").read_text())
    assert meta["temperature"] == chosen and "chosen on 200 samples of seed 90211" in meta["source"]


def test_the_report_keeps_a_row_whose_runs_are_gone_and_refuses_a_row_it_cannot_compute(tmp_path):
    tiny = [
        "--set",
        "STAGE1_EPOCHS=1",
        "--set",
        "STAGE2_EPOCHS=1",
        "--set",
        "SAMPLES_PER_EPOCH=256",
        "--set",
        "CNN_CHANNELS=8",
        "--validation-samples",
        "300",
        "--runs",
        tmp_path / "runs",
    ]
    run_script(BENCHMARKS / "compare_configs.py", "train", "a", *tiny)
    run_script(
        BENCHMARKS / "compare_configs.py", "train", "b", "--variant", "pixel_loss_only", *tiny
    )
    levers, output = tmp_path / "levers.json", tmp_path / "comparison.json"
    row = {"group": "lever", "name": "b against a", "row": "b:mirror", "reference": "a:mirror"}
    levers.write_text(json.dumps([row]))
    report = ["report", "--levers", levers, "--runs", tmp_path / "runs", "--output", output]
    run_script(BENCHMARKS / "compare_configs.py", *report)
    first = json.loads(output.read_text())
    for name in ("a", "b"):  # a fresh clone has no runs
        for path in (tmp_path / "runs").glob(f"{name}-seed0.*"):
            path.unlink()
    printed = run_script(BENCHMARKS / "compare_configs.py", *report)
    assert (
        "kept from comparison.json" in printed
        and json.loads(output.read_text())["comparisons"][0] == first["comparisons"][0]
    )
    levers.write_text(json.dumps([row, {**row, "name": "never measured", "row": "c:mirror"}]))
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "compare_configs.py"), *map(str, report)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (
        result.returncode != 0
        and "'never measured': no finished runs of ['a', 'c']" in result.stderr
    )


def fake_run(folder, name, seed, epochs, squared_error):
    """A finished run as compare_configs.py leaves it: metadata and per-sample squared errors."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = dict(STAGE1_EPOCHS=epochs[0], STAGE2_EPOCHS=epochs[1])
    meta = dict(name=name, seed=seed, settings=settings, train_seconds=1.0, source="a test")
    (folder / f"{name}-seed{seed}.json").write_text(json.dumps(meta))
    errors = np.full(500, squared_error)
    np.savez_compressed(
        folder / f"{name}-seed{seed}.npz", mirror=errors, plain=errors, coarse=errors
    )


def test_the_scaling_report_gathers_every_budgets_runs_and_the_validation_lower_bound(tmp_path):
    runs = tmp_path / "runs"
    for name, seeds, epochs, squared_error in (
        ("budget-1_8", (0, 1), (4, 11), 14.0),
        ("budget-1_2", (0, 1), (15, 45), 9.0),
        ("budget-1", (1,), (30, 90), 7.6),
        ("budget-2", (0,), (60, 180), 7.0),
    ):
        for seed in seeds:
            fake_run(runs, name, seed, epochs, squared_error)
    output = run_script(
        BENCHMARKS / "scaling_curve.py",
        "--runs",
        runs,
        "--output",
        tmp_path / "scaling.json",
        "--validation-samples",
        "500",
    )
    report = json.loads((tmp_path / "scaling.json").read_text())
    fractions = [budget["fraction"] for budget in report["budgets"]]
    assert fractions == [0.125, 0.25, 0.5, 1.0, 2.0]
    eighth, quarter, _, full, _ = report["budgets"]
    assert eighth["runs"]["0"]["rmse"] == pytest.approx(np.sqrt(14.0 / 2))  # from the runs folder
    assert quarter["runs"]["1"]["name"] == "r30-avx2-base"  # kept from the committed report
    assert full["runs"]["0"]["name"] == "full-avx2-base" and full["runs"]["1"]["name"] == "budget-1"
    assert 0 < report["lower_bound"] < 3 and "lower bound" in output


def test_the_scaling_report_refuses_a_run_of_another_schedule(tmp_path):
    fake_run(tmp_path / "runs", "budget-1_2", 0, (10, 50), 9.0)
    result = subprocess.run(
        [
            sys.executable,
            BENCHMARKS / "scaling_curve.py",
            "--runs",
            tmp_path / "runs",
            "--output",
            tmp_path / "scaling.json",
            "--validation-samples",
            "500",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 0 and "trained 10 + 50 epochs, not 15 + 45" in result.stderr


def test_predict_memory_measures_the_peak_and_compares_with_small_batches():
    output = run_script(BENCHMARKS / "predict_memory.py", "--images", "300", "--chunk-size", "64")
    assert re.search(
        r"predict on 300 images at once .*chunk_size 64\): "
        r"peak memory \+\d+\.\d\d GB; answers identical to those of batches of 100",
        output,
    )


def test_compare_configs_refuses_an_unknown_setting_with_its_name(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "compare_configs.py"),
            "train",
            "x",
            "--set",
            "NO_SUCH=1",
            "--runs",
            str(tmp_path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0 and "NO_SUCH" in result.stderr


def test_the_code_is_lint_free():
    """ruff over the notebook (it reads .ipynb files) and every Python file, with the rules of
    ruff.toml."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted_by_ruff_at_100_columns():
    """ruff format over the notebook's code cells and every Python file: one statement a line, no
    line packed to meet a budget."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_github_workflow_is_valid_against_the_github_workflow_schema():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def workflow_triggers():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    return dict.fromkeys(triggers) if isinstance(triggers, (list, str)) else triggers


def ci_run_step():
    """(job, step) of the step that runs `bash .ci/run` (tests/test_ci.py runs .ci/run itself)."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    found = [
        (job, step)
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("run", "").strip() == "bash .ci/run"
    ]
    assert len(found) == 1, f"{WORKFLOW.name} has {len(found)} steps that run `bash .ci/run`"
    return found[0]


def test_the_github_workflow_runs_on_every_push_and_pull_request():
    triggers = workflow_triggers()
    assert {"push", "pull_request"} <= set(triggers)
    assert not triggers["push"] and not triggers["pull_request"]  # no branch or path filters


def test_the_github_workflow_runs_ci_run_unconditionally_on_python_3_11_after_the_checkout():
    job, step = ci_run_step()
    assert not {"if", "continue-on-error"} & (set(job) | set(step))
    before = {
        earlier.get("uses", "").split("@")[0]: earlier
        for earlier in job["steps"][: job["steps"].index(step)]
    }
    assert "actions/checkout" in before
    assert before["actions/setup-python"]["with"]["python-version"] == "3.11"


@pytest.mark.parametrize(
    "badge",
    ["colab.research.google.com/assets/colab-badge.svg", "actions/workflows/tests.yml/badge.svg"],
)
def test_the_readme_shows_the_colab_and_the_ci_badges(badge):
    assert badge in (REPO / "README.md").read_text().split("\n\n")[1]
