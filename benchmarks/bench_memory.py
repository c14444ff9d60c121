"""Peak memory of windowing a long series and training on it.

``Pipeline([SequenceWindower(window=256), LSTMRegressor(hidden_size=4,
batch_size=512, max_epochs=1)])`` is fitted on, and predicts, a 1,000,000-step
series. Each measurement runs in a fresh process and reports its peak resident
memory above the baseline of the same process after importing everything and
loading the series. Materialising the windows would take 2 GB (float64) or
1 GB (float32); the goal is under 500 MB.

A bare torch loop that slices windows out of a strided tensor, one batch at a
time, is measured the same way for comparison.

Run with ``nox -s bench_memory`` or ``python benchmarks/bench_memory.py``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

N_STEPS = 1_000_000
WINDOW = 256
BATCH = 512


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _series():
    import numpy as np

    rng = np.random.RandomState(0)
    t = np.arange(N_STEPS)
    return np.sin(2 * np.pi * t / 24) + 0.1 * rng.normal(size=N_STEPS)


def run_sklstm() -> dict[str, float]:
    import torch
    from sklearn.pipeline import Pipeline

    from sklstm import LSTMRegressor, SequenceWindower

    torch.set_num_threads(1)
    series = _series()
    X, y = series[:-1], series[1:]
    baseline = _peak_mb()
    pipe = Pipeline(
        [
            ("window", SequenceWindower(window=WINDOW)),
            (
                "lstm",
                LSTMRegressor(
                    hidden_size=4,
                    batch_size=BATCH,
                    max_epochs=1,
                    random_state=0,
                    device="cpu",
                ),
            ),
        ]
    )
    start = time.perf_counter()
    pipe.fit(X, y)
    fit_s = time.perf_counter() - start
    after_fit = _peak_mb()
    start = time.perf_counter()
    pred = pipe.predict(X)
    predict_s = time.perf_counter() - start
    assert pred.shape == y.shape
    return {
        "baseline_mb": baseline,
        "fit_peak_above_mb": after_fit - baseline,
        "peak_above_mb": _peak_mb() - baseline,
        "fit_s": fit_s,
        "predict_s": predict_s,
    }


def run_loop() -> dict[str, float]:
    import torch

    from sklstm._nn import SequenceModule

    torch.set_num_threads(1)
    series = _series()
    baseline = _peak_mb()
    start = time.perf_counter()
    data = torch.from_numpy(series.astype("float32"))
    n = N_STEPS - WINDOW
    windows = data.as_strided((n, WINDOW), (1, 1))  # no copy
    targets = data[WINDOW:]
    torch.manual_seed(0)
    module = SequenceModule(1, 1, hidden_size=4)
    opt = torch.optim.Adam(module.parameters(), lr=1e-3)
    for idx in torch.randperm(n).split(BATCH):
        opt.zero_grad()
        out = module(windows[idx].unsqueeze(-1))
        loss = torch.nn.functional.mse_loss(out[:, 0], targets[idx])
        loss.backward()
        opt.step()
    fit_s = time.perf_counter() - start
    return {
        "baseline_mb": baseline,
        "peak_above_mb": _peak_mb() - baseline,
        "fit_s": fit_s,
    }


MODES = {"sklstm": run_sklstm, "loop": run_loop}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument(
        "--modes", nargs="+", choices=MODES, default=list(MODES), help="what to run"
    )
    args = parser.parse_args()
    if args.mode:  # child process: measure one mode and print JSON
        print(json.dumps(MODES[args.mode]()))
        return
    print(
        f"{N_STEPS:,}-step series, window {WINDOW}, batch {BATCH}, hidden 4, "
        "1 epoch, 1 torch thread; each row in a fresh process"
    )
    for mode in args.modes:
        out = subprocess.run(
            [sys.executable, __file__, "--mode", mode],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        timing = f"fit {result['fit_s']:.1f} s"
        if "predict_s" in result:
            timing += (
                f", predict {result['predict_s']:.1f} s; peak during fit "
                f"{result['fit_peak_above_mb']:.1f} MB"
            )
        print(
            f"{mode:7} peak RSS above baseline {result['peak_above_mb']:7.1f} MB "
            f"(baseline {result['baseline_mb']:.0f} MB; {timing})"
        )


if __name__ == "__main__":
    main()
