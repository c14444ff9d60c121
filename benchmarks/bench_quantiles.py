"""How well the quantile regressor's intervals hold on a series with known noise.

The series is sin(2 pi t / 24) plus Gaussian noise whose standard deviation
follows the season (0.1 to 0.5; ``tests/_heteroscedastic.py``), so the true
conditional quantiles are known. ``LSTMRegressor(loss="quantile")`` and the
same model inside ``CalibratedQuantileRegressor`` (split conformal on the last
20 % of the training windows) read windows of 24 values, fit the 10 %, 50 %
and 90 % quantiles of the next value on 5,000 windows, and are scored on the
2,400 that follow:

- coverage of the 80 % interval (goal: 77-83 %);
- its mean width over the true interval's (goal: within 15 %);
- the mean pinball loss over the true quantiles' (goal: within 10 %).

One line per seed, one torch thread. Run with ``nox -s bench_quantiles`` or
``python benchmarks/bench_quantiles.py [--seeds 0 1 2]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ helpers

from sklstm import CalibratedQuantileRegressor, LSTMRegressor
from sklstm.metrics import (
    interval_coverage,
    mean_interval_width,
    mean_pinball_loss,
)
from tests._heteroscedastic import seasonal_noise

LEVELS = np.array([0.1, 0.5, 0.9])
SETTINGS = {"hidden_size": 16, "max_epochs": 30, "lr": 0.01}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-train", type=int, default=5000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread; LSTMRegressor{SETTINGS}")
    print(
        f"{'seed':>4} {'model':<12} {'coverage':>9} {'width/true':>11} "
        f"{'pinball/true':>13} {'fit (s)':>8}"
    )
    for seed in args.seeds:
        X_train, y_train, X_test, y_test, true = seasonal_noise(
            args.n_train, 2400, LEVELS, seed=seed
        )
        best_loss = mean_pinball_loss(y_test, true, LEVELS)
        best_width = mean_interval_width(true[:, [0, 2]])
        for name, wrap in (("network", False), ("conformal", True)):
            model = LSTMRegressor(loss="quantile", random_state=seed, **SETTINGS)
            if wrap:
                model = CalibratedQuantileRegressor(model)
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            bounds = model.predict_interval(X_test, coverage=0.8)
            loss = mean_pinball_loss(y_test, model.predict_quantiles(X_test), LEVELS)
            print(
                f"{seed:>4} {name:<12} {interval_coverage(y_test, bounds):9.3f} "
                f"{mean_interval_width(bounds) / best_width:11.3f} "
                f"{loss / best_loss:13.3f} {seconds:8.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
