"""Samples per second of the homework's PIL generator against the batched generator, on one machine.

    .venv/bin/python benchmarks/generator_throughput.py [--device cuda] [--seconds 5] [--rounds 3] \
        [--batch-size 128]

(a) OddXYDataset read through a DataLoader(batch_size, num_workers=0), as a training loop would;
(b) BatchedOddShapes.sample(batch_size) on the chosen device (synchronised on CUDA).
The two alternate for --rounds rounds of --seconds each, and the median of each is reported, so that
a passing load on a shared machine weighs on both alike. The target is (b) >= 5x (a) on the same
CPU.

Like every tool here, it imports torch only through the notebook's definitions (nb.torch), because
the notebook's first cell sets switches that act only before torch is imported.

"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
# the one way every tool loads the notebook
from notebook_loader import load_definitions  # noqa: E402


def rate(make_batch, batch_size, seconds, synchronise=lambda: None):
    make_batch()  # warm-up
    synchronise()
    samples, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        make_batch()
        samples += batch_size
    synchronise()
    return samples / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    # the notebook's CPU switches must be set before torch is imported: use nb.torch
    nb = load_definitions()
    torch = nb.torch
    device = torch.device(args.device)
    synchronise = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    random.seed(0)
    batches = iter(nb.DataLoader(nb.OddXYDataset(10**9), batch_size=args.batch_size, num_workers=0))
    generator = nb.BatchedOddShapes(seed=0, device=device)
    pil_rates, batched_rates = [], []
    for _ in range(args.rounds):
        pil_rates.append(rate(lambda: next(batches), args.batch_size, args.seconds))
        batched_rates.append(
            rate(
                lambda: generator.sample(args.batch_size),
                args.batch_size,
                args.seconds,
                synchronise,
            )
        )
    pil_rate, batched_rate = statistics.median(pil_rates), statistics.median(batched_rates)

    where = (
        torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else f"CPU, {torch.get_num_threads()} threads"
    )
    print(
        f"(a) OddXYDataset + DataLoader(num_workers=0), batch {args.batch_size}: "
        f"{pil_rate:12,.0f} samples/s (CPU)"
    )
    print(
        f"(b) BatchedOddShapes.sample({args.batch_size}):{'':17s}"
        f"{batched_rate:12,.0f} samples/s ({where})"
    )
    print(
        f"ratio (b) / (a): {batched_rate / pil_rate:.1f}x  "
        f"(medians of {args.rounds} alternating rounds of {args.seconds:g} s; "
        f"ratios per round: {', '.join(f'{b / a:.1f}' for a, b in zip(pil_rates, batched_rates))})"
    )


if __name__ == "__main__":
    main()
