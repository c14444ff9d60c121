"""The demo behind ``python -m sklstm``: forecast a noisy seasonal series."""

from __future__ import annotations

import argparse
import time

import numpy as np

from ._regressor import LSTMRegressor
from .datasets import make_seasonal_series


def _windows(series: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], window)
    return X, series[window:]


def main(argv: list[str] | None = None) -> int:
    """Run the demo and print the scores; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m sklstm",
        description="Forecast the next value of a noisy seasonal series with "
        "an LSTM and compare it with naive forecasts.",
    )
    parser.add_argument("--window", type=int, default=48, help="steps of history")
    parser.add_argument("--epochs", type=int, default=20, help="training epochs")
    args = parser.parse_args(argv)

    series = make_seasonal_series()
    X, y = _windows(series, args.window)
    split = int(0.8 * len(y))
    X_train, X_test, y_train, y_test = X[:split], X[split:], y[:split], y[split:]
    print(
        f"Series of {len(series)} steps; {len(y)} windows of {args.window} steps; "
        f"training on the first {split}, testing on the last {len(y) - split}."
    )
    model = LSTMRegressor(
        hidden_size=32, max_epochs=args.epochs, lr=0.01, random_state=0, verbose=1
    )
    start = time.perf_counter()
    model.fit(X_train, y_train)
    print(f"Trained in {time.perf_counter() - start:.1f} s on {model.device_}.")

    def mae(pred: np.ndarray) -> float:
        return float(np.mean(np.abs(pred - y_test)))

    print("\nMean absolute error of the next-step forecast on the test part:")
    print(f"  LSTMRegressor                       {mae(model.predict(X_test)):6.3f}")
    print(f"  naive: repeat the last value        {mae(X_test[:, -1]):6.3f}")
    print(f"  seasonal naive: value 24 steps ago  {mae(X_test[:, -24]):6.3f}")
    return 0
