"""forecast: many steps ahead from a one-step (or few-step) model.

numpy, pandas and scikit-learn only; no torch.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import is_regressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .._compat import HasMethods, Interval, validate_params
from ._panel import id_column, series_blocks
from ._series import numeric_series
from ._windower import SequenceWindower

__all__ = ["forecast", "forecast_quantiles"]


@validate_params(
    {
        "estimator": [HasMethods(["predict"])],
        "history": "no_validation",  # read and explained by numeric_series
        "steps": [Interval(Integral, 1, None, closed="left")],
        "groups": "no_validation",  # read and explained by series_blocks
        "future": "no_validation",  # read and explained by numeric_series
    },
    prefer_skip_nested_validation=True,
)
def forecast(
    estimator: Any, history: Any, steps: int, *, groups: Any = None, future: Any = None
) -> Any:
    """Forecast ``steps`` values ahead by feeding predictions back as inputs.

    The estimator predicts from the last ``window`` values of ``history``
    (``window`` is its ``n_features_in_``); its prediction is appended and the
    window moves on, until ``steps`` values are forecast. A model predicting
    ``horizon`` values at once advances ``horizon`` steps per call. Errors
    compound over the steps, as in any recursive forecast.

    Parameters
    ----------
    estimator : fitted regressor
        A model fitted on univariate windows ``(n, window)`` (e.g. from
        :func:`sliding_windows`), predicting the next value or the next
        ``horizon`` values; or a fitted Pipeline that starts with a
        :class:`SequenceWindower` and was fitted on the series itself.
    history : array-like of shape (n_rows,)
        The series so far; at least ``window`` values. With ``groups``, a
        panel in long format: the values of many series, rows sorted by
        (series, time); a DataFrame may hold the ids in a column too.
    steps : int
        Number of future values to return.
    groups : array-like of shape (n_rows,) or str, default=None
        The series id of each row of ``history`` (or, for a DataFrame, the
        name of its id column): every series is forecast at once, each step
        one ``predict`` over the windows of all series.
    future : array-like of shape (n_future, n_known), default=None
        The values of the known-future covariates over the forecast, for a
        model fitted on :func:`sliding_windows` with ``future_columns``. Its
        ``history`` then holds the columns of fit (DataFrames are matched by
        the names seen in fit; arrays keep the order of fit) and ``future``
        the future columns' next values, at least ``steps`` rows rounded up to
        a multiple of the model's horizon. Predictions are fed back as the
        target and the covariates come from ``future``, so beyond one horizon
        every column but the target must be known ahead. With ``groups`` (the
        name of an id column of both DataFrames), every series is forecast
        from its own rows of ``future``, one ``predict`` per horizon for all.

    Returns
    -------
    future : ndarray of shape (steps,), or (n_series, steps) with groups
        The forecast values, in time order; with ``groups`` one row per
        series, in the order they appear. Given a pandas history with
        ``groups``, a long DataFrame instead: one row per series and step,
        with columns for the id, the ``step`` (1 to ``steps``) and the value.

    See Also
    --------
    sliding_windows : Windows and the values that follow them, as ``(X, y)``.
    SequenceWindower : One window per row, keeping ``y`` aligned in a pipeline.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklstm import forecast, sliding_windows
    >>> X, y = sliding_windows(np.arange(20.0), window=3)
    >>> forecast(LinearRegression().fit(X, y), np.arange(20.0), steps=3).round(6)
    array([20., 21., 22.])
    """
    steps = int(steps)
    if future is not None:
        return _forecast_with_future(estimator, history, steps, future, groups)
    _refuse_missing_future(estimator)
    if groups is not None:
        return _forecast_panel(estimator, history, steps, groups)
    if hasattr(history, "columns") and len(history.columns) > 1:
        raise ValueError(
            f"history has {len(history.columns)} columns "
            f"{list(history.columns)}, but forecast reads one series. For a "
            "panel in long format, pass groups= (the name of its id column); "
            "otherwise pass the one column to forecast."
        )
    first = estimator.steps[0][1] if isinstance(estimator, Pipeline) else None
    windows_itself = isinstance(first, SequenceWindower)
    if isinstance(first, SequenceWindower):
        # The pipeline windows the series itself: give it the last `window`
        # values, whose last row is the full window, and keep that row's output.
        check_is_fitted(first)
        window = first.window
        names = getattr(first, "feature_names_in_", None)

        def predict_next(recent: np.ndarray) -> np.ndarray:
            data: Any = recent
            if names is not None:  # fitted on pandas: pass the same column name
                data = pd.DataFrame({names[0]: recent})
            return np.ravel(np.asarray(estimator.predict(data))[-1])

    else:
        fitted_window = getattr(estimator, "n_features_in_", None)
        if fitted_window is None:
            raise ValueError(
                "forecast needs a fitted estimator that was trained on univariate "
                "windows of shape (n, window)."
            )
        window = int(fitted_window)

        def predict_next(recent: np.ndarray) -> np.ndarray:
            return np.ravel(estimator.predict(recent[np.newaxis]))

    values = numeric_series(history, "history")
    if values.ndim == 2 and values.shape[1] == 1:  # a one-column frame
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(
            "forecast works on a univariate history (1D), got an array of shape "
            f"{values.shape}. For a multivariate series, the future of the other "
            "variables is unknown."
        )
    if len(values) < window and not windows_itself:  # the windower pads
        raise ValueError(
            f"history has {len(values)} values but the estimator reads windows "
            f"of {window}."
        )
    model = estimator
    if windows_itself:  # the windower, then the model (nothing in between)
        model = estimator.steps[-1][1] if len(estimator.steps) == 2 else None
    stepper = _window_stepper(model, window) if len(values) >= window else None
    if stepper is not None:
        return _forecast_by_steps(stepper, values[-window:], steps)
    buffer = list(values[-window:])
    predicted: list[float] = []
    while len(predicted) < steps:
        prediction = predict_next(np.asarray(buffer[-window:]))
        predicted.extend(prediction.tolist())
        buffer.extend(prediction.tolist())
    return np.asarray(predicted[:steps])


def _forecast_panel(estimator: Any, history: Any, steps: int, groups: Any) -> Any:
    """Every series of a long panel forecast at once, one predict per step."""
    model, window = _final_model_and_window(estimator)
    panel = _last_windows(history, groups, window, "forecast")
    recent = panel.recent
    future = np.empty((len(panel.ids), 0))
    while future.shape[1] < steps:
        predicted = np.asarray(model.predict(recent), dtype=np.float64)
        predicted = predicted.reshape(len(panel.ids), -1)  # (n_series, horizon)
        future = np.concatenate([future, predicted], axis=1)
        recent = np.concatenate([recent, predicted], axis=1)[:, -window:]
    future = future[:, :steps]
    if not panel.pandas:
        return future
    return pd.DataFrame(
        {
            panel.id_name: np.repeat(panel.ids, steps),
            "step": np.tile(np.arange(1, steps + 1), len(panel.ids)),
            panel.value_name: future.ravel(),
        }
    )


class _LastWindows(NamedTuple):
    """The last window of every series of a panel, and how to name results."""

    ids: np.ndarray  # the series, in the order they appear
    recent: np.ndarray  # (n_series, window)
    pandas: bool  # whether the history was a pandas object
    id_name: str
    value_name: str


def _last_windows(history: Any, groups: Any, window: int, what: str) -> _LastWindows:
    """Read a univariate long panel; cut the last ``window`` values of each series."""
    data, ids_per_row, id_name = id_column(history, groups, "history")
    value_name = "forecast"
    if hasattr(data, "columns") and len(data.columns) == 1:
        value_name = str(data.columns[0])
    elif getattr(data, "name", None) is not None:
        value_name = str(data.name)
    values = numeric_series(data, "history")
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(
            f"{what} works on univariate series (one value per row besides the "
            f"id), got values of shape {values.shape}."
        )
    if len(np.asarray(ids_per_row)) != len(values):
        raise ValueError(
            f"groups has {len(np.asarray(ids_per_row))} ids but history has "
            f"{len(values)} rows: give one series id per row."
        )
    ids, starts, lengths = series_blocks(ids_per_row)
    short = lengths < window
    if short.any():
        which = ids.tolist()[int(np.flatnonzero(short)[0])]
        raise ValueError(
            f"Series {which!r} has {int(lengths[short][0])} values, fewer than "
            f"the window of {window} the model reads. Leave it out or pad it."
        )
    recent = np.stack([values[end - window : end] for end in starts + lengths])
    pandas = hasattr(data, "to_numpy")
    return _LastWindows(ids, recent, pandas, id_name or "series", value_name)


def _refuse_missing_future(estimator: Any) -> None:
    """A model that reads known-future covariates needs their values."""
    model = estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator
    if getattr(model, "n_future_steps_", 0):
        raise ValueError(
            "This model was fitted on windows with known-future covariates "
            "(sliding_windows with future_columns): forecast needs their "
            "values ahead. Pass future=, the covariates over the forecast."
        )


def _forecast_with_future(
    estimator: Any, history: Any, steps: int, future: Any, groups: Any = None
) -> Any:
    """Recursive forecast of a model that reads known-future covariates.

    With ``groups`` (an id column of both DataFrames), every series at once.
    """
    if isinstance(estimator, Pipeline) or not hasattr(estimator, "n_features_in_"):
        raise ValueError(
            "forecast with future= needs a fitted model that was trained on "
            "sliding_windows(..., future_columns=...), not a Pipeline."
        )
    horizon = int(getattr(estimator, "n_future_steps_", 0))
    layout = getattr(estimator, "_window_layout", None)
    if horizon == 0 or not layout or layout.get("future") is None:
        raise ValueError(
            "forecast got future=, but the model was not fitted on windows with "
            "known-future covariates (sliding_windows with future_columns); "
            "leave future out."
        )
    known = np.asarray(layout["future"], dtype=bool)
    target = int(layout["target"])
    names = layout.get("names")
    unknown = [c for c in np.flatnonzero(~known) if c != target]
    if unknown and steps > horizon:
        raise ValueError(
            f"The model also reads past covariates (columns {unknown} of its "
            "windows) whose values over the forecast are unknown, so it cannot "
            f"forecast beyond its horizon of {horizon} steps by feeding its "
            f"predictions back; ask for at most {horizon} steps."
        )
    if groups is None:
        past, ahead = _columns_as_fitted(history, future, known, names)
        return _future_forecasts(estimator, [past], [ahead], steps, known, target)[0]
    ids, pasts, aheads = _panel_and_plan(history, future, groups, known, names)
    predicted = _future_forecasts(
        estimator, pasts, aheads, steps, known, target, ids.tolist()
    )
    value_name = "forecast" if names is None else str(names[target])
    return pd.DataFrame(
        {
            groups: np.repeat(ids, steps),
            "step": np.tile(np.arange(1, steps + 1), len(ids)),
            value_name: predicted.ravel(),
        }
    )


def _future_forecasts(
    estimator: Any,
    pasts: list[np.ndarray],
    aheads: list[np.ndarray],
    steps: int,
    known: np.ndarray,
    target: int,
    series: list[Any] | None = None,
) -> np.ndarray:
    """The forecasts (n_series, steps), one predict per horizon for all series.

    ``series`` names them in errors.
    """
    horizon = int(estimator.n_future_steps_)
    window = int(estimator.n_features_in_) - horizon
    needed = -(-steps // horizon) * horizon
    for k, (past, ahead) in enumerate(zip(pasts, aheads, strict=True)):
        which = "" if series is None else f"Series {series[k]!r}: "
        if len(ahead) < needed:
            raise ValueError(
                f"{which}future has {len(ahead)} rows, but a forecast of {steps} "
                f"steps by a model of horizon {horizon} reads the covariates of "
                f"{needed} steps: pass at least {needed} rows."
            )
        if len(past) < window:
            raise ValueError(
                f"{which}history has {len(past)} rows but the model reads windows "
                f"of {window}."
            )
    n, channels = len(pasts), len(known)
    rows = np.stack([past[-window:] for past in pasts])  # (n, window, channels)
    predicted = np.empty((n, needed))
    for start in range(0, needed, horizon):
        coming = np.zeros((n, horizon, channels + 1))
        for i, ahead in enumerate(aheads):
            coming[i][:, np.flatnonzero(known)] = ahead[start : start + horizon]
        coming[:, :, -1] = 1.0
        recent = np.concatenate([rows[:, -window:], np.zeros((n, window, 1))], axis=2)
        values = np.asarray(estimator.predict(np.concatenate([recent, coming], axis=1)))
        values = values.reshape(n, horizon)
        predicted[:, start : start + horizon] = values
        new_rows = coming[:, :, :-1].copy()
        new_rows[:, :, target] = values
        rows = np.concatenate([rows, new_rows], axis=1)
    return predicted[:, :steps]


def _panel_and_plan(
    history: Any, future: Any, groups: Any, known: np.ndarray, names: Any
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Each series' history and plan, from two long DataFrames with an id column."""
    if not isinstance(groups, str):
        raise ValueError(
            "forecast with groups= and future= reads two long DataFrames with "
            "the same id column: pass groups= as that column's name, not "
            f"{type(groups).__name__} of ids."
        )
    for data, what in ((history, "history"), (future, "future")):
        if not hasattr(data, "columns"):
            raise ValueError(
                f"forecast with groups={groups!r} and future= reads {what} as a "
                f"long DataFrame with the id column {groups!r}; got "
                f"{type(data).__name__}."
            )
        if groups not in data.columns:
            raise ValueError(
                f"forecast with groups={groups!r} and future= needs the id column "
                f"{groups!r} in {what}; its columns are {list(data.columns)}."
            )
    ids, starts, lengths = series_blocks(history[groups].to_numpy())
    try:
        plan_ids, plan_starts, plan_lengths = series_blocks(future[groups].to_numpy())
    except ValueError as exc:
        raise ValueError(f"In future: {exc}") from exc
    plans = {
        name: (int(start), int(length))
        for name, start, length in zip(
            plan_ids.tolist(), plan_starts, plan_lengths, strict=True
        )
    }
    missing = [name for name in ids.tolist() if name not in plans]
    if missing:
        raise ValueError(
            f"future has no rows for the series {missing[:5]} of history: give "
            "every series its covariates over the forecast."
        )
    pasts, aheads = [], []
    for name, start, length in zip(ids.tolist(), starts, lengths, strict=True):
        first, count = plans[name]
        try:
            past, ahead = _columns_as_fitted(
                history.iloc[start : start + length].drop(columns=[groups]),
                future.iloc[first : first + count].drop(columns=[groups]),
                known,
                names,
            )
        except ValueError as exc:
            raise ValueError(f"Series {name!r}: {exc}") from exc
        pasts.append(past)
        aheads.append(ahead)
    return ids, pasts, aheads


