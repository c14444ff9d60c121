"""The demo behind ``python -m sklstm``: LSTM forecasts against naive ones.

It cross-validates an :class:`LSTMRegressor` on windows of a series with
``TimeSeriesSplit``, scores naive forecasts on the same folds, then fits on all
but a held-out tail, forecasts that tail one step and many steps ahead, and
plots the forecasts. The series is ``make_seasonal_series()`` or a column of a
CSV file (``--csv PATH --column NAME``).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import TimeSeriesSplit

from ._regressor import LSTMRegressor
from .datasets import make_seasonal_series
from .forecasting import forecast, sliding_windows

__all__ = ["main"]

PROG = "python -m sklstm"
DEFAULT_WINDOW = 48
DEFAULT_EPOCHS = 20
DEFAULT_FOLDS = 5
DEFAULT_PLOT = "sklstm_forecast.png"
#: The season of ``make_seasonal_series``: a daily cycle of hourly steps.
DEFAULT_SEASON = 24
#: Every fold trains and tests on at least this many windows.
MIN_FOLD_WINDOWS = 10
HIDDEN_SIZE = 32
LR = 0.01
LABEL_WIDTH = 30


class DemoError(Exception):
    """A problem with the user's data or options, reported without a traceback."""


@dataclass
class Series:
    """A univariate series to forecast, with a description for the output."""

    values: np.ndarray
    name: str
    season: int | None


@dataclass
class CVResult:
    """Per-fold mean absolute errors of the LSTM and of the baselines."""

    lstm: list[float]
    naive: list[float]
    seasonal: list[float] | None


@dataclass
class HoldoutResult:
    """Forecasts of the held-out tail and their mean absolute errors."""

    next_step: np.ndarray
    recursive: np.ndarray
    errors: dict[str, tuple[float, float]]
    interval: np.ndarray  # (horizon, 2): the 80 % interval of each next step


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a positive integer, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _folds(text: str) -> int:
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2, got {value}")
    return value


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Cross-validate an LSTM next-step forecaster on a series, next to "
            "naive forecasts on the same folds, then forecast a held-out tail "
            "and plot it. Without --csv the series is "
            "sklstm.datasets.make_seasonal_series() (1500 hourly-like steps, "
            f"season {DEFAULT_SEASON})."
        ),
    )
    data = parser.add_argument_group("data")
    data.add_argument("--csv", metavar="PATH", help="CSV file holding the series")
    data.add_argument(
        "--column",
        metavar="NAME",
        help="column of --csv to forecast (optional when it has one numeric column)",
    )
    data.add_argument(
        "--season",
        type=_positive_int,
        metavar="N",
        help="season length in steps, for the seasonal naive baseline "
        f"(default: {DEFAULT_SEASON} for the built-in series, none for --csv)",
    )
    model = parser.add_argument_group("model and evaluation")
    model.add_argument(
        "--window",
        type=_positive_int,
        default=DEFAULT_WINDOW,
        metavar="N",
        help=f"steps of history the LSTM reads (default: {DEFAULT_WINDOW})",
    )
    model.add_argument(
        "--epochs",
        type=_positive_int,
        default=DEFAULT_EPOCHS,
        metavar="N",
        help=f"training epochs of each fit (default: {DEFAULT_EPOCHS})",
    )
    model.add_argument(
        "--folds",
        type=_folds,
        default=DEFAULT_FOLDS,
        metavar="N",
        help=f"TimeSeriesSplit folds, at least 2 (default: {DEFAULT_FOLDS})",
    )
    model.add_argument(
        "--horizon",
        type=_positive_int,
        metavar="N",
        help="steps held out at the end and forecast (default: two seasons, or "
        "the window when there is no season)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--plot",
        default=DEFAULT_PLOT,
        metavar="PATH",
        help=f"PNG file for the forecast plot (default: {DEFAULT_PLOT})",
    )
    output.add_argument("--no-plot", action="store_true", help="do not plot")
    output.add_argument(
        "--quiet",
        action="store_true",
        help="print the results only, without per-fold and per-epoch progress",
    )
    return parser


