"""Cut one time-ordered series into windows: a transformer and two functions.

numpy and scikit-learn only; no torch.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted, validate_data

from ._compat import Interval, StrOptions, _fit_context
from ._data import find_dates

__all__ = ["SequenceWindower", "forecast", "sliding_windows"]


class SequenceWindower(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Turn a time-ordered series into one trailing window per time step.

    Row ``t`` of the output holds the observations ``t - window + 1 .. t``, so the
    output has as many rows as the input and a target ``y`` aligned with the
    series stays aligned with the windows. That makes
    ``Pipeline([SequenceWindower(window), LSTMRegressor()])`` work with
    ``cross_val_score`` and ``TimeSeriesSplit``.

    Parameters
    ----------
    window : int, default=10
        Number of time steps in each window.
    padding : {"edge", "zeros"}, default="edge"
        How the first ``window - 1`` rows, which have less history than
        ``window``, are filled: by repeating the first observation (``"edge"``)
        or with zeros.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns (variables) of the series seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of the series when it was a DataFrame with string names.

    See Also
    --------
    sliding_windows : Windows and the values that follow them, as ``(X, y)``.
    forecast : Recursive multi-step forecast from a one-step model.

    Notes
    -----
    A univariate series (1D, a Series, or one column) gives a 2D output
    ``(n_rows, window)`` whose columns are lags, so it also feeds models such as
    ``Ridge``, and ``set_output(transform="pandas")`` gives a DataFrame with lag
    column names. A multivariate series gives a 3D output
    ``(n_rows, window, n_features)``; a DataFrame cannot hold that, so pandas
    output raises a ``ValueError`` for multivariate series.

    The output is a read-only view of the (padded) series: memory grows with the
    length of the series, not with ``window``. Copy it before writing to it.

    Each row depends on the rows before it. Transforming a subset of the rows
    (e.g. a test fold on its own) pads that subset's first ``window - 1`` rows
    instead of using the history that preceded them.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import SequenceWindower
    >>> SequenceWindower(window=3).fit_transform(np.arange(5.0))
    array([[0., 0., 0.],
           [0., 0., 1.],
           [0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]])
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "window": [Interval(Integral, 1, None, closed="left")],
        "padding": [StrOptions({"edge", "zeros"})],
    }

    def __init__(self, window: int = 10, *, padding: str = "edge") -> None:
        self.window = window
        self.padding = padding

    @_fit_context(prefer_skip_nested_validation=True)  # type: ignore[untyped-decorator]
    def fit(self, X: Any, y: Any = None) -> SequenceWindower:
        """Record the number (and names) of the series' columns.

        Parameters
        ----------
        X : array-like of shape (n_rows,) or (n_rows, n_features)
            The series, rows in time order.
        y : None
            Ignored.

        Returns
        -------
        self : SequenceWindower
            The fitted transformer.
        """
        self._validate_series(X, reset=True)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Return one trailing window per row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_rows,) or (n_rows, n_features)
            The series, rows in time order.

        Returns
        -------
        windows : ndarray of shape (n_rows, window) or (n_rows, window, n_features)
            A read-only view; 2D for a univariate series.
        """
        check_is_fitted(self, "n_features_in_")
        series = self._validate_series(X, reset=False)
        if self.n_features_in_ > 1 and _pandas_output_requested(self):
            raise ValueError(
                "Pandas output is only available for a univariate series: "
                f"windows of {self.n_features_in_} variables are 3D "
                f"(n_rows, {self.window}, {self.n_features_in_}), which a "
                "DataFrame cannot hold. Use set_output(transform='default')."
            )
        windows = _trailing_windows(series, int(self.window), self.padding)
        return windows[:, :, 0] if self.n_features_in_ == 1 else windows

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Lag column names of the univariate output, oldest first.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Name of the series; defaults to ``feature_names_in_`` or ``"x0"``.

        Returns
        -------
        names : ndarray of str of shape (window,)
            ``"<name>_lag<k>"`` for k = window - 1 .. 0 (lag 0 is the current row).

        Raises
        ------
        ValueError
            For a multivariate series, whose windows are 3D.
        """
        check_is_fitted(self, "n_features_in_")
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", ["x0"])
        names = list(input_features)
        if self.n_features_in_ > 1 or len(names) != 1:
            raise ValueError(
                "Lag feature names exist for a univariate series only; a "
                f"multivariate series of {self.n_features_in_} variables gives 3D "
                "windows without column names."
            )
        lags = range(self.window - 1, -1, -1)
        return np.asarray([f"{names[0]}_lag{k}" for k in lags], dtype=object)

    def _validate_series(self, X: Any, *, reset: bool) -> np.ndarray:
        _check_dtypes(X, "SequenceWindower")
        one_d = getattr(X, "ndim", None) == 1
        if one_d and not reset and self.n_features_in_ > 1:
            raise ValueError(
                f"Expected a series of {self.n_features_in_} columns, got a 1D array "
                f"of shape {X.shape}. Reshape your data: rows are time steps, "
                "columns are variables."
            )
        if one_d or (isinstance(X, list) and X and not _is_sequence(X[0])):
            # a pandas Series keeps its name as the column name
            if hasattr(X, "to_frame"):
                X = X.to_frame()
            else:
                X = _as_array(X, "SequenceWindower").reshape(-1, 1)
        if getattr(X, "ndim", 2) > 2:
            raise ValueError(
                f"SequenceWindower expects one series: rows are time steps and "
                f"columns are variables, shape (n_rows,) or (n_rows, n_features); "
                f"got an array of shape {X.shape}. Data that is already cut into "
                "sequences goes to the estimators directly."
            )
        try:
            # numpy warns on inf + -inf in the finiteness check: the error follows
            with np.errstate(invalid="ignore", over="ignore"):
                series: np.ndarray = validate_data(
                    self, X, reset=reset, dtype=[np.float64, np.float32]
                )
        except (TypeError, ValueError) as exc:
            raise _explain(exc, "SequenceWindower") from exc
        if reset and series.shape[0] < self.window:
            raise ValueError(
                f"SequenceWindower(window={self.window}) got {series.shape[0]} "
                f"sample(s) (time steps), fewer than the window. Pass a longer "
                "series or a smaller window."
            )
        return series


def _pandas_output_requested(estimator: Any) -> bool:
    config = getattr(estimator, "_sklearn_output_config", {})
    if config.get("transform") is not None:
        return bool(config["transform"] == "pandas")
    from sklearn import get_config

    return bool(get_config()["transform_output"] == "pandas")


def _trailing_windows(series: np.ndarray, window: int, padding: str) -> np.ndarray:
    """Read-only view (n_rows, window, n_features) of trailing windows."""
    if window > 1:
        pad = ((window - 1, 0), (0, 0))
        if padding == "edge":
            series = np.pad(series, pad, mode="edge")
        else:
            series = np.pad(series, pad, mode="constant")
    view = np.lib.stride_tricks.sliding_window_view(series, window, axis=0)
    windows: np.ndarray = view.transpose(0, 2, 1)
    return windows


def sliding_windows(
    series: Any, window: int, horizon: int = 1, *, target: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into windows and the values that follow each one.

    The tutorial form of windowing: ``X[i]`` holds ``window`` consecutive
    observations and ``y[i]`` the ``horizon`` values right after them. Only full
    windows are returned (no padding).

    Parameters
    ----------
    series : array-like of shape (n_rows,) or (n_rows, n_features)
        The series, rows in time order.
    window : int
        Number of time steps in each window.
    horizon : int, default=1
        Number of future values to predict; more than 1 gives a 2D ``y`` for a
        multi-output regressor.
    target : int or str, default=None
        For a multivariate series, the column (position or DataFrame name) whose
        future values form ``y``.

    Returns
    -------
    X : ndarray of shape (n_windows, window) or (n_windows, window, n_features)
        Read-only view; 2D for a univariate series.
    y : ndarray of shape (n_windows,) or (n_windows, horizon)
        The following values of the target column.

    See Also
    --------
    SequenceWindower : One window per row, keeping ``y`` aligned in a pipeline.
    forecast : Recursive multi-step forecast from a one-step model.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import sliding_windows
    >>> X, y = sliding_windows(np.arange(6.0), window=3, horizon=2)
    >>> X
    array([[0., 1., 2.],
           [1., 2., 3.]])
    >>> y
    array([[3., 4.],
           [4., 5.]])
    """
    for name, value in (("window", window), ("horizon", horizon)):
        if not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    window, horizon = int(window), int(horizon)
    columns = list(getattr(series, "columns", []))
    data = _numeric_series(series, "series", keep_integers=True)
    if data.ndim == 1:
        data = data[:, np.newaxis]
    if data.ndim != 2:
        raise ValueError(
            f"series must be 1D or 2D (rows are time steps), got shape {data.shape}."
        )
    if data.shape[1] == 0:
        raise ValueError(
            f"series has shape {data.shape}: no columns. Pass at least one variable."
        )
    if data.shape[1] == 1:
        column = 0
    elif target is None:
        raise ValueError(
            f"The series has {data.shape[1]} columns: pass target= (a column "
            "position or name) to say which one y comes from."
        )
    else:
        column = _target_column(target, columns, data.shape[1])
    n_windows = data.shape[0] - window - horizon + 1
    if n_windows < 1:
        raise ValueError(
            f"A series of {data.shape[0]} rows is too short for window={window} "
            f"and horizon={horizon}: it needs at least {window + horizon} rows."
        )
    X = _trailing_windows(data, window, "edge")[window - 1 : window - 1 + n_windows]
    future = np.lib.stride_tricks.sliding_window_view(data[window:, column], horizon)
    y = future[:n_windows]
    return (X[:, :, 0] if data.shape[1] == 1 else X), (
        y[:, 0].copy() if horizon == 1 else y.copy()
    )