def _columns_as_fitted(
    history: Any, future: Any, known: np.ndarray, names: list[Any] | None
) -> tuple[np.ndarray, np.ndarray]:
    """History's and future's values in the columns of the fitted windows.

    DataFrames are matched by the names seen in fit; arrays must have the
    fitted columns in order (``future`` only the future ones).
    """
    future_names = None if names is None else [names[i] for i in np.flatnonzero(known)]
    for data, what, wanted in (
        (history, "history", names),
        (future, "future", future_names),
    ):
        if wanted is not None and hasattr(data, "columns"):
            missing = [c for c in wanted if c not in list(data.columns)]
            if missing:
                raise ValueError(
                    f"{what} lacks the columns {missing} of the windows the model "
                    f"was fitted on; {what} needs {wanted}."
                )
            extra = [c for c in data.columns if c not in wanted]
            if extra:
                raise ValueError(
                    f"{what} has columns {extra} that the model's windows do not "
                    f"have (it needs {wanted}). For a panel in long format, pass "
                    "groups= with the name of its id column; otherwise drop them."
                )
    if names is not None and hasattr(history, "columns"):
        history = history[names]
    if future_names is not None and hasattr(future, "columns"):
        future = future[future_names]
    past = numeric_series(history, "history")
    past = past[:, np.newaxis] if past.ndim == 1 else past
    ahead = numeric_series(future, "future")
    ahead = ahead[:, np.newaxis] if ahead.ndim == 1 else ahead
    if past.ndim != 2 or past.shape[1] != len(known):
        raise ValueError(
            f"history has values of shape {past.shape}, but the model's windows "
            f"have {len(known)} columns (the target and covariates, in the "
            "order of fit)."
        )
    if ahead.ndim != 2 or ahead.shape[1] != int(known.sum()):
        raise ValueError(
            f"future has values of shape {ahead.shape}, but the model reads "
            f"{int(known.sum())} known-future covariates: one column each, in "
            "the order of fit."
        )
    return past, ahead


