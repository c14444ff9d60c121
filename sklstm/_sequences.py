"""Sequences as arrays: the ragged container and chunked scans over rows.

numpy only. The estimators' arrays may be large read-only strided views of
windows: nothing here copies a whole array; statistics and finiteness are
computed in chunks of rows.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = [
    "CHUNK_ROWS",
    "WINDOW_SCALINGS",
    "RaggedSequences",
    "ScaledRows",
    "WindowArray",
    "channel_stats",
    "column_stats",
    "first_invalid",
    "memory_mapped",
    "pick",
    "row_chunks",
    "rows_of",
    "scale_rows",
    "unscale_rows",
    "window_stats",
]

# rows per chunk when scanning a whole array (statistics, finiteness)
_SCAN_ROWS = 4096
# rows of a 2D array (targets, a series) per chunk when reading it in parts
CHUNK_ROWS = 1 << 20

# How each sequence can be scaled by statistics of its own steps.
WINDOW_SCALINGS = ("standard", "mean_abs", "robust")
# A sequence's scale is at least this share of its mean absolute value (and 1
# when all of its values are 0): the scaled targets of a near-constant sequence
# stay moderate.
_RELATIVE_SCALE_FLOOR = 0.01
# The median absolute deviation, and the mean absolute deviation, times these
# estimate the standard deviation of normal data.
_MAD_TO_STD = 1.4826
_MEAN_AD_TO_STD = 1.2533


def row_chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def pick(positions: Any, index: Any) -> Any:
    """``positions[index]``, where either may be a ``range``, which stays one.

    A ``range`` (an arithmetic sequence, such as the starts of a series'
    regular windows, or a block of rows) costs no memory however long it is:
    a slice of it is another ``range``, an int an int, and an int array or a
    boolean mask the positions it picks, computed, as an ndarray. A ``range``
    as the index picks like the slice it stands for.
    """
    if isinstance(index, range):
        if index.step > 0 and index.start >= 0:
            index = slice(index.start, index.stop, index.step)
        else:
            index = as_array(index)
    if not isinstance(positions, range) or isinstance(index, (slice, int, np.integer)):
        return positions[index]
    index = np.asarray(index)
    n = len(positions)
    if index.dtype.kind == "b":
        if index.shape != (n,):
            raise IndexError(
                f"boolean index of shape {index.shape} does not match {n} rows"
            )
        index = np.flatnonzero(index)
    elif index.size:
        if index.dtype.kind not in "iu":
            raise IndexError(f"rows are indexed by ints, got {index.dtype}")
        if index.min() < -n or index.max() >= n:
            raise IndexError(f"index out of bounds for {n} rows")
        index = np.where(index < 0, index + n, index)
    picked: np.ndarray = positions.start + positions.step * index.astype(np.intp)
    return picked


def as_array(positions: np.ndarray | range) -> np.ndarray:
    """An int ndarray of ``positions`` (a ``range`` made whole)."""
    if isinstance(positions, range):
        return np.arange(positions.start, positions.stop, positions.step)
    return positions


def channel_stats(X: Any) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each channel over all samples and steps.

    Parameters
    ----------
    X : ndarray or WindowArray of shape (n_samples, seq_len, n_channels)

    Returns
    -------
    mean, scale : ndarray of shape (n_channels,), float64
        ``scale`` is 1 where a channel is constant.
    """
    count = X.shape[0] * X.shape[1]
    total = np.zeros(X.shape[2])
    for rows in row_chunks(X.shape[0], _SCAN_ROWS):
        total += rows_of(X, rows).sum(axis=(0, 1), dtype=np.float64)
    mean = total / count
    squares = np.zeros(X.shape[2])
    buffer = np.empty((min(_SCAN_ROWS, X.shape[0]), *X.shape[1:]))
    for rows in row_chunks(X.shape[0], _SCAN_ROWS):
        part = buffer[: rows.stop - rows.start]
        np.subtract(rows_of(X, rows), mean, out=part)
        np.square(part, out=part)
        squares += part.sum(axis=(0, 1))
    scale = np.sqrt(squares / count)
    scale[scale < 10 * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(mean))] = 1.0
    return mean, scale