def _target_column(target: Any, columns: list[Any], n_columns: int) -> int:
    """Position of ``target``: a DataFrame column name, or else a position."""
    if columns and _among(target, columns):
        if columns.count(target) > 1:
            raise ValueError(
                f"target={target!r} names {columns.count(target)} columns of the "
                "series; rename them so that the target is unambiguous."
            )
        return columns.index(target)
    if isinstance(target, Integral) and not columns and 0 <= int(target) < n_columns:
        return int(target)
    kind = f"columns {columns}" if columns else f"positions 0..{n_columns - 1}"
    raise ValueError(f"target={target!r} is not one of the series' {kind}.")


def forecast(estimator: Any, history: Any, steps: int) -> np.ndarray:
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
        The series so far; at least ``window`` values.
    steps : int
        Number of future values to return.

    Returns
    -------
    future : ndarray of shape (steps,)
        The forecast values, in time order.

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
    if not isinstance(steps, Integral) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}.")
    steps = int(steps)
    first = estimator.steps[0][1] if isinstance(estimator, Pipeline) else None
    windows_itself = isinstance(first, SequenceWindower)
    if windows_itself:
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
        window = getattr(estimator, "n_features_in_", None)
        if window is None:
            raise ValueError(
                "forecast needs a fitted estimator that was trained on univariate "
                "windows of shape (n, window)."
            )

        def predict_next(recent: np.ndarray) -> np.ndarray:
            return np.ravel(estimator.predict(recent[np.newaxis]))

    values = _numeric_series(history, "history")
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
    buffer = list(values[-window:])
    future: list[float] = []
    while len(future) < steps:
        prediction = predict_next(np.asarray(buffer[-window:]))
        future.extend(prediction.tolist())
        buffer.extend(prediction.tolist())
    return np.asarray(future[:steps])