def _final_model_and_window(estimator: Any) -> tuple[Any, int]:
    """The model that reads windows, and its window: the estimator itself, or
    the model after a SequenceWindower (which reads the window's last row)."""
    if isinstance(estimator, Pipeline):
        first = estimator.steps[0][1]
        if isinstance(first, SequenceWindower) and len(estimator.steps) == 2:
            check_is_fitted(first)
            return estimator.steps[-1][1], int(first.window)
        raise ValueError(
            "forecast with groups needs a model fitted on windows (n, window), "
            "or a Pipeline of a SequenceWindower and such a model."
        )
    window = getattr(estimator, "n_features_in_", None)
    if window is None:
        raise ValueError(
            "forecast needs a fitted estimator that was trained on univariate "
            "windows of shape (n, window)."
        )
    return estimator, int(window)


def _window_stepper(model: Any, window: int) -> Any:
    """The model's one-step-per-value predictor of windows, or None.

    sklstm's estimators with an LSTM or GRU cell carry the recurrent state of
    every open window forward (``_window_stepper``), so each forecast value
    costs one cell step instead of re-reading a whole window.
    """
    make = getattr(model, "_window_stepper", None)
    # a classifier's stepper gives probabilities; forecast feeds back predict
    return make(window) if callable(make) and is_regressor(model) else None


