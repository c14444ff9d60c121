"""sliding_windows: a series cut into windows and the values that follow them.

numpy only; no torch.
"""

from __future__ import annotations

import warnings
from numbers import Integral
from typing import Any

import numpy as np

from .._compat import Interval, validate_params
from .._sequences import WindowArray
from ._panel import check_time_order, id_column, series_blocks
from ._series import numeric_series, trailing_windows

__all__ = ["sliding_windows"]


@validate_params(
    {
        "series": "no_validation",  # read and explained by numeric_series
        "window": [Interval(Integral, 1, None, closed="left")],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "target": "no_validation",  # a column name or position
        "groups": "no_validation",  # read and explained by series_blocks
        "future_columns": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def sliding_windows(
    series: Any,
    window: int,
    horizon: int = 1,
    *,
    target: Any = None,
    groups: Any = None,
    future_columns: Any = None,
) -> tuple[Any, np.ndarray]:
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
    groups : array-like of shape (n_rows,) or str, default=None
        For a panel of many series in long format: the series id of each row
        (or, for a DataFrame, the name of its id column, which is then no
        feature). Rows must be sorted by (series, time); no window or target
        spans two series. A series too short for one window and its horizon
        is left out with a warning that names it. A pandas index of dates,
        periods or durations holds the time stamps, which must increase
        within each series.
    future_columns : array-like of int or str, default=None
        Columns known in advance (calendar features, planned prices or
        promotions), by position or DataFrame name; not the target. Each
        window then also reads the ``horizon`` steps it forecasts: it has
        ``window + horizon`` steps and one more channel, which is 1 in those
        steps; there, the future columns keep their values and the others
        (the target above all) are 0. :func:`forecast` takes their values
        ahead with ``future=``.

    Returns
    -------
    X : ndarray or WindowArray of shape (n_windows, window) or \
(n_windows, window, n_features)
        Read-only view; 2D for a univariate series. With ``groups``, a
        :class:`~sklstm.WindowArray`: the windows of every series,
        series after series, read from the panel only when used (no copy of
        the windows), with the series of each window in ``X.groups``. With
        ``future_columns``, a ``WindowArray`` of shape ``(n_windows, window +
        horizon, n_features + 1)``.
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
    window, horizon = int(window), int(horizon)
    series, ids, _ = id_column(series, groups, "series")
    columns = list(getattr(series, "columns", []))
    data = numeric_series(series, "series", keep_integers=True)
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
    known = None
    if future_columns is not None:
        known = _future_mask(future_columns, columns, data.shape[1], column)
    if ids is not None:
        return _panel_windows(
            series, data, ids, window, horizon, column, known, columns or None
        )
    n_windows = data.shape[0] - window - horizon + 1
    if n_windows < 1:
        raise ValueError(
            f"A series of {data.shape[0]} rows is too short for window={window} "
            f"and horizon={horizon}: it needs at least {window + horizon} rows."
        )
    if known is not None:  # one series: a panel of one, without ids
        windows, targets = _panel_windows(
            series,
            data,
            np.zeros(len(data)),
            window,
            horizon,
            column,
            known,
            columns or None,
        )
        windows.groups = None
        return windows, targets
    X = trailing_windows(data, window, "edge")[window - 1 : window - 1 + n_windows]
    future = np.lib.stride_tricks.sliding_window_view(data[window:, column], horizon)
    y = future[:n_windows]
    return (X[:, :, 0] if data.shape[1] == 1 else X), (
        y[:, 0].copy() if horizon == 1 else y.copy()
    )


def _panel_windows(
    series: Any,
    data: np.ndarray,
    groups: Any,
    window: int,
    horizon: int,
    column: int,
    known: np.ndarray | None = None,
    columns: list[Any] | None = None,
) -> tuple[WindowArray, np.ndarray]:
    """``sliding_windows`` within each series of a long panel.

    ``known`` marks the future columns, which the windows then read ahead.
    """
    if len(np.asarray(groups)) != len(data):
        raise ValueError(
            f"groups has {len(np.asarray(groups))} ids but series has "
            f"{len(data)} rows: give one series id per row."
        )
    ids, starts, lengths = series_blocks(groups)
    check_time_order(series, ids, starts, lengths, "series")
    counts = np.maximum(lengths - window - horizon + 1, 0)
    short = np.flatnonzero(counts == 0)
    if len(short) == len(ids):
        raise ValueError(
            f"Every series is too short for window={window} and horizon="
            f"{horizon}: each needs at least {window + horizon} rows, the "
            f"longest has {int(lengths.max())}."
        )
    if len(short):
        names = ids[short].tolist()
        shown = ", ".join(repr(n) for n in names[:5])
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        warnings.warn(
            f"{len(names)} of {len(ids)} series are shorter than window + "
            f"horizon = {window + horizon} rows and give no window: "
            f"{shown}{more}. They are left out; lower window to keep them.",
            UserWarning,
            stacklevel=4,  # the caller of sliding_windows (validate_params wraps it)
        )
    first = np.repeat(starts, counts)
    offsets = np.arange(len(first)) - np.repeat(np.cumsum(counts) - counts, counts)
    window_starts = first + offsets
    values = data.view()
    values.flags.writeable = False
    X = WindowArray(
        values,
        window_starts,
        window,
        groups=np.repeat(ids, counts),
        squeeze=data.shape[1] == 1,
        horizon=0 if known is None else horizon,
        future=known,
        target=column,
        names=columns,
    )
    following = window_starts[:, np.newaxis] + window + np.arange(horizon)
    y = data[following, column]
    return X, (y[:, 0] if horizon == 1 else y)


def _future_mask(
    future_columns: Any, columns: list[Any], n_columns: int, target: int
) -> np.ndarray:
    """Which columns ``future_columns`` names (positions or names), as a mask."""
    names = (
        [future_columns] if isinstance(future_columns, str) else list(future_columns)
    )
    if not names:
        raise ValueError(
            "future_columns is empty: name the columns known in advance, or "
            "leave it None."
        )
    known = np.zeros(n_columns, dtype=bool)
    for name in names:
        position = _target_column(name, columns, n_columns, what="future_columns")
        if position == target:
            raise ValueError(
                f"future_columns holds {name!r}, the target: its future values "
                "are what the model forecasts, so they cannot be inputs."
            )
        known[position] = True
    return known


def _target_column(
    target: Any, columns: list[Any], n_columns: int, what: str = "target"
) -> int:
    """Position of ``target``: a DataFrame column name, or else a position."""
    if columns and _among(target, columns):
        if columns.count(target) > 1:
            raise ValueError(
                f"{what}={target!r} names {columns.count(target)} columns of the "
                "series; rename them so that it is unambiguous."
            )
        return columns.index(target)
    if isinstance(target, Integral) and not columns and 0 <= int(target) < n_columns:
        return int(target)
    kind = f"columns {columns}" if columns else f"positions 0..{n_columns - 1}"
    raise ValueError(f"{what}={target!r} is not one of the series' {kind}.")


def _among(target: Any, columns: list[Any]) -> bool:
    """``target in columns``, False for unhashable or array-like targets."""
    try:
        return bool(target in columns)
    except (TypeError, ValueError):
        return False