def _among(target: Any, columns: list[Any]) -> bool:
    """``target in columns``, False for unhashable or array-like targets."""
    try:
        return bool(target in columns)
    except (TypeError, ValueError):
        return False


def _check_dtypes(data: Any, name: str) -> None:
    """Refuse dates and durations (numpy or pandas), which are no numbers here."""
    dates = find_dates(data)
    if dates is not None:
        raise ValueError(
            f"{name} got {dates}; it reads numbers. Turn dates and durations "
            "into numbers first (e.g. elapsed seconds), or drop them."
        )


def _as_array(data: Any, name: str) -> np.ndarray:
    """``np.asarray(data)``, explaining lists that do not form an array."""
    try:
        return np.asarray(data)
    except ValueError as exc:
        raise _explain(exc, name) from exc


def _is_sequence(item: Any) -> bool:
    """True for a sized, non-text item (a row of a 2D series)."""
    return hasattr(item, "__len__") and not isinstance(item, (str, bytes))


def _explain(exc: Exception, name: str) -> Exception:
    """Replace numpy's conversion messages with ones that name the input.

    A TypeError stays a TypeError (scikit-learn's checks expect one for values
    such as a dict in X).
    """
    message = str(exc)
    if "inhomogeneous" in message or "array element with a sequence" in message:
        return ValueError(
            f"{name} could not read the data as an array: its items mix numbers "
            "and sequences, or rows of different lengths. Pass a 1D series, or "
            "a 2D array with one row per time step."
        )
    error = TypeError if isinstance(exc, TypeError) else ValueError
    if "'NAType'" in message:
        message += " (pandas.NA marks a missing value: drop or impute it first)"
    if "could not convert" in message or "argument must be a string or a" in message:
        return error(
            f"{name} reads numeric series, but the data holds other values "
            f"({message}). Convert or drop the non-numeric values first."
        )
    return error(message)


def _numeric_series(data: Any, what: str, *, keep_integers: bool = False) -> np.ndarray:
    """``data`` as a finite float64 array (integer arrays kept if asked)."""
    if data is None or isinstance(data, (str, bytes)):
        raise ValueError(
            f"{what} must be an array of numbers, one row per time step; got "
            f"{type(data).__name__}."
        )
    _check_dtypes(data, what)
    values = _as_array(data, what)
    if values.dtype.kind == "O":  # pandas.NA is a missing value, not text
        missing = [type(v).__name__ == "NAType" for v in values.ravel()]
        values = np.where(np.reshape(missing, values.shape), np.nan, values)
    if values.dtype.kind in "mM":
        _check_dtypes(values, what)
    if values.dtype.kind == "c":
        raise ValueError(f"Complex data not supported in {what}.")
    if keep_integers and values.dtype.kind in "iu":  # integer token ids
        return values
    try:
        values = values.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{what} holds values that are not numbers ({exc}). Convert or drop "
            "them first."
        ) from exc
    finite = np.isfinite(values)
    if not finite.all():
        index = np.unravel_index(int(np.argmin(finite)), values.shape)
        kind = "NaN" if np.isnan(values[index]) else "infinity (inf)"
        where = ", ".join(str(int(i)) for i in index)
        raise ValueError(
            f"{what} contains {kind} at position {where}. Drop or impute missing "
            "and infinite values first."
        )
    return values
