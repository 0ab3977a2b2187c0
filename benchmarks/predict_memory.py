"""Peak memory that predict adds when it is given many images at once, and whether its answers equal
those of small batches.

    .venv/bin/python benchmarks/predict_memory.py [--images 30000] [--chunk-size 1000] \
        [--notebook PATH]

In a fresh process: draw the images, then reset the process's peak resident memory (Linux:
/proc/self/clear_refs) and call predict once on all of them; the peak minus the memory in use before
the call is what predict added. --notebook measures another version of the notebook (e.g. an earlier
commit's, whose predict ran everything in one batch: git show COMMIT:odd_shapes_solution.ipynb >
/tmp/before.ipynb); --chunk-size 0 leaves predict's default.

"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
# the one way every tool loads the notebook
from notebook_loader import NOTEBOOK, REPO, load_definitions  # noqa: E402


def memory_kb(field):
    """VmRSS (in use) or VmHWM (peak) of this process, in kB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=30_000)
    parser.add_argument("--chunk-size", type=int, default=0)
    parser.add_argument("--notebook", default=str(NOTEBOOK))
    parser.add_argument("--checkpoint", default=str(REPO / "checkpoints" / "odd_shapes.pt"))
    args = parser.parse_args()
    if args.images < 1 or args.chunk_size < 0:
        raise SystemExit(
            "--images must be positive and --chunk-size 0 (predict's default) or positive"
        )
    if not Path("/proc/self/clear_refs").exists():
        raise SystemExit(
            "this measurement needs Linux's /proc/self/clear_refs to reset the peak memory"
        )
    # sets the CPU switches, then imports torch
    nb = load_definitions("predict_memory", path=args.notebook)
    torch = nb.torch
    model = nb.load_model(args.checkpoint)
    data = nb.BatchedOddShapes(seed=5)
    images = torch.cat(
        [data.sample(min(5_000, args.images - start))[0] for start in range(0, args.images, 5_000)]
    )
    options = dict(chunk_size=args.chunk_size) if args.chunk_size else {}
    before = memory_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from what is in use now
    answers = nb.predict(model, images, **options)[0]  # (N, 2)
    added_gb = (memory_kb("VmHWM") - before) / 2**20
    small = torch.cat(
        [nb.predict(model, part)[0] for part in images.split(100)]
    )  # (N, 2), 100 images at a time
    same = (
        "identical to"
        if torch.equal(answers, small)
        else f"max {float((answers - small).abs().max()):.1e} px from"
    )
    print(
        f"predict on {args.images:,} images at once ({Path(args.notebook).name}"
        f"{f', chunk_size {args.chunk_size}' if args.chunk_size else ''}): "
        f"peak memory +{added_gb:.2f} GB; answers {same} those of batches of 100"
    )


if __name__ == "__main__":
    main()
