"""Train configurations of the notebook and compare them, paired, on one large validation set.

Every configuration is a set of overrides of the notebook's configuration cell, applied the way papermill
applies parameters, so the tool trains exactly what the notebook would train. Each trained network is
evaluated on the same VALIDATION_SAMPLES fresh samples of the batched generator, drawn from VALIDATION_SEED,
a seed that neither training nor the notebook's test stream (EVAL_SEED) uses. Per-sample squared errors are
kept, so that any two runs can be compared sample by sample (paired) with bootstrap intervals.

    # train one configuration (one run per seed); results land in benchmarks/runs/NAME-seedS.npz
    .venv/bin/python benchmarks/compare_configs.py train NAME [--set KEY=VALUE ...] [--seeds 0 1] [--device cpu]

    # every finished run's RMSE, and the paired differences listed in a levers file;
    # writes benchmarks/results/comparison.json
    .venv/bin/python benchmarks/compare_configs.py report --levers benchmarks/levers.json

Each run is evaluated in several variants of the same weights: `plain` (one pass), `mirror` (averaged with
the mirrored image), `coarse` (soft-argmax alone), and, when the configuration averages weights
(EMA_DECAY > 0), `raw` and `raw+mirror` for the last weights themselves.
"""
import argparse
import ast
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from notebook_loader import REPO, load_definitions  # noqa: E402

VALIDATION_SEED = 90_210          # used by nothing but this tool
VALIDATION_SAMPLES = 200_000
RUNS = REPO / "benchmarks" / "runs"
RESULT = REPO / "benchmarks" / "results" / "comparison.json"
BOOTSTRAP_RESAMPLES = 2_000
SETTINGS = ("STAGE1_EPOCHS", "STAGE2_EPOCHS", "STAGE1_LR", "STAGE2_LR", "BATCH_SIZE", "CNN_CHANNELS", "NUM_LAYERS",
            "NUM_HEADS", "HEAD_DIM", "MLP_HIDDEN", "OFFSET_LOSS_WEIGHT", "EMA_DECAY")  # recorded with every run


def parse_overrides(pairs):
    overrides = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if not key or not value:
            raise SystemExit(f"--set wants KEY=VALUE, got {pair!r}")
        overrides[key] = ast.literal_eval(value)
    return overrides


def evaluate_variants(nb, run):
    """(N,) squared errors of every variant of the trained weights on the validation set."""
    errors = {}
    variants = [("plain", run.model)]
    if nb.EMA_DECAY > 0:  # the last weights themselves, for comparison with their average
        variants.append(("raw", run.last_weights))
    for name, network in variants:
        network.mirror_average = False
        evaluation = nb.evaluate_on_batches(network, VALIDATION_SAMPLES, VALIDATION_SEED)
        errors[name] = evaluation.squared_errors().numpy().astype(np.float64)
        if name == "plain":
            errors["coarse"] = evaluation.squared_errors(coarse=True).numpy().astype(np.float64)
        network.mirror_average = True
        evaluation = nb.evaluate_on_batches(network, VALIDATION_SAMPLES, VALIDATION_SEED)
        errors["mirror" if name == "plain" else name + "+mirror"] = evaluation.squared_errors().numpy().astype(np.float64)
    return errors


def train(args):
    overrides = parse_overrides(args.set)
    for seed in args.seeds:
        nb = load_definitions(f"compare_{args.name}_{seed}", overrides)  # sets the CPU switches, then imports torch
        torch = nb.torch
        if VALIDATION_SEED in (seed, nb.EVAL_SEED):
            raise SystemExit("the validation seed must differ from the training and test seeds")
        device = torch.device(args.device)
        start = time.perf_counter()
        run = nb.train_two_stages(seed, device, log=False)
        seconds = time.perf_counter() - start
        samples = (nb.STAGE1_EPOCHS + nb.STAGE2_EPOCHS) * nb.SAMPLES_PER_EPOCH
        errors = evaluate_variants(nb, run)
        RUNS.mkdir(parents=True, exist_ok=True)
        machine = {key: os.environ[key] for key in ("ONEDNN_MAX_CPU_ISA",) if key in os.environ}
        settings = {key: getattr(nb, key) for key in SETTINGS}
        meta = dict(name=args.name, seed=seed, overrides=overrides, settings=settings, device=str(device), machine=machine,
                    cpu_capability=torch.backends.cpu.get_cpu_capability(),
                    threads=torch.get_num_threads(), train_seconds=seconds, samples_per_second=samples / seconds,
                    final_train_rmse=run.history[-1]["rmse"], history=run.history)
        np.savez_compressed(RUNS / f"{args.name}-seed{seed}.npz", **errors)
        (RUNS / f"{args.name}-seed{seed}.json").write_text(json.dumps(meta, indent=1))
        summary = ", ".join(f"{k} {np.sqrt(v.mean() / 2):.3f}" for k, v in errors.items())
        print(f"{args.name} seed {seed}: trained {seconds:.0f} s ({samples / seconds:.0f} samples/s); "
              f"validation RMSE {summary}", flush=True)


def rmse(errors):
    return np.sqrt(errors.mean(axis=-1) / 2)


