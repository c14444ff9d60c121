"""One LSTM for many series: the M1 yearly competition data, bundled with aeon.

181 yearly series of 15 to 58 values; each one's last 6 values (the
competition's horizon) are held out. Every model forecasts them from the
values before:

- naive: the last value, repeated (seasonal naive is the same for yearly data);
- statsmodels' Theta method and damped-trend exponential smoothing (ETS), one
  model per series;
- a global ``LSTMRegressor(window_scaling="standard")``: one network over the
  windows of every series (``sliding_windows(..., groups=)``), forecast for all
  series at once (``forecast(..., groups=)``, recursively, one step at a time);
- optionally (``--local``) one LSTM per series with the same settings.

Scored by MASE (the mean absolute error over the mean absolute one-step change
of the series' own history) and sMAPE (in %), averaged over the series, as in
the M competitions. Seeds vary the LSTM's initialisation; fit times are on one
torch thread. Nothing is downloaded: the data set is a file of aeon's wheel.

Run with ``nox -s bench_panel`` or ``python benchmarks/bench_panel.py`` (needs
``pip install aeon statsmodels``).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from sklstm import LSTMRegressor, forecast, sliding_windows

HORIZON = 6


def _load() -> list[np.ndarray]:
    import aeon
    from aeon.datasets import load_from_tsf_file

    path = Path(aeon.__file__).parent / "datasets/data/m1_yearly_dataset"
    path = path / "m1_yearly_dataset.tsf"
    if not path.exists():
        raise SystemExit(f"{path} is missing: this aeon wheel does not ship M1.")
    frame, _ = load_from_tsf_file(str(path))
    return [np.asarray(v, dtype=np.float64) for v in frame["series_value"]]


def _scores(
    histories: list[np.ndarray], truths: list[np.ndarray], forecasts: np.ndarray
) -> tuple[float, float]:
    mase, smape = [], []
    for history, truth, pred in zip(histories, truths, forecasts, strict=True):
        scale = np.mean(np.abs(np.diff(history)))
        mase.append(np.mean(np.abs(truth - pred)) / scale)
        smape.append(
            200 * np.mean(np.abs(truth - pred) / (np.abs(truth) + np.abs(pred)))
        )
    return float(np.mean(mase)), float(np.mean(smape))


def _statistical(histories: list[np.ndarray], kind: str) -> np.ndarray:
    from statsmodels.tsa.forecasting.theta import ThetaModel
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on short series
        for history in histories:
            if kind == "theta":
                model = ThetaModel(history, period=1, deseasonalize=False).fit()
                out.append(np.asarray(model.forecast(HORIZON)))
            else:
                fitted = ExponentialSmoothing(
                    history, trend="add", damped_trend=True
                ).fit()
                out.append(np.asarray(fitted.forecast(HORIZON)))
    return np.array(out)


def _lstm(seed: int) -> LSTMRegressor:
    return LSTMRegressor(window_scaling="standard", random_state=seed)


def _global(histories: list[np.ndarray], seed: int, window: int) -> np.ndarray:
    values = np.concatenate(histories)
    ids = np.repeat(np.arange(len(histories)), [len(h) for h in histories])
    X, y = sliding_windows(values, window, groups=ids)
    model = _lstm(seed).fit(X, y)
    return np.asarray(forecast(model, values, HORIZON, groups=ids))


def _local(histories: list[np.ndarray], seed: int, window: int) -> np.ndarray:
    out = []
    for history in histories:
        X, y = sliding_windows(history, window)
        model = _lstm(seed).fit(X, y)
        out.append(forecast(model, history, HORIZON))
    return np.array(out)


def _row(name: str, scores: tuple[float, float], seconds: float) -> None:
    print(f"{name:<34} {scores[0]:>7.3f} {scores[1]:>8.2f} {seconds:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--window", type=int, default=6)
    parser.add_argument(
        "--local", action="store_true", help="also fit one LSTM per series (slow)"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    try:
        import aeon
        import statsmodels
    except ImportError as exc:
        raise SystemExit(
            f"bench_panel needs aeon and statsmodels ({exc}); "
            "pip install aeon statsmodels, or run nox -s bench_panel."
        ) from exc
    series = _load()
    histories = [s[:-HORIZON] for s in series]
    truths = [s[-HORIZON:] for s in series]
    print(
        f"M1 yearly: {len(series)} series, horizon {HORIZON}, window "
        f"{args.window}; torch {torch.__version__}, 1 thread; aeon "
        f"{aeon.__version__}, statsmodels {statsmodels.__version__}"
    )
    print(f"{'model':<34} {'MASE':>7} {'sMAPE %':>8} {'time (s)':>9}")
    naive = np.array([np.repeat(h[-1], HORIZON) for h in histories])
    _row("naive (last value)", _scores(histories, truths, naive), 0.0)
    for kind, name in (
        ("theta", "Theta, per series"),
        ("ets", "damped ETS, per series"),
    ):
        start = time.perf_counter()
        predicted = _statistical(histories, kind)
        _row(name, _scores(histories, truths, predicted), time.perf_counter() - start)
    for seed in args.seeds:
        start = time.perf_counter()
        predicted = _global(histories, seed, args.window)
        seconds = time.perf_counter() - start
        _row(
            f"global LSTM, seed {seed}", _scores(histories, truths, predicted), seconds
        )
    if args.local:
        for seed in args.seeds:
            start = time.perf_counter()
            predicted = _local(histories, seed, args.window)
            seconds = time.perf_counter() - start
            _row(
                f"one LSTM per series, seed {seed}",
                _scores(histories, truths, predicted),
                seconds,
            )


if __name__ == "__main__":
    main()