def _row_of(mask: np.ndarray) -> int:
    """1-based data row (header not counted) of the first True in ``mask``."""
    return int(np.flatnonzero(mask)[0]) + 1


def _read_csv(path: str, column: str | None) -> tuple[np.ndarray, str, str | None]:
    """Read one numeric column of a CSV file; return it, its name and a note."""
    import pandas as pd

    file = Path(path)
    if not file.exists():
        raise DemoError(f"no such file: {path}")
    if file.is_dir():
        raise DemoError(f"{path} is a directory, not a CSV file")
    try:
        frame = pd.read_csv(file)
    except pd.errors.EmptyDataError:
        raise DemoError(f"{path} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DemoError(f"cannot parse {path} as CSV: {err}") from None
    except OSError as err:
        raise DemoError(f"cannot read {path}: {err.strerror or err}") from None

    names = [str(name) for name in frame.columns]
    listing = ", ".join(repr(name) for name in names)

    def is_number(name: str) -> bool:
        dtype = frame[name].dtype
        return bool(
            pd.api.types.is_numeric_dtype(dtype)
            and not pd.api.types.is_bool_dtype(dtype)
        )

    note = None
    if column is None:
        numeric = [name for name in names if is_number(name)]
        if not numeric:
            raise DemoError(
                f"{path} has no numeric column (its columns: {listing}); "
                "pass --column NAME to see which value of it is not a number"
            )
        if len(numeric) > 1:
            raise DemoError(
                f"{path} has {len(numeric)} numeric columns "
                f"({', '.join(repr(name) for name in numeric)}): "
                "choose one with --column NAME"
            )
        column = numeric[0]
        note = f"Using column {column!r}, the only numeric column of {path}."
    elif column not in frame.columns:
        hint = ""
        if len(frame.columns) == 1 and any(
            sep in str(frame.columns[0]) for sep in (";", "\t", "|")
        ):
            hint = (
                "; the file seems to separate its columns with something other "
                "than commas: save it as comma-separated (e.g. with pandas: "
                "pd.read_csv(path, sep=';').to_csv(new_path, index=False))"
            )
        raise DemoError(
            f"column {column!r} not found in {path}; available columns: {listing}{hint}"
        )

    data = frame[column]
    if not is_number(column):
        converted = pd.to_numeric(data, errors="coerce")
        bad = (converted.isna() & data.notna()).to_numpy()
        if bad.any():
            row = _row_of(bad)
            detail = f": row {row} holds {data.iloc[row - 1]!r}"
        else:
            detail = f" (dtype {data.dtype})"
        raise DemoError(
            f"column {column!r} of {path} is not numeric{detail} "
            "(rows counted from 1 after the header)"
        )
    values = data.to_numpy(dtype=np.float64)
    col = repr(column)
    for problem, mask, fix in (
        (
            "missing (NaN)",
            np.isnan(values),
            f"df.dropna(subset=[{col}]) or df[{col}].interpolate()",
        ),
        (
            "infinite",
            np.isinf(values),
            f"df[{col}].replace([np.inf, -np.inf], np.nan).interpolate()",
        ),
    ):
        if mask.any():
            raise DemoError(
                f"column {col} of {path} has {int(mask.sum())} {problem} "
                f"value(s), the first at row {_row_of(mask)} (rows counted from 1 "
                f"after the header); drop or fill them first, e.g. with pandas: {fix}"
            )
    return values, f"{path}, column {column!r}", note


def _load(args: argparse.Namespace) -> tuple[Series, str | None]:
    if args.csv is None:
        series = Series(
            make_seasonal_series(),
            "sklstm.datasets.make_seasonal_series()",
            args.season or DEFAULT_SEASON,
        )
        return series, None
    values, name, note = _read_csv(args.csv, args.column)
    return Series(values, name, args.season), note


def _check_sizes(n: int, window: int, folds: int, horizon: int) -> None:
    minimum = window + horizon + MIN_FOLD_WINDOWS * (folds + 1)
    if n < minimum:
        raise DemoError(
            f"the series has {n} values, too short for --window {window}, "
            f"--folds {folds} and a held-out tail of {horizon} steps: it needs at "
            f"least {minimum} (window + tail + {MIN_FOLD_WINDOWS} * (folds + 1)). "
            "Pass a smaller --window, --folds or --horizon."
        )


def _first_test_target(n_train: int, window: int, folds: int) -> int:
    """Index in the series of the first value forecast in the first test fold."""
    n_windows = n_train - window
    return window + n_windows - folds * (n_windows // (folds + 1))


def _check_plot_path(path: str) -> None:
    target = Path(path)
    if target.is_dir():
        raise DemoError(f"--plot {path} is a directory; give a file name")
    parent = target.parent
    if not parent.is_dir():
        raise DemoError(f"cannot write the plot to {path}: no directory {parent}")


def _mae(pred: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(pred) - np.asarray(truth))))


