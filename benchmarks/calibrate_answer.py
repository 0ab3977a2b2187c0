"""How the probability map becomes an answer, chosen after training on samples of its own.

A temperature on the classifier's logits, and the soft-argmax over all 144 tokens or over a window
around the peak.

For squared error the best answer is the mean of the posterior; the soft-argmax of a map that is too
sharp or too flat is not. This tool takes trained weights and, with no retraining and no test data:

1. measures the RMSE of the notebook's answer (mirror-averaged, offsets included) for every
   temperature T (probabilities softmax(logits / T)) and window size on CALIBRATION_SAMPLES samples
   of CALIBRATION_SEED, a seed used for nothing else, and chooses the temperature with the lowest
   RMSE there;
2. evaluates the chosen temperature on the validation samples of compare_configs.py (seed 90210),
   and registers it as the run NAME+calibrated of the same seed, so that the comparison report pairs
   it with the weights' own answers (levers.json rows such as "r30-base+calibrated:mirror" against
   "r30-base:mirror");
3. writes the RMSE of every setting on both sample sets to --output (JSON), for the curve of RMSE
   against T.

    # weights kept by compare_configs.py train
    .venv/bin/python benchmarks/calibrate_answer.py r30-base --seeds 0 1

"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from compare_configs import RUNS, VALIDATION_SAMPLES, VALIDATION_SEED  # noqa: E402

# the one way every tool loads the notebook
from notebook_loader import REPO, load_definitions  # noqa: E402

CALIBRATION_SEED = 90_211  # used by nothing but this tool
CALIBRATION_SAMPLES = 100_000
TEMPERATURES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5)
WINDOWS = (3, 5)  # local soft-argmax: only the tokens of a W x W window around the peak


def answers(nb, prediction, temperature, window=None):
    """(2B, 2) answers from a Prediction's logits and offsets, with a temperature and, optionally,
    only the tokens of a W x W window around the peak token."""
    torch = nb.torch
    logits = prediction.logits / temperature  # (2B, 144)
    if window:
        peak, token = (
            logits.argmax(dim=1, keepdim=True),
            torch.arange(nb.NUM_TOKENS),
        )  # (2B, 1), (144,)
        reach = window // 2
        near = ((token // nb.GRID - peak // nb.GRID).abs() <= reach) & (
            (token % nb.GRID - peak % nb.GRID).abs() <= reach
        )
        logits = logits.masked_fill(~near, float("-inf"))  # (2B, 144)
    targets = nb.receptive_field_centres() + (
        0 if prediction.offsets is None else prediction.offsets
    )  # (2B, 144, 2)
    return (logits.softmax(dim=1).unsqueeze(-1) * targets).sum(dim=1)  # (2B, 2)


def squared_errors(nb, model, settings, samples, seed):
    """{setting: {"mirror", "plain", "coarse": (N,) squared errors}} of every (temperature, window)
    setting."""
    torch = nb.torch
    errors = {setting: {"mirror": [], "plain": [], "coarse": []} for setting in settings}
    with torch.no_grad():
        for images, labels, _ in nb.generator_batches(samples, seed):
            both = model(torch.cat([images, images.flip(-1)]))  # Prediction of 2B images
            for setting in settings:
                answer = answers(nb, both, *setting)  # (2B, 2)
                plain = answer[: len(images)]  # (B, 2)
                coarse = answers(
                    nb, nb.Prediction(None, None, both.logits, None, None, None), *setting
                )[: len(images)]
                mirrored = answer[len(images) :]  # (B, 2) in the mirror images
                mirror = (
                    plain + torch.stack([nb.IMAGE_SIZE - 1 - mirrored[:, 0], mirrored[:, 1]], dim=1)
                ) / 2
                for name, centre in (("mirror", mirror), ("plain", plain), ("coarse", coarse)):
                    errors[setting][name].append(((centre - labels) ** 2).sum(dim=1))  # (B,)
    return {
        setting: {name: torch.cat(parts) for name, parts in by_name.items()}
        for setting, by_name in errors.items()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "name", help="a configuration trained by compare_configs.py, whose weights are in --runs"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--runs", type=Path, default=RUNS)
    parser.add_argument("--calibration-samples", type=int, default=CALIBRATION_SAMPLES)
    parser.add_argument("--validation-samples", type=int, default=VALIDATION_SAMPLES)
    parser.add_argument(
        "--output", type=Path, default=REPO / "benchmarks" / "results" / "calibration.json"
    )
    args = parser.parse_args()
    if args.calibration_samples < 1 or args.validation_samples < 1:
        raise SystemExit("--calibration-samples and --validation-samples must be positive")
    results = json.loads(args.output.read_text()) if args.output.is_file() else {}
    for seed in args.seeds:
        run = args.runs / f"{args.name}-seed{seed}"
        if not run.with_suffix(".pt").is_file():
            raise SystemExit(
                f"no weights {run}.pt: train them with compare_configs.py train {args.name} "
                f"--seeds {seed}"
            )
        meta = json.loads(run.with_suffix(".json").read_text())
        nb = load_definitions(f"calibrate_{args.name}_{seed}", meta["overrides"])
        model = nb.load_model(str(run.with_suffix(".pt")))
        settings = [(t, None) for t in TEMPERATURES] + [(1.0, w) for w in WINDOWS]
        tables = {}
        for stream, samples, stream_seed in (
            ("calibration", args.calibration_samples, CALIBRATION_SEED),
            ("validation", args.validation_samples, VALIDATION_SEED),
        ):
            errors = squared_errors(nb, model, settings, samples, stream_seed)
            tables[stream] = errors
            shown = (
                f"T {t}{f' window {w}' if w else ''} {float(nb.rmse(e['mirror'])):.4f}"
                for (t, w), e in errors.items()
            )
            print(
                f"{args.name} seed {seed}, {samples:,} {stream} samples: " + ", ".join(shown),
                flush=True,
            )
        chosen = min(
            (s for s in settings if s[1] is None),
            key=lambda s: float(nb.rmse(tables["calibration"][s]["mirror"])),
        )
        chosen_errors, plain_errors = (
            tables["validation"][chosen],
            tables["validation"][(1.0, None)],
        )
        name = f"{args.name}+calibrated"
        np.savez_compressed(
            args.runs / f"{name}-seed{seed}.npz",
            **{key: value.numpy().astype(np.float64) for key, value in chosen_errors.items()},
        )
        (args.runs / f"{name}-seed{seed}.json").write_text(
            json.dumps(
                {
                    **{
                        k: meta[k]
                        for k in (
                            "overrides",
                            "variants",
                            "settings",
                            "machine",
                            "train_seconds",
                            "samples_per_second",
                            "validation_samples",
                            "final_train_rmse",
                            "history",
                        )
                    },
                    "name": name,
                    "seed": seed,
                    "source": f"weights of {run}.pt, temperature {chosen[0]} chosen on "
                    f"{args.calibration_samples:,} samples of seed {CALIBRATION_SEED}",
                    "temperature": chosen[0],
                },
                indent=1,
            )
        )
        difference = float(nb.rmse(chosen_errors["mirror"]) - nb.rmse(plain_errors["mirror"]))
        print(f"chosen T = {chosen[0]}: validation {difference:+.4f} px against T = 1", flush=True)
        results[f"{args.name}-seed{seed}"] = {
            stream: [
                dict(temperature=t, window=w, rmse=float(nb.rmse(e["mirror"])))
                for (t, w), e in table.items()
            ]
            for stream, table in tables.items()
        }
        results[f"{args.name}-seed{seed}"]["chosen_temperature"] = chosen[0]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
