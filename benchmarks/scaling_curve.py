"""The notebook's configuration at several training budgets: validation RMSE against samples.

Each budget is the notebook's schedule with both stages' epochs scaled (1/8, 1/4, 1/2, 1 and 2 times
30 + 90 epochs of 25,000 samples). The runs are trained and evaluated by compare_configs.py, on the
same 200,000 samples of its validation seed; this script gathers their RMSEs, adds the lower bound
of section 9 computed on those validation samples, and writes the report that section 13 of the
notebook fits and draws:

    # the runs (one at a time: each uses both cores), then the report
    .venv/bin/python benchmarks/compare_configs.py train budget-1_8 \
        --set STAGE1_EPOCHS=4 --set STAGE2_EPOCHS=11 --seeds 0 1
    .venv/bin/python benchmarks/compare_configs.py train budget-1_2 \
        --set STAGE1_EPOCHS=15 --set STAGE2_EPOCHS=45 --seeds 0 1
    .venv/bin/python benchmarks/compare_configs.py train budget-1 --seeds 1
    .venv/bin/python benchmarks/compare_configs.py train budget-2 \
        --set STAGE1_EPOCHS=60 --set STAGE2_EPOCHS=180 --seeds 0
    .venv/bin/python benchmarks/scaling_curve.py

The quarter budget (8 + 22 epochs) and the full budget's seed 0 reuse runs that exist: r30-avx2-base
(seeds 0 and 1, the reference of the comparison report) and full-avx2-base (the weights of the
notebook's run at commit c343bef, registered with `compare_configs.py evaluate`). A run whose files
are not in --runs (runs are not committed) keeps the RMSE that an earlier report recorded for it.

"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from compare_configs import (  # noqa: E402
    RESULT,
    RUNS,
    VALIDATION_SAMPLES,
    VALIDATION_SEED,
    load_runs,
)
from notebook_loader import REPO, load_definitions  # noqa: E402

OUTPUT = REPO / "benchmarks" / "results" / "scaling.json"
EARLIER_REPORTS = [RESULT]
FULL_EPOCHS = (30, 90)
# (fraction of the full budget, stage-1 and stage-2 epochs, the configurations that trained it, by
# seed)
BUDGETS = [
    (0.125, (4, 11), {0: "budget-1_8", 1: "budget-1_8"}),
    (0.25, (8, 22), {0: "r30-avx2-base", 1: "r30-avx2-base"}),
    (0.5, (15, 45), {0: "budget-1_2", 1: "budget-1_2"}),
    (1.0, (30, 90), {0: "full-avx2-base", 1: "budget-1"}),
    (2.0, (60, 180), {0: "budget-2"}),
]


def earlier_rmse(name, seed, reports):
    """The validation RMSE that an earlier report recorded for run `name`, `seed`, or None."""
    for report in reports:
        run = report.get("configurations", {}).get(name, {}).get(str(seed))
        if run:
            return dict(
                rmse=run["rmse"],
                train_seconds=run["train_seconds"],
                source=f"recorded in {report['_path']}",
            )
    return None


def gather(runs_folder, previous):
    """Every budget's runs: their validation RMSE (the notebook's answer), training time and where
    they come from."""
    runs = load_runs(runs_folder) if runs_folder.is_dir() else {}
    reports = []
    for path in EARLIER_REPORTS:
        if path.is_file():
            reports.append({**json.loads(path.read_text()), "_path": str(path.relative_to(REPO))})
    kept = {
        (b["fraction"], int(seed)): run
        for b in previous.get("budgets", [])
        for seed, run in b["runs"].items()
    }
    budgets = []
    for fraction, epochs, names in BUDGETS:
        found = {}
        for seed, name in names.items():
            if name in runs and seed in runs[name]:
                meta, errors = runs[name][seed]
                settings = meta["settings"]
                if (settings["STAGE1_EPOCHS"], settings["STAGE2_EPOCHS"]) != epochs:
                    raise SystemExit(
                        f"{name} seed {seed} trained {settings['STAGE1_EPOCHS']} + "
                        f"{settings['STAGE2_EPOCHS']} epochs, not {epochs[0]} + {epochs[1]}"
                    )
                rmse = float(np.sqrt(errors["mirror"].mean() / 2))
                found[seed] = dict(
                    name=name, rmse=rmse, train_seconds=meta["train_seconds"], source=meta["source"]
                )
            elif (run := earlier_rmse(name, seed, reports)) is not None:
                found[seed] = dict(name=name, **run)
            elif (fraction, seed) in kept:
                found[seed] = kept[fraction, seed]
        if found:
            samples = sum(epochs) * 25_000
            budgets.append(
                dict(
                    fraction=fraction,
                    epochs=list(epochs),
                    samples=samples,
                    runs={str(seed): run for seed, run in sorted(found.items())},
                )
            )
    return budgets


def validation_lower_bound(samples):
    """The RMSE of the lower bound of section 9 on the validation samples (the best guess given the
    exact shapes)."""
    nb = load_definitions("scaling_bound")
    torch = nb.torch
    scenes = nb.cat_scenes(
        [scenes for _, _, scenes in nb.generator_batches(samples, VALIDATION_SEED)]
    )
    centres = nb.lower_bound_centres(
        scenes, nb.pil_shape_stamps(), description="lower bound"
    )  # (N, 2)
    return float(nb.rmse(((centres - scenes.labels) ** 2).sum(dim=1))), torch.__version__


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=Path, default=RUNS, help="folder of compare_configs.py's runs"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--validation-samples", type=int, default=VALIDATION_SAMPLES)
    args = parser.parse_args()
    previous = json.loads(args.output.read_text()) if args.output.is_file() else {}
    budgets = gather(args.runs, previous)
    if not budgets:
        raise SystemExit(
            f"no runs of {[n for _, _, names in BUDGETS for n in names.values()]} found"
        )
    if previous.get("validation_samples") == args.validation_samples and "lower_bound" in previous:
        bound = previous["lower_bound"]
    else:
        bound, _ = validation_lower_bound(args.validation_samples)
    report = dict(
        validation_seed=VALIDATION_SEED,
        validation_samples=args.validation_samples,
        lower_bound=bound,
        full_epochs=list(FULL_EPOCHS),
        samples_per_epoch=25_000,
        budgets=budgets,
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1) + "\n")
    print(
        f"validation: {args.validation_samples:,} samples of seed {VALIDATION_SEED}; "
        f"lower bound {bound:.3f} px"
    )
    for budget in budgets:
        runs = ", ".join(f"seed {seed} {run['rmse']:.3f}" for seed, run in budget["runs"].items())
        print(
            f"{budget['fraction']:>6} x ({budget['epochs'][0]} + {budget['epochs'][1]} epochs, "
            f"{budget['samples']:,} samples): {runs}"
        )
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