def _model(epochs: int, verbose: int) -> LSTMRegressor:
    return LSTMRegressor(
        hidden_size=HIDDEN_SIZE,
        max_epochs=epochs,
        lr=LR,
        random_state=0,
        verbose=verbose,
    )


def cross_validate_forecasts(
    series: np.ndarray,
    *,
    window: int,
    folds: int,
    epochs: int,
    season: int | None = None,
    progress: bool = True,
) -> CVResult:
    """Next-step MAE of the LSTM and of naive forecasts on TimeSeriesSplit folds.

    Parameters
    ----------
    series : ndarray of shape (n_steps,)
        The series, in time order.
    window : int
        Steps of history in each input window.
    folds : int
        Number of ``TimeSeriesSplit`` folds over the windows.
    epochs : int
        Training epochs of each fold's ``LSTMRegressor``.
    season : int, default=None
        Season length for the seasonal naive forecast (the value ``season``
        steps before the target); None skips it.
    progress : bool, default=True
        Print one line per fold.

    Returns
    -------
    result : CVResult
        Per-fold mean absolute errors of the LSTM, of repeating the last value
        and (with ``season``) of the seasonal naive forecast.
    """
    X, y = sliding_windows(series, window)
    targets = np.arange(window, len(series))  # the position of each y in series
    result = CVResult([], [], [] if season else None)
    for fold, (train, test) in enumerate(TimeSeriesSplit(folds).split(X), start=1):
        if progress:
            print(
                f"  fold {fold}/{folds}: training on {len(train)} windows, "
                f"testing on {len(test)} ...",
                end="",
                flush=True,
            )
        start = time.perf_counter()
        model = _model(epochs, verbose=0).fit(X[train], y[train])
        result.lstm.append(_mae(model.predict(X[test]), y[test]))
        result.naive.append(_mae(series[targets[test] - 1], y[test]))
        if result.seasonal is not None and season is not None:
            result.seasonal.append(_mae(series[targets[test] - season], y[test]))
        if progress:
            print(
                f" MAE {result.lstm[-1]:.3f} ({time.perf_counter() - start:.1f} s)",
                flush=True,
            )
    return result


def _fit_holdout(
    data: Series, *, window: int, horizon: int, epochs: int, verbose: int
) -> HoldoutResult:
    series = data.values
    n_train = len(series) - horizon
    train, truth = series[:n_train], series[n_train:]
    model = _model(epochs, verbose).fit(*sliding_windows(train, window))
    X_all, _ = sliding_windows(series, window)
    next_step = model.predict(X_all[-horizon:])
    recursive = forecast(model, train, horizon)
    # the same network fitted on the 10 %, 50 % and 90 % quantiles instead
    quantile = _model(epochs, 0).set_params(loss="quantile")
    quantile.fit(*sliding_windows(train, window))
    interval = quantile.predict_interval(X_all[-horizon:], coverage=0.8)
    errors = {
        "LSTMRegressor": (_mae(next_step, truth), _mae(recursive, truth)),
        "naive: repeat the last value": (
            _mae(series[n_train - 1 : -1], truth),
            _mae(np.full(horizon, train[-1]), truth),
        ),
    }
    if data.season:
        season = data.season
        cycle = train[n_train - season + np.arange(horizon) % season]
        errors[_seasonal_label(season)] = (
            _mae(series[n_train - season : len(series) - season], truth),
            _mae(cycle, truth),
        )
    return HoldoutResult(next_step, recursive, errors, interval)


