"""SequenceWindower: one trailing window per time step of a series.

numpy, pandas and scikit-learn only; no torch.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .._compat import Interval, StrOptions, _fit_context
from .._sequences import WindowArray, memory_mapped
from .._validation import is_sequence
from ._panel import check_time_order, series_blocks
from ._series import as_array, check_dtypes, explain_series, trailing_windows

__all__ = ["SequenceWindower"]


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
        How the first ``window - 1`` rows of the series seen in ``fit``, which
        have less history than ``window``, are filled: by repeating the first
        observation (``"edge"``) or with zeros.
    continue_series : bool, default=True
        Whether ``transform`` reads rows other than the fitted series as its
        continuation: their first ``window - 1`` windows then start with the
        last rows seen in ``fit``, the history just before them, instead of
        padding. This makes ``cross_val_score`` with ``TimeSeriesSplit``
        honest: each test row is windowed on its true history. Rows identical
        to the fitted series (``fit_transform``, or ``predict`` on the
        training rows) are windowed as in ``fit``. False pads every series
        passed to ``transform`` on its own.
    id_column : str, int or None, default=None
        For a panel of many series in long format (rows sorted by series,
        then time): the column holding each row's series id, by DataFrame
        name or position. Windows then never span two series: each series is
        padded (or continued) on its own, the id column is no feature, and
        the output is a :class:`~sklstm.WindowArray` whose ``groups`` are
        the row ids. With ``continue_series``, a series seen in ``fit``
        continues from its own last rows; a new series is padded.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns (variables) of the series seen in ``fit``, the id
        column not counted.
    history_ : ndarray of shape (window - 1, n_features_in_), or dict
        The last ``window - 1`` rows of the series seen in ``fit``: the
        history ``transform`` continues from. With ``id_column``, a dict from
        each series id to its last (up to) ``window - 1`` rows.
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

    A memory-mapped series (``np.load(path, mmap_mode="r")``) gives a
    :class:`~sklstm.WindowArray` instead, which reads each window from the
    file when it is used, so the series is never copied into memory.

    The output is a read-only view of the (padded) series: memory grows with the
    length of the series, not with ``window``. Copy it before writing to it.
    With ``id_column`` it is a :class:`~sklstm.WindowArray` over a padded
    copy of the panel, which the estimators read batch by batch.

    Each row depends on the rows before it. ``transform`` takes the rows it
    is given to follow the fitted series directly, as a test fold follows its
    training rows in ``TimeSeriesSplit``; with a ``gap`` between them, the
    rows in the gap are missing from that history. A series that does not
    continue the fitted one (another series, or rows from before it) should
    be windowed with ``continue_series=False``, or with its own history
    prepended.

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
        "continue_series": ["boolean"],
        "id_column": [str, Integral, None],
    }

    # one series: an array and its size; a panel (id_column): dicts by series id
    history_: Any
    _fitted_rows: Any
    _fitted_edges: Any

    def __init__(
        self,
        window: int = 10,
        *,
        padding: str = "edge",
        continue_series: bool = True,
        id_column: str | int | None = None,
    ) -> None:
        self.window = window
        self.padding = padding
        self.continue_series = continue_series
        self.id_column = id_column

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
        keep = int(self.window) - 1
        if self.id_column is not None:
            series, _, blocks = self._validate_panel(X, reset=True)
            self.history_, self._fitted_rows, self._fitted_edges = {}, {}, {}
            for name, start, length in blocks:
                block = series[start : start + length]
                recent = block[max(length - keep, 0) :]
                self.history_[name] = np.array(recent, dtype=np.float64)
                self._fitted_rows[name] = int(length)
                self._fitted_edges[name] = _edges(block, keep)
            return self
        series = self._validate_series(X, reset=True)
        self.history_ = np.array(series[len(series) - keep :], dtype=np.float64)
        self._fitted_rows = len(series)
        self._fitted_edges = _edges(series, keep)
        return self

    def __setstate__(self, state: dict[str, Any]) -> None:
        # pickled before continue_series existed: it padded every series
        state.setdefault("continue_series", False)
        state.setdefault("id_column", None)
        super().__setstate__(state)

    def transform(self, X: Any) -> Any:
        """Return one trailing window per row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_rows,) or (n_rows, n_features)
            The series, rows in time order (with ``id_column``, the panel).

        Returns
        -------
        windows : ndarray or WindowArray of shape (n_rows, window) or \
