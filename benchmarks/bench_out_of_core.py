"""Peak memory of fitting on a memory-mapped series.

A float32 series of ``--steps`` values is written with ``np.save`` and opened
with ``np.load(..., mmap_mode="r")``; ``Pipeline([SequenceWindower(64),
LSTMRegressor(hidden_size=8, batch_size=B, max_epochs=1,
samples_per_epoch=N)])`` is fitted on it: one epoch of ``N`` windows drawn at
random (``--samples-per-epoch``, 0 for every window) in batches of ``B``
(``--batch-size``). The peak of the
process's anonymous memory (``RssAnon``, sampled every 5 ms) above the
baseline is reported beside the file size. The baseline is taken after a
small fit in memory, which loads once what any first fit of a process loads
(about 200 MB of torch's optimizer machinery here); the file's pages
that the operating system caches are file-backed and not counted. One torch
thread.

Run with ``nox -s bench_out_of_core`` or ``python
benchmarks/bench_out_of_core.py --steps 100000000``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from typing import Any

import numpy as np


def _anonymous_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("RssAnon not found: this benchmark needs Linux")


def _write(path: str, steps: int) -> None:
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(steps,))
    for start in range(0, steps, 1 << 22):
        t = np.arange(start, min(steps, start + (1 << 22)))
        noise = np.random.default_rng(start).normal(size=len(t))
        out[start : start + len(t)] = np.sin(2 * np.pi * t / 24) + 0.1 * noise
    out.flush()
    del out


def _model(args: argparse.Namespace) -> Any:
    from sklstm import LSTMRegressor

    return LSTMRegressor(
        hidden_size=8,
        batch_size=args.batch_size,
        max_epochs=1,
        samples_per_epoch=args.samples_per_epoch or None,
        random_state=0,
        device="cpu",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000_000)
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--samples-per-epoch", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=1024)
    args = parser.parse_args()

    import torch
    from sklearn.pipeline import Pipeline

    from sklstm import SequenceWindower

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "series.npy")
        _write(path, args.steps)
        series = np.load(path, mmap_mode="r")
        cold = _anonymous_mb()
        # what any first fit loads once (torch's optimizer machinery, skorch):
        # a fit of 2,000 steps in memory, so that the figure is the data's
        small = np.asarray(series[:2000])
        Pipeline([("w", SequenceWindower(args.window)), ("m", _model(args))]).fit(
            small[:-1], small[1:]
        )
        del small
        baseline = _anonymous_mb()
        peak, done = [baseline], threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _anonymous_mb())
                time.sleep(0.005)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        pipe = Pipeline([("w", SequenceWindower(args.window)), ("m", _model(args))])
        start = time.perf_counter()
        pipe.fit(series[:-1], series[1:])
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        size = os.path.getsize(path) / 1e6
    windows = (args.steps - 1) * args.window * 4 / 1e6
    drawn = args.samples_per_epoch or args.steps - 1
    print(
        f"{args.steps:,} steps (file {size:.0f} MB), window {args.window}, "
        f"1 epoch of {min(drawn, args.steps - 1):,} windows in batches of "
        f"{args.batch_size}, 1 torch thread: "
        f"fit {seconds:.0f} s, peak anonymous memory "
        f"{peak[0] - baseline:.0f} MB above the baseline ({baseline:.0f} MB, "
        f"of which {baseline - cold:.0f} MB loaded by a first small fit); "
        f"the windows in float32 would take {windows:,.0f} MB"
    )


if __name__ == "__main__":
    main()