def _seasonal_label(season: int) -> str:
    return f"seasonal naive: {season} steps ago"


def _format_cv(result: CVResult, season: int | None) -> list[str]:
    n_folds = len(result.lstm)
    header = "".join(f"{f'fold {k}':>8}" for k in range(1, n_folds + 1))
    lines = [" " * (LABEL_WIDTH + 2) + header + f"{'mean ± std':>16}"]
    rows: list[tuple[str, list[float]]] = [
        ("LSTMRegressor", result.lstm),
        ("naive: repeat the last value", result.naive),
    ]
    if result.seasonal is not None and season is not None:
        rows.append((_seasonal_label(season), result.seasonal))
    for label, scores in rows:
        cells = "".join(f"{score:8.3f}" for score in scores)
        summary = f"{np.mean(scores):.3f} ± {np.std(scores):.3f}"
        lines.append(f"  {label:<{LABEL_WIDTH}}{cells}{summary:>16}")
    return lines


def _format_holdout(result: HoldoutResult, horizon: int) -> list[str]:
    recursive = f"1-{horizon} steps ahead"
    lines = [" " * (LABEL_WIDTH + 2) + f"{'next step':>12}{recursive:>20}"]
    for label, (one, many) in result.errors.items():
        lines.append(f"  {label:<{LABEL_WIDTH}}{one:12.3f}{many:20.3f}")
    return lines


def _format_interval(result: HoldoutResult, truth: np.ndarray) -> str:
    inside = int(
        ((result.interval[:, 0] <= truth) & (truth <= result.interval[:, 1])).sum()
    )
    width = float(np.mean(result.interval[:, 1] - result.interval[:, 0]))
    return (
        "80 % interval of the next step (LSTMRegressor(loss='quantile')): holds "
        f"{inside} of the {len(truth)} held-out values, mean width {width:.3f}"
    )


def _have_matplotlib() -> bool:
    try:
        import matplotlib.backends.backend_agg
        import matplotlib.figure  # noqa: F401
    except ImportError:
        return False
    return True


