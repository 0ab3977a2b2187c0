"""Train configurations of the notebook and compare them, paired, on one large validation set.

Every configuration is a set of overrides of the notebook's configuration cell (applied as papermill
applies parameters) and, optionally, alternatives to some of its components from
`benchmarks/variants.py`, so the tool trains exactly what the notebook would train. Each trained
network is evaluated by the notebook's own `evaluate` on the same fresh samples of the batched
generator, drawn from VALIDATION_SEED, a seed that neither training nor the notebook's test stream
(EVAL_SEED) uses. Per-sample squared errors are kept, so that two runs can be compared sample by
sample, with the notebook's paired bootstrap intervals.

    # train one configuration (one run per seed); results land in
    # benchmarks/runs/NAME-seedS.{npz,json,pt}
    .venv/bin/python benchmarks/compare_configs.py train NAME [--set KEY=VALUE ...] \
        [--variant NAME ...] [--seeds 0 1]

    # the comparisons listed in a levers file, from the finished runs; writes
    # benchmarks/results/comparison.json
    .venv/bin/python benchmarks/compare_configs.py report --levers benchmarks/levers.json

    # rows measured after the notebook's last full run (section 12 prints comparison.json, as it
    # was then)
    .venv/bin/python benchmarks/compare_configs.py report \
        --levers benchmarks/levers_after_notebook_run.json \
        --output benchmarks/results/comparison_after_notebook_run.json --no-earlier

Each run keeps its weights (`.pt`, a state_dict) and three predictions of them: `mirror` (the
notebook's answer, averaged with the mirrored image), `plain` (the plain pass) and `coarse` (the
soft-argmax alone).

"""

import argparse
import ast
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import variants  # noqa: E402  (this script's folder is on sys.path)

# the one way every tool loads the notebook
from notebook_loader import REPO, load_definitions  # noqa: E402

VALIDATION_SEED = 90_210  # used by nothing but this tool
VALIDATION_SAMPLES = 200_000
RUNS = REPO / "benchmarks" / "runs"
RESULT = REPO / "benchmarks" / "results" / "comparison.json"
EARLIER = REPO / "benchmarks" / "results" / "earlier_comparisons.json"
SETTINGS = (
    "SAMPLES_PER_EPOCH",
    "STAGE1_EPOCHS",
    "STAGE2_EPOCHS",
    "STAGE1_LR",
    "STAGE2_LR",
    "BATCH_SIZE",
    "CNN_CHANNELS",
    "NUM_LAYERS",
    "NUM_HEADS",
    "HEAD_DIM",
    "MLP_HIDDEN",
)  # recorded with every run
PREDICTIONS = {
    "mirror": "centre",
    "plain": "single",
    "coarse": "coarse",
}  # saved name: Evaluation field


