"""Training samples per second of the notebook's own training loop on this machine.

    .venv/bin/python benchmarks/training_throughput.py [--notebook PATH] [--samples 25000] [--rounds 3]
                                                       [--set KEY=VALUE ...] [--device cpu]

It runs the notebook's `train_stage` (fresh batches from the batched generator, forward, loss, backward,
optimiser step) on the two-headed network for --samples samples, --rounds times, and prints the median rate.
--notebook measures another version of the notebook, e.g. an earlier commit's:
    git show COMMIT:odd_shapes_solution.ipynb > /tmp/before.ipynb
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from notebook_loader import NOTEBOOK, load_definitions  # noqa: E402
from compare_configs import parse_overrides  # noqa: E402  (this script's folder is on sys.path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default=str(NOTEBOOK))
    parser.add_argument("--samples", type=int, default=25_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    overrides = parse_overrides(args.set)
    nb = load_definitions(overrides=overrides, path=args.notebook)  # sets the notebook's CPU switches first
    torch = nb.torch
    rates = []
    for round_ in range(args.rounds + 1):  # round 0 warms up
        torch.manual_seed(round_)
        model = nb.build_model(with_offset_head=True).to(args.device)
        data = nb.BatchedOddShapes(seed=round_, device=args.device)
        samples = args.samples if round_ else nb.BATCH_SIZE * 20
        start = time.perf_counter()
        nb.train_stage(model, data, 2, 1, 1e-3, [], samples_per_epoch=samples, batch_size=nb.BATCH_SIZE, log=False)
        if args.device != "cpu":
            torch.cuda.synchronize()
        if round_:
            rates.append(samples / (time.perf_counter() - start))
    print(f"{args.notebook}: {statistics.median(rates):,.0f} training samples/s (median of {args.rounds} rounds of "
          f"{args.samples:,}; rounds: {', '.join(f'{r:,.0f}' for r in rates)}; batch {nb.BATCH_SIZE}, "
          f"{torch.get_num_threads()} threads, {torch.backends.cpu.get_cpu_capability()} kernels, {args.device})")


if __name__ == "__main__":
    main()