def write_forecast_plot(
    path: str,
    series: np.ndarray,
    next_step: np.ndarray,
    recursive: np.ndarray,
    *,
    title: str,
    interval: np.ndarray | None = None,
) -> None:
    """Plot history, truth and forecasts of the series' tail to a PNG file.

    Uses matplotlib's non-interactive Agg canvas, without pyplot.

    Parameters
    ----------
    path : str
        The PNG file to write.
    series : ndarray of shape (n_steps,)
        The whole series; its last ``len(next_step)`` values are the held-out
        truth.
    next_step : ndarray of shape (horizon,)
        One-step-ahead forecasts of the held-out values.
    recursive : ndarray of shape (horizon,)
        The recursive forecast of all held-out values from the end of the
        history.
    title : str
        Title of the plot.
    interval : ndarray of shape (horizon, 2), default=None
        Lower and upper bounds of an 80 % interval of each next step, drawn
        as a band around the forecasts (a fan chart).

    Notes
    -----
    Needs matplotlib (the ``plot`` extra).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    horizon = len(next_step)
    n_train = len(series) - horizon
    start = max(0, n_train - 4 * horizon)
    steps = np.arange(len(series))
    tail = steps[n_train:]
    truth = series[n_train:]
    fig = Figure(figsize=(10, 4), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    history = slice(start, n_train + 1)  # up to the first held-out step
    ax.plot(steps[history], series[history], color="0.55", label="history")
    if interval is not None:
        inside = (interval[:, 0] <= truth) & (truth <= interval[:, 1])
        ax.fill_between(
            tail,
            interval[:, 0],
            interval[:, 1],
            color="tab:blue",
            alpha=0.2,
            linewidth=0,
            label=f"80 % interval, next step (holds {inside.mean():.0%})",
        )
    ax.plot(tail, truth, color="black", linewidth=2, label="truth (held out)")
    ax.plot(
        tail,
        next_step,
        color="tab:blue",
        marker="o",
        markersize=3,
        label=f"next-step forecast (MAE {_mae(next_step, truth):.2f})",
    )
    ax.plot(
        tail,
        recursive,
        color="tab:orange",
        linestyle="--",
        label=f"recursive {horizon}-step forecast (MAE {_mae(recursive, truth):.2f})",
    )
    ax.axvline(n_train - 0.5, color="0.8", linewidth=1)
    ax.set_xlabel("time step")
    ax.set_title(title, fontsize=10)
    fig.legend(loc="outside lower center", ncols=3, fontsize=8)
    fig.savefig(path, format="png", dpi=100)


def _run(args: argparse.Namespace, started: float) -> int:
    data, note = _load(args)
    if note:
        print(note)
    if data.season is None and args.csv is not None:
        season_text = "no season given (--season N adds a seasonal naive baseline)"
    else:
        season_text = f"season {data.season} steps"
    horizon = args.horizon or (2 * data.season if data.season else args.window)
    n = len(data.values)
    _check_sizes(n, args.window, args.folds, horizon)
    n_train = n - horizon
    first_target = _first_test_target(n_train, args.window, args.folds)
    if data.season and data.season > first_target:
        raise DemoError(
            f"--season {data.season} is longer than the {first_target} steps "
            "before the first test fold; pass a smaller --season or fewer --folds"
        )
    if not args.no_plot:
        _check_plot_path(args.plot)
    progress = not args.quiet

    print(f"Series: {data.name}, {n} steps, {season_text}.")
    print(
        f"Model: windows of {args.window} steps -> LSTMRegressor(hidden_size="
        f"{HIDDEN_SIZE}, max_epochs={args.epochs}, lr={LR}, random_state=0)."
    )
    print(
        f"Cross-validating on the first {n_train} steps with TimeSeriesSplit"
        f"({args.folds}); the last {horizon} steps are held out."
    )
    cv = cross_validate_forecasts(
        data.values[:n_train],
        window=args.window,
        folds=args.folds,
        epochs=args.epochs,
        season=data.season,
        progress=progress,
    )
    if progress:
        print(f"Fitting on the first {n_train} steps (one line per epoch):")
    holdout = _fit_holdout(
        data,
        window=args.window,
        horizon=horizon,
        epochs=args.epochs,
        verbose=1 if progress else 0,
    )

    print()
    print(
        f"Next-step mean absolute error, {args.folds}-fold time-series "
        "cross-validation:"
    )
    print("\n".join(_format_cv(cv, data.season)))
    print(
        f"Held-out last {horizon} steps, mean absolute error "
        "(multi-step LSTM: recursive):"
    )
    print("\n".join(_format_holdout(holdout, horizon)))
    print(_format_interval(holdout, data.values[n_train:]))

    if args.no_plot:
        pass
    elif not _have_matplotlib():
        print(
            "Plot skipped: matplotlib is not installed "
            '(pip install "sklstm[plot]" or pip install matplotlib).'
        )
    else:
        try:
            write_forecast_plot(
                args.plot,
                data.values,
                holdout.next_step,
                holdout.recursive,
                title=f"{data.name}: forecasts of the last {horizon} steps",
                interval=holdout.interval,
            )
        except OSError as err:
            raise DemoError(
                f"cannot write the plot to {args.plot}: {err.strerror or err}"
            ) from None
        print(f"Forecast plot written to {args.plot}")
    print(f"Wall time: {time.perf_counter() - started:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the demo of ``python -m sklstm``; return the exit code.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments without the program name; None reads
        ``sys.argv``. ``--help`` lists them.

    Returns
    -------
    code : int
        0 on success; 2 when the data or the options are unusable, after a
        message on stderr. Invalid options exit with code 2 through
        ``argparse`` (``SystemExit``).
    """
    started = time.perf_counter()
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.column is not None and args.csv is None:
        parser.error("--column needs --csv PATH (the built-in series has no columns)")
    try:
        return _run(args, started)
    except DemoError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return 130