def parse_overrides(pairs):
    overrides = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if not key or not value:
            raise SystemExit(f"--set wants KEY=VALUE, got {pair!r}")
        try:
            overrides[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise SystemExit(
                f"--set {pair!r}: the value must be a Python literal such as 64, 8e-3 or True"
            ) from None
    return overrides


def train(args):
    overrides = parse_overrides(args.set)
    for seed in args.seeds:
        try:
            # sets the CPU switches, then imports torch
            nb = load_definitions(f"compare_{args.name}_{seed}", overrides)
        except (KeyError, ValueError) as error:
            raise SystemExit(f"bad --set: {error}") from None
        if VALIDATION_SEED in (seed, nb.EVAL_SEED):
            raise SystemExit("the validation seed must differ from the training and test seeds")
        start = time.perf_counter()
        with variants.applied(nb, args.variant):
            model, history = nb.train_two_stages(seed, nb.torch.device(args.device), log=False)
        save_run(nb, args, seed, overrides, model, history, time.perf_counter() - start)


def save_run(nb, args, seed, overrides, model, history, seconds, source="trained by this tool"):
    """Evaluate `model` on the validation samples and keep its per-sample squared errors and what
    made it."""
    evaluation = nb.evaluate(
        model, nb.generator_batches(args.validation_samples, VALIDATION_SEED, device=args.device)
    )
    errors = {
        name: evaluation.squared_errors(field).numpy().astype(np.float64)
        for name, field in PREDICTIONS.items()
    }
    samples = sum(record["samples"] for record in history)
    meta = dict(
        name=args.name,
        seed=seed,
        overrides=overrides,
        variants=getattr(args, "variant", []),
        source=source,
        settings={key: getattr(nb, key) for key in SETTINGS},
        device=args.device,
        machine=nb.MACHINE,
        cpu_capability=nb.torch.backends.cpu.get_cpu_capability(),
        threads=nb.torch.get_num_threads(),
        train_seconds=seconds,
        samples_per_second=samples / seconds,
        validation_samples=args.validation_samples,
        final_train_rmse=history[-1]["rmse"],
        history=history,
    )
    args.runs.mkdir(parents=True, exist_ok=True)
    nb.torch.save(
        {name: tensor.cpu() for name, tensor in model.state_dict().items()},
        args.runs / f"{args.name}-seed{seed}.pt",
    )
    np.savez_compressed(args.runs / f"{args.name}-seed{seed}.npz", **errors)
    (args.runs / f"{args.name}-seed{seed}.json").write_text(json.dumps(meta, indent=1))
    summary = ", ".join(f"{name} {np.sqrt(e.mean() / 2):.3f}" for name, e in errors.items())
    print(
        f"{args.name} seed {seed}: trained {seconds:.0f} s ({samples / seconds:.0f} samples/s); "
        f"validation RMSE {summary}",
        flush=True,
    )


def evaluate_checkpoint(args):
    """Register weights that were already trained (the notebook's own run, say) as the run of one
    seed."""
    overrides = parse_overrides(args.set)
    nb = load_definitions(f"compare_{args.name}_{args.seed}", overrides)
    model = nb.load_model(str(args.checkpoint), args.device)
    history = json.loads(Path(args.history).read_text())
    seconds = sum(
        max(r["elapsed"] for r in history if r["stage"] == stage)
        for stage in {r["stage"] for r in history}
    )
    save_run(
        nb,
        args,
        args.seed,
        overrides,
        model,
        history,
        seconds,
        source=f"weights of {args.checkpoint}",
    )


def load_runs(folder):
    """{config: {seed: (meta, {prediction: (N,) squared errors})}} for every finished run in
    `folder`."""
    runs = {}
    for meta_path in sorted(folder.glob("*.json")):
        meta = json.loads(meta_path.read_text())
        with np.load(meta_path.with_suffix(".npz")) as errors:
            runs.setdefault(meta["name"], {})[meta["seed"]] = (
                meta,
                {k: errors[k] for k in errors.files},
            )
    return runs


def compare(nb, runs, row, reference):
    """RMSE(row) - RMSE(reference), each 'CONFIG:PREDICTION', over the training seeds both have,
    with the notebook's paired 95% bootstrap interval (the same resampled validation samples on both
    sides)."""
    (config, prediction), (ref_config, ref_prediction) = row.split(":"), reference.split(":")
    missing = [name for name in (config, ref_config) if name not in runs]
    if missing:
        raise SystemExit(f"no finished runs of {missing} in {RUNS}: train them first")
    seeds = sorted(set(runs[config]) & set(runs[ref_config]))
    if not seeds:
        raise SystemExit(f"{row} and {reference} share no training seed")
    torch = nb.torch
    mine = torch.from_numpy(np.stack([runs[config][s][1][prediction] for s in seeds]))  # (seeds, N)
    theirs = torch.from_numpy(
        np.stack([runs[ref_config][s][1][ref_prediction] for s in seeds])
    )  # (seeds, N)
    per_seed = (nb.rmse(mine) - nb.rmse(theirs)).tolist()  # (seeds,)
    return dict(
        seeds=seeds,
        rmse=float(nb.rmse(mine).mean()),
        reference_rmse=float(nb.rmse(theirs).mean()),
        per_seed=per_seed,
        difference=float(np.mean(per_seed)),
        interval=list(nb.rmse_difference_interval(mine, theirs)),
    )


def cost(overrides, variant_names):
    """(parameters, forward MFLOP per image) of the network a configuration trains, attention
    products included."""
    nb = load_definitions(
        "compare_cost", {key: value for key, value in overrides.items() if key in SETTINGS}
    )
    torch = nb.torch
    from torch.utils.flop_counter import FlopCounterMode

    with variants.applied(nb, variant_names):
        model = nb.build_model().eval()
        image = torch.ones(1, 1, nb.IMAGE_SIZE, nb.IMAGE_SIZE)
        image[..., 30:36, 30:36] = 0
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            model(
                image, return_attention=True
            )  # the explicit attention products, which the counter sees
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops() / 1e6


def report(args):
    """The comparisons of the levers file. A row whose runs are not in --runs (runs are not
    committed, so a fresh clone has none) keeps its figures from the report it replaces, if that
    report holds the same row."""
    nb = load_definitions("compare_report")
    runs = load_runs(args.runs)
    previous = (
        json.loads(args.output.read_text())
        if args.output.is_file()
        else dict(comparisons=[], configurations={})
    )
    kept = {
        (item["name"], item["row"], item["reference"]): item
        for item in previous["comparisons"]
        if "row" in item
    }
    comparisons, configurations = [], {}
    for lever in json.loads(Path(args.levers).read_text()):
        names = {part.split(":")[0] for part in (lever["row"], lever["reference"])}
        key = (lever["name"], lever["row"], lever["reference"])
        if names <= set(runs):
            comparisons.append({**lever, **compare(nb, runs, lever["row"], lever["reference"])})
        elif key in kept and names <= set(previous["configurations"]):
            print(f"kept from {args.output.name}, its runs are not in {args.runs}: {lever['name']}")
            comparisons.append({**kept[key], **lever})
            configurations.update(
                {name: previous["configurations"][name] for name in names if name not in runs}
            )
        else:
            missing = sorted(names - set(runs))
            raise SystemExit(
                f"{lever['name']!r}: no finished runs of {missing} in {args.runs}, "
                f"and no earlier report holds this row: train them first"
            )
    if (
        args.with_earlier and EARLIER.is_file()
    ):  # measured by earlier versions of the notebook, runs not kept
        comparisons += json.loads(EARLIER.read_text())
    configurations.update(
        {
            name: {
                str(seed): dict(
                    rmse=float(nb.rmse(nb.torch.from_numpy(errors["mirror"]))),
                    train_seconds=meta["train_seconds"],
                    samples_per_second=meta["samples_per_second"],
                    overrides=meta["overrides"],
                    variants=meta.get("variants", []),
                )
                for seed, (meta, errors) in seeds.items()
            }
            for name, seeds in runs.items()
        }
    )
    for seeds in (
        configurations.values()
    ):  # the cost of each configuration's network, the same for every seed
        first = next(iter(seeds.values()))
        parameters, mflops = cost(first["overrides"], first["variants"])
        for run in seeds.values():
            run.update(parameters=parameters, mflops=mflops)
    validation_samples = {
        meta.get("validation_samples", VALIDATION_SAMPLES)
        for seeds in runs.values()
        for meta, _ in seeds.values()
    }
    if previous["comparisons"] and any(c in previous["configurations"] for c in configurations):
        validation_samples.add(previous["validation_samples"])
    result = dict(
        validation_seed=VALIDATION_SEED,
        validation_samples=min(validation_samples, default=0),
        bootstrap_resamples=nb.BOOTSTRAP_RESAMPLES,
        configurations=configurations,
        comparisons=comparisons,
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1))
    for group in dict.fromkeys(item["group"] for item in comparisons):
        print(f"\n{group}")
        nb.print_comparisons(result, group)
    print(f"\nwrote {args.output}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    trainer = commands.add_parser("train", help="train one configuration for one or more seeds")
    trainer.add_argument("name")
    trainer.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    trainer.add_argument(
        "--variant",
        action="append",
        default=[],
        choices=sorted(variants.VARIANTS),
        help="an alternative design from benchmarks/variants.py (repeatable)",
    )
    trainer.add_argument("--seeds", type=int, nargs="+", default=[0])
    trainer.add_argument("--device", default="cpu")
    trainer.add_argument("--validation-samples", type=int, default=VALIDATION_SAMPLES)
    trainer.add_argument("--runs", type=Path, default=RUNS, help="folder of the runs")
    checkpoint = commands.add_parser(
        "evaluate", help="register already trained weights as one seed's run"
    )
    checkpoint.add_argument("name")
    checkpoint.add_argument("--checkpoint", type=Path, required=True)
    checkpoint.add_argument(
        "--history", type=Path, required=True, help="the training history saved beside it"
    )
    checkpoint.add_argument(
        "--seed", type=int, required=True, help="the training seed that made the weights"
    )
    checkpoint.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    checkpoint.add_argument("--device", default="cpu")
    checkpoint.add_argument("--validation-samples", type=int, default=VALIDATION_SAMPLES)
    checkpoint.add_argument("--runs", type=Path, default=RUNS, help="folder of the runs")
    reporter = commands.add_parser("report", help="the paired comparisons of a levers file")
    reporter.add_argument(
        "--levers",
        default=str(REPO / "benchmarks" / "levers.json"),
        help="JSON list of {group, name, row, reference}, rows named CONFIG:PREDICTION",
    )
    reporter.add_argument("--runs", type=Path, default=RUNS, help="folder of the runs")
    reporter.add_argument("--output", type=Path, default=RESULT)
    reporter.add_argument(
        "--no-earlier",
        dest="with_earlier",
        action="store_false",
        help=f"leave out the rows of {EARLIER.name} (measured by earlier versions of the notebook)",
    )
    args = parser.parse_args()
    {"train": train, "evaluate": evaluate_checkpoint, "report": report}[args.command](args)


if __name__ == "__main__":
    main()