def window_stats(
    X: np.ndarray | RaggedSequences | WindowArray,
    how: str,
    *,
    channel: int = 0,
    steps: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Location and scale of one channel of each sequence, over its own steps.

    Parameters
    ----------
    X : ndarray or WindowArray of shape (n_samples, seq_len, n_channels), \
or RaggedSequences
        Ragged sequences count their valid steps only.
    how : {"standard", "mean_abs", "robust"}
        Mean and standard deviation; 0 and the mean absolute value; median
        and 1.4826 times the median absolute deviation (where that is below
        the floor, as for sparse series, 1.2533 times the mean absolute
        deviation from the median).
    channel : int, default=0
        The channel.
    steps : int, default=None
        Count only the first ``steps`` steps of each (dense) sequence: the
        past, when the later steps carry known-future covariates.

    Returns
    -------
    loc, scale : ndarray of shape (n_samples,), float64
        ``scale`` is at least 1 % of the sequence's mean absolute value (1
        for a sequence of zeros): a flat stretch, such as an edge-padded
        first window, measures changes relative to its level.
    """
    if isinstance(X, RaggedSequences):
        loc, scale = np.empty(len(X)), np.empty(len(X))
        for row in range(len(X)):
            start, stop = X.offsets[row], X.offsets[row + 1]
            one = np.asarray(X.values[start:stop, channel], dtype=np.float64)
            loc[row : row + 1], scale[row : row + 1] = _stats(one[np.newaxis], how)
        return loc, scale
    parts = [
        _stats(np.asarray(rows_of(X, rows)[:, :steps, channel], dtype=np.float64), how)
        for rows in row_chunks(X.shape[0], _SCAN_ROWS)
    ]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _stats(X: np.ndarray, how: str) -> tuple[np.ndarray, np.ndarray]:
    """``window_stats`` of a dense float64 block (n, seq_len)."""
    mean_abs = np.abs(X).mean(axis=1)
    floor = _RELATIVE_SCALE_FLOOR * mean_abs
    if how == "standard":
        loc = X.mean(axis=1)
        scale = X.std(axis=1)
    elif how == "mean_abs":
        loc = np.zeros_like(mean_abs)
        scale = mean_abs.copy()
    else:  # robust
        loc = np.median(X, axis=1)
        deviation = np.abs(X - loc[:, np.newaxis])
        scale = _MAD_TO_STD * np.median(deviation, axis=1)
        sparse = scale < floor  # e.g. mostly zeros: the median deviation is 0
        scale[sparse] = _MEAN_AD_TO_STD * deviation[sparse].mean(axis=1)
    scale = np.maximum(scale, floor)
    scale[scale == 0] = 1.0  # only where every value is 0
    return loc, scale


def scale_rows(values: np.ndarray, loc: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``(values - loc) / scale`` with one ``loc`` and ``scale`` per row."""
    shape = (-1,) + (1,) * (values.ndim - 1)
    scaled: np.ndarray = (values - loc.reshape(shape)) / scale.reshape(shape)
    return scaled


