"""How well the default estimators learn real data sets that ship inside pip packages.

Classification: UCR/UEA sets bundled with aeon (univariate and multivariate,
short and long, ragged included), their standard train/test splits. Each row is
``LSTMClassifier(pooling=p, random_state=s)`` with every other setting at its
default, the mean over the seeds ``s`` of ``--seeds`` (0 alone by default:
with a few dozen training series, seeds differ by several points; the
regressors are averaged over the same seeds), next to
1-NN with dynamic time warping (aeon), the usual baseline of the UCR archive.

Regression: the co2 (weekly, gaps interpolated) and sunspots (yearly) series
bundled with statsmodels, next-step forecasts from windows of two seasons,
the last 20 % of windows held out. ``LSTMRegressor(pooling=p)`` with defaults
against Ridge on the same windows and the seasonal naive forecast; scored by
mean absolute error.

Fit times are on one torch thread. Nothing is downloaded: every data set is a
file of the installed packages (the script stops with a message otherwise).

Run with ``nox -s bench_quality`` or ``python benchmarks/bench_quality.py``
(needs ``pip install aeon statsmodels``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.linear_model import RidgeCV
from sklearn.metrics import accuracy_score, mean_absolute_error

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm.forecasting import sliding_windows

#: name: what it is (all in aeon's wheel, aeon/datasets/data)
CLASSIFICATION = {
    "ItalyPowerDemand": "univariate, 24 steps, 67 train",
    "GunPoint": "univariate, 150 steps, 50 train",
    "ArrowHead": "univariate, 251 steps, 36 train",
    "OSULeaf": "univariate, 427 steps, 200 train",
    "PickupGestureWiimoteZ": "univariate, ragged 29-361 steps, 50 train",
    "BasicMotions": "6 channels, 100 steps, 40 train",
    "JapaneseVowels": "12 channels, ragged 7-29 steps, 270 train",
}
#: name: season length (statsmodels' data sets)
REGRESSION = {"co2": 52, "sunspots": 11}
POOLINGS = ("last", "mean", "max", "attention")
#: settings given to every LSTM estimator besides pooling (none: the defaults)
SETTINGS: dict[str, Any] = {}
#: ... and to the regressors only
REGRESSOR_SETTINGS: dict[str, Any] = {}


def _to_sklstm(X: Any) -> np.ndarray | list[np.ndarray]:
    """aeon's (n, channels, steps) array or list of (channels, steps) arrays."""
    if isinstance(X, np.ndarray):
        out = np.ascontiguousarray(X.transpose(0, 2, 1), dtype=np.float32)
        return out[:, :, 0] if out.shape[2] == 1 else out
    return [np.ascontiguousarray(x.T, dtype=np.float32) for x in X]


def _load_classification(name: str) -> tuple[Any, ...]:
    import aeon.datasets
    from aeon.datasets import load_classification

    bundled = Path(aeon.datasets.__file__).parent / "data"
    if not (bundled / name).is_dir():  # load_classification would download it
        raise SystemExit(f"{name} is not bundled with this aeon ({bundled}).")
    X_train, y_train = load_classification(name, split="train", extract_path=bundled)
    X_test, y_test = load_classification(name, split="test", extract_path=bundled)
    return X_train, y_train, X_test, y_test