def _forecast_by_steps(stepper: Any, recent: np.ndarray, steps: int) -> np.ndarray:
    """The recursive forecast with the window's state carried forward."""
    for value in recent[:-1]:
        stepper(value)
    prediction = np.ravel(stepper(recent[-1]))
    future: list[float] = []
    while True:
        future.extend(prediction.tolist())
        if len(future) >= steps:
            return np.asarray(future[:steps])
        for value in prediction[:-1]:
            stepper(value)
        prediction = np.ravel(stepper(prediction[-1]))


@validate_params(
    {
        "estimator": "no_validation",  # its predict_quantiles is checked below
        "history": "no_validation",
        "steps": [Interval(Integral, 1, None, closed="left")],
        "groups": "no_validation",  # read and explained by series_blocks
    },
    prefer_skip_nested_validation=True,
)
def forecast_quantiles(
    estimator: Any, history: Any, steps: int, *, groups: Any = None
) -> Any:
    """Forecast the quantiles of the next ``steps`` values in one prediction.

    The estimator reads the last ``window`` values of ``history`` and predicts
    the quantiles of each of the next ``horizon`` values at once (a model
    fitted on ``sliding_windows(series, window, horizon=h)``). Only steps
    within that horizon are forecast: feeding quantiles back as inputs, as
    :func:`forecast` feeds point predictions, has no meaning (a window of
    10 % quantiles is not a plausible past), so ``steps > horizon`` raises.

    Parameters
    ----------
    estimator : fitted regressor with ``predict_quantiles``
        E.g. ``LSTMRegressor(loss="quantile")`` or a
        :class:`~sklstm.CalibratedQuantileRegressor`, fitted on univariate
        windows ``(n, window)``.
    history : array-like of shape (n_rows,)
        The series so far; at least ``window`` values. With ``groups``, a
        panel in long format, rows sorted by (series, time).
    steps : int
        Number of future values, at most the model's horizon.
    groups : array-like of shape (n_rows,) or str, default=None
        The series id of each row of ``history`` (or, for a DataFrame, the
        name of its id column): every series in one prediction.

    Returns
    -------
    future : ndarray of shape (steps, n_quantiles), or (n_series, steps, \
n_quantiles) with groups
        The quantiles of each future value, in time order; the levels are the
        model's ``quantiles_``. Given a pandas history with ``groups``, a long
        DataFrame: the id, the ``step`` and one column per level
        (``"q0.1"``, ...).

    See Also
    --------
    forecast : Recursive multi-step point forecast from a one-step model.
    sliding_windows : Windows and the ``horizon`` values after each, as ``(X, y)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import LSTMRegressor, forecast_quantiles, sliding_windows
    >>> series = np.sin(0.3 * np.arange(200))
    >>> X, y = sliding_windows(series, window=12, horizon=3)
    >>> model = LSTMRegressor(loss="quantile", hidden_size=4, max_epochs=2)
    >>> forecast_quantiles(model.fit(X, y), series, steps=3).shape
    (3, 3)
    """
    inner = getattr(estimator, "estimator_", estimator)
    if isinstance(inner, Pipeline):
        raise ValueError(
            "forecast_quantiles reads windows of the history itself: pass a "
            "model fitted on sliding_windows(series, window, horizon), not a "
            "Pipeline (a SequenceWindower in it cuts one window per row)."
        )
    if not hasattr(estimator, "predict_quantiles"):
        raise ValueError(
            f"forecast_quantiles needs a fitted quantile regressor with "
            f"predict_quantiles, such as LSTMRegressor(loss='quantile'); got "
            f"{type(estimator).__name__}. For point forecasts use forecast."
        )
    window = getattr(estimator, "n_features_in_", None)
    if window is None:
        raise ValueError(
            "forecast_quantiles needs a fitted estimator that was trained on "
            "univariate windows of shape (n, window)."
        )
    window, steps = int(window), int(steps)
    if groups is not None:
        return _quantiles_of_panel(estimator, history, steps, groups, window)
    values = numeric_series(history, "history")
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1 or len(values) < window:
        raise ValueError(
            f"history must be a univariate series of at least {window} "
            f"values (the model's window); got shape {values.shape}."
        )
    predicted = np.asarray(estimator.predict_quantiles(values[np.newaxis, -window:]))
    per_step = predicted.reshape(-1, predicted.shape[-1])  # (horizon, n_q)
    _check_quantile_steps(steps, len(per_step))
    return per_step[:steps]