def bootstrap_index(n, rng, resamples=BOOTSTRAP_RESAMPLES, chunk=100):
    for start in range(0, resamples, chunk):
        yield rng.integers(0, n, size=(min(chunk, resamples - start), n))


def interval(values):
    low, high = np.percentile(values, [2.5, 97.5])
    return [float(low), float(high)]


def load_runs():
    """{config: {seed: (meta, {variant: (N,) squared errors})}} for every finished run."""
    runs = {}
    for meta_path in sorted(RUNS.glob("*.json")):
        meta = json.loads(meta_path.read_text())
        errors = np.load(meta_path.with_suffix(".npz"))
        runs.setdefault(meta["name"], {})[meta["seed"]] = (meta, {k: errors[k] for k in errors.files})
    return runs


def paired_difference(runs, row, reference, rng):
    """RMSE(row) - RMSE(reference), each 'CONFIG:VARIANT', averaged over the training seeds both have, with a
    95% bootstrap interval: every resample takes the same validation samples on both sides of every pair."""
    (config, variant), (ref_config, ref_variant) = row.split(":"), reference.split(":")
    seeds = sorted(set(runs[config]) & set(runs[ref_config]))
    if not seeds:
        raise SystemExit(f"{row} and {reference} share no training seed")
    mine = np.stack([runs[config][s][1][variant] for s in seeds])              # (seeds, N)
    theirs = np.stack([runs[ref_config][s][1][ref_variant] for s in seeds])    # (seeds, N)
    resampled = [(rmse(mine[:, index]) - rmse(theirs[:, index])).mean(axis=0)  # (seeds, chunk) -> (chunk,)
                 for index in bootstrap_index(mine.shape[1], rng)]
    per_seed = rmse(mine) - rmse(theirs)                                       # (seeds,)
    return dict(seeds=seeds, per_seed=[float(d) for d in per_seed], difference=float(per_seed.mean()),
                interval=interval(np.concatenate(resampled)))


def report(args):
    runs = load_runs()
    rng = np.random.default_rng(0)
    rows = []
    for name, seeds in runs.items():
        metas = {s: seeds[s][0] for s in sorted(seeds)}
        for variant in next(iter(seeds.values()))[1]:
            row = dict(config=name, variant=variant, overrides=metas[min(metas)]["overrides"],
                       settings=metas[min(metas)]["settings"],
                       machine=metas[min(metas)].get("machine", {}), seeds=sorted(seeds), rmse={}, rmse_interval={},
                       train_seconds={s: m["train_seconds"] for s, m in metas.items()},
                       samples_per_second={s: m["samples_per_second"] for s, m in metas.items()})
            for s in sorted(seeds):
                errors = seeds[s][1][variant]
                row["rmse"][s] = float(rmse(errors))
                row["rmse_interval"][s] = interval(np.concatenate(
                    [rmse(errors[index]) for index in bootstrap_index(len(errors), rng)]))
            rows.append(row)
    levers = json.loads(Path(args.levers).read_text()) if args.levers else []
    for lever in levers:
        lever.update(paired_difference(runs, lever["row"], lever["reference"], rng))
    result = dict(validation_seed=VALIDATION_SEED, validation_samples=VALIDATION_SAMPLES,
                  bootstrap_resamples=BOOTSTRAP_RESAMPLES, rows=rows, levers=levers)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=1))
    print(f"validation: {VALIDATION_SAMPLES:,} samples of seed {VALIDATION_SEED}")
    print(f"{'config':24s} {'variant':11s} {'seeds':5s} {'RMSE px per seed (95% interval)':44s} {'train s':>11s}")
    for row in rows:
        values = " / ".join(f"{row['rmse'][s]:.3f} ({row['rmse_interval'][s][0]:.2f}-{row['rmse_interval'][s][1]:.2f})"
                            for s in row["seeds"])
        seconds = " / ".join(f"{row['train_seconds'][s]:.0f}" for s in row["seeds"])
        print(f"{row['config']:24s} {row['variant']:11s} {','.join(map(str, row['seeds'])):5s} {values:44s} {seconds:>11s}")
    print(f"\n{'lever':44s} {'seeds':5s} {'paired difference px (95%)':28s} per seed")
    for lever in levers:
        print(f"{lever['lever']:44s} {','.join(map(str, lever['seeds'])):5s} {lever['difference']:+.3f} "
              f"({lever['interval'][0]:+.3f} .. {lever['interval'][1]:+.3f})     "
              f"{' / '.join(f'{d:+.3f}' for d in lever['per_seed'])}")
    print(f"wrote {RESULT.relative_to(REPO)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    trainer = commands.add_parser("train", help="train one configuration for one or more seeds")
    trainer.add_argument("name")
    trainer.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    trainer.add_argument("--seeds", type=int, nargs="+", default=[0])
    trainer.add_argument("--device", default="cpu")
    reporter = commands.add_parser("report", help="paired comparison of every finished run with a baseline")
    reporter.add_argument("--levers", help="JSON list of {lever, row, reference}, rows named CONFIG:VARIANT")
    args = parser.parse_args()
    train(args) if args.command == "train" else report(args)


if __name__ == "__main__":
    main()