(n_rows, window, n_features)
            A read-only view; 2D for a univariate series. With ``id_column``
            a :class:`~sklstm.WindowArray`, the series of each row in its
            ``groups``.
        """
        check_is_fitted(self, "n_features_in_")
        panel = isinstance(getattr(self, "history_", None), dict)
        if panel != (self.id_column is not None):  # (old pickles: no history_)
            fitted = "a panel" if panel else "one series"
            raise ValueError(
                f"This SequenceWindower was fitted on {fitted}, but id_column is "
                f"now {self.id_column!r}. Restore id_column, or fit it again."
            )
        if self.id_column is not None:
            return self._transform_panel(X)
        series = self._validate_series(X, reset=False)
        if self.n_features_in_ > 1 and _pandas_output_requested(self):
            raise ValueError(
                "Pandas output is only available for a univariate series: "
                f"windows of {self.n_features_in_} variables are 3D "
                f"(n_rows, {self.window}, {self.n_features_in_}), which a "
                "DataFrame cannot hold. Use set_output(transform='default')."
            )
        window = int(self.window)
        continues = (
            self.continue_series and window > 1 and not self._is_fitted_series(series)
        )
        if memory_mapped(series) and not _pandas_output_requested(self):
            # read window by window, never copied
            keep = window - 1
            if continues:
                head = self.history_.astype(series.dtype)
            elif self.padding == "edge":
                head = np.repeat(series[:1], keep, axis=0)
            else:
                head = np.zeros((keep, series.shape[1]), dtype=series.dtype)
            starts = range(-keep, len(series) - keep)  # no memory per window
            return WindowArray(
                series, starts, window, squeeze=self.n_features_in_ == 1, head=head
            )
        if continues:
            joined = np.concatenate([self.history_.astype(series.dtype), series])
            windows = trailing_windows(joined, window, self.padding)[window - 1 :]
        else:
            windows = trailing_windows(series, window, self.padding)
        return windows[:, :, 0] if self.n_features_in_ == 1 else windows

    def _transform_panel(self, X: Any) -> WindowArray:
        """One window per row of a panel, within each row's series."""
        if _pandas_output_requested(self):
            raise ValueError(
                "Pandas output is not available with id_column: the windows of "
                "a panel are a WindowArray. Use set_output(transform='default')."
            )
        series, ids, blocks = self._validate_panel(X, reset=False)
        window, keep = int(self.window), int(self.window) - 1
        history = self.history_  # a dict by series: transform checked it
        parts, starts, offset = [], np.empty(len(series), dtype=np.intp), 0
        for name, start, length in blocks:
            block = series[start : start + length]
            continues = (
                self.continue_series
                and keep > 0
                and name in history
                and not self._is_fitted_block(name, block)
            )
            prefix = history[name].astype(block.dtype) if continues else block[:0]
            joined = np.concatenate([prefix, block])
            # window - 1 padding rows first, as trailing_windows pads: the
            # window of block row j then starts at len(prefix) + j
            pad = ((keep, 0), (0, 0))
            if self.padding == "edge":
                parts.append(np.pad(joined, pad, mode="edge"))
            else:
                parts.append(np.pad(joined, pad, mode="constant"))
            starts[start : start + length] = offset + len(prefix) + np.arange(length)
            offset += len(parts[-1])
        values = np.concatenate(parts)
        values.flags.writeable = False
        return WindowArray(
            values, starts, window, groups=ids, squeeze=self.n_features_in_ == 1
        )

    def _is_fitted_block(self, name: Any, block: np.ndarray) -> bool:
        """Whether ``block`` is the series ``name`` exactly as seen in ``fit``."""
        if len(block) != self._fitted_rows.get(name, -1):
            return False
        edges = _edges(block, int(self.window) - 1)
        return bool(np.array_equal(edges, self._fitted_edges[name]))

    def _validate_panel(
        self, X: Any, *, reset: bool
    ) -> tuple[np.ndarray, np.ndarray, list[tuple[Any, int, int]]]:
        """The panel's values (no id column), row ids, and its series blocks."""
        assert self.id_column is not None  # the callers' condition
        features, ids = _split_id_column(X, self.id_column)
        series = self._validate_series(features, reset=reset, panel=True)
        names, starts, lengths = series_blocks(ids)
        check_time_order(X, names, starts, lengths, "X")
        blocks = list(
            zip(names.tolist(), starts.tolist(), lengths.tolist(), strict=True)
        )
        return series, ids, blocks

    def _is_fitted_series(self, series: np.ndarray) -> bool:
        """Whether ``series`` is the one seen in ``fit``: same length, same
        first and last ``window`` rows (compared exactly)."""
        fitted = getattr(self, "_fitted_edges", None)
        if fitted is None:  # fitted before continue_series existed
            return True
        if len(series) != self._fitted_rows:
            return False
        return bool(np.array_equal(_edges(series, int(self.window) - 1), fitted))

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

    def _validate_series(
        self, X: Any, *, reset: bool, panel: bool = False
    ) -> np.ndarray:
        check_dtypes(X, "SequenceWindower")
        one_d = getattr(X, "ndim", None) == 1
        if one_d and not reset and self.n_features_in_ > 1:
            raise ValueError(
                f"Expected a series of {self.n_features_in_} columns, got a 1D array "
                f"of shape {X.shape}. Reshape your data: rows are time steps, "
                "columns are variables."
            )
        if one_d or (isinstance(X, list) and X and not is_sequence(X[0])):
            # a pandas Series keeps its name as the column name
            if hasattr(X, "to_frame"):
                X = X.to_frame()
            else:
                X = as_array(X, "SequenceWindower").reshape(-1, 1)
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
            raise explain_series(exc, "SequenceWindower") from exc
        if reset and not panel and series.shape[0] < self.window:
            raise ValueError(
                f"SequenceWindower(window={self.window}) got {series.shape[0]} "
                f"sample(s) (time steps), fewer than the window. Pass a longer "
                "series or a smaller window."
            )
        return series