def _check_quantile_steps(steps: int, horizon: int) -> None:
    """forecast_quantiles covers the fitted horizon only."""
    if steps > horizon:
        raise ValueError(
            f"steps={steps}, but this model predicts {horizon} step(s) at once. "
            "Quantiles are not fed back as inputs (a window of quantiles is not "
            "a plausible past), so forecast_quantiles covers the fitted horizon "
            "only: fit on sliding_windows(series, window, horizon="
            f"{steps}) for {steps} steps, or use forecast for recursive point "
            "forecasts."
        )


def _quantiles_of_panel(
    estimator: Any, history: Any, steps: int, groups: Any, window: int
) -> Any:
    """forecast_quantiles of every series of a long panel, in one prediction."""
    panel = _last_windows(history, groups, window, "forecast_quantiles")
    ids, recent = panel.ids, panel.recent
    predicted = np.asarray(estimator.predict_quantiles(recent))
    per_step = predicted.reshape(len(ids), -1, predicted.shape[-1])
    _check_quantile_steps(steps, per_step.shape[1])
    future = per_step[:, :steps]  # (n_series, steps, n_quantiles)
    if not panel.pandas:
        return future
    levels = getattr(estimator, "quantiles_", np.arange(future.shape[-1]))
    frame = pd.DataFrame(
        {
            panel.id_name: np.repeat(ids, steps),
            "step": np.tile(np.arange(1, steps + 1), len(ids)),
        }
    )
    for k, level in enumerate(levels):
        frame[f"q{float(level):g}"] = future[:, :, k].ravel()
    return frame