def unscale_rows(values: np.ndarray, loc: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``values * scale + loc`` with one ``loc`` and ``scale`` per row."""
    shape = (-1,) + (1,) * (values.ndim - 1)
    unscaled: np.ndarray = values * scale.reshape(shape) + loc.reshape(shape)
    return unscaled


def first_invalid(
    X: np.ndarray, low: np.ndarray | None = None, high: np.ndarray | None = None
) -> tuple[int, ...] | None:
    """Index of the first value of ``X`` that is not finite or not in [low, high].

    Parameters
    ----------
    X : ndarray of shape (n_samples, seq_len, n_channels)
    low, high : ndarray of shape (n_channels,), default=None
        Per-channel bounds (inclusive); None checks finiteness only.

    Returns
    -------
    index : tuple of int or None
        ``(sample, step, channel)`` of the first offending value, in row order.
    """
    buffer = np.empty((min(_SCAN_ROWS, X.shape[0]), *X.shape[1:]), dtype=bool)
    bounded = low is not None and high is not None
    for rows in row_chunks(X.shape[0], _SCAN_ROWS):
        chunk = X[rows]
        ok = buffer[: rows.stop - rows.start]
        np.isfinite(chunk, out=ok)
        if not ok.size:
            continue
        if ok.all():
            # min/max per channel first: no temporary arrays when all is well
            if not bounded or (
                np.all(chunk.min(axis=(0, 1)) >= low)
                and np.all(chunk.max(axis=(0, 1)) <= high)
            ):
                continue
        if bounded:
            ok &= chunk >= low
            ok &= chunk <= high
        index = np.unravel_index(int(np.argmin(ok)), ok.shape)
        return (int(index[0]) + rows.start, *(int(i) for i in index[1:]))
    return None


class RaggedSequences:
    """Sequences of different lengths, stored end to end.

    Parameters
    ----------
    values : ndarray of shape (total_steps, n_channels)
        All time steps of all sequences, one sequence after the other.
    lengths : ndarray of int of shape (n_samples,)
        Number of steps of each sequence (each at least 1).
    """

    def __init__(self, values: np.ndarray, lengths: np.ndarray) -> None:
        self.values = values
        self.lengths = lengths
        self.offsets = np.concatenate([[0], np.cumsum(lengths)])

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def n_channels(self) -> int:
        return int(self.values.shape[1])

    def take(self, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sequences ``index`` padded at the end to their longest, and lengths."""
        lengths = self.lengths[index]
        padded = np.zeros(
            (len(index), int(lengths.max()), self.n_channels), self.values.dtype
        )
        for row, (i, n) in enumerate(zip(index, lengths, strict=True)):
            start = self.offsets[i]
            padded[row, :n] = self.values[start : start + n]
        return padded, lengths.astype(np.int64)

    def locate(self, position: int) -> tuple[int, int]:
        """(sample, step) of a position in ``values``."""
        sample = int(np.searchsorted(self.offsets, position, side="right")) - 1
        return sample, position - int(self.offsets[sample])


class WindowArray:
    """Windows of one or many series, read from the series when indexed.

    What :func:`~sklstm.sliding_windows` returns for a panel (``groups=``):
    it behaves as the array ``(n_windows, window)`` (or ``(n_windows, window,
    n_features)``) of windows, but holds only the series and the first row of
    each window, so no window is copied until it is read. Indexing rows (an
    int array, a slice or a boolean mask, as scikit-learn's cross-validation
    does) gives another ``WindowArray``; one row gives that window (a view,
    or a copy with future covariates);
    ``np.asarray`` materialises all windows. sklstm's estimators read it batch
    by batch.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_features)
        The series' rows, end to end (kept read-only, not copied).
    starts : ndarray of int of shape (n_windows,), or range
        Row of ``values`` where each window starts. A ``range`` (regular
        windows, as :class:`~sklstm.SequenceWindower` cuts from a
        memory-mapped series) is kept as it is: no memory per window.
    window : int
        Number of steps in each window.
    groups : ndarray of shape (n_windows,), default=None
        The series each window belongs to.
    squeeze : bool, default=False
        Whether a univariate series has the shape ``(n_windows, window)``.
    horizon : int, default=0
        With ``future``: the number of steps after each window that carry
        known-future covariates.
    future : ndarray of bool of shape (n_features,), default=None
        Which columns are known in advance. Each window then has ``window +
        horizon`` steps and one more channel: in the last ``horizon`` steps
        only these columns keep their values (the others are 0), and the last
        channel is 1 there (0 before).
    target : int, default=None
        The column the windows' targets come from, which the regressor's
        ``window_scaling`` scales by (None: the first).
    names : list, default=None
        The columns' names, which :func:`~sklstm.forecast` matches a
        DataFrame history by.
    head : ndarray of shape (n_head, n_features), default=None
        Rows that come before ``values``: a window with a negative start
        ``s`` (at least ``-n_head``) reads ``head[n_head + s:]`` and then
        the first rows of ``values``. :class:`~sklstm.SequenceWindower`
        puts its padding, or the history it continues from, here, so that
        a memory-mapped series is never copied.

    Attributes
    ----------
    groups : ndarray of shape (n_windows,) or None
        The series of each window, for ``groups=`` of a splitter such as
        :class:`~sklstm.PanelTimeSeriesSplit` (which reads it by itself).
    shape : tuple of int
        ``(n_windows, window)`` or ``(n_windows, window, n_features)``.

    See Also
    --------
    sliding_windows : Cuts the windows of a panel with ``groups=``.
    PanelTimeSeriesSplit : Cross-validation over every series of a panel.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import sliding_windows
    >>> values = np.array([0.0, 1.0, 2.0, 3.0, 10.0, 11.0, 12.0])
    >>> X, y = sliding_windows(values, window=2, groups=[0, 0, 0, 0, 1, 1, 1])
    >>> X
    WindowArray(shape=(3, 2), dtype=float64, 2 series)
    >>> np.asarray(X)
    array([[ 0.,  1.],
           [ 1.,  2.],
           [10., 11.]])
    >>> y, X.groups
    (array([ 2.,  3., 12.]), array([0, 0, 1]))
    """

    def __init__(
        self,
        values: np.ndarray,
        starts: np.ndarray | range,
        window: int,
        groups: np.ndarray | None = None,
        squeeze: bool = False,
        *,
        horizon: int = 0,
        future: np.ndarray | None = None,
        target: int | None = None,
        names: list[Any] | None = None,
        head: np.ndarray | None = None,
    ) -> None:
        self.values = values
        self._starts = (
            starts if isinstance(starts, range) else np.asarray(starts, dtype=np.intp)
        )
        self.window = int(window)
        self.groups = groups
        self.horizon = int(horizon)
        self.future = None if future is None else np.asarray(future, dtype=bool)
        self.squeeze = bool(squeeze and values.shape[1] == 1 and self.future is None)
        self.target = target
        self.names = names
        self.head = head

    @property
    def starts(self) -> np.ndarray:
        """Row of ``values`` where each window starts (an ndarray of int)."""
        return as_array(self._starts)

    @property
    def shape(self) -> tuple[int, ...]:
        steps = self.window + self.horizon
        if self.squeeze:
            return (len(self._starts), steps)
        flag = 0 if self.future is None else 1
        return (len(self._starts), steps, int(self.values.shape[1]) + flag)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.values.dtype

    def __len__(self) -> int:
        return len(self._starts)

    def __repr__(self) -> str:
        series = (
            "" if self.groups is None else f", {len(np.unique(self.groups))} series"
        )
        return f"WindowArray(shape={self.shape}, dtype={self.dtype}{series})"

    def _like(
        self, starts: np.ndarray | range, groups: Any, values: Any = None
    ) -> WindowArray:
        """These windows' settings for other rows (or values)."""
        return WindowArray(
            self.values if values is None else values,
            starts,
            self.window,
            groups,
            self.squeeze,
            horizon=self.horizon,
            future=self.future,
            target=self.target,
            names=self.names,
            head=self.head,
        )

    def _all_windows(self) -> np.ndarray:
        """Every window of ``values`` (and its future steps): a read-only view
        of shape (n_rows - steps + 1, steps, n_features)."""
        steps = self.window + self.horizon
        view = np.lib.stride_tricks.sliding_window_view(self.values, steps, 0)
        return np.swapaxes(view, 1, 2)

    def take(self, index: Any) -> np.ndarray:
        """Read windows ``index`` into an ndarray (a copy).

        With future covariates, the last ``horizon`` steps keep only the
        future columns (the others are 0) and a last channel flags them.

        Parameters
        ----------
        index : array-like of int or bool, or slice
            The windows to read.

        Returns
        -------
        windows : ndarray of shape (n, steps, n_channels)
            Always 3D: the form the estimators read.
        """
        starts = as_array(pick(self._starts, index))
        windows: np.ndarray
        if self.head is None or not (starts < 0).any():
            windows = self._all_windows()[starts]
        else:  # the windows that begin in the head: joined by hand (a few)
            steps = self.window + self.horizon
            inside = starts >= 0
            windows = np.empty((len(starts), steps, self.values.shape[1]), self.dtype)
            windows[inside] = self._all_windows()[starts[inside]]
            for i in np.flatnonzero(~inside):
                start = int(starts[i])
                first = self.head[len(self.head) + start :]
                windows[i] = np.concatenate([first, self.values[: steps + start]])
        if self.future is None:
            return windows
        flag = np.zeros((*windows.shape[:2], 1), dtype=windows.dtype)
        flag[:, self.window :] = 1
        windows = np.concatenate([windows, flag], axis=2)  # a copy: writable
        windows[:, self.window :, :-1][..., ~self.future] = 0
        return windows

    def with_features(self) -> WindowArray:
        """Return the same windows with a feature axis.

        A univariate panel's windows have the shape ``(n, window)``; these
        have ``(n, window, 1)``. Nothing is copied.

        Returns
        -------
        windows : WindowArray
            Of shape ``(n_windows, steps, n_channels)``.
        """
        out = self._like(self._starts, self.groups)
        out.squeeze = False
        return out

    def __getitem__(self, key: Any) -> Any:
        rest: tuple[Any, ...] = ()
        if isinstance(key, tuple):
            key, rest = (key[0] if key else slice(None)), key[1:]
        if all(
            k is Ellipsis or (isinstance(k, slice) and k == slice(None)) for k in rest
        ):
            rest = ()
        if isinstance(key, (int, np.integer)):
            start = self._starts[key]
            if self.future is None and start >= 0:  # a view of the series
                one = self._all_windows()[start]
            else:  # the flagged copy
                one = self.take(np.array([key]))[0]
            one = one[:, 0] if self.squeeze else one
            return one[rest] if rest else one
        if key is Ellipsis:
            key = slice(None)
        index = key if isinstance(key, slice) else np.asarray(key)
        if isinstance(index, np.ndarray) and index.dtype.kind not in "biu":
            if index.size:
                raise IndexError(
                    "WindowArray rows are indexed by ints, slices or a boolean "
                    f"mask, got an array of {index.dtype}."
                )
            index = index.astype(np.intp)
        groups = None if self.groups is None else self.groups[index]
        picked = self._like(pick(self._starts, index), groups)
        if not rest:
            return picked
        columns = (slice(None), *rest)
        return np.asarray(picked)[columns]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.take(slice(None))
        if self.squeeze:
            out = out[:, :, 0]
        return out if dtype is None else out.astype(dtype, copy=False)


class ScaledRows:
    """Standardised rows of an array, computed for the rows that are read.

    Behaves, for indexing by rows, as ``((values - mean) / scale)`` in
    float32, without holding it: the targets of a memory-mapped series stay
    in their file.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_columns)
    mean, scale : ndarray of shape (n_columns,)
    """

    def __init__(self, values: np.ndarray, mean: np.ndarray, scale: np.ndarray):
        self.values = values
        self.mean = mean
        self.scale = scale

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)

    @property
    def ndim(self) -> int:
        return int(self.values.ndim)

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, index: Any) -> np.ndarray:
        rows = (self.values[index] - self.mean) / self.scale
        return np.ascontiguousarray(rows, dtype=np.float32)


def column_stats(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each column, in float64, by chunks.

    For arrays too large to copy (memory-mapped); the result matches
    ``values.mean(axis=0)`` and ``values.std(axis=0)`` to float64 rounding.
    """
    n = len(values)
    total = np.zeros(values.shape[1:])
    for rows in row_chunks(n, CHUNK_ROWS):
        total += values[rows].sum(axis=0, dtype=np.float64)
    mean = total / n
    squares = np.zeros_like(mean)
    for rows in row_chunks(n, CHUNK_ROWS):
        squares += ((values[rows] - mean) ** 2).sum(axis=0)
    return mean, np.sqrt(squares / n)


def memory_mapped(array: Any) -> bool:
    """Whether ``array`` reads a memory-mapped file (``np.load(mmap_mode=...)``)."""
    while array is not None:
        if isinstance(array, (np.memmap, mmap.mmap)):
            return True
        array = getattr(array, "base", None)
    return False


def rows_of(X: Any, index: Any) -> np.ndarray:
    """Rows ``index`` of validated sequences as an ndarray (read from a WindowArray)."""
    if isinstance(X, WindowArray):
        return X.take(index)
    rows: np.ndarray = X[index]
    return rows
