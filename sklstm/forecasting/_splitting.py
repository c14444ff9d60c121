"""PanelTimeSeriesSplit: time-series cross-validation for many series at once.

numpy and scikit-learn only; no torch.
"""

from __future__ import annotations

from collections.abc import Iterator
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.model_selection import BaseCrossValidator

from .._compat import Interval, validate_params
from .._sequences import WindowArray
from ._panel import series_blocks

__all__ = ["PanelTimeSeriesSplit"]


class PanelTimeSeriesSplit(BaseCrossValidator):  # type: ignore[misc]
    """Time-series cross-validation over every series of a panel at once.

    scikit-learn's ``TimeSeriesSplit`` (the same for one series) cuts the
    stacked rows of a panel once, so a test fold holds the end of some series
    and none of others, and a training fold holds the future of the series
    after it. Here each fold's
    test set holds the next ``test_size`` steps of **every** series, and its
    training set the steps of each series before them: fold ``k`` of
    ``n_splits`` tests steps ``L - (n_splits - k) * test_size`` up to
    ``L - (n_splits - k - 1) * test_size`` of a series of length ``L``, so the
    last fold tests the last ``test_size`` steps of each series.

    The series are identified by ``groups`` (one id per row), as for
    scikit-learn's group splitters: ``cross_val_score(model, X, y,
    groups=ids, cv=PanelTimeSeriesSplit(3))``. Rows must be sorted by
    (series, time); the series may have different lengths.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    test_size : int, default=None
        Steps of each series in each test fold; None: the shortest series'
        length // (n_splits + 1).
    gap : int, default=0
        Steps of each series left out between its training and test steps.
    max_train_size : int, default=None
        At most this many of each series' steps (the latest) train a fold.

    See Also
    --------
    forecast : With ``groups=``, forecasts every series of a panel at once.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm.forecasting import PanelTimeSeriesSplit
    >>> groups = np.repeat(["a", "b"], [6, 4])
    >>> for train, test in PanelTimeSeriesSplit(n_splits=2, test_size=1).split(
    ...     np.zeros(10), groups=groups
    ... ):
    ...     print(train, test)
    [0 1 2 3 6 7] [4 8]
    [0 1 2 3 4 6 7 8] [5 9]
    """

    def __init__(
        self,
        n_splits: int = 5,
        *,
        test_size: int | None = None,
        gap: int = 0,
        max_train_size: int | None = None,
    ) -> None:
        self.n_splits = n_splits
        self.test_size = test_size
        self.gap = gap
        self.max_train_size = max_train_size

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Return the number of folds, ``n_splits``.

        Parameters
        ----------
        X, y, groups : object
            Ignored; present for scikit-learn's API.

        Returns
        -------
        n_splits : int
            The number of folds.
        """
        return int(self.n_splits)

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Generate the training and test row indices of each fold.

        Parameters
        ----------
        X : array-like of shape (n_rows, ...)
            The panel's rows (only their number is read).
        y : array-like, default=None
            Ignored.
        groups : array-like of shape (n_rows,), default=None
            The series id of each row; rows sorted by (series, time). None
            reads them from ``X.groups``: the windows of a panel that
            :func:`~sklstm.sliding_windows` cut with ``groups=`` carry them.

        Yields
        ------
        train : ndarray
            Training row indices of the fold, in order.
        test : ndarray
            Test row indices of the fold, in order.
        """
        n_splits, test_size, gap = self._checked()
        if groups is None and isinstance(X, WindowArray):
            groups = X.groups
        if groups is None:
            raise ValueError(
                "PanelTimeSeriesSplit needs groups=, the series id of each row, "
                "e.g. cross_val_score(model, X, y, groups=ids, cv=...), or the "
                "windows that sliding_windows(..., groups=ids) cuts."
            )
        n_rows = len(X)
        ids, starts, lengths = series_blocks(groups)
        if len(np.asarray(groups)) != n_rows:
            raise ValueError(
                f"groups has {len(np.asarray(groups))} ids but X has {n_rows} "
                "rows: give one series id per row."
            )
        if test_size is None:
            test_size = int(lengths.min()) // (n_splits + 1)
            if test_size < 1:
                shortest = ids.tolist()[int(np.argmin(lengths))]
                raise ValueError(
                    f"Series {shortest!r} has {int(lengths.min())} rows, too few "
                    f"for {n_splits} folds of at least one step after a training "
                    "part. Pass fewer n_splits, or leave out the shortest series."
                )
        needed = n_splits * test_size + gap + 1
        short = lengths < needed
        if short.any():
            name = ids.tolist()[int(np.flatnonzero(short)[0])]
            raise ValueError(
                f"Series {name!r} has {int(lengths[short][0])} rows, but "
                f"{n_splits} folds of test_size={test_size} with gap={gap} need at "
                f"least {needed} (one training step before the first fold). Pass "
                "a smaller test_size or n_splits, or leave that series out."
            )
        for fold in range(n_splits):
            train_parts, test_parts = [], []
            for start, length in zip(starts, lengths, strict=True):
                test_start = length - (n_splits - fold) * test_size
                train_end = test_start - gap
                train_start = 0
                if self.max_train_size is not None:
                    train_start = max(0, train_end - int(self.max_train_size))
                train_parts.append(np.arange(start + train_start, start + train_end))
                test_parts.append(
                    np.arange(start + test_start, start + test_start + test_size)
                )
            yield np.concatenate(train_parts), np.concatenate(test_parts)

    def _checked(self) -> tuple[int, int | None, int]:
        _check_split_params(
            n_splits=self.n_splits,
            test_size=self.test_size,
            gap=self.gap,
            max_train_size=self.max_train_size,
        )
        test_size = None if self.test_size is None else int(self.test_size)
        return int(self.n_splits), test_size, int(self.gap)


@validate_params(
    {
        "n_splits": [Interval(Integral, 2, None, closed="left")],
        "test_size": [Interval(Integral, 1, None, closed="left"), None],
        "gap": [Interval(Integral, 0, None, closed="left")],
        "max_train_size": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def _check_split_params(
    *, n_splits: int, test_size: int | None, gap: int, max_train_size: int | None
) -> None:
    """Check PanelTimeSeriesSplit's parameters with scikit-learn's messages."""
