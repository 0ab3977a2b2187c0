"""Training samples per second of the notebook's own training loop on this machine.

    .venv/bin/python benchmarks/training_throughput.py [--samples 25000] [--rounds 3] \
        [--set KEY=VALUE ...] [--variant NAME ...] [--notebook PATH] [--device cpu]

It runs the notebook's `train_stage` (fresh batches from the batched generator, forward, loss,
backward, optimiser step) on the two-headed network for --samples samples, --rounds times after a
warm-up round, and prints the median rate. Compare two configurations back to back, in one sitting:
the machine's speed drifts.
--notebook measures another version of the notebook, e.g. an earlier commit's:
    git show COMMIT:odd_shapes_solution.ipynb > /tmp/before.ipynb

"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import variants  # noqa: E402
from compare_configs import parse_overrides  # noqa: E402  (this script's folder is on sys.path)

# the one way every tool loads the notebook
from notebook_loader import NOTEBOOK, load_definitions  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default=str(NOTEBOOK))
    parser.add_argument("--samples", type=int, default=25_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--variant", action="append", default=[], choices=sorted(variants.VARIANTS))
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.samples < 1 or args.rounds < 1:
        raise SystemExit("--samples and --rounds must be positive")
    # the CPU switches come first
    nb = load_definitions(overrides=parse_overrides(args.set), path=args.notebook)
    torch = nb.torch
    rates = []
    with variants.applied(nb, args.variant):
        for round_ in range(args.rounds + 1):  # round 0 warms up
            torch.manual_seed(round_)
            model = nb.build_model(with_offset_head=True).to(args.device)
            data = nb.BatchedOddShapes(seed=round_, device=args.device)
            samples = args.samples if round_ else min(args.samples, nb.BATCH_SIZE * 10)
            start = time.perf_counter()
            nb.train_stage(model, data, 2, 1, 1e-3, [], samples_per_epoch=samples, log=False)
            if args.device != "cpu":
                torch.cuda.synchronize()
            if round_:
                rates.append(samples / (time.perf_counter() - start))
    what = (
        " ".join(args.set + [f"variant {name}" for name in args.variant])
        or "the notebook's configuration"
    )
    print(
        f"{what}: {statistics.median(rates):,.0f} training samples/s "
        f"(median of {args.rounds} rounds of {args.samples:,}; "
        f"rounds: {', '.join(f'{r:,.0f}' for r in rates)}; batch {nb.BATCH_SIZE}, "
        f"{torch.get_num_threads()} threads, "
        f"{torch.backends.cpu.get_cpu_capability()} kernels, {args.device})"
    )


if __name__ == "__main__":
    main()