def _timed_fit(model: Any, X: Any, y: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - start


def _row(model: str, value: float, seconds: float = 0.0, note: str = "") -> None:
    print(f"{'':<22} {model:<24} {value:8.3f} {seconds:8.1f}{note}", flush=True)


def _over_seeds(
    label: str,
    make: Callable[[int], Any],
    seeds: list[int],
    train: tuple[Any, Any],
    test: tuple[Any, Any],
    metric: Callable[[Any, Any], float],
) -> None:
    """One row: ``metric`` on ``test`` of ``make(seed)`` fitted on ``train``,
    and the fit time, the means over the seeds (and each seed's score)."""
    scores, times = [], []
    for seed in seeds:
        model, seconds = _timed_fit(make(seed), *train)
        scores.append(metric(test[1], model.predict(test[0])))
        times.append(seconds)
    each = "" if len(seeds) == 1 else f"  seeds: {np.round(scores, 3)}"
    _row(label, float(np.mean(scores)), float(np.mean(times)), each)


def classification(
    poolings: tuple[str, ...], names: list[str], seeds: list[int]
) -> None:
    from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier

    header = f"{'data set':<22} {'model':<24} {'accuracy':>8} {'fit (s)':>8}"
    print(f"\n== classification: test accuracy ==\n{header}")
    for name in names:
        X_train, y_train, X_test, y_test = _load_classification(name)
        print(f"{name:<22} ({CLASSIFICATION[name]})")
        knn, seconds = _timed_fit(
            KNeighborsTimeSeriesClassifier(distance="dtw"), X_train, y_train
        )
        accuracy = accuracy_score(y_test, knn.predict(X_test))
        _row("1-NN DTW", accuracy, seconds)
        train, test = _to_sklstm(X_train), _to_sklstm(X_test)
        for pooling in poolings:
            _over_seeds(
                f"LSTMClassifier {pooling}",
                lambda seed, p=pooling: LSTMClassifier(
                    pooling=p, random_state=seed, **SETTINGS
                ),
                seeds,
                (train, y_train),
                (test, y_test),
                accuracy_score,
            )


def _series(name: str) -> np.ndarray:
    from statsmodels.datasets import co2, sunspots

    if name == "co2":
        frame = co2.load_pandas().data
        return frame["co2"].interpolate().bfill().to_numpy(dtype=np.float64)
    return sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(dtype=np.float64)


def regression(poolings: tuple[str, ...], seeds: list[int]) -> None:
    header = f"{'series':<22} {'model':<24} {'MAE':>8} {'fit (s)':>8}"
    print(f"\n== regression: next-step mean absolute error, last 20 % ==\n{header}")
    for name, season in REGRESSION.items():
        series = _series(name)
        window = 2 * season
        X, y = sliding_windows(series, window=window)
        cut = int(0.8 * len(X))
        X_train, y_train, X_test, y_test = X[:cut], y[:cut], X[cut:], y[cut:]
        print(f"{name:<22} ({len(series)} values, window {window})")
        # the value one season before the predicted one: X's column -season
        naive = mean_absolute_error(y_test, X_test[:, -season])
        _row("seasonal naive", naive)
        last = mean_absolute_error(y_test, X_test[:, -1])
        _row("naive (last value)", last)
        ridge, seconds = _timed_fit(
            RidgeCV(alphas=np.logspace(-3, 3, 13)), X_train, y_train
        )
        error = mean_absolute_error(y_test, ridge.predict(X_test))
        _row("Ridge (CV alpha)", error, seconds)
        for pooling in poolings:
            _over_seeds(
                f"LSTMRegressor {pooling}",
                lambda seed, p=pooling: LSTMRegressor(
                    pooling=p, random_state=seed, **SETTINGS, **REGRESSOR_SETTINGS
                ),
                seeds,
                (X_train, y_train),
                (X_test, y_test),
                mean_absolute_error,
            )


def _int_or_auto(text: str) -> int | str:
    return text if text == "auto" else int(text)


class _Given:
    """A command-line value that may be None (told apart from not given)."""

    def __init__(self, value: int | None) -> None:
        self.value = value


def _int_or_none(text: str) -> _Given:
    return _Given(None if text == "none" else int(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poolings", nargs="+", default=list(POOLINGS))
    parser.add_argument(
        "--datasets", nargs="+", default=list(CLASSIFICATION), choices=CLASSIFICATION
    )
    parser.add_argument(
        "--max-epochs", type=_int_or_auto, help="instead of the default (or auto)"
    )
    parser.add_argument("--lr", type=float, help="instead of the default")
    parser.add_argument(
        "--lr-schedule", choices=["constant", "cosine"], help="instead of the default"
    )
    parser.add_argument("--batch-size", type=int, help="instead of the default")
    parser.add_argument(
        "--conv-filters",
        type=_int_or_none,
        help="instead of the default (or none: no convolutional branch)",
    )
    parser.add_argument(
        "--window-scaling",
        choices=["none", "standard", "mean_abs", "robust"],
        help="the regressors' window_scaling, instead of the default",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=[0],
        help="random_state of each LSTM fit: the mean score and fit time are "
        "printed, and each seed's score",
    )
    parser.add_argument("--skip-regression", action="store_true")
    parser.add_argument("--skip-classification", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in ("max_epochs", "lr", "lr_schedule", "batch_size"):
        if getattr(args, name) is not None:
            SETTINGS[name] = getattr(args, name)
    if args.conv_filters is not None:
        SETTINGS["conv_filters"] = args.conv_filters.value
    if args.window_scaling is not None:
        scaling = None if args.window_scaling == "none" else args.window_scaling
        REGRESSOR_SETTINGS["window_scaling"] = scaling
    try:
        import aeon
        import statsmodels
    except ImportError as exc:
        raise SystemExit(
            f"bench_quality needs aeon and statsmodels ({exc}); "
            "pip install aeon statsmodels, or run nox -s bench_quality."
        ) from exc
    print(
        f"torch {torch.__version__}, 1 thread; aeon {aeon.__version__}, "
        f"statsmodels {statsmodels.__version__}; LSTM settings: "
        f"{dict(SETTINGS, **REGRESSOR_SETTINGS) or 'the defaults'}"
    )
    if not args.skip_classification:
        classification(tuple(args.poolings), args.datasets, args.seeds)
    if not args.skip_regression:
        regression(tuple(args.poolings), args.seeds)


if __name__ == "__main__":
    main()