def _split_id_column(X: Any, id_column: str | int) -> tuple[Any, np.ndarray]:
    """``(X without its id column, the ids)``, by DataFrame name or position."""
    if hasattr(X, "columns"):
        if id_column in list(X.columns):
            return X.drop(columns=[id_column]), X[id_column].to_numpy()
        if isinstance(id_column, Integral) and 0 <= int(id_column) < X.shape[1]:
            keep = [i for i in range(X.shape[1]) if i != int(id_column)]
            return X.iloc[:, keep], X.iloc[:, int(id_column)].to_numpy()
        raise ValueError(
            f"id_column={id_column!r} is not a column of X; its columns are "
            f"{list(X.columns)}. Pass the panel with its id column."
        )
    if isinstance(id_column, str):
        raise ValueError(
            f"id_column={id_column!r} names a column, but X is not a DataFrame: "
            "give the column's position, or pass a DataFrame."
        )
    array = as_array(X, "SequenceWindower")
    if array.ndim != 2 or not 0 <= int(id_column) < array.shape[1]:
        raise ValueError(
            f"id_column={id_column} needs a 2D panel with that column, one row "
            f"per time step; got an array of shape {array.shape}."
        )
    return np.delete(array, int(id_column), axis=1), array[:, int(id_column)]


def _edges(series: np.ndarray, keep: int) -> np.ndarray:
    """The first and last ``keep + 1`` rows (float64), to recognise a series."""
    rows = np.concatenate([series[: keep + 1], series[len(series) - keep - 1 :]])
    return np.asarray(rows, dtype=np.float64)


def _pandas_output_requested(estimator: Any) -> bool:
    config = getattr(estimator, "_sklearn_output_config", {})
    if config.get("transform") is not None:
        return bool(config["transform"] == "pandas")
    from sklearn import get_config

    return bool(get_config()["transform_output"] == "pandas")
